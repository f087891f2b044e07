"""Screens: one cheap ``re`` search proving that Presidio's pattern recognizers find nothing in a text.

Presidio's ``PatternRecognizer`` s (IBAN, US SSN, crypto wallets) compile their patterns with the
``regex`` package, case-insensitively, and pay per call far more than the search itself costs: a
timestamp and a debug log per pattern, the ``regex`` engine's call overhead, and IBAN's module-level
``regex.finditer`` (a cache lookup per call). Their triggers (:mod:`.triggers`) are weak (IBAN's is
two digits: case-insensitive letters are never a trigger), so they run on most texts and ids.

A recognizer's *screen* is a Python ``re`` pattern that matches somewhere in every text its patterns
match, derived from the patterns themselves (:func:`screen_source`):

* zero-width items (lookarounds, ``\\b``, anchors) are left out: a screen may match where the pattern
  does not, never the other way round;
* atomic groups and possessive repeats become plain ones, which match at least as much;
* the end of a pattern that may match nothing (optional groups, lookaheads) is cut, and a final
  repeat keeps its minimum count: a prefix of every match is still a match of what is left;
* the screen is compiled with the pattern's flags. Case-insensitive matching of ASCII characters is
  read the same way by both engines, except that ``re`` also matches ``İ`` / ``ı`` to ``i``: a wider
  set, the safe side (``tests/scrub/test_screens.py`` checks this over every code point). A pattern
  with non-ASCII characters, character categories (``\\d``, ``\\w``: the two engines' Unicode
  tables may differ), negated sets, back references, local flags or syntax of the ``regex`` package
  alone gets no screen; nor does a recognizer with any such pattern: it runs as before.

A text no screen match is in cannot give any of the recognizer's patterns a match, so the recognizer
returns no result: the fast path (:class:`.triggers.RecognizerTriggers`) skips it. Screens are
derived once per process.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre
from re import _parser
from typing import List, Optional, Sequence

# Syntax of the ``regex`` package that ``re`` reads differently or not at all (POSIX and nested sets,
# Unicode properties, fuzzy matching, version / full-case flags, branch reset, recursion ...): a
# pattern written for ``regex`` with any of these gets no trigger and no screen.
REGEX_PACKAGE_ONLY = re.compile(r"\[\[|\[:|\\[pPXmMGKNVL]|\(\?[Vrf]|\(\?[|&R(+\-0-9]|\(\*|\{[^}]*[a-z<=>]")

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
# flags a screen keeps: the others change nothing but anchors (left out) or are the engines' default
_KEPT_FLAGS = re.IGNORECASE | re.DOTALL


class _NoScreen(Exception):
    """The pattern uses something a screen cannot stand for."""


def _char(code: int) -> str:
    if code > 0x7F:
        raise _NoScreen  # case folding of non-ASCII characters differs between the engines
    return re.escape(chr(code))


def _class(items, both_cases: bool = False) -> str:
    """A set of ASCII literals and ranges; ``both_cases``: with the other case of its letters added."""
    ranges = []
    for op, arg in items:
        if op == sre.LITERAL:
            ranges.append((arg, arg))
        elif op == sre.RANGE:
            ranges.append(arg)
        else:  # NEGATE, CATEGORY
            raise _NoScreen
    if both_cases:
        for low, high in list(ranges):
            for first, last, shift in ((ord("A"), ord("Z"), 32), (ord("a"), ord("z"), -32)):
                if max(low, first) <= min(high, last):
                    ranges.append((max(low, first) + shift, min(high, last) + shift))
    return "[" + "".join(_char(low) if low == high else f"{_char(low)}-{_char(high)}"
                         for low, high in ranges) + "]"


def _may_be_empty(op, arg) -> bool:
    if op in _ZERO_WIDTH:
        return True
    if op in _REPEATS:
        return arg[0] == 0
    if op == sre.SUBPATTERN:
        return all(_may_be_empty(o, a) for o, a in arg[3])
    return False


def _prefix(items) -> list:
    """``items`` without what may match nothing at their end, a final repeat cut to its minimum count,
    a final group cut the same way: every match of ``items`` starts with a match of the result."""
    items = list(items)
    while items and _may_be_empty(*items[-1]):
        items.pop()
    if not items:
        return items
    op, arg = items[-1]
    if op in _REPEATS:
        items[-1] = (op, (arg[0], arg[0], arg[2]))
    elif op == sre.SUBPATTERN and not arg[1] and not arg[2]:
        items[-1] = (op, (arg[0], 0, 0, _prefix(arg[3])))
    return items


def _negative_lookaround(arg, fold: bool) -> str:
    """A negative lookaround on one character class, kept with the class's ASCII letters in both cases
    and nothing else (no further case folding): it then rejects fewer texts than the pattern's own
    (``regex`` folds those letters, and a few non-ASCII ones, to the same class), never more. Any
    other lookaround: left out."""
    direction, sub = arg
    if len(sub) != 1 or sub[0][0] not in (sre.LITERAL, sre.IN):
        return ""
    op, item = sub[0]
    items = [(sre.LITERAL, item)] if op == sre.LITERAL else item
    try:
        cls = _class(items, both_cases=fold)
    except _NoScreen:
        return ""
    return ("(?<!" if direction < 0 else "(?!") + "(?-i:" + cls + "))"


def _render(items, flags: int) -> str:
    fold = bool(flags & re.IGNORECASE)
    out = []
    for op, arg in items:
        if op == sre.ASSERT_NOT:
            out.append(_negative_lookaround(arg, fold))
            continue
        if op in _ZERO_WIDTH:
            continue
        if op == sre.LITERAL:
            out.append(_char(arg))
        elif op == sre.IN:
            out.append(_class(arg))
        elif op == sre.ANY:
            out.append(".")
        elif op == sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            if add_flags or del_flags:
                raise _NoScreen
            out.append("(?:" + _render(sub, flags) + ")")
        elif op == sre.ATOMIC_GROUP:
            out.append("(?:" + _render(arg, flags) + ")")
        elif op == sre.BRANCH:
            out.append("(?:" + "|".join(_render(branch, flags) for branch in arg[1]) + ")")
        elif op in _REPEATS:
            low, high, sub = arg
            count = "{%d,}" % low if high == sre.MAXREPEAT else "{%d,%d}" % (low, high)
            out.append("(?:" + _render(sub, flags) + ")" + count)
        else:  # back references, conditionals, NOT_LITERAL, categories outside sets ...
            raise _NoScreen
    return "".join(out)


@functools.lru_cache(maxsize=None)
def screen_source(pattern: str, flags: int) -> Optional[str]:
    """The source of a ``re`` pattern matching somewhere in every text the ``regex``-package
    ``pattern`` (compiled with ``flags``) matches; None when there is none (see module docstring)."""
    if REGEX_PACKAGE_ONLY.search(pattern):
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        body = _render(_prefix(list(parsed)), parsed.state.flags)
    except (re.error, _NoScreen):
        return None
    if not body:
        return None
    kept = parsed.state.flags & _KEPT_FLAGS
    prefix = "".join(letter for flag, letter in ((re.IGNORECASE, "i"), (re.DOTALL, "s")) if kept & flag)
    return f"(?{prefix}:{body})" if prefix else body


def recognizer_screen(regexes: Optional[Sequence[tuple]]) -> Optional["re.Pattern[str]"]:
    """One compiled screen for all of a recognizer's patterns ((source, flags, compiled by ``re``), as
    :func:`.triggers.recognizer_regexes` gives them); None unless every pattern is a ``regex``-package
    pattern with a screen."""
    if not regexes or any(python_re for _, _, python_re in regexes):
        return None
    sources: List[str] = []
    for pattern, flags, _ in regexes:
        source = screen_source(pattern, int(flags))
        if source is None:
            return None
        sources.append(source)
    return _compiled("|".join(sources))


@functools.lru_cache(maxsize=None)
def _compiled(source: str) -> "re.Pattern[str]":
    return re.compile(source)
