"""Regular expressions and validators for the PII / secret recognizers, one module per family.

Pure Python (no Presidio, no spaCy) so the patterns can be unit tested and reused alone. Every entity
type and the family it belongs to are tabled in :mod:`transforms.scrub.entities`.

* :mod:`.rules` - :class:`PatternRule`, the ASCII boundaries :data:`L` / :data:`R` (why: see there), ``digits_only``
* contact - :mod:`.contact` (EMAIL_ADDRESS, PHONE_NUMBER, PERSONAL_URL), :mod:`.address` and :mod:`.address_block` (ADDRESS),
  :mod:`.cn_address` (CN_ADDRESS), :mod:`.names` (PERSON / LOCATION after a naming context)
* :mod:`.identifiers` - CREDIT_CARD, US_DRIVER_LICENSE, DATE_OF_BIRTH, CN_RESIDENT_ID, CN_PASSPORT, CN_HK_MACAU_PERMIT, CN_USCC
* :mod:`.network` - IP_ADDRESS
* :mod:`.credentials` - API_KEY, JWT, AUTH_TOKEN, PRIVATE_KEY, CREDENTIAL_URL, SECRET
* :mod:`.code_lines` - unfenced code lines (fenced code and placeholders: :mod:`transforms.text`)

This package re-exports every public name of its modules, so ``from transforms.scrub import patterns as pp``
then ``pp.EMAIL_RULES`` works without knowing the family.
"""

from __future__ import annotations

from transforms.scrub.patterns.rules import (  # noqa: F401
    CJK_CHAR_CLASS, CJK_RE, CJK_RUN_RE, L, R, PatternRule, digits_only, rule,
)
from transforms.scrub.patterns.contact import (  # noqa: F401
    CN_PHONE_RULES, EMAIL_RULES, LABELLED_PHONE_RULES, PERSONAL_URL_RULES, PHONE_CONTEXT_BEFORE, PHONE_CONTEXT_RE, in_code,
    phone_span_plausible,
)
from transforms.scrub.patterns.address import (  # noqa: F401
    ADDRESS_BLOCK_RULES, MILITARY_ADDRESS_RE, PO_BOX_RE, address_block_span, address_lines_end,
    INTL_STREET_RE, STREET_ADDRESS_RE, STREET_ADDRESS_RULES, STREET_SUFFIXES_ALL, STREET_SUFFIXES_COMMON,
    UK_ADDRESS_RE, UNIT_RE, US_STATE_CODES, US_STATE_NAMES, intl_street_span, street_address_span,
    uk_address_span,
)
from transforms.scrub.patterns.cn_address import (  # noqa: F401
    CN_ADDRESS_RE, CN_ADDRESS_RULES, CN_ROAD_ADDRESS_RE, cn_address_span, cn_road_address_span,
)
from transforms.scrub.patterns.names import (  # noqa: F401
    EN_NAME_CONTEXT_RE, EN_NAME_CONTEXT_RULES, EN_NOT_NAME_WORDS, EN_PLACE_CONTEXT_RE,
    EN_PLACE_CONTEXT_RULES, en_name_context_span, en_place_context_span,
)
from transforms.scrub.patterns.identifiers import (  # noqa: F401
    CARD_CONTEXT, CARD_CONTEXT_WORDS, CN_HK_MACAU_PERMIT_RULES, CN_PASSPORT_RULES, CN_PROVINCE_CODES,
    CN_RESIDENT_ID_RULES, CN_USCC_RULES, CREDIT_CARD_RULES, DATE_OF_BIRTH_RULES, DRIVER_LICENSE_RULES, HK_MACAU_PERMIT_CONTEXT,
    HK_MACAU_PERMIT_CONTEXT_WORDS, ID_CONTEXT_BEFORE, PASSPORT_CONTEXT, PASSPORT_CONTEXT_WORDS, USCC_CHARS,
    USCC_CONTEXT, USCC_CONTEXT_WORDS, cn_id_context, cn_resident_id15_valid, cn_resident_id_valid,
    cn_ric_check_digit, luhn_valid, org_code_valid, payment_card_valid, uscc_check_valid, uscc_span,
)
from transforms.scrub.patterns.network import (  # noqa: F401
    IP_RULES, ipv4_valid, ipv6_valid,
)
from transforms.scrub.patterns.credentials import (  # noqa: F401
    API_KEY_RULES, AUTH_TOKEN_RULES, CREDENTIAL_URL_RULES, JWT_RULES, PRIVATE_KEY_RULES, SECRET_RULES,
    api_key_body_valid, credential_url_valid, is_placeholder, secret_value_valid, token_valid,
    unquoted_secret_value_valid,
)
from transforms.scrub.patterns.code_lines import (  # noqa: F401
    CODE_LINE_RE,
)

# The scrubber's placeholders and fenced code, re-exported for callers of the old flat module.
from transforms.text import CODE_RE, HAN_CHAR_CLASS, HAN_RE, HAN_RUN_RE, PLACEHOLDER_RE  # noqa: E402,F401
