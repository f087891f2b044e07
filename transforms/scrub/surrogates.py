"""Realistic surrogates instead of typed placeholders (setting `scrub_replacement = "surrogate"`).

A surrogate is a fake value of the same kind and locale (Faker en_US / zh_CN): "<PERSON_1>" becomes a
made-up name, a Chinese phone a made-up Chinese mobile. It is drawn from a seed made of the conversation
key, the entity type and the placeholder's number, never from the real value, so nothing about the
original can be recovered from it, and a rerun gives the same surrogate. Secrets (keys, tokens,
passwords, private keys) keep their placeholder: a fake key teaches a model nothing useful.
"""

from __future__ import annotations

from typing import Callable

from faker import Faker

from transforms.ids import stable_id
from transforms.text import has_han

# entity type -> how to draw one surrogate from a seeded Faker of the value's locale
_MAKERS: dict[str, Callable[[Faker], str]] = {
    "PERSON": lambda f: f.name(),
    "LOCATION": lambda f: f.city(),
    "ADDRESS": lambda f: f.address().replace("\n", ", "),
    "CN_ADDRESS": lambda f: f.address().replace("\n", " "),
    "EMAIL_ADDRESS": lambda f: f.safe_email(),
    "PHONE_NUMBER": lambda f: f.phone_number(),
    "CREDIT_CARD": lambda f: f.credit_card_number(),
    "CN_RESIDENT_ID": lambda f: f.ssn(),
    "US_SSN": lambda f: f.ssn(),
    "IBAN_CODE": lambda f: f.iban(),
    "IP_ADDRESS": lambda f: f.ipv4_private(),
}
# Types whose surrogate is always Chinese-locale, whatever the text around them.
_ZH_TYPES = frozenset({"CN_ADDRESS", "CN_RESIDENT_ID"})

class SurrogateMaker:
    """Deterministic fake values; one per worker (Faker instances are costly to create)."""

    def __init__(self) -> None:
        self._fakers = {"en": Faker("en_US"), "zh": Faker("zh_CN")}

    def surrogate(self, entity_type: str, original: str, number: int, conversation_key: str) -> str | None:
        """A fake value for the `number`-th distinct `entity_type` value of a conversation, or None when
        the type keeps its placeholder (secrets and types without a generator)."""
        make = _MAKERS.get(entity_type)
        if make is None:
            return None
        locale = "zh" if entity_type in _ZH_TYPES or has_han(original) else "en"
        faker = self._fakers[locale]
        faker.seed_instance(int(stable_id("surrogate", conversation_key, entity_type, number, length=15), 16))
        return make(faker)
