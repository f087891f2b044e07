"""Presidio recognizers for the scrubber: our regex recognizers and the selected Presidio built-ins.

Every entity type the scrubber emits, with its family and languages, is in one table:
:data:`transforms.scrub.entities.ENTITIES`. The table below says how each one is detected; the
regexes live in the family modules of :mod:`transforms.scrub.patterns`, the Chinese name
recognizer in :mod:`transforms.scrub.chinese_names`, Presidio's internals in
:mod:`transforms.scrub.presidio_adapter` (this module uses Presidio's public API only).

==================  ==============================================================================
entity type         what / how
==================  ==============================================================================
PERSON              spaCy NER (English, mode ``presidio``; lower-case names through a cased copy,
                    titles kept: :mod:`transforms.scrub.name_shapes`); name lines and speaker
                    labels ("Destiny: ...", both modes); English naming contexts ("my name is
                    X", "call X Y", "Dear X", "Regards, X Y", "Mr. X", see
                    :data:`transforms.scrub.patterns.EN_NAME_CONTEXT_RE`, both modes); jieba POS
                    ``nr``/``nrfg`` filtered by surname and context, plus Chinese naming contexts
                    (我叫__, 联系人__, 收件人__, __先生, 和__说) on text with CJK characters (Chinese
                    names, mode ``presidio``, :mod:`transforms.scrub.chinese_names`)
LOCATION            spaCy NER GPE / LOC / FAC (mode ``presidio``); places after a residence /
                    travel phrase ("grew up in X", "flew to X", "based in X"), see
                    :data:`transforms.scrub.patterns.EN_PLACE_CONTEXT_RE` (both modes)
ADDRESS             US / UK street addresses (we use ADDRESS, not Presidio's STREET_ADDRESS, for
                    the whole postal address): house number + Capitalized street words + optional
                    unit (Apt./Suite/Unit/#) + optional ", City, ST 12345" or UK postcode; full
                    form 0.85-0.95, "number Name Suffix" 0.6, see
                    :func:`transforms.scrub.patterns.street_address_span`; European / Latin American
                    streets with the number after the name - a street word first ("Via delle
                    Coste 41", "ul. Narewska 94") or a street word last, glued or not
                    ("Friedhofstrasse 33", "Erzsébet tér 19") - 0.6, 0.85 with "postcode Town"
                    after it (:data:`transforms.scrub.patterns.INTL_STREET_RE`); a unit alone on its
                    line / after a comma or number ("Apt. 805") 0.5; every street takes the house
                    numbers before it and the address lines after it (unit, town, region, country,
                    postcode); military (PSC / Unit + Box, USNS, APO / FPO / DPO), P.O. boxes and
                    lower-case streets (:mod:`transforms.scrub.patterns.address_block`)
CN_ADDRESS          Chinese addresses: 省 / 市 / 区县 / 镇 + 路街巷弄 + 号 / 座 / 栋 / 室 (+ 6-digit
                    postcode), with or without spaces, next to other Chinese text; see
                    :func:`transforms.scrub.patterns.cn_address_span`
NRP                 spaCy NER NORP - nationality, religious or political group (off by default:
                    "translate to French" is not personal data)
EMAIL_ADDRESS       regex with ASCII lookarounds (works against CJK text)
PHONE_NUMBER        Presidio ``PhoneRecognizer`` (python-phonenumbers; US GB DE FR CN AU) plus
                    regexes for CN mobiles (+86 / 0086 / separators) and CN landlines (0xx-xxxxxxxx),
                    plus numbers of any country with a phone label right before or after them
                    ("Phone:\n60-56-85-91", "call me on 9472 7916", "416 60 039 office"), see
                    :data:`transforms.scrub.patterns.LABELLED_PHONE_RULES`
CREDIT_CARD         payment card numbers, 13-19 digits, plain or grouped, Luhn + issuer prefix
                    (covers Chinese UnionPay bank cards, 16-19 digits); 12-15 digit Maestro and
                    15-digit JCB (1800 / 2131) only with a card word labelling them (card, cc,
                    卡号, 信用卡 ...)
CN_RESIDENT_ID      PRC resident ID, 18 chars with GB 11643 MOD 11-2 check digit, province code and
                    birth date validated; legacy 15-digit form (province + date)
CN_PASSPORT         PRC passports: e-passport ``E`` + 8 digits / ``E`` + letter + 7 digits, older
                    ``G``/``D``/``S``/``P`` + 7-8 digits. Letter + digits is also an order / part
                    number, so the score depends on context words (护照, passport) before the
                    number (nearest label, same sentence) or right after it: with context 0.9
                    (``E``) / 0.8 (older); ``E`` shapes without context 0.3 (below the 0.4
                    threshold: not scrubbed); older shapes without context, or after a competing
                    label (订单, 快递, order, SKU ...), not reported. See
                    :func:`transforms.scrub.patterns.cn_id_context`
CN_HK_MACAU_PERMIT  往来港澳通行证 ``C`` + 8 digits / ``C`` + letter + 7 digits (card), ``W`` + 8
                    digits (booklet); 回乡证 (Mainland Travel Permit for HK / Macau residents)
                    ``H``/``M`` + 8 or 10 digits. Same context policy as CN_PASSPORT, context words
                    通行证, 港澳, 回乡证, 来往内地通行证, HK/Macau permit, Exit-Entry Permit, Home
                    Return Permit: ``C`` 0.9 / ``W`` 0.8 / ``H``/``M`` 0.85 with context; ``C``
                    shapes without context 0.3; others without context not reported
CN_USCC             统一社会信用代码 (GB 32100-2015), 18 chars of 0-9 A-H J-N P-R T-U W-Y, chars
                    3-8 digits, MOD 31 check character (python-stdnum ``stdnum.cn.uscc``); wrong
                    check character: not reported. 0.95 with no context needed, except all-digit
                    codes (18-digit order numbers pass MOD 31 one time in 31): those also need the
                    embedded GB 11714 organization code check (chars 9-17) or a context word
                    (信用代码, 税号, USCC ... 0.85), else 0.3
IP_ADDRESS          IPv4 / IPv6, validated with ``ipaddress``; loopback / unspecified skipped
IBAN_CODE           Presidio ``IbanRecognizer`` (checksum)
US_DRIVER_LICENSE   5-17 letters / digits (5+ digits) right after "driver's license (number)", "driving
                    licence", "license no.", "DL": 0.85 (:data:`transforms.scrub.patterns.DRIVER_LICENSE_RULES`)
DATE_OF_BIRTH       a date right after "born (on)", "date of birth", "DOB", "my birthday (is)": 0.8
                    (:data:`transforms.scrub.patterns.DATE_OF_BIRTH_RULES`); other dates are no PII
PERSONAL_URL        a web address given as one's own: "my website / blog / homepage is X",
                    "Website:" / "Homepage:" labels: 0.8 (:data:`transforms.scrub.patterns.PERSONAL_URL_RULES`);
                    other links are no PII
US_SSN              Presidio ``UsSsnRecognizer`` (formatted ``123-45-6789``; bare 9 digits only with
                    context words)
CRYPTO              Presidio ``CryptoRecognizer`` (bitcoin addresses, checksum)
API_KEY             OpenAI ``sk-``/``sk-proj-``, Anthropic ``sk-ant-``, AWS ``AKIA``/``ASIA``...,
                    GitHub ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``/``github_pat_``, Slack
                    ``xox[abposr]-``, Google ``AIza``, Stripe ``sk_live_``, Hugging Face ``hf_``
JWT                 ``eyJ<header>.eyJ<payload>.<signature>``
AUTH_TOKEN          the token of ``Bearer <token>`` / ``Authorization: Basic <b64>``
PRIVATE_KEY         PEM ``-----BEGIN ... PRIVATE KEY-----`` blocks (also truncated ones)
CREDENTIAL_URL      URLs with a password or token in the userinfo (``postgres://u:p@host/db``) and
                    Slack / Discord webhook URLs
SECRET              the value of ``password=`` / ``"api_key": "..."`` / ``client_secret:`` ...
                    assignments (placeholders like ``<your-password>`` and code expressions skipped)
==================  ==============================================================================
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, List, Optional, Sequence, Tuple

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)

from transforms.scrub import patterns as pp
from transforms.scrub.name_shapes import NAME_LINE_RULES

logger = logging.getLogger(__name__)

PHONE_REGIONS = ("US", "GB", "DE", "FR", "CN", "AU")



def recognizer_result(recognizer: LocalRecognizer, entity_type: str, start: int, end: int, score: float,
                      why: str, pattern_name: Optional[str] = None) -> RecognizerResult:
    """A Presidio result carrying which of our recognizers (and rule) found it, for decision traces."""
    return RecognizerResult(
        entity_type=entity_type,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(
            recognizer=recognizer.name,
            original_score=score,
            pattern_name=pattern_name,
            textual_explanation=why,
        ),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )

class RegexRecognizer(LocalRecognizer):
    """A recognizer made of :class:`transforms.scrub.patterns.PatternRule` s.

    Unlike Presidio's ``PatternRecognizer`` it reports the span of a chosen group (so
    ``password=hunter2`` scrubs only ``hunter2``), validates per rule, and compiles with the flags
    each rule was written for (Presidio compiles every pattern case-insensitively).

    :param requires: cheap pre-check: skip the regexes unless one of these substrings is present.
    """

    def __init__(
        self,
        entity: str,
        rules: Sequence[pp.PatternRule],
        name: Optional[str] = None,
        requires: Iterable[str] = (),
        supported_language: str = "en",
    ):
        self.entity = entity
        self.rules = tuple(rules)
        self.requires = tuple(requires)
        super().__init__(
            supported_entities=[entity], name=name, supported_language=supported_language
        )

    def load(self) -> None:  # noqa: D102 - regexes are compiled at import
        pass

    def find(self, text: str, rules: Optional[Sequence[pp.PatternRule]] = None) -> List[RecognizerResult]:
        """All validated matches in ``text`` (used by :meth:`analyze`) of ``rules`` (default: all;
        the scrubber's fast path leaves out those that cannot match the text)."""
        if self.requires and not any(token in text for token in self.requires):
            return []
        return [
            recognizer_result(self, self.entity, start, end, score,
                              f"Detected by {self.name} rule '{rule.name}'", pattern_name=rule.name)
            for rule in (self.rules if rules is None else rules)
            for start, end, score in rule.spans(text)
        ]

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None,
                rules: Optional[Sequence[pp.PatternRule]] = None) -> List[RecognizerResult]:
        if entities and self.entity not in entities:
            return []
        return self.find(text, rules)


