"""The NER gate (transforms.scrub.ner_gate): which texts go to NER, which ORG spans read like a name."""

from __future__ import annotations

import pytest

from transforms.scrub import ner_gate as scrub_module


def test_ner_gate():
    gate = scrub_module.needs_ner
    for text in ["Sure! Here is the SQL query you asked for.", "Summarize this article. It is long.",
                 "What does JSON mean? Please explain.", "no capitals at all", "I think so."]:
        assert not gate(text), text
    for text in ["Sure, Sarah can help.", "Will Smith called", "Meet me in Boston.",
                 "May Chen is here", "Schedule a call with O'Brien's team"]:
        assert gate(text), text


def test_ner_gate_contractions_and_calendar_words():
    gate = scrub_module.needs_ner
    for text in ["You're right. Here's why. I'm sure we'll manage.", "Don't worry, it isn't hard.",
                 "Won't work? Can't say.", "It’s due on Monday, 3 March.", "See you in December.",
                 "They've done it. I'd say They'll win."]:
        assert not gate(text), text
    for text in ["Sarah's report is ready.", "See you in April.", "Since May it works.",
                 "June called.", "August's plan", "O'Brien's team", "Will's car"]:
        assert gate(text), text


@pytest.mark.parametrize("value,is_name", [
    ("Sophie Lang", True),
    ("Johannes Varvio", True),
    ("Morgan Stanley", True),  # an organisation named like a person: masked, the cheap mistake
    ("Rand Corporation", False),
    ("Kent Street", False),
    ("Will Power Inc", False),
    ("Google", False),
    ("Sophie", False),  # one word: too weak a signal
    ("Sophie LANG", False),
    ("Python Software Foundation", False),
])
def test_org_spans_that_read_like_person_names(value, is_name):
    assert scrub_module.org_span_is_person_name(value) is is_name
