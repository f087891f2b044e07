"""Low-information answers: pleasantries, filler, a user's note to self, preference pairs that differ trivially.

The phrases are data (transforms/training/stock_phrases.py); the rules here are small and measure what is
left once the stock phrases are taken out:

- `is_low_information(answer)`: the answer is stock phrases and nothing else. It is cut into clauses (at
  sentence and clause punctuation and line breaks); a clause that is one stock phrase carries no information.
  "You're welcome! Let me know if there's anything else." and "不客气！" are low-information; "Sure, Paris." and
  "No problem! 42" are not (a filler opens them, but "Paris" and "42" are the answer).
- `added_note_to_self(edited, original)`: a user's edit added a short line that speaks to the user, not the
  reader ("Note: tested on our setup.", "已核对无误。").
- `differs_trivially(chosen, rejected)`: two answers that are the same text once stock phrases, case, spacing
  and the punctuation between clauses are set aside ("Certainly! X" against "X"). A different number or word is never trivial,
  however long the answers: that difference is what a preference pair teaches.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from transforms.text import PLACEHOLDER_RE
from transforms.training.stock_phrases import (
    FILLERS, NOTE_EDIT_REMARKS, NOTE_LABELS, NOTE_SELF_REFERENCES, PLEASANTRIES,
)

# Clause boundaries: sentence and clause punctuation (ASCII and full-width), ellipses, line breaks.
_CLAUSE_BREAK = re.compile(r"[.!?;:,。！？；：，、…\n]+")
# What a clause is trimmed of before it is compared with the phrases: spaces, quotes, markdown, symbols.
_CLAUSE_EDGE = re.compile(r"^[\W_]+|[\W_]+$")

# A note to self is one short line.
MAX_NOTE_CHARS = 120


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in phrases))


_PLEASANTRY_RE = _compile(PLEASANTRIES)
_FILLER_RE = _compile(FILLERS)
_NOTE_LABEL_RE = re.compile(rf"^(?:{'|'.join(NOTE_LABELS)})\s*[:：]")
_NOTE_SELF_RE = _compile(NOTE_SELF_REFERENCES)
_NOTE_REMARK_RE = _compile(NOTE_EDIT_REMARKS)


def normalize(text: str) -> str:
    """NFKC, casefold, whitespace collapsed: the form the phrase lists are written for."""
    # str.split() splits on exactly the characters regex \s matches in a str, and drops the ends.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def clauses(text: str) -> Iterator[str]:
    """The normalized text's clauses, trimmed of edge symbols and markdown; empty ones left out."""
    # NFKC first, so full-width punctuation breaks clauses too; line breaks before whitespace is collapsed.
    for part in _CLAUSE_BREAK.split(unicodedata.normalize("NFKC", PLACEHOLDER_RE.sub(" ", text))):
        part = _CLAUSE_EDGE.sub("", normalize(part))
        if part:
            yield part


@lru_cache(maxsize=4096)
def _clause_kind(clause: str) -> str:
    if _PLEASANTRY_RE.fullmatch(clause):
        return "pleasantry"
    if _FILLER_RE.fullmatch(clause):
        return "filler"
    return "content"


def is_low_information(answer: str) -> bool:
    """True when every clause of the answer is a stock phrase (pleasantry or filler): it says nothing else.

    Placeholders do not count as content ("Thanks, <PERSON_1>!"); an empty answer is another filter's.
    """
    found = False
    for clause in clauses(answer):  # one clause with content decides: the rest is not cut
        if _clause_kind(clause) == "content":
            return False
        found = True
    return found


def _lines(text: str) -> list[str]:
    return [line for line in (normalize(x) for x in text.splitlines()) if line]


def is_note_to_self(line: str) -> bool:
    """A short line labelled as a note, or speaking of its writer, or saying the text was checked/edited."""
    line = normalize(line)
    if not line or len(line) > MAX_NOTE_CHARS:
        return False
    return bool(_NOTE_LABEL_RE.match(line) or _NOTE_SELF_RE.search(line) or _NOTE_REMARK_RE.search(line))


def added_note_to_self(edited: str, original: str) -> bool:
    """True when a line the user's edit added (not in the original answer) is a note to self."""
    before = set(_lines(original))
    return any(is_note_to_self(line) for line in _lines(edited) if line not in before)


def _substance(text: str) -> list[str]:
    """The text's clauses that are not stock phrases, in order: what it says. Symbols inside a clause stay
    ("2+3=5" is not "2-3=5"), and a clause break is kept as one ("3.5" is not "35")."""
    return [c for c in clauses(text) if _clause_kind(c) == "content"]


def differs_trivially(chosen: str, rejected: str) -> bool:
    """True when the two answers say the same once fillers, pleasantries, case, spacing and punctuation go."""
    return _substance(chosen) == _substance(rejected)