def regex_recognizers(supported_language: str = "en") -> List[RegexRecognizer]:
    """Fresh instances of all our regex recognizers."""
    lang = supported_language
    return [
        RegexRecognizer("EMAIL_ADDRESS", pp.EMAIL_RULES, "EmailAsciiBoundaryRecognizer",
                        requires=("@",), supported_language=lang),
        RegexRecognizer("CREDIT_CARD", pp.CREDIT_CARD_RULES, "PaymentCardRecognizer",
                        supported_language=lang),
        RegexRecognizer("CN_RESIDENT_ID", pp.CN_RESIDENT_ID_RULES, "CnResidentIdRecognizer",
                        supported_language=lang),
        RegexRecognizer("CN_PASSPORT", pp.CN_PASSPORT_RULES, "CnPassportRecognizer",
                        supported_language=lang),
        RegexRecognizer("CN_HK_MACAU_PERMIT", pp.CN_HK_MACAU_PERMIT_RULES,
                        "CnHkMacauPermitRecognizer", supported_language=lang),
        RegexRecognizer("CN_USCC", pp.CN_USCC_RULES, "CnUsccRecognizer", supported_language=lang),
        RegexRecognizer("US_DRIVER_LICENSE", pp.DRIVER_LICENSE_RULES, "DriverLicenseContextRecognizer",
                        supported_language=lang),
        RegexRecognizer("DATE_OF_BIRTH", pp.DATE_OF_BIRTH_RULES, "DateOfBirthContextRecognizer",
                        supported_language=lang),
        RegexRecognizer("PERSONAL_URL", pp.PERSONAL_URL_RULES, "PersonalUrlContextRecognizer",
                        supported_language=lang),
        RegexRecognizer("PHONE_NUMBER", pp.CN_PHONE_RULES, "CnPhoneRecognizer",
                        supported_language=lang),
        RegexRecognizer("PHONE_NUMBER", pp.LABELLED_PHONE_RULES, "LabelledPhoneRecognizer",
                        supported_language=lang),
        RegexRecognizer("IP_ADDRESS", pp.IP_RULES, "IpAsciiBoundaryRecognizer",
                        requires=(".", ":"), supported_language=lang),
        RegexRecognizer("API_KEY", pp.API_KEY_RULES, "ApiKeyRecognizer",
                        requires=("sk", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA",
                                  "ANVA", "ABIA", "ACCA", "gh", "github_pat_", "xox", "AIza",
                                  "rk_", "hf_"),
                        supported_language=lang),
        RegexRecognizer("JWT", pp.JWT_RULES, "JwtRecognizer", requires=("eyJ",),
                        supported_language=lang),
        RegexRecognizer("AUTH_TOKEN", pp.AUTH_TOKEN_RULES, "AuthTokenRecognizer",
                        supported_language=lang),
        RegexRecognizer("PRIVATE_KEY", pp.PRIVATE_KEY_RULES, "PrivateKeyRecognizer",
                        requires=("PRIVATE KEY",), supported_language=lang),
        RegexRecognizer("CREDENTIAL_URL", pp.CREDENTIAL_URL_RULES, "CredentialUrlRecognizer",
                        requires=("://",), supported_language=lang),
        RegexRecognizer("SECRET", pp.SECRET_RULES, "SecretAssignmentRecognizer",
                        requires=(":", "="), supported_language=lang),
        RegexRecognizer("ADDRESS", pp.STREET_ADDRESS_RULES, "StreetAddressRecognizer",
                        requires=tuple("0123456789"), supported_language=lang),
        RegexRecognizer("CN_ADDRESS", pp.CN_ADDRESS_RULES, "CnAddressRecognizer",
                        requires=tuple("路街道巷弄号座栋幢楼室省市区县") + ("胡同",), supported_language=lang),
        RegexRecognizer("PERSON", pp.EN_NAME_CONTEXT_RULES, "EnglishNameContextRecognizer",
                        supported_language=lang),
        RegexRecognizer("PERSON", NAME_LINE_RULES, "EnglishNameLineRecognizer", supported_language=lang),
        RegexRecognizer("LOCATION", pp.EN_PLACE_CONTEXT_RULES, "EnglishPlaceContextRecognizer",
                        supported_language=lang),
    ]


