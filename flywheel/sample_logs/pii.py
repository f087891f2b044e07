"""Planted PII: the entity types, how each value is drawn, and the record of every value planted.

Every value made here is recorded (deduplicated, in order of first use) as a `PlantedPii`: the ground
truth of the scrubbing benchmark. So a value must only be made when it is put into the text.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass

from faker import Faker

from transforms.scrub.entities import BY_NAME

# Every kind of value the generator plants: the scrubber's entity types (transforms.scrub.entities),
# two of them also in a Chinese form that is planted and counted apart (see LOCALE_VARIANTS).
ENTITY_TYPES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CN_PHONE_NUMBER",
    "CREDIT_CARD",
    "CN_RESIDENT_ID",
    "IP_ADDRESS",
    "API_KEY",
    "ADDRESS",
    "US_SSN",
    "CN_PERSON",
    "CN_ADDRESS",
)
# Planted kinds that are the Chinese form of one scrubber type: recall on them is reported apart, but the
# scrubber names them by the table's type.
LOCALE_VARIANTS = {"CN_PHONE_NUMBER": "PHONE_NUMBER", "CN_PERSON": "PERSON"}


def scrubbed_as(kind: str) -> str:
    """The entity type (transforms.scrub.entities) the scrubber gives a planted value of this kind."""
    return LOCALE_VARIANTS.get(kind, kind)


# A planted kind the scrubber has no type for would be ground truth nobody can detect: refuse at import.
_UNKNOWN = [kind for kind in ENTITY_TYPES if scrubbed_as(kind) not in BY_NAME]
if _UNKNOWN:
    raise ImportError(f"planted PII kinds without a scrubber entity type: {_UNKNOWN}")


@dataclass(frozen=True)
class PlantedPii:
    entity_type: str
    value: str


ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_US_AREA = ("212", "310", "312", "415", "512", "617", "646", "702", "206", "303", "404", "213", "305", "718")
_CN_PREFIX = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
              "157", "158", "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199")


class Recorder:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.items: list[PlantedPii] = []

    def add(self, entity_type: str, value: str) -> str:
        key = (entity_type, value)
        if key not in self.seen:
            self.seen.add(key)
            self.items.append(PlantedPii(entity_type, value))
        return value


class Pii:
    """Makes PII values and records each one with its type."""

    def __init__(self, rng: random.Random, en: Faker, zh: Faker, rec: Recorder) -> None:
        self.rng, self.en, self.zh, self.rec = rng, en, zh, rec

    def person(self) -> str:
        return self.rec.add("PERSON", f"{self.en.first_name()} {self.en.last_name()}")

    def email(self, name: str | None = None) -> str:
        if name and self.rng.random() < 0.6:
            first, _, last = name.lower().partition(" ")
            first, last = re.sub("[^a-z]", "", first), re.sub("[^a-z]", "", last)
            local = self.rng.choice((f"{first}.{last}", f"{first[:1]}{last}", f"{first}{last}{self.rng.randint(1, 99)}"))
            value = f"{local}@{self.en.free_email_domain()}"
        else:
            value = self.en.free_email()
        return self.rec.add("EMAIL_ADDRESS", value)

    def phone(self) -> str:
        r = self.rng
        area, ex, line = r.choice(_US_AREA), f"{r.randint(2, 9)}{r.randint(0, 9)}{r.randint(1, 9)}", f"{r.randint(0, 9999):04d}"
        fmt = r.random()
        if fmt < 0.4:
            value = f"({area}) {ex}-{line}"
        elif fmt < 0.7:
            value = f"{area}-{ex}-{line}"
        elif fmt < 0.85:
            value = f"+1 {area} {ex} {line}"
        else:
            value = f"{area}.{ex}.{line}"
        return self.rec.add("PHONE_NUMBER", value)

    def cn_phone(self) -> str:
        r = self.rng
        p, a, b = r.choice(_CN_PREFIX), f"{r.randint(0, 9999):04d}", f"{r.randint(0, 9999):04d}"
        fmt = r.random()
        if fmt < 0.6:
            value = f"{p}{a}{b}"
        elif fmt < 0.75:
            value = f"+86 {p} {a} {b}"
        elif fmt < 0.85:
            value = f"+86{p}{a}{b}"
        else:
            value = f"{p}-{a}-{b}"
        return self.rec.add("CN_PHONE_NUMBER", value)

    def credit_card(self) -> str:
        kind = self.rng.choice(("visa16", "visa16", "mastercard", "mastercard", "amex", "discover"))
        digits = self.en.credit_card_number(card_type=kind)
        if len(digits) == 16 and self.rng.random() < 0.35:
            sep = self.rng.choice((" ", "-"))
            digits = sep.join(digits[i : i + 4] for i in range(0, 16, 4))
        return self.rec.add("CREDIT_CARD", digits)

    def cn_id(self) -> str:
        return self.rec.add("CN_RESIDENT_ID", self.zh.ssn(min_age=18, max_age=80))

    def ip(self) -> str:
        return self.rec.add("IP_ADDRESS", self.en.ipv4_public())

    def api_key(self, kind: str | None = None) -> str:
        r = self.rng
        kind = kind or r.choice(("sk", "sk", "aws", "gh"))
        if kind == "sk":
            value = "sk-" + "".join(r.choices(ALNUM, k=48))
        elif kind == "aws":
            value = "AKIA" + "".join(r.choices(_UPPER_ALNUM, k=16))
        else:
            value = "ghp_" + "".join(r.choices(ALNUM, k=36))
        return self.rec.add("API_KEY", value)

    def address(self) -> str:
        e = self.en
        return self.rec.add("ADDRESS", f"{e.street_address()}, {e.city()}, {e.state_abbr()} {e.zipcode()}")

    def ssn(self) -> str:
        return self.rec.add("US_SSN", self.en.ssn())

    def cn_person(self) -> str:
        return self.rec.add("CN_PERSON", self.zh.name())

    def cn_address(self) -> str:
        return self.rec.add("CN_ADDRESS", self.zh.address())
