"""The building blocks of every pattern: :class:`PatternRule`, the ASCII word-boundary lookarounds, digits.

Pure Python (no Presidio, no spaCy) so the patterns can be unit tested and reused alone.

Boundaries: Python's ``\\b`` does not separate digits or ASCII letters from CJK characters (both
are "word" characters), so ``\\b4111...`` misses "卡号4111111111111111". Every pattern uses ASCII
lookarounds instead (:data:`L` / :data:`R`): a match may touch CJK text or punctuation, but not
continue an ASCII word or number.

Each pattern is a :class:`PatternRule`: the regex, a base score, the group holding the value to scrub
(``"v"`` when only part of the match is sensitive, e.g. the value of ``password=...``) and an
optional validator that receives that value and may reject it (checksums, placeholders). Patterns
whose extent and confidence depend on which optional parts matched (addresses, names after a
naming context) use a ``refine`` function instead, which gets the whole match and returns the span
and score; a ``prefilter`` regex can skip a costly pattern for texts that cannot match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from transforms.text import HAN_CHAR_CLASS, HAN_RE, HAN_RUN_RE


# ASCII-only "word boundary" lookarounds (see module docstring).
L = r"(?<![0-9A-Za-z])"
R = r"(?![0-9A-Za-z])"

# The scrubber's "CJK" is Han only (Chinese PII); the classes live in transforms.text.
CJK_CHAR_CLASS = HAN_CHAR_CLASS
CJK_RE = HAN_RE
CJK_RUN_RE = HAN_RUN_RE


@dataclass(frozen=True)
class PatternRule:
    """One regex of a recognizer."""

    name: str
    regex: "re.Pattern[str]"
    score: float
    group: int | str = 0
    validate: Optional[Callable[[str], bool]] = None  # gets the text of ``check_group``
    check_group: int | str | None = None  # default: ``group``
    # gets the whole match, returns the (start, end, score) to report or None to reject it; for
    # patterns whose confidence and extent depend on which optional parts matched (addresses)
    refine: Optional[Callable[["re.Match[str]"], Optional[Tuple[int, int, float]]]] = None
    # cheap regex that must match somewhere in the text for ``regex`` to be worth running
    prefilter: Optional["re.Pattern[str]"] = None

    def accepts(self, match: "re.Match[str]") -> bool:
        if self.validate is None:
            return True
        group = self.group if self.check_group is None else self.check_group
        return bool(self.validate(match.group(group)))

    def spans(self, text: str):
        """(start, end, score) of every accepted match in ``text``."""
        if self.prefilter is not None and not self.prefilter.search(text):
            return
        for match in self.regex.finditer(text):
            if self.refine is not None:
                refined = self.refine(match)
                if refined is not None and refined[0] < refined[1]:
                    yield refined
                continue
            start, end = match.span(self.group)
            if start < 0 or start == end or not self.accepts(match):
                continue
            yield start, end, self.score


def rule(name: str, pattern: str, score: float, group: int | str = 0,
         validate: Optional[Callable[[str], bool]] = None, flags: int = 0,
         check_group: int | str | None = None, refine=None, prefilter: Optional[str] = None) -> PatternRule:
    """A :class:`PatternRule` with its regex (compiled with ``flags``) and its prefilter compiled."""
    return PatternRule(name, re.compile(pattern, flags), score, group, validate, check_group, refine,
                re.compile(prefilter) if prefilter else None)


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")