class PrefilteredPhoneRecognizer(PhoneRecognizer):
    """Presidio's ``PhoneRecognizer`` (python-phonenumbers, one scan per region) run only on
    windows around phone-like runs of 7+ digits, not on the whole text: the matcher's cost grows
    with the text times the regions, and most of a chat turn holds no digits at all. A window
    keeps a few characters either side (a "+" or "(" before, an extension after, and the
    neighbours phonenumbers checks for letters)."""

    _RUN = re.compile(r"[0-9](?:[ \t.\-/()]{0,3}[0-9])*")
    _BEFORE, _AFTER = 6, 14

    def _windows(self, text: str) -> List[Tuple[int, int]]:
        windows: List[Tuple[int, int]] = []
        for m in self._RUN.finditer(text):
            if len(pp.digits_only(m.group())) < 7:
                continue
            start, end = max(0, m.start() - self._BEFORE), min(len(text), m.end() + self._AFTER)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for start, end in self._windows(text):
            for r in super().analyze(text[start:end], entities, nlp_artifacts):
                r.start += start
                r.end += start
                results.append(r)
        # short local numbers ("order #139317" is a valid number somewhere) are not worth it;
        # bare digit runs need a phone shape or context (pp.phone_span_plausible)
        return [r for r in results if len(pp.digits_only(text[r.start:r.end])) >= 7
                and pp.phone_span_plausible(text, r.start, r.end)]


def presidio_builtin_recognizers(supported_language: str = "en") -> list:
    """The Presidio predefined recognizers we keep (the others are replaced by ours, are
    country-specific with many false positives, or are not personal data: dates, URLs)."""
    lang = supported_language
    return [
        PrefilteredPhoneRecognizer(supported_regions=PHONE_REGIONS, supported_language=lang,
                                   name="PhoneRecognizer"),
        # case-insensitive: "gb42nawi04454264788619" (the checksum is computed upper-cased)
        IbanRecognizer(supported_language=lang,
                       regex_flags=re.DOTALL | re.MULTILINE | re.IGNORECASE),
        UsSsnRecognizer(supported_language=lang),
        CryptoRecognizer(supported_language=lang),
    ]
