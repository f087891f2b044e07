"""Helpers the scrub test files share: what a scrubber finds in a text, Luhn-valid card numbers, a USCC."""

from __future__ import annotations

from transforms.scrub import patterns as pp
from transforms.scrub.scrubber import Scrubber

USCC_EXAMPLE = "91350100M000100Y43"  # GB 32100-2015's own example


def found(scrubber: Scrubber, text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, text[s.start:s.end]) for s in scrubber.find_spans(text)]


def types(scrubber: Scrubber, text: str) -> set[str]:
    return {s.entity_type for s in scrubber.find_spans(text)}


def with_luhn(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit."""
    for d in "0123456789":
        if pp.luhn_valid(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")
