"""Every entity type the scrubber emits: one table (name, family, what it is, languages).

The table's order is also the tie-break between overlapping detections of equal length and score
(earlier wins, see :func:`transforms.scrub.spans.resolve_overlaps`): secrets first, then identifiers,
contact data, network addresses, and names / places last. How each type is detected (rules, scores,
context words) is told where it is detected: :mod:`transforms.scrub.recognizers` and the family
modules of :mod:`transforms.scrub.patterns`.

Families:

* ``secret`` - credentials: leaking one gives access to something
* ``identifier`` - numbers that identify a person, a company or an account
* ``contact`` - what reaches or locates a person: names, places, addresses, emails, phones
* ``network`` - network addresses
* ``demographic`` - nationality, religious or political group (NRP, off by default)

Languages: the languages whose text the type is looked for in (``en`` / ``zh``); the patterns run on
every text whatever its language (scripts, not languages, decide, see :mod:`transforms.scrub.scrubber`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class EntityType:
    name: str  # as written in spans, placeholders (<NAME_1>) and the lake's entity counts
    family: str
    description: str
    languages: Tuple[str, ...]


_EN, _ZH, _BOTH = ("en",), ("zh",), ("en", "zh")

ENTITIES: Tuple[EntityType, ...] = (
    EntityType("PRIVATE_KEY", "secret", "PEM private key blocks (also truncated ones)", _BOTH),
    EntityType("CREDENTIAL_URL", "secret",
               "URLs with a password or token in the userinfo (postgres://u:p@host), Slack / Discord webhooks",
               _BOTH),
    EntityType("JWT", "secret", "JSON web tokens (eyJ<header>.eyJ<payload>.<signature>)", _BOTH),
    EntityType("API_KEY", "secret",
               "vendor API keys: OpenAI, Anthropic, AWS, GitHub, Slack, Google, Stripe, Hugging Face", _BOTH),
    EntityType("AUTH_TOKEN", "secret", "the token of 'Bearer <token>' / 'Authorization: Basic <b64>'", _BOTH),
    EntityType("SECRET", "secret", "the value of password= / api_key: \"...\" style assignments", _BOTH),
    EntityType("CN_RESIDENT_ID", "identifier",
               "PRC resident ID: 18 characters with MOD 11-2 check digit, or the legacy 15 digits", _ZH),
    EntityType("CN_USCC", "identifier",
               "unified social credit code of a PRC organisation (18 characters, GB 32100 check character)", _ZH),
    EntityType("CN_PASSPORT", "identifier", "PRC passport numbers, with a passport context word nearby", _BOTH),
    EntityType("CN_HK_MACAU_PERMIT", "identifier",
               "HK / Macau travel permits and home-return permits, with a context word nearby", _BOTH),
    EntityType("CREDIT_CARD", "identifier",
               "payment and bank card numbers (13-19 digits, Luhn; short Maestro / JCB next to a card word)", _BOTH),
    EntityType("IBAN_CODE", "identifier", "international bank account numbers (Presidio, checksum)", _BOTH),
    EntityType("US_SSN", "identifier", "US social security numbers (Presidio)", _EN),
    EntityType("US_DRIVER_LICENSE", "identifier",
               "US driver's licence numbers, with a licence word right before them", _EN),
    EntityType("DATE_OF_BIRTH", "identifier",
               "a date given as someone's date of birth (born on, date of birth, DOB, birthday)", _EN),
    EntityType("EMAIL_ADDRESS", "contact", "email addresses", _BOTH),
    EntityType("PERSONAL_URL", "contact",
               "a web address given as one's own (my website is ..., Website: ...)", _EN),
    EntityType("PHONE_NUMBER", "contact",
               "phone numbers: python-phonenumbers (US GB DE FR CN AU), CN mobiles / landlines, "
               "labelled numbers of any country", _BOTH),
    EntityType("IP_ADDRESS", "network", "IPv4 / IPv6 addresses (loopback and unspecified skipped)", _BOTH),
    EntityType("CRYPTO", "identifier", "bitcoin wallet addresses (Presidio, checksum)", _BOTH),
    EntityType("ADDRESS", "contact",
               "street addresses: US / UK, continental streets with the number after the name, units", _EN),
    EntityType("CN_ADDRESS", "contact", "Chinese addresses: 省/市/区县/镇 + 路街巷 + 号/座/栋/室 (+ postcode)", _ZH),
    EntityType("PERSON", "contact",
               "person names: spaCy NER and naming contexts (English), jieba and naming contexts (Chinese)",
               _BOTH),
    EntityType("LOCATION", "contact",
               "places: spaCy NER (GPE / LOC / FAC), places after a residence / travel phrase", _EN),
    EntityType("NRP", "demographic",
               "nationality, religious or political group (spaCy NORP; only with include_nrp=True)", _EN),
)

ENTITY_TYPES: Tuple[str, ...] = tuple(entity.name for entity in ENTITIES)
BY_NAME = {entity.name: entity for entity in ENTITIES}
# The types spaCy NER emits: their spans are cleaned of code and common words, and two of them are
# the same value when their words are (case and spacing aside).
_NER_TYPES = frozenset({"PERSON", "LOCATION", "NRP"})
