"""Address blocks (transforms.scrub.patterns.address_block): the lines after a street, house numbers
before it, and the address forms without a street name (military, P.O. box, lower case)."""

from __future__ import annotations

from scrub_helpers import found, types


def test_street_takes_the_unit_town_country_and_postcode_lines(regex):
    text = "Send it to\n3378 217 Lovers Lane\n Suite 680\n Port Whangarei\n New Zealand 15896\nthanks"
    assert ("ADDRESS", "3378 217 Lovers Lane\n Suite 680\n Port Whangarei\n New Zealand 15896") in found(regex, text)


def test_building_number_before_a_street_with_the_number_after_the_name(regex):
    text = "It is at 6614 Luite tee 87\n Apt. 931\n Salumäe\n Estonia 62031"
    assert ("ADDRESS", "6614 Luite tee 87\n Apt. 931\n Salumäe\n Estonia 62031") in found(regex, text)


def test_unit_and_town_after_a_plain_space(regex):
    text = "Address: 03555 Vicolo Calcirelli 13 Suite 694 Valderice Trapani"
    assert ("ADDRESS", "03555 Vicolo Calcirelli 13 Suite 694 Valderice Trapani") in found(regex, text)


def test_military_and_po_box_addresses(regex):
    assert ("ADDRESS", "PSC 0413, Box 8144\nAPO AA 42323") in found(regex, "The office is at PSC 0413, Box 8144\nAPO AA 42323")
    assert ("ADDRESS", "USNS Saibara\nFPO AP 12428") in found(regex, "It is at USNS Saibara\nFPO AP 12428. Great food.")
    assert ("ADDRESS", "unit 1009 box 0219\ndpo ap 51065") in found(regex, "emidio\nunit 1009 box 0219\ndpo ap 51065")
    assert ("ADDRESS", "P.O. Box 104") in found(regex, "Write to P.O. Box 104 please")


def test_lower_case_streets(regex):
    assert ("ADDRESS", "hegyalja út 98") in found(regex, "enter on hegyalja út 98. the first months")
    assert ("ADDRESS", "48334 36 rue de pologne") in found(regex, "his address: 48334 36 rue de pologne, x")
    assert "ADDRESS" not in types(regex, "it is a 10 minute walk, 2 blocks down the road")


def test_address_lines_stop_at_sentences_and_labels(regex):
    assert ("ADDRESS", "42 Oak Street") in found(regex, "Send it to 42 Oak Street\nsee you there")
    assert ("ADDRESS", "42 Oak Street, Springfield") in found(regex, "I live at 42 Oak Street, Springfield and I love it.")
    text = "Megan Carey\nUSNS Bergman\nFPO AP 93757\nMobile: 0341 8387176"
    assert ("ADDRESS", "USNS Bergman\nFPO AP 93757") in found(regex, text)


def test_a_name_and_a_number_are_an_address_only_with_address_lines(regex):
    assert ("ADDRESS", "0138 Brisas 6802\n Suite 084\n María Albina\n Uruguay 77212") in found(
        regex, "0138 Brisas 6802\n Suite 084\n María Albina\n Uruguay 77212")
    assert "ADDRESS" not in types(regex, "In 2019 Python 3 was used by 1200 Google 4 teams")


def test_street_corners_streets_after_an_address_phrase_and_labelled_postcodes(regex):
    assert ("ADDRESS", "the corner of Dalbraut 99 and Frederikke Coves") in found(
        regex, "What is your address? it is the corner of Dalbraut 99 and Frederikke Coves")
    assert ("ADDRESS", "Joaquin Suarez 2906") in found(regex, "He lives on the north side of Joaquin Suarez 2906.")
    assert ("ADDRESS", "87818 Dalmatinova 68") in found(regex, "The bus drops you off at 87818 Dalmatinova 68 St.")
    assert ("ADDRESS", "90010-170") in found(regex, "My zip code is 90010-170")
    for text in ("out of the corner of my eye and then", "the meeting is at Level 3.", "zip -r out.zip 2024"):
        assert "ADDRESS" not in {t for t, _ in found(regex, text)}, text


def test_address_lines_after_a_blank_line_or_behind_quote_marks(regex):
    block = "ghes\n\n20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488"
    assert ("ADDRESS", "20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488") in found(regex, block)
    quoted = "??? 66029 138 Consul Place\n??? Apt. 050\n??? Broomfield\n??? New Zealand 57006"
    assert ("ADDRESS", quoted[4:]) in found(regex, quoted)
    assert ("ADDRESS", "42 Oak Street") in found(regex, "42 Oak Street\n\nJohn will call you")
