"""Regular expressions and validators for the PII / secret recognizers.

Pure Python (no Presidio, no spaCy) so the patterns can be unit tested and reused alone.

Boundaries: Python's ``\\b`` does not separate digits or ASCII letters from CJK characters (both
are "word" characters), so ``\\b4111...`` misses "卡号4111111111111111". Every pattern here uses ASCII
lookarounds instead (:data:`L` / :data:`R`): a match may touch CJK text or punctuation, but not
continue an ASCII word or number.

Each pattern is a :class:`Rule`: the regex, a base score, the group holding the value to scrub
(``"v"`` when only part of the match is sensitive, e.g. the value of ``password=...``) and an
optional validator that receives that value and may reject it (checksums, placeholders).
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Optional

# ASCII-only "word boundary" lookarounds (see module docstring).
L = r"(?<![0-9A-Za-z])"
R = r"(?![0-9A-Za-z])"

CJK_CHAR_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK_CHAR_CLASS}]")
CJK_RUN_RE = re.compile(f"[{CJK_CHAR_CLASS}]+")


@dataclass(frozen=True)
class Rule:
    """One regex of a recognizer."""

    name: str
    regex: "re.Pattern[str]"
    score: float
    group: int | str = 0
    validate: Optional[Callable[[str], bool]] = None  # gets the text of ``check_group``
    check_group: int | str | None = None  # default: ``group``

    def accepts(self, match: "re.Match[str]") -> bool:
        if self.validate is None:
            return True
        group = self.group if self.check_group is None else self.check_group
        return bool(self.validate(match.group(group)))


def _rule(name: str, pattern: str, score: float, group: int | str = 0,
          validate: Optional[Callable[[str], bool]] = None, flags: int = 0,
          check_group: int | str | None = None) -> Rule:
    return Rule(name, re.compile(pattern, flags), score, group, validate, check_group)


# --------------------------------------------------------------------------------------------
# Validators
# --------------------------------------------------------------------------------------------

def digits_only(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")


def luhn_valid(number: str) -> bool:
    """Luhn (mod 10) check over the digits of ``number`` (separators ignored)."""
    digits = digits_only(number)
    if not digits:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def payment_card_valid(value: str) -> bool:
    """Luhn plus a plausible issuer prefix / length (Visa, MC, Amex, Discover, JCB, Diners, UnionPay,
    Maestro); rejects numbers made of one repeated digit."""
    digits = digits_only(value)
    n = len(digits)
    if not 13 <= n <= 19 or len(set(digits)) < 2 or not luhn_valid(digits):
        return False
    first, two = digits[0], int(digits[:2])
    if first == "4":  # Visa
        return n in (13, 16, 19)
    if first == "3":
        if two in (34, 37):  # Amex
            return n == 15
        return two in (30, 35, 36, 38, 39) and n >= 14  # Diners, JCB
    if first == "2":  # Mastercard 2-series
        return 2221 <= int(digits[:4]) <= 2720 and n == 16
    if first == "5":  # Mastercard 51-55, Maestro 50/56-59
        return n == 16 if 51 <= two <= 55 else n >= 12
    if first == "6":  # Discover, UnionPay, Maestro
        return n >= 16 or two == 67
    return False


# GB 11643-1999 resident identity number, MOD 11-2 check digit.
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"
# Province-level codes (first two digits) of GB/T 2260, plus 71 Taiwan, 81/82 HK/Macau,
# 83 (residence permits for HK/Macau/Taiwan residents).
CN_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)


def cn_ric_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS))
    return _RIC_CHECK[total % 11]


def _valid_birth_date(year: int, month: int, day: int) -> bool:
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return False
    return datetime.date(1880, 1, 1) <= born <= datetime.date.today()


def cn_resident_id_valid(value: str) -> bool:
    """18-character PRC resident ID: province code, birth date and MOD 11-2 check digit."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if int(value[:2]) not in CN_PROVINCE_CODES:
        return False
    if not _valid_birth_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return cn_ric_check_digit(value[:17]) == value[17]


