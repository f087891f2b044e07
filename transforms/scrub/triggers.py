"""Which recognizers can match a text at all: a few cheap searches per text instead of every recognizer's regexes.

Most recognizers are regexes, and most regexes cannot match most texts: a card number needs a run
of digits, an email an ``@``, a PEM key ``-----BEGIN``. This module reads each regex with the
standard library's own regex parser and derives its *trigger*: what every match must contain
(``[0-9]{4}``, ``@``, ``-----BEGIN ``, ``[13]``). A text without the trigger cannot give a match,
so the scrubber's fast path (:class:`transforms.scrub.presidio_adapter.DirectAnalyzer`) skips the
recognizer - for our :class:`RegexRecognizer` s rule by rule - and runs the others as before, so
their results are those of the full path (proven by ``tests/scrub/test_fast_path_identical.py``).

How a trigger is derived (:func:`required_pieces`): a sequence requires what any one of its
mandatory items requires (the rarest in chat text is chosen, by rough character weights), consecutive
literals a string; an alternation requires what each of its branches requires (the union); a repeat
with at least ``n`` of one character class a run of ``n`` of it; groups are looked into;
lookarounds, anchors and optional parts require nothing. A regex whose every item can be absent,
or that uses a construct not read here, gets no trigger, and runs on every text (the safe side); so
does one whose trigger would fire on nearly every text anyway (a space, common letters). A rule's
``prefilter`` must match too: the rarer of its regex's and its prefilter's triggers is used.
A string matched case-insensitively (``(?i:date of birth)``) is a trigger for ``re`` patterns when it
holds ASCII and uncased characters only: it is looked for in the text lower-cased once
(:func:`fold_case`, which also reads the few non-ASCII letters ``re`` folds to ASCII ones).

Where the regexes come from (:func:`recognizer_regexes`): our :class:`RegexRecognizer` s (rules and
prefilters, Python ``re``), Presidio's ``PatternRecognizer`` s (compiled by the ``regex`` package:
read only when they use the syntax both engines share, case-insensitive letters never used) and
the phone recognizer's digit-run prefilter. Other recognizers (spaCy NER, Chinese names) have no
trigger: they always run. Triggers only ever widen what they stand for (``\d`` for ``[0-9]`` in an
ASCII regex, a run of 2 digits for one of 4), never narrow it.

Per text, each distinct trigger is answered once, the cheapest way that gives a search's answer
(:class:`RecognizerTriggers`): runs of ASCII digits (``[0-9]{4}``) from the text's longest
digit run, found in one scan; a literal string (``@``, ``://``) with ``in``, a case-insensitive one
with ``in`` the folded text; a trigger of several such pieces by any of their answers; the rest by a
regex search. Triggers are derived once per process (:func:`regex_pieces` is cached): a second scrubber
of a worker reads no regex again.

``re._parser`` is private to the standard library (Python 3.11+; ``sre_parse`` before):
``tests/scrub/test_triggers.py`` fails if its shape changes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from re import _constants as sre
from re import _parser
from typing import List, Optional, Sequence, Tuple

from transforms.scrub.screens import REGEX_PACKAGE_ONLY, recognizer_screen

# Categories rendered in their Unicode form: a superset of their ASCII form, so a trigger rendered
# from an ASCII-flagged regex still fires on every text the regex could match.
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_SPACE: r"\s"}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

# How often a character turns up in chat text (rough weights): to choose, of the items every match
# needs, the one rarest in texts. Only speed depends on it, never the results.
_LOWER_LETTER, _UPPER_LETTER, _DIGIT, _SPACE, _CJK, _OTHER = 30.0, 10.0, 2.0, 100.0, 5.0, 1.0
_PUNCTUATION = dict.fromkeys(",.\n'", 15.0)
_WIDE_CLASS = 1000.0  # \w, \s, big ranges: present in nearly every text
# A trigger this common (a space, a lower-case letter, common punctuation) would fire on nearly
# every text: not worth its search, the recognizer simply always runs.
_USELESS = 50.0
_LONGER_RUN = 0.5  # a run of n characters of a class is rarer than one, by this factor per character
_LONGER_TEXT = 0.3  # a string of n characters is rarer than its rarest character, by this per character


@dataclass(frozen=True)
class Piece:
    """One thing any match contains: a regex fragment (a character, class or string) repeated
    ``length`` times, and how common that is in texts (:data:`_LOWER_LETTER` ...)."""

    fragment: str
    cost: float
    length: int = 1
    # the string the text then contains, when the piece is one (a character, a run of it, a string):
    # ``in`` finds it for less than a regex search; None otherwise
    literal: Optional[str] = field(default=None, compare=False)
    # for a string matched case-insensitively: the string :func:`fold_case` of the text then
    # contains (``in`` again); None otherwise
    folded: Optional[str] = field(default=None, compare=False)

    @property
    def pattern(self) -> str:
        return self.fragment if self.length == 1 else "%s{%d}" % (self.fragment, self.length)


def _char_cost(ch: str) -> float:
    if ch == " ":
        return _SPACE
    if "a" <= ch <= "z":
        return _LOWER_LETTER
    if "A" <= ch <= "Z":
        return _UPPER_LETTER
    if "0" <= ch <= "9":
        return _DIGIT
    return _CJK if ch >= "\u3000" else _PUNCTUATION.get(ch, _OTHER)


def _escape(code: int) -> str:
    ch = chr(code)
    return ch if ch.isascii() and ch.isalnum() else "\\U%08x" % code


def _folds(code: int) -> bool:
    """Whether case-insensitive matching could widen this character beyond itself."""
    ch = chr(code)
    return ch.lower() != ch.upper() or not ch.isascii()


def _class_piece(op, arg, fold: bool, case_safe: bool, length: int = 1) -> Optional[Piece]:
    """A literal or a set (a run of ``length`` of it) as a piece, or None when it cannot serve as one:
    a negated set, any character, a category other than \d \w \s, case-folded letters where
    ``case_safe`` is off."""
    if op == sre.LITERAL:
        items = [(sre.LITERAL, arg)]
    elif op == sre.IN:
        items = arg
    else:
        return None
    parts, cost = [], 0.0
    for item_op, item_arg in items:
        if item_op == sre.LITERAL:
            codes = [item_arg]
            parts.append(_escape(item_arg))
            cost += _char_cost(chr(item_arg))
        elif item_op == sre.RANGE:
            low, high = item_arg
            codes = range(low, high + 1)
            parts.append(f"{_escape(low)}-{_escape(high)}")
            cost += _WIDE_CLASS if high - low > 255 else sum(_char_cost(chr(c)) for c in codes)
        elif item_op == sre.CATEGORY and item_arg in _CATEGORIES:
            codes = []
            parts.append(_CATEGORIES[item_arg])
            cost += 10 * _DIGIT if item_arg == sre.CATEGORY_DIGIT else _WIDE_CLASS
        else:  # NEGATE, other categories
            return None
        if fold and not case_safe and any(_folds(c) for c in codes):
            return None
    pattern = "[" + "".join(parts) + "]"
    literal = chr(items[0][1]) * length if len(items) == 1 and items[0][0] == sre.LITERAL else None
    if fold and any(_folds(c) for op_, a in items if op_ != sre.CATEGORY
                    for c in ([a] if op_ == sre.LITERAL else range(a[0], a[1] + 1))):
        pattern, cost, literal = f"(?i:{pattern})", cost * 2, None
    return Piece(pattern, cost * _LONGER_RUN ** (length - 1), length, literal)


# The characters other than ASCII letters that ``re`` matches to an ASCII letter case-insensitively,
# and that ``str.lower`` does not turn into it (the Kelvin sign it does; the dotted capital I it
# turns into "i" and a combining dot): checked over every code point by tests/scrub/test_triggers.py.
_TO_ASCII_LETTER = (("i\u0307", "i"), ("\u0131", "i"), ("\u017f", "s"))


def fold_case(text: str) -> str:
    """``text`` lower-cased the way ``re``'s case-insensitive matching of ASCII letters reads it: a
    string of ASCII letters and uncased characters that such a regex matches in ``text`` is in it,
    lower-cased. (``str.lower`` turns the dotted capital I into ``i`` and a combining dot; the dot
    is dropped, so "i" + combining dot reads as "i" too: a string found where no regex matches
    only costs a search, never a result.)"""
    folded = text.lower()
    if folded.isascii():
        return folded
    for other, letter in _TO_ASCII_LETTER:
        folded = folded.replace(other, letter)
    return folded


def _text_piece(text: str, fold: bool, case_safe: bool = True) -> Optional[Piece]:
    """A string every match contains, as a piece. Matched case-insensitively (``fold``): a piece
    found in the text's :func:`fold_case` if the pattern is for ``re`` (``case_safe``) and the string
    holds ASCII and uncased characters only, else None."""
    pattern = "".join(_escape(ord(c)) for c in text)
    cost = min(_char_cost(c) for c in text) * _LONGER_TEXT ** (len(text) - 1)
    if not (fold and any(_folds(ord(c)) for c in text)):
        return Piece(pattern, cost, literal=text)
    if case_safe and all(c.isascii() or c.lower() == c == c.upper() for c in text):
        return Piece(f"(?i:{pattern})", cost * 2, folded=fold_case(text))
    return None


def _cost(pieces: Sequence[Piece]) -> float:
    return sum(p.cost for p in pieces)


def required_pieces(items, flags: int, case_safe: bool = True) -> Optional[List[Piece]]:
    """What every match of the parsed sequence ``items`` contains: pieces, one of which is always
    present; None when nothing is required (or nothing we can read). ``case_safe`` off: letters
    matched case-insensitively are no piece (the pattern is not for ``re``)."""
    candidates: List[List[Piece]] = []
    fold = bool(flags & re.IGNORECASE)
    text = ""  # consecutive literals: a string every match contains
    for op, arg in list(items) + [(None, None)]:
        if op == sre.LITERAL:
            text += chr(arg)
        else:
            if len(text) > 1:
                piece = _text_piece(text, fold, case_safe)
                if piece:
                    candidates.append([piece])
            text = ""
        if op is None:
            break
        found = _required_item(op, arg, flags, case_safe)
        if found:
            candidates.append(found)
    return min(candidates, key=_cost) if candidates else None


def _required_item(op, arg, flags: int, case_safe: bool) -> Optional[List[Piece]]:
    fold = bool(flags & re.IGNORECASE)
    if op in (sre.LITERAL, sre.IN):
        piece = _class_piece(op, arg, fold, case_safe)
        return [piece] if piece else None
    if op == sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = arg
        return required_pieces(sub, (flags | add_flags) & ~del_flags, case_safe)
    if op == sre.ATOMIC_GROUP:
        return required_pieces(arg, flags, case_safe)
    if op == sre.BRANCH:
        union: List[Piece] = []
        for branch in arg[1]:
            found = required_pieces(branch, flags, case_safe)
            if not found:
                return None  # one branch requiring nothing: the alternation requires nothing
            union += found
        return union
    if op in _REPEATS:
        low, _high, sub = arg
        if low < 1:
            return None
        if len(sub) == 1 and sub[0][0] in (sre.LITERAL, sre.IN):
            piece = _class_piece(sub[0][0], sub[0][1], fold, case_safe, length=low)
            return [piece] if piece else None
        return required_pieces(sub, flags, case_safe)
    return None  # zero-width (anchors, lookarounds), ANY, back references, conditionals


@functools.lru_cache(maxsize=None)
def regex_pieces(pattern: str, flags: int, python_re: bool = True) -> Optional[Tuple[Piece, ...]]:
    """The trigger pieces of one regex (source and flags); None: it may match anything.
    ``python_re`` False: the pattern is compiled by the ``regex`` package (Presidio's). Read once
    per process (the parse is most of a scrubber's trigger set-up)."""
    if not python_re and REGEX_PACKAGE_ONLY.search(pattern):
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    found = required_pieces(list(parsed), parsed.state.flags, case_safe=python_re)
    return tuple(found) if found else None


def trigger_pieces(regexes: Sequence[Tuple[str, int, bool]]) -> Optional[Tuple[Piece, ...]]:
    """The pieces, one of which any match of any of ``regexes`` ((source, flags, compiled by
    ``re``)) contains; None when one of them may match anything, or when the trigger would fire on
    nearly any text anyway (:data:`_USELESS`)."""
    shortest: dict = {}  # fragment -> its shortest run: a run of 4 digits is also one of 2
    for pattern, flags, python_re in regexes:
        found = regex_pieces(pattern, flags, python_re)
        if not found:
            return None
        for piece in found:
            if piece.fragment not in shortest or piece.length < shortest[piece.fragment].length:
                shortest[piece.fragment] = piece
    pieces = tuple(shortest.values())
    if not pieces or _cost(pieces) >= _USELESS:
        return None
    return pieces


def trigger_pattern(regexes: Sequence[Tuple[str, int, bool]]) -> Optional[str]:
    """The source of one regex finding whether any of ``regexes`` may match a text
    (:func:`trigger_pieces` as one alternation); None: no trigger."""
    pieces = trigger_pieces(regexes)
    return None if pieces is None else "|".join(p.pattern for p in pieces)


_ASCII_DIGITS = "[0-9]"  # the fragment of a piece that is a run of ASCII digits
_DIGIT_RUN_RE = re.compile(_ASCII_DIGITS + "+")


def rule_regex(rule) -> Tuple[str, int, bool]:
    """Of a :class:`PatternRule`'s regex and prefilter (both must match for a result), the one whose
    trigger is the rarer in texts."""
    regexes = [r for r in (rule.regex, rule.prefilter) if r is not None]
    costs = [_cost(regex_pieces(r.pattern, r.flags) or (Piece("", float("inf")),)) for r in regexes]
    best = regexes[costs.index(min(costs))]
    return best.pattern, best.flags, True


def recognizer_regexes(recognizer) -> Optional[List[Tuple[str, int, bool]]]:
    """(source, flags, compiled by ``re``) of every regex whose match ``recognizer`` needs for any
    result; None for recognizers not made of regexes (they always run)."""
    from presidio_analyzer import PatternRecognizer
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

    from transforms.scrub.recognizers import PrefilteredPhoneRecognizer, RegexRecognizer

    if isinstance(recognizer, RegexRecognizer):
        return [rule_regex(rule) for rule in recognizer.rules]
    if isinstance(recognizer, PrefilteredPhoneRecognizer):  # it reads only windows around digit runs
        return [(recognizer._RUN.pattern, recognizer._RUN.flags, True)]
    # PatternRecognizer.analyze and IbanRecognizer's own analyze report matches of their patterns
    # only (presidio-analyzer 2.2: a deny list is turned into one more pattern)
    if (isinstance(recognizer, PatternRecognizer)
            and type(recognizer).analyze in (PatternRecognizer.analyze, IbanRecognizer.analyze)):
        flags = recognizer.global_regex_flags or 0
        return [(p.regex, int(flags), False) for p in recognizer.patterns] or None
    return None


class RecognizerTriggers:
    """The triggers of a registry's recognizers, and per text the recognizers that may match it.

    A :class:`RegexRecognizer` gets a trigger per rule (a text runs only the rules it may match);
    Presidio's pattern recognizers and the phone recognizer one trigger for all their regexes, and
    Presidio's pattern recognizers a screen too (:mod:`.screens`: searched when the trigger fired);
    other recognizers none (they always run).

    Each trigger is answered the cheapest way that gives a search's answer: when every piece of it
    is a run of ASCII digits (by the text's longest run: one scan for all), a plain string (``in``)
    or a case-insensitive one (``in`` the text's :func:`fold_case`, made once), by those *answers*,
    each computed once per text however many triggers share it; otherwise by one search for the
    trigger."""

    # texts share a few hundred combinations of answers; a worker keeps at most this many plans
    MAX_PLANS = 4096

    def __init__(self, recognizers: Sequence):
        from transforms.scrub.recognizers import RegexRecognizer

        self.recognizers = list(recognizers)
        # the answers, by kind: digit runs (n), plain strings, folded strings, searches (sources)
        kinds: Tuple[dict, dict, dict, dict] = ({}, {}, {}, {})
        checks: dict = {}  # trigger source -> the answers it is (kind, key), any of them true

        def answer(kind: int, key) -> Tuple[int, object]:
            kinds[kind].setdefault(key, len(kinds[kind]))
            return kind, key

        def check(regexes) -> Optional[str]:
            pieces = trigger_pieces(regexes) if regexes else None
            if pieces is None:
                return None
            trigger = "|".join(p.pattern for p in pieces)
            if trigger not in checks:
                if all(p.fragment == _ASCII_DIGITS or p.literal is not None or p.folded is not None
                       for p in pieces):
                    checks[trigger] = [answer(0, p.length) if p.fragment == _ASCII_DIGITS
                                       else answer(1, p.literal) if p.literal is not None
                                       else answer(2, p.folded) for p in pieces]
                else:
                    checks[trigger] = [answer(3, trigger)]
            return trigger

        # per recognizer: (recognizer, its rules or None, the trigger of each rule / of the
        # recognizer, its screen or None)
        plan = []
        for recognizer in self.recognizers:
            if isinstance(recognizer, RegexRecognizer):
                rules = recognizer.rules
                plan.append((recognizer, rules, [check([rule_regex(r)]) for r in rules], None))
            else:
                regexes = recognizer_regexes(recognizer)
                plan.append((recognizer, None, [check(regexes)], recognizer_screen(regexes)))
        self._digit_runs = tuple(kinds[0])
        self._literals = tuple(kinds[1])
        self._folded = tuple(kinds[2])
        self._searches = tuple(re.compile(source) for source in kinds[3])
        offsets = (0, len(kinds[0]), len(kinds[0]) + len(kinds[1]), len(kinds[0]) + len(kinds[1]) + len(kinds[2]))
        # per trigger: the places of its answers (see _answers)
        self._checks = {trigger: tuple(offsets[kind] + kinds[kind][key] for kind, key in found)
                        for trigger, found in checks.items()}
        self._plan = [(recognizer, rules, [None if t is None else self._checks[t] for t in triggers], screen)
                      for recognizer, rules, triggers, screen in plan]
        self._trigger_patterns = list(checks)
        self._plans: dict = {}  # answers -> (recognizer, rules, screen) to run

    @property
    def trigger_patterns(self) -> List[str]:
        """The distinct triggers, as regex sources (in the order of :meth:`present`)."""
        return list(self._trigger_patterns)

    def candidates(self, text: str) -> List[Tuple[object, Optional[tuple]]]:
        """(recognizer, the rules to run or None for all) of the recognizers that may find something
        in ``text``, in registry order."""
        answers = self._answers(text)
        plan = self._plans.get(answers)
        if plan is None:
            if len(self._plans) >= self.MAX_PLANS:
                self._plans.clear()
            plan = self._plans[answers] = self._plan_for(answers)
        return [(recognizer, rules) for recognizer, rules, screen in plan
                if screen is None or screen.search(text) is not None]

    def present(self, text: str) -> Tuple[bool, ...]:
        """Per trigger (:attr:`trigger_patterns`), whether ``text`` holds it: what a search for it
        answers."""
        answers = self._answers(text)
        return tuple(any(answers[i] for i in self._checks[t]) for t in self._trigger_patterns)

    def _answers(self, text: str) -> Tuple[bool, ...]:
        longest = max(map(len, _DIGIT_RUN_RE.findall(text)), default=0) if self._digit_runs else 0
        folded = fold_case(text) if self._folded else ""
        return tuple([longest >= n for n in self._digit_runs] + [literal in text for literal in self._literals]
                     + [literal in folded for literal in self._folded]
                     + [search.search(text) is not None for search in self._searches])

    def _plan_for(self, answers: Tuple[bool, ...]) -> List[Tuple[object, Optional[tuple], Optional[re.Pattern]]]:
        def fired(check: Optional[tuple]) -> bool:
            return check is None or any(answers[i] for i in check)

        out = []
        for recognizer, rules, rule_checks, screen in self._plan:
            if rules is None:
                if fired(rule_checks[0]):
                    out.append((recognizer, None, screen))
                continue
            active = tuple(r for r, check in zip(rules, rule_checks) if fired(check))
            if active:
                out.append((recognizer, None if len(active) == len(rules) else active, None))
        return out
