"""Sentences written in the styles of public PII benchmarks (lower-case chat, forms, e-mails with
signatures, addresses of several countries, military addresses, names of many origins), each with
the values a scrubber must remove. Unit tests of kinds of writing, not an accuracy figure: the
figures come from ``python -m bench.eval_scrub``. Sentences written for these tests.
"""

from __future__ import annotations

import pytest

# (text, values that must be fully covered by spans of any type)
STYLES = [
    # lower-case chat
    ("hey its me, my name is oluwaseun adeyemi and i need help", ["oluwaseun adeyemi"]),
    ("call me dagny, everyone does", ["dagny"]),
    ("they had 4: ingrid, tobias, mehmet and priya.", ["ingrid", "tobias", "mehmet", "priya"]),
    ("pls send it to 42 maple street, springfield", ["42 maple street"]),
    ("my zip code is 30318", ["30318"]),
    ("her maiden name is kowalczyk", ["kowalczyk"]),
    ("thanks a lot\n- tracy", ["tracy"]),
    # forms
    ("Name: Siobhán Ní Bhriain\nAddress: 14 Rue de la Paix, 75002 Paris", ["14 Rue de la Paix, 75002 Paris"]),
    ("Full name: Kwame Mensah\nPhone: +44 20 7946 0958", ["Kwame Mensah", "+44 20 7946 0958"]),
    ("Date of birth: 1987-03-14\nSSN: 078-05-1120", ["1987-03-14", "078-05-1120"]),
    ("DOB 4/7/1962, driver's license number D1234567", ["4/7/1962", "D1234567"]),
    ("IBAN: DE89 3704 0044 0532 0130 00", ["DE89 3704 0044 0532 0130 00"]),
    ("Email: r.okonkwo@example.org, website: https://okonkwo.dev", ["r.okonkwo@example.org", "https://okonkwo.dev"]),
    ("server ip is 203.0.113.42 for the vpn", ["203.0.113.42"]),
    ("ZIP: 94107", ["94107"]),
    # e-mails with signatures
    ("Dear Mr. Haddad,\nplease find the invoice attached.\nBest regards,\nLena Fischer",
     ["Haddad", "Lena Fischer"]),
    ("Hi Aoife,\nsee you Monday.\nCheers,\nNiamh O'Sullivan", ["Aoife", "Niamh O'Sullivan"]),
    ("Thanks,\nJ. R. Whitfield\nSenior Analyst", ["Whitfield"]),
    ("Sincerely,\nMaarten van der Berg", ["Maarten van der Berg"]),
    # addresses of several countries
    ("Our office: 1600 Amphitheatre Parkway, Mountain View, CA 94043", ["1600 Amphitheatre Parkway, Mountain View, CA 94043"]),
    ("Flat 3, 22 Baker Street, London NW1 6XE", ["22 Baker Street, London NW1 6XE"]),
    ("Lieferadresse: Hauptstraße 12, 10115 Berlin", ["Hauptstraße 12, 10115 Berlin"]),
    ("I moved to Via Garibaldi 7, 20121 Milano last spring", ["Via Garibaldi 7, 20121 Milano"]),
    ("She lives at ul. Marszałkowska 84, Warszawa", ["ul. Marszałkowska 84"]),
    ("deliver to 5 Avenida Paulista 1578, São Paulo", ["Avenida Paulista 1578"]),
    ("meet me at the corner of Elm Street and 5th Avenue", ["the corner of Elm Street and 5th Avenue"]),
    ("PO Box 4521, Wellington 6140", ["PO Box 4521"]),
    ("Send the parcel to 88 Collins Street\nMelbourne VIC 3000\nAustralia", ["88 Collins Street\nMelbourne"]),
    # military addresses
    ("My new address is PSC 1234, Box 5678\nAPO AE 09012", ["PSC 1234, Box 5678\nAPO AE 09012"]),
    ("Ship it to USNS Mercy\nFPO AP 96678", ["USNS Mercy\nFPO AP 96678"]),
    ("Unit 2050 Box 4190, DPO AP 96522", ["Unit 2050 Box 4190, DPO AP 96522"]),
    # names of many origins, with a cue
    ("I'm so jealous! said Thandiwe to Bartholomew", ["Thandiwe", "Bartholomew"]),
    ("Our founders: Nakamura, Okafor and Lindqvist.", ["Nakamura", "Okafor", "Lindqvist"]),
    ("Please remove my son Joaquín from the account", ["Joaquín"]),
    ("Rashida lives on Mill Road now.", ["Rashida"]),
    ("Bogdan, can I please speak to your manager?", ["Bogdan"]),
    ("Svetlana: Who is there?\nIgor: Only me.", ["Svetlana", "Igor"]),
    ("A film directed by Chloé Zhao and starring Frances McDormand", ["Chloé Zhao", "Frances McDormand"]),
    ("My name is Seán Ó Briain but everyone calls me Seán", ["Seán"]),
]

# Ordinary chat: nothing in these is personal data.
CLEAN = [
    "Can you explain how the corner of a matrix and its diagonal relate?",
    "The meeting is at level 3, room 12.",
    "I said to the team that Python and Rust are both fine.",
    "I use Docker, Kubernetes and Terraform at work.",
    "zip -r backup.zip 2024-reports",
    "Just posted the slides at https://example.com/talk",
]


def _covered(scrubber, text: str, value: str) -> bool:
    start = text.index(value)
    chars = {i for s in scrubber.find_spans(text) for i in range(s.start, s.end)}
    return all(i in chars for i in range(start, start + len(value)) if not text[i].isspace())


@pytest.mark.parametrize("text,values", STYLES, ids=[t[:40] for t, _ in STYLES])
def test_the_personal_values_of_each_style_are_removed(presidio, text, values):
    missed = [v for v in values if not _covered(presidio, text, v)]
    assert not missed, (missed, [(s.entity_type, text[s.start:s.end]) for s in presidio.find_spans(text)])


@pytest.mark.parametrize("text", CLEAN, ids=[t[:40] for t in CLEAN])
def test_ordinary_chat_keeps_its_words(presidio, text):
    assert [text[s.start:s.end] for s in presidio.find_spans(text)] == []
