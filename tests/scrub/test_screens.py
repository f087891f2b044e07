"""Screens (transforms/scrub/screens.py) and case-insensitive string triggers (triggers.fold_case): each
may only ever skip a recognizer that would have found nothing. Checked over every code point where
the two regex engines' case folding matters, on random and adversarial texts against the patterns
themselves, and against the full path (``Scrubber(fast_path=False)``: every recognizer through
Presidio's ``analyze``)."""

from __future__ import annotations

import random
import re
import sys

import pytest
import regex as regex_package

from transforms.scrub.screens import recognizer_screen, screen_source
from transforms.scrub.scrubber import Scrubber
from transforms.scrub.triggers import fold_case, recognizer_regexes

ALL_CHARACTERS = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# characters that case folding reads as an ASCII letter: dotted / dotless i, long s, Kelvin sign
FOLDING = "\u0130\u0131\u017f\u212a"

# Values that Presidio's screened recognizers report (valid checksums), in shapes they accept.
IBANS = ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "gb82west12345698765432",
         "FR14-2004-1010-0505-0001-3M02-606", "NL91ABNA0417164300"]
SSNS = ["536-22-1234", "536 22 1234", "536.22.1234", "53622-1234", "536-221234", "536221234"]
WALLETS = ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
           "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"]
# Context words of the rules that now have case-insensitive string triggers, in odd cases.
CONTEXTS = ["Driver's License number", "DRIVING LICENCE", "dl", "Website:", "HOMEPAGE is", "my bLoG",
            "Authorization: Basic", "P.O. BOX", "post code", "corner of", "I LİVE at", "I lıve at",
            "ſent to", "moved to", "born in", "Grew Up in", "date of birth", "DOB", "phone:", "电话"]


@pytest.fixture(scope="module")
def full_regex() -> Scrubber:
    """Mode regex on the full path: the oracle."""
    return Scrubber("regex", fast_path=False)


def _presidio_pattern_recognizers(scrubber: Scrubber):
    return [r for r in scrubber._direct.recognizers if recognizer_screen(recognizer_regexes(r)) is not None]


def test_re_folds_at_least_what_the_regex_package_folds_to_each_ascii_letter():
    """Screens are compiled by ``re`` with the patterns' flags: every character the ``regex`` package
    matches to an ASCII letter case-insensitively, ``re`` matches too."""
    for letter in ASCII_LETTERS + "0123456789 -":
        by_regex = set(regex_package.findall(re.escape(letter), ALL_CHARACTERS, flags=regex_package.IGNORECASE))
        by_re = set(re.findall(re.escape(letter), ALL_CHARACTERS, flags=re.IGNORECASE))
        assert by_regex <= by_re, (letter, by_regex - by_re)


def test_fold_case_turns_whatever_re_matches_to_an_ascii_letter_into_that_letter():
    for letter in ASCII_LETTERS:
        for character in re.findall(re.escape(letter), ALL_CHARACTERS, flags=re.IGNORECASE):
            assert fold_case(character) == letter.lower(), (letter, character)
    assert fold_case("T\u0130ME \u0131S \u017fO \u212a") == "time is so k"


def test_screens_of_presidio_patterns_read_as_documented():
    assert screen_source(r"(?<![A-Z0-9])[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,6}([ -]?[0-9])?", re.I) == (
        r"(?i:(?<!(?-i:[A-Z0-9a-z]))(?:[A-Z]){2,2}(?:[0-9]){2,2}(?:(?:[\ \-]){0,1}(?:[A-Z0-9]){4,4}){2,2})")
    assert screen_source(r"\b[0-9]{9}\b", 0) == "(?:[0-9]){9,9}"
    # what the two engines may read differently gets no screen
    for pattern in (r"\d{9}", r"[^a]{3}x", r"(\w)\1", "caf\u00e9", r"\p{L}{3}", r"(?i:ab)c"):
        assert screen_source(pattern, re.I) is None, pattern


def _adversarial_texts(rng: random.Random, count: int):
    """Texts around values the screened recognizers report, with their letters' case changed, folding
    look-alikes, separators and neighbours that touch them, and random strings of their characters."""
    values = IBANS + SSNS + WALLETS
    alphabet = "0123456789" + ASCII_LETTERS + " - ._" + FOLDING + "号é"
    for _ in range(count):
        value = rng.choice(values)
        value = "".join(c.swapcase() if rng.random() < 0.3 else c for c in value)
        value = value.replace("I", rng.choice("I\u0130")).replace("s", rng.choice("s\u017f"))
        before = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        after = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        yield before + value + after
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))


def test_a_screen_matches_wherever_one_of_its_patterns_matches(regex):
    """Soundness against the patterns themselves (as Presidio compiles them), whatever the validators say."""
    recognizers = _presidio_pattern_recognizers(regex)
    assert {r.name for r in recognizers} == {"IbanRecognizer", "UsSsnRecognizer", "CryptoRecognizer"}
    rng = random.Random(12)
    matched = 0
    for text in _adversarial_texts(rng, 1500):
        for recognizer in recognizers:
            screen = recognizer_screen(recognizer_regexes(recognizer))
            flags = recognizer.global_regex_flags
            if any(regex_package.search(p.regex, text, flags=flags) for p in recognizer.patterns):
                matched += 1
                assert screen.search(text), (recognizer.name, text)
    assert matched > 500  # the texts do reach the patterns


def test_the_fast_path_finds_what_the_full_path_finds_on_adversarial_texts(regex, full_regex):
    """Random and adversarial texts (screened values, context words of case-insensitive triggers in
    odd cases and look-alike letters) against ``Scrubber(fast_path=False)``: same spans, same scores."""
    rng = random.Random(3)
    values = IBANS + SSNS + WALLETS + ["D1234567", "03/14/1985", "annlee.dev", "dXNlcjpwYXNz",
                                       "123 Main Street", "Box 42", "94105", "Lisbon", "9472 7916"]
    texts = list(_adversarial_texts(rng, 150))
    for _ in range(300):
        parts = [rng.choice(CONTEXTS), rng.choice(" :\n-"), rng.choice(values)]
        if rng.random() < 0.5:
            parts = [rng.choice(values), " ", rng.choice(CONTEXTS)]
        text = "".join(parts)
        texts.append("".join(c.swapcase() if rng.random() < 0.2 else c for c in text))
    found = 0
    for text in texts:
        fast_spans = regex.find_spans(text)
        assert fast_spans == full_regex.find_spans(text), text
        found += bool(fast_spans)
    assert found > 80


@pytest.mark.parametrize("text", [
    "msg 836574911526", "conv b51927252fcb61ad", "fb a938646ad3a28b32", "msg 074397635472",
    "IBAN gb82west12345698765432", "SSN 536-22-1234", "wallet 1boatslrhtknngkdxeeobr76b53lettpyt",
])
def test_ids_and_values_get_the_full_paths_spans(regex, full_regex, text):
    assert regex.find_spans(text) == full_regex.find_spans(text)
