"""Replacement: which detections are the same value, and what each occurrence becomes.

Within one conversation the same value always gets the same replacement: a typed placeholder
(``<PERSON_1>``, numbered per type in order of first appearance) or, with replacement
``"surrogate"``, a realistic fake (:mod:`transforms.scrub.surrogates`). Any detected value is also
replaced at its other literal occurrences, and single parts of an English full name map to the
full name's replacement (:func:`replace_detected`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from transforms.scrub import patterns as pp
from transforms.scrub.entities import _NER_TYPES
from transforms.scrub.ner_gate import _NER_STOPLIST
from transforms.scrub.spans import PiiSpan, resolve_overlaps
from transforms.scrub.config import SCRUB_REPLACEMENTS

# "placeholder": typed placeholders (<PERSON_1>); "surrogate": realistic fakes (transforms/scrub/surrogates.py).
REPLACEMENTS = SCRUB_REPLACEMENTS  # the allowed values live in transforms.scrub.config

# Name parts never propagated on their own (titles, particles).
_NAME_PART_STOP = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "van", "von", "der", "den", "del",
     "della", "de", "da", "di", "la", "le", "du", "bin", "al", "jr", "sr", "ii", "iii"}
)


def normalize_value(entity_type: str, value: str) -> str:
    """Key under which two detections count as the same value (for placeholder numbering)."""
    compact = "".join(value.split())
    if entity_type == "EMAIL_ADDRESS":
        return "email:" + compact.lower()
    digits = pp.digits_only(compact)
    if len(digits) >= 7 and re.fullmatch(r"[0-9+()\-.xX/]+", compact):
        if entity_type == "PHONE_NUMBER":
            # "+86 138 1234 5678" == "13812345678"; "+44 20 ..." == "020 ..."
            return "phone:" + digits[-10:]
        return "num:" + digits + ("X" if compact[-1:] in "xX" else "")
    if entity_type in _NER_TYPES:
        return "name:" + " ".join(value.split()).casefold()
    if entity_type in ("CN_PASSPORT", "CN_HK_MACAU_PERMIT"):
        return "doc:" + compact.upper()  # "e12345678" and "E12345678" are the same passport
    return "raw:" + value


def _name_parts(value: str) -> List[str]:
    """Single-word parts of an English full name worth propagating ("Sarah" of "Sarah Johnson")."""
    words = value.split()
    if len(words) < 2 or not all(ord(ch) < 0x250 for ch in value):  # Latin script ("Jónás Kovács")
        return []
    from spacy.lang.en.stop_words import STOP_WORDS

    parts = []
    for word in words:
        word = word.strip(".,")
        low = word.lower()
        if (len(word) >= 3 and word[0].isupper() and not word.isupper()
                and word.replace("'", "").replace("-", "").isalpha()
                and low not in _NAME_PART_STOP and low not in STOP_WORDS
                and low not in _NER_STOPLIST):
            parts.append(word)
    return parts


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def literal_occurrences(text: str, literals: Sequence[str]) -> List[Tuple[int, int, str]]:
    """(start, end, literal) of every occurrence of ``literals`` in ``text``, left to right and
    non-overlapping; at one position the longest literal wins. An ASCII letter or digit at either
    edge of a literal must not continue an ASCII word there (:data:`pp.L` / :data:`pp.R`), CJK
    edges may touch anything. What a regex alternation of the literals (longest first, with those
    lookarounds) finds, without compiling one per conversation: each new regex would push
    another out of the ``re`` module's cache, which phonenumbers and others rely on."""
    found = []  # (start, -length, literal) of every occurrence whose edges are clear
    for literal in set(literals):
        size = len(literal)
        check_left, check_right = _is_ascii_alnum(literal[0]), _is_ascii_alnum(literal[-1])
        start = text.find(literal)
        while start >= 0:
            end = start + size
            if not ((check_left and start > 0 and _is_ascii_alnum(text[start - 1]))
                    or (check_right and end < len(text) and _is_ascii_alnum(text[end]))):
                found.append((start, -size, literal))
            start = text.find(literal, start + 1)
    found.sort()
    out: List[Tuple[int, int, str]] = []
    last_end = 0
    for start, minus_size, literal in found:
        if start >= last_end:
            out.append((start, start - minus_size, literal))
            last_end = start - minus_size
    return out


