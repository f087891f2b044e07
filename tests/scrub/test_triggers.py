"""Triggers (transforms/scrub/triggers.py): what every match of a regex must contain, read from the
regex itself; the fast path's orchestration (DirectAnalyzer) refusing what it cannot reproduce;
and the literal finder of the replacement step, against the regex alternation it stands for."""

from __future__ import annotations

import random
import re

import pytest

from transforms.scrub import patterns as pp
from transforms.scrub.replacement import literal_occurrences
from transforms.scrub.triggers import regex_pieces, trigger_pattern


def _fires(pattern: str, flags: int, text: str) -> bool:
    trigger = trigger_pattern([(pattern, flags, True)])
    assert trigger is not None, pattern
    return re.search(trigger, text) is not None


@pytest.mark.parametrize("pattern, flags, must, must_not", [
    (r"[0-9]{3}-[0-9]{4}", 0, "555-1234", "no digits here, just words"),
    (r"foo@(?:bar|baz)\.org", 0, "foo@bar.org", "foo at bar dot org"),
    (r"(?:card|visa)\s*(?P<v>[0-9]{12,19})", re.IGNORECASE, "VISA 411111111111", "visa 4111"),
    (r"(?i:ssn)\s*[0-9]{9}", 0, "SSN 536221234", "ssn unknown"),
    (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", 0, "-----BEGIN RSA PRIVATE KEY-----", "BEGIN"),
])
def test_a_trigger_fires_on_every_match_and_not_on_texts_that_cannot_match(pattern, flags, must, must_not):
    assert re.search(pattern, must, flags)
    assert _fires(pattern, flags, must)
    assert not _fires(pattern, flags, must_not)


@pytest.mark.parametrize("pattern", [
    r"(?:[0-9]+)?",  # may match the empty string
    r"a*|[0-9]{4}",  # one branch requires nothing
    r"[^@]+",  # negated sets say nothing about what is present
    r".{5}",
])
def test_a_regex_that_may_match_anything_gets_no_trigger(pattern):
    assert regex_pieces(pattern, 0) is None
    assert trigger_pattern([(pattern, 0, True)]) is None


def test_case_insensitive_letters_count_for_re_patterns_only():
    # re: the trigger is matched with the same case folding as the pattern (Kelvin sign and all)
    assert _fires(r"(?i)k[0-9]", 0, "\u212a5")
    # the regex package (Presidio's recognizers) folds case its own way: its letters are no trigger
    pieces = regex_pieces(r"(?i)[a-z]{2}[0-9]{2}", 0, python_re=False)
    assert [p.pattern for p in pieces] == ["[0-9]{2}"]
    assert regex_pieces(r"\p{L}+[0-9]", 0, python_re=False) is None  # syntax re reads otherwise


def test_every_rule_trigger_fires_wherever_its_rule_matches():
    """Soundness rule by rule, on a generated day (planted PII of every kind, English and Chinese)."""
    import json
    import tempfile
    from datetime import date
    from pathlib import Path

    from flywheel.sample_logs import generate_logs
    from transforms.scrub.recognizers import regex_recognizers
    from transforms.scrub.triggers import rule_regex

    texts = []
    with tempfile.TemporaryDirectory() as out:
        for file in generate_logs(out, [date(2024, 5, 3)], 60, seed=9, gzip=False).files:
            for line in Path(file).read_text(encoding="utf-8").splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict) and isinstance(event.get("content"), str):
                    texts.append(event["content"])
    matched = 0
    for recognizer in regex_recognizers():
        for rule in recognizer.rules:
            trigger = trigger_pattern([rule_regex(rule)])
            if trigger is None:
                continue
            for text in texts:
                if any(True for _ in rule.spans(text)):
                    matched += 1
                    assert re.search(trigger, text), (recognizer.name, rule.name, text)
    assert matched > 20  # the day does exercise the rules