def cn_resident_id15_valid(value: str) -> bool:
    """Legacy 15-digit ID (no check digit): province code and a valid 19YYMMDD birth date."""
    if len(value) != 15 or not value.isdigit() or int(value[:2]) not in CN_PROVINCE_CODES:
        return False
    return _valid_birth_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def ipv4_valid(value: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    first = int(value.split(".", 1)[0])
    # not personal: unspecified, loopback, netmasks / broadcast
    return not (ip.is_unspecified or ip.is_loopback or first == 255 or first == 0)


def ipv6_valid(value: str) -> bool:
    if value.count(":") < 2:
        return False
    try:
        ip = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return False
    groups = [g for g in value.split(":") if g]
    # "ab::cd" (C++-ish) is a valid address but almost never meant as one
    return len(groups) >= 3 or any(len(g) == 4 for g in groups)


# Values that are placeholders/examples rather than real secrets ("password=<your password>").
_PLACEHOLDER_RE = re.compile(
    r"""^(?:
        [<{\[$%].* | .*[>}\]] |            # <password>, {token}, ${PASS}, %(pw)s, [redacted]
        [x*#.?_-]+ | (.)\1* |             # xxxx, ****, ..., aaaa
        your[_\- ]?.* | (?:enter|insert|replace|put)[_\- ].* |
        my[_\-]?(?:password|pass|secret|key|token|api|pwd).* |
        password\d{0,3} | passwd | pass | pwd | secret | changeme | change[_-]?me | example |
        test | testing | dummy | placeholder | redacted | hidden | none | null | nil | true |
        false | undefined | required | optional | str | string | int | bool | bytes | env |
        user(?:name)? | admin | root | postgres | mysql | redis | guest | token | api[_-]?key |
        secret[_-]?key | sk-[x*.]+ | \.\.\..*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Unquoted values that are code, not literals: calls, subscripts, attribute chains.
# (ALL_CAPS_NAMES are environment variable names: ``api_key=OPENAI_API_KEY``.)
_CODE_VALUE_RE = re.compile(
    r"[(\[{]|^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER_RE.match(value.strip()))


def secret_value_valid(value: str) -> bool:
    return not is_placeholder(value)


def unquoted_secret_value_valid(value: str) -> bool:
    return not is_placeholder(value) and not _CODE_VALUE_RE.search(value)


def credential_url_valid(userinfo: str) -> bool:
    """``user:password`` of a URL: reject example credentials like ``user:password``."""
    user, _, password = userinfo.partition(":")
    if not password:
        # token-as-username (https://<token>@github.com)
        return len(user) >= 20 and not is_placeholder(user)
    return not is_placeholder(password)


def api_key_body_valid(value: str) -> bool:
    """Vendor keys are random: require a digit and a letter (skips 'sk-learn-style-words')."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value) \
        and not is_placeholder(value)


def token_valid(value: str) -> bool:
    """Bearer/Basic token: random-looking (a digit or a symbol), not a placeholder."""
    return (not is_placeholder(value)) and any(not c.isalpha() for c in value)


# --------------------------------------------------------------------------------------------
# Rules per entity type
# --------------------------------------------------------------------------------------------

EMAIL_RULES = (
    _rule(
        "email",
        r"(?<![A-Za-z0-9._%+\-])(?P<v>[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9\-])",
        1.0,
        "v",
        # git@github.com:org/repo.git is an SSH remote, not a mailbox
        validate=lambda v: not v.lower().startswith("git@"),
    ),
)

CREDIT_CARD_RULES = (
    _rule("card (digits)", L + r"[2-6][0-9]{12,18}" + R, 1.0, validate=payment_card_valid),
    _rule(
        "card (grouped)",
        L + r"(?:[2-6][0-9]{3}(?P<s1>[ \-])[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{1,4}"
        r"(?:(?P=s1)[0-9]{1,3})?|3[47][0-9]{2}(?P<s2>[ \-])[0-9]{6}(?P=s2)[0-9]{5})" + R,
        1.0,
        validate=payment_card_valid,
    ),
)

CN_RESIDENT_ID_RULES = (
    _rule(
        "cn resident id (18)",
        L + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
        r"[0-9]{3}[0-9Xx]" + R,
        1.0,
        validate=cn_resident_id_valid,
    ),
    _rule(
        "cn resident id (15, legacy)",
        L + r"[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}" + R,
        0.5,
        validate=cn_resident_id15_valid,
    ),
)

CN_PHONE_RULES = (
    _rule(
        "cn mobile",
        r"(?<![0-9A-Za-z+])(?:\(?(?:\+|00)86\)?[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}" + R,
        0.7,
    ),
    _rule(
        "cn landline",
        r"(?<![0-9A-Za-z+])(?:\(0[1-9][0-9]{1,2}\)[ \-]?|0[1-9][0-9]{1,2}[ \-]"
        r"|(?:\+|00)86[ \-]?[1-9][0-9]{1,2}[ \-]?)[1-9][0-9]{6,7}" + R,
        0.6,
    ),
)

IP_RULES = (
    _rule(
        "ipv4",
        r"(?<![0-9A-Za-z.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9A-Za-z]|\.[0-9])",
        0.6,
        validate=ipv4_valid,
    ),
    _rule(
        "ipv6",
        r"(?<![0-9A-Za-z:])(?=(?:[0-9A-Fa-f]*:){2})[0-9A-Fa-f:]{3,39}(?![0-9A-Za-z:])",
        0.6,
        validate=ipv6_valid,
    ),
)

API_KEY_RULES = (
    # OpenAI (sk-..., sk-proj-..., sk-svcacct-...) and Anthropic (sk-ant-api03-...)
    _rule("openai/anthropic", r"(?<![0-9A-Za-z_\-])sk-[A-Za-z0-9_\-]{20,}", 1.0,
          validate=api_key_body_valid),
    _rule("aws access key id", L + r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)"
          r"[A-Z0-9]{16}" + R, 1.0),
    _rule("github", L + r"(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})",
          1.0),
    _rule("slack", L + r"xox[abposr]-[A-Za-z0-9\-]{10,}", 1.0),
    _rule("google api key", L + r"AIza[0-9A-Za-z_\-]{35}", 1.0),
    _rule("stripe", L + r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", 1.0),
    _rule("huggingface", L + r"hf_[A-Za-z0-9]{30,}" + R, 1.0),
)

JWT_RULES = (
    _rule("jwt", r"(?<![0-9A-Za-z_\-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
          1.0),
)

AUTH_TOKEN_RULES = (
    _rule("bearer", r"(?<![A-Za-z0-9])(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]{16,}=*)", 0.9, "v",
          validate=token_valid),
    _rule("basic auth header", r"(?i:authorization)[\"']?\s*[:=]\s*[\"']?(?i:basic)[ \t]+"
          r"(?P<v>[A-Za-z0-9+/]{8,}=*)", 0.9, "v", validate=token_valid),
)

PRIVATE_KEY_RULES = (
    _rule(
        "pem private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.{0,20000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:(?:\s|\\[nr])*[A-Za-z0-9+/=]{8,})*)",
        1.0,
        flags=re.DOTALL,
    ),
)

# CJK text and full-width punctuation end a URL written inside Chinese prose.
_NOT_IN_URL = CJK_CHAR_CLASS + r"\u3000-\u303f\uff00-\uffef"

CREDENTIAL_URL_RULES = (
    _rule(
        "url with userinfo",
        r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}://(?P<u>[^\s:/?#@\"'<>`]*"
        r"(?::[^\s/?#@\"'<>`]*)?)@[^\s/?#\"'<>`" + _NOT_IN_URL + r"]+"
        r"(?:[/?#][^\s\"'<>`" + _NOT_IN_URL + r"]*)?",
        1.0,
        validate=credential_url_valid,
        check_group="u",
    ),
    _rule(
        "webhook url",
        r"https://(?:hooks\.slack\.com/services|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks)"
        r"/[A-Za-z0-9/_\-]{10,}",
        1.0,
    ),
)

_SECRET_KEYS = (
    r"password|passwd|passphrase|pwd|secret|client[_\-]?secret|secret[_\-]?key|"
    r"api[_\-]?key|apikey|api[_\-]?secret|access[_\-]?key[_\-]?secret|secret[_\-]?access[_\-]?key|"
    r"access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|session[_\-]?token|bearer[_\-]?token|"
    r"private[_\-]?key|signing[_\-]?key|encryption[_\-]?key"
)
SECRET_RULES = (
    _rule(
        "secret assignment (quoted)",
        r"(?<![A-Za-z0-9])(?i:" + _SECRET_KEYS + r")[\"']?\s*(?::=|=>|[:=])\s*"
        r"(?P<q>[\"'])(?P<v>[^\"'\n]{3,200})(?P=q)",
        0.8,
        "v",
        validate=secret_value_valid,
    ),
    _rule(
        "secret assignment (unquoted)",
        r"(?<![A-Za-z0-9])(?i:" + _SECRET_KEYS + r")[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
        r"(?P<v>[^\s\"'`,;&<>(){}\[\]]{4,200}+)(?![(\[{])",
        0.7,
        "v",
        validate=unquoted_secret_value_valid,
    ),
)

# Placeholders this module writes (``<PERSON_1>``): never re-detected as PII.
PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9]+>")

# Fenced code blocks (``` or ~~~, an unclosed fence runs to the end) and inline `code`.
CODE_RE = re.compile(r"(?s)```.*?(?:```|\Z)|`[^`\n]+`")
