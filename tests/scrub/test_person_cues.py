"""Names NER misses but their surroundings give away (transforms.scrub.person_cues), and the other
mentions of a detected name (transforms.scrub.replacement.with_repeats)."""

from __future__ import annotations

from scrub_helpers import found, types

from transforms.scrub.replacement import with_repeats
from transforms.scrub.spans import PiiSpan, resolve_overlaps


def _persons(scrubber, text):
    return {value for kind, value in found(scrubber, text) if kind == "PERSON"}


def test_a_rare_name_next_to_a_person_cue_is_a_name(presidio):
    assert "Shovda" in _persons(presidio, "Shovda is very reliable. You can always count on her.")
    assert {"Erle", "Maurice"} <= _persons(presidio, "I'm so jealous! said Erle to Maurice")
    assert "Lukas" in _persons(presidio, "I would like to remove my kid Lukas from the will.")
    assert "Danial" in _persons(presidio, "Danial, can I please speak to your boss?")


def test_common_words_and_products_next_to_a_cue_stay(presidio):
    for text in ("ask Google about it", "Nope, I'm all set.", "Yep, I've seen it.",
                 "the musical expressions sung by salarymen.", "you can tell Python to stop"):
        assert "PERSON" not in types(presidio, text), text


def test_lower_case_names_need_a_strong_cue_or_a_known_name(presidio):
    assert "borna jerković" in _persons(presidio, "my name is borna jerković but everyone calls me borna")
    assert "nyberg" in _persons(presidio, "she was born on 8/5/1989. her maiden name is nyberg")
    assert "tracy" in _persons(presidio, "if in doubt ask tracy")
    assert "PERSON" not in types(presidio, "my name is spelled wrong on the form")


def test_every_member_of_a_list_with_a_name_in_it_is_a_name(presidio):
    text = "Verdafero is the brainchild of our 3 founders: Eklund, Michael and Hodge."
    assert {"Eklund", "Michael", "Hodge"} <= _persons(presidio, text)
    lower = "they had 6: leonti, terrence, pamela, donna, andrea and brian."
    assert {"leonti", "terrence", "brian"} <= _persons(presidio, lower)


def test_lists_of_places_and_things_are_no_names(presidio):
    for text in ("We visited Paris, Berlin and Rome last year.", "I use Docker and Kubernetes daily.",
                 "buy apples, pears and bananas"):
        assert "PERSON" not in types(presidio, text), text


def test_dialogue_labels_are_names_when_one_is_a_given_name(presidio):
    assert {"Vinka", "Lisa"} <= _persons(presidio, "Vinka: What a wife.\nLisa: Remember me?")
    assert "PERSON" not in types(presidio, "Note: this is it.\nWarning: be careful.")


def test_the_other_mentions_of_a_detected_name_are_spans_too():
    text = "a film directed by Maciej Borkowski and starring Borkowski"
    start = text.index("Maciej")
    spans = resolve_overlaps(with_repeats(text, [PiiSpan("PERSON", start, start + len("Maciej Borkowski"), 0.85)]))
    assert [text[s.start:s.end] for s in spans] == ["Maciej Borkowski", "Borkowski"]
