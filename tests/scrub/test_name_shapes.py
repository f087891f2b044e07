"""Names NER misses by their writing (transforms.scrub.name_shapes), driver's licences and the
timestamp that is no phone number."""

from __future__ import annotations

from scrub_helpers import found, types

from transforms.scrub.name_shapes import cased_copy


def test_lower_case_names_are_found_through_a_cased_copy(presidio):
    assert ("PERSON", "michelle kozma") in found(presidio, "michelle kozma will be talking")
    assert ("PERSON", "patricia desrosiers") in found(presidio, "follow up with patricia desrosiers in a couple of months.")


def test_lower_case_words_that_are_also_given_names_stay(presidio):
    for text in ("i love grace and hope, it is worth it", "the golden rule: edit text first",
                 "we will mark the rose garden on the map"):
        assert "PERSON" not in types(presidio, text), text


def test_cased_copy_keeps_offsets_and_touches_only_name_candidates():
    text = "ask bertram m. jørgensen about it"
    cased = cased_copy(text)
    assert cased == "ask Bertram M. Jørgensen about it" and len(cased) == len(text)
    assert cased_copy("nothing to see here") is None
    assert cased_copy("ALL CAPS TEXT") is None


def test_titles_stay_in_the_name_span(presidio):
    assert ("PERSON", "Dr. Smith") in found(presidio, "Dr. Smith will see you now")


def test_name_lines_and_speaker_labels(regex):
    block = ">Rolando Lettiere\n>Caspio\n>3654 Brixtonlaan 380\n>Suite 727"
    assert ("PERSON", "Rolando Lettiere") in found(regex, block)
    assert ("PERSON", "Heather") in found(regex, 'Heather: "Who are you?"')
    assert "PERSON" not in types(regex, "Summary:\nNote: This is fine\nUser: Hello there")


def test_names_after_surname_questions_and_with_accents(regex):
    assert ("PERSON", "Jónás") in found(regex, "What's your last name? Jónás")
    assert ("PERSON", "Vida") in found(regex, "Her maiden name is Vida")


def test_driver_licence_numbers_need_a_licence_word(regex):
    assert ("US_DRIVER_LICENSE", "2270-66-1551") in found(regex, "my driver's license number is 2270-66-1551")
    assert ("US_DRIVER_LICENSE", "D1234567") in found(regex, "DL: D1234567 expires soon")
    assert "US_DRIVER_LICENSE" not in types(regex, "released under the MIT license 2.0 in 12345 copies")


def test_a_timestamp_is_no_phone_number(regex):
    assert types(regex, "created 2012-08-1115:40:42 by admin") == set()
    assert ("PHONE_NUMBER", "+1 415-555-2671") in found(regex, "call +1 415-555-2671 now")