def test_literal_occurrences_equal_the_regex_alternation_they_replace():
    def alternation(literals):
        alternatives = []
        for lit in sorted(set(literals), key=len, reverse=True):
            alt = re.escape(lit)
            if lit[0].isascii() and lit[0].isalnum():
                alt = pp.L + alt
            if lit[-1].isascii() and lit[-1].isalnum():
                alt += pp.R
            alternatives.append(alt)
        return re.compile("|".join(alternatives))

    rng = random.Random(7)
    alphabet = "ab1 -张._"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        literals = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                    for _ in range(rng.randint(1, 5))]
        expected = [(m.start(), m.end(), m.group()) for m in alternation(literals).finditer(text)]
        assert literal_occurrences(text, literals) == expected, (text, literals)


def test_the_direct_analyzer_refuses_a_recognizer_that_rescores_its_own_results(regex):
    from presidio_analyzer import RecognizerRegistry

    from transforms.scrub.presidio_adapter import DirectAnalyzer, make_analyzer
    from transforms.scrub.recognizers import RegexRecognizer

    class Rescoring(RegexRecognizer):
        def enhance_using_context(self, text, raw_recognizer_results, other_raw_recognizer_results,
                                  nlp_artifacts, context=None):
            return raw_recognizer_results

    registry = RecognizerRegistry(recognizers=[Rescoring("EMAIL_ADDRESS", pp.EMAIL_RULES, "X")],
                                  supported_languages=["en"])
    with pytest.raises(ValueError, match="enhance_using_context"):
        DirectAnalyzer(make_analyzer(registry, regex._engine), 0.4)


def test_re_parser_still_has_the_shape_triggers_read():
    from re import _constants, _parser

    parsed = _parser.parse(r"(?i:ab)[0-9]{3}|x", 0)
    assert parsed.state.flags is not None
    op, arg = list(parsed)[0]
    assert op == _constants.BRANCH and len(arg[1]) == 2
    for name in ("LITERAL", "IN", "RANGE", "CATEGORY", "SUBPATTERN", "BRANCH", "MAX_REPEAT",
                 "MIN_REPEAT", "POSSESSIVE_REPEAT", "ATOMIC_GROUP", "CATEGORY_DIGIT"):
        assert hasattr(_constants, name), name


def test_each_trigger_is_answered_as_a_search_for_it_answers():
    """The cheap answers (longest digit run, ``in`` for literal strings, ``in`` the folded text for
    case-insensitive ones) against ``re.search`` of each
    trigger, for the scrubber's registry (mode presidio adds recognizers without triggers), on texts
    around every kind of trigger and random strings of their characters."""
    from transforms.scrub.scrubber import Scrubber

    triggers = Scrubber("regex")._direct.triggers
    # the three cheap kinds are used
    assert len(triggers._digit_runs) > 3 and len(triggers._literals) > 3 and len(triggers._folded) > 3
    texts = ["", "thanks, that worked", "msg 836574911526", "order 12345 on 2024-05-01", "１２３４５６７",
             "mail ann@example.org", "-----BEGIN RSA PRIVATE KEY-----", "----BEGIN x", "a.eyJhbGciOi.eyJ",
             "postgres://u:p@h/db", "Apt 4, 221B Baker Street", "住在北京市朝阳区建国路88号", "key=sk-abc",
             "٣٤٥٦٧٨٩", "4111 1111 1111 1111", "+1 (415) 555-2671", "AKIAIOSFODNN7EXAMPLE",
             "DRIVER'S LICENSE D1234567", "My Website: annlee.dev", "I L\u0130VE at 12 Main St",
             "I l\u0131ve at", "\u017fent to Box 4", "P.O. BO\u212a 12", "authorization: basic"]
    rng = random.Random(5)
    alphabet = "0123456789 -.:@=/aZ号" + "LIVEliveBOXbox\u0130\u0131\u017f\u212a"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    for text in texts:
        expected = tuple(re.search(p, text) is not None for p in triggers.trigger_patterns)
        assert triggers.present(text) == expected, text