def _detected_literals(pairs: Sequence[Tuple[str, Sequence[PiiSpan]]]):
    """Every detected value of ``pairs`` (text, its spans) and the parts of English full names, as
    literal -> (entity type, score), and normalized name part -> normalized full name."""
    literal_type: Dict[str, Tuple[str, float]] = {}
    alias: Dict[str, str] = {}
    for text, spans in pairs:
        for span in spans:
            value = text[span.start:span.end]
            if len(value.strip()) < 2:
                continue
            literal_type.setdefault(value, (span.entity_type, span.score))
            if span.entity_type == "PERSON":
                full_key = normalize_value("PERSON", value)
                for part in _name_parts(value):
                    literal_type.setdefault(part, ("PERSON", span.score))
                    alias.setdefault(normalize_value("PERSON", part), full_key)
    return literal_type, alias


def _repeats(text: str, literal_type: Dict[str, Tuple[str, float]], literals: Sequence[str]) -> List[PiiSpan]:
    """A span at every occurrence of ``literals`` (keys of ``literal_type``) in ``text``."""
    spans = []
    for start, end, literal in literal_occurrences(text, literals):
        entity_type, score = literal_type[literal]
        spans.append(PiiSpan(entity_type, start, end, score))
    return spans


def with_repeats(text: str, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
    """``spans`` plus the other literal occurrences in ``text`` of their values and of the parts
    of detected English full names ("starring Borkowski" after "directed by Maciej Borkowski"):
    what :func:`replace_detected` replaces, so that a text's spans say what scrubbing removes."""
    literal_type, _ = _detected_literals([(text, spans)])
    repeated = [literal for literal in literal_type if text.count(literal) > 1]
    if not repeated:  # the common case: no regex to build
        return list(spans)
    return list(spans) + _repeats(text, literal_type, repeated)


def replace_detected(texts: Sequence[Optional[str]], present: Sequence[int],
                     detected: Sequence[Sequence[PiiSpan]], replace: Callable[[str, int, str], str]):
    """Replace the ``detected`` spans of ``texts`` (``present``: indices of the texts that are not
    None), plus every other literal occurrence of a detected value, with ``replace(entity_type,
    number, original)``, called once per distinct value. Returns the replaced texts, the count of
    replaced occurrences per entity type and the replaced spans per text (input offsets)."""
    # Every detected value (and the parts of English full names) is looked for everywhere.
    literal_type, alias = _detected_literals([(texts[i], detected[i]) for i in present])

    finals: List[List[PiiSpan]] = [[] for _ in texts]
    for i in present:
        text = texts[i]
        spans = list(detected[i])
        if literal_type:
            spans += _repeats(text, literal_type, list(literal_type))
        finals[i] = resolve_overlaps(spans)

    placeholders: Dict[str, Tuple[str, str]] = {}  # key -> (placeholder, type)
    per_type: Counter = Counter()
    counts: Counter = Counter()
    out: List[Optional[str]] = list(texts)
    out_spans: List[List[PiiSpan]] = [[] for _ in texts]
    for i in present:
        text = texts[i]
        pieces: List[str] = []
        last = 0
        for span in finals[i]:
            key = normalize_value(span.entity_type, text[span.start:span.end])
            key = alias.get(key, key)
            if key not in placeholders:
                per_type[span.entity_type] += 1
                placeholders[key] = (replace(span.entity_type, per_type[span.entity_type],
                                             text[span.start:span.end]),
                                     span.entity_type)
            placeholder, entity_type = placeholders[key]
            counts[entity_type] += 1
            pieces.append(text[last:span.start])
            pieces.append(placeholder)
            last = span.end
            out_spans[i].append(PiiSpan(entity_type, span.start, span.end, span.score))
        pieces.append(text[last:])
        out[i] = "".join(pieces)
    return out, dict(counts), out_spans
