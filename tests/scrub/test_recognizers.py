"""The recognizers (transforms.scrub.recognizers): the Presidio built-ins we keep and their context words."""

from __future__ import annotations

from scrub_helpers import found, types


def test_presidio_builtins_and_context_words(regex, presidio):
    for scrubber in (regex, presidio):
        assert ("US_SSN", "536-22-1234") in found(scrubber, "my SSN is 536-22-1234")
        # a bare 9-digit number is an SSN only next to a context word
        assert ("US_SSN", "536221234") in found(scrubber, "ssn 536221234")
        assert "US_SSN" not in types(scrubber, "the number 536221234 is big")
        assert ("IBAN_CODE", "DE89370400440532013000") in found(
            scrubber, "转账到DE89370400440532013000")


def test_lower_case_iban(regex):
    assert ("IBAN_CODE", "gb42nawi04454264788619") in found(
        regex, "my iban is gb42nawi04454264788619")
