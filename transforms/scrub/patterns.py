"""Regular expressions and validators for the PII / secret recognizers.

Pure Python (no Presidio, no spaCy) so the patterns can be unit tested and reused alone.

Boundaries: Python's ``\\b`` does not separate digits or ASCII letters from CJK characters (both
are "word" characters), so ``\\b4111...`` misses "卡号4111111111111111". Every pattern here uses ASCII
lookarounds instead (:data:`L` / :data:`R`): a match may touch CJK text or punctuation, but not
continue an ASCII word or number.

Each pattern is a :class:`Rule`: the regex, a base score, the group holding the value to scrub
(``"v"`` when only part of the match is sensitive, e.g. the value of ``password=...``) and an
optional validator that receives that value and may reject it (checksums, placeholders). Patterns
whose extent and confidence depend on which optional parts matched (addresses, names after a
naming context) use a ``refine`` function instead, which gets the whole match and returns the span
and score; a ``prefilter`` regex can skip a costly pattern for texts that cannot match.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from stdnum.cn import uscc as stdnum_uscc

from transforms.text import CODE_RE, HAN_CHAR_CLASS, HAN_RE, HAN_RUN_RE, PLACEHOLDER_RE  # noqa: F401 (re-exported)

# ASCII-only "word boundary" lookarounds (see module docstring).
L = r"(?<![0-9A-Za-z])"
R = r"(?![0-9A-Za-z])"

# The scrubber's "CJK" is Han only (Chinese PII); the classes live in transforms.text.
CJK_CHAR_CLASS = HAN_CHAR_CLASS
CJK_RE = HAN_RE
CJK_RUN_RE = HAN_RUN_RE


@dataclass(frozen=True)
class Rule:
    """One regex of a recognizer."""

    name: str
    regex: "re.Pattern[str]"
    score: float
    group: int | str = 0
    validate: Optional[Callable[[str], bool]] = None  # gets the text of ``check_group``
    check_group: int | str | None = None  # default: ``group``
    # gets the whole match, returns the (start, end, score) to report or None to reject it; for
    # patterns whose confidence and extent depend on which optional parts matched (addresses)
    refine: Optional[Callable[["re.Match[str]"], Optional[Tuple[int, int, float]]]] = None
    # cheap regex that must match somewhere in the text for ``regex`` to be worth running
    prefilter: Optional["re.Pattern[str]"] = None

    def accepts(self, match: "re.Match[str]") -> bool:
        if self.validate is None:
            return True
        group = self.group if self.check_group is None else self.check_group
        return bool(self.validate(match.group(group)))

    def spans(self, text: str):
        """(start, end, score) of every accepted match in ``text``."""
        if self.prefilter is not None and not self.prefilter.search(text):
            return
        for match in self.regex.finditer(text):
            if self.refine is not None:
                refined = self.refine(match)
                if refined is not None and refined[0] < refined[1]:
                    yield refined
                continue
            start, end = match.span(self.group)
            if start < 0 or start == end or not self.accepts(match):
                continue
            yield start, end, self.score


def _rule(name: str, pattern: str, score: float, group: int | str = 0,
          validate: Optional[Callable[[str], bool]] = None, flags: int = 0,
          check_group: int | str | None = None, refine=None, prefilter: Optional[str] = None) -> Rule:
    return Rule(name, re.compile(pattern, flags), score, group, validate, check_group, refine,
                re.compile(prefilter) if prefilter else None)


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
        [<{\[].* | .*[>}\]] |              # <password>, {token}, [redacted]
        # template / shell syntax, not any value starting with $ or % (%T1TKkhz&PF28Yb1 is one)
        \$[{(].* | \$(?-i:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*) | \$[0-9]+ |  # ${PASS} $(cmd) $PASS $1
        %[({].* | %(?-i:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)%? | %[0-9]*[sdrfx] |  # %(pw)s %PASS% %s
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
# A bracket makes a value code only after an identifier / attribute chain or at its start
# (``get_password()``, ``request.form[``, ``(hidden)``): ``L9Sb*Dm1$2(gIi`` is a password.
_CODE_VALUE_RE = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_.]*[(\[{]|^[(\[{]|^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$"
    r"|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
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
    """Vendor keys are random: a digit and a letter, or (random keys may have no digit) a run of
    20+ letters mixing upper and lower case; skips 'sk-learn-style-words'."""
    if is_placeholder(value):
        return False
    if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        return True
    longest = max((len(run) for run in re.findall(r"[A-Za-z]+", value)), default=0)
    return longest >= 20 and any(c.isupper() for c in value) and any(c.islower() for c in value)


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

# --------------------------------------------------------------------------------------------
# Chinese travel documents (CN_PASSPORT, CN_HK_MACAU_PERMIT) and company codes (CN_USCC)
# --------------------------------------------------------------------------------------------
# A letter + 7-10 digits is also the shape of order, part, ticket and invoice numbers
# ("订单E12345678"), so passports and permits are scored by their context
# (:func:`cn_id_context`):
#
#   context  a context word (护照 / passport; 通行证 / 港澳 / 回乡证 / HK-Macau permit ...) is the
#            nearest label in the ID_CONTEXT_BEFORE characters before the number (same sentence),
#            or follows it ("E12345678是我的护照号", "E12345678 (passport)")
#            -> 0.9 current shapes, 0.8 older shapes; lower-case letters accepted
#   bare     no context, current shape in upper case (passport ``E`` + 8 digits / ``E`` + letter +
#            7 digits; permit ``C`` + 8 digits / ``C`` + letter + 7 digits)
#            -> 0.3: reported, but below the scrubber's 0.4 threshold (not scrubbed)
#   none     no context and an older shape (passport ``G``/``D``/``S``/``P`` + 7-8 digits, permit
#            ``W`` + 8 digits, home return permit ``H``/``M`` + 8 or 10 digits), or a competing
#            label (订单 / 快递 / 型号 / order / SKU / invoice ...) is the nearest label before the
#            number -> not reported
#
# Once a number is scrubbed with context, the scrubber's literal propagation replaces the same
# number everywhere else in the conversation, context or not.

ID_CONTEXT_BEFORE = 30  # characters before a number searched for a context word
# Labels of other letter + digits numbers: nearest to a number, they beat an earlier context word
# ("护照丢了，订单E12345678").
_CN_ID_OTHER_LABELS = (
    "订单|单号|运单|快递|物流|型号|货号|批号|批次|车次|航班|发票|工单|票号|工号|学号|房号|编码"
    "|(?<![A-Za-z])(?i:order|sku|part|model|invoice|tracking|ticket|serial|item|flight|batch"
    "|lot|product|employee|student)"
)
# Between a number and a context word after it: "E12345678是我的护照号", "E12345678 (my passport)".
_CN_ID_AFTER_GAP = (
    r"[ \t,，:：(（\[【\-—]*(?:是|为|係|(?i:is|=))?[ \t]*"
    r"(?:我的|我|本人的|本人|他的|她的|你的|您的|(?i:my|his|her|your|the|a)[ \t]+)?"
)
PASSPORT_CONTEXT = r"护照|護照|(?i:passport)"
HK_MACAU_PERMIT_CONTEXT = (
    r"通行证|通行證|港澳|回乡证|回鄉證|(?i:(?:hk|hong[ ]?kong)[ ]?(?:/|and|&|-)?[ ]?maca[uo]"
    r"(?:[ ](?:travel|entry|exit))*[ ]?permit|exit[ \-]?entry[ ]permit|two[ \-]way[ ]permit"
    r"|home[ \-]return[ ]permit|mainland[ ]travel[ ]permit|travel[ ]permit)"
)
USCC_CONTEXT = (
    r"信用代码|信用代碼|社会信用|税号|稅號|纳税人识别号|纳税识别号|营业执照|"
    r"(?i:uscc|credit[ ]code|tax[ ]?(?:id|no|number|code)|taxpayer|business[ ]licen[cs]e)"
)
_SENTENCE_END = re.compile(r"[。！？!?]")


class _IdContext:
    """Context words of one identifier type (see the section comment)."""

    def __init__(self, words: str):
        self.labels = re.compile(f"(?P<ctx>{words})|(?P<other>{_CN_ID_OTHER_LABELS})")
        self.after = re.compile(_CN_ID_AFTER_GAP + f"(?:{words})")

    def find(self, text: str, start: int, end: int) -> Optional[bool]:
        """True: a context word labels ``text[start:end]``; False: another label does; None:
        no label."""
        lo = max(0, start - ID_CONTEXT_BEFORE)
        for stop in _SENTENCE_END.finditer(text, lo, start):
            lo = stop.end()
        last = None
        for last in self.labels.finditer(text, lo, start):
            pass
        if last is not None:
            return last.group("ctx") is not None
        if self.after.match(text, end, end + ID_CONTEXT_BEFORE):
            return True
        return None


PASSPORT_CONTEXT_WORDS = _IdContext(PASSPORT_CONTEXT)
HK_MACAU_PERMIT_CONTEXT_WORDS = _IdContext(HK_MACAU_PERMIT_CONTEXT)
USCC_CONTEXT_WORDS = _IdContext(USCC_CONTEXT)


def cn_id_context(context: _IdContext, context_score: float, bare_score: Optional[float]):
    """A :attr:`Rule.refine` for letter + digits identifiers (group ``v``): ``context_score``
    with a context word, ``bare_score`` (None: not reported) for an upper-case number without
    one, nothing after a competing label."""

    def refine(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
        start, end = match.span("v")
        labelled = context.find(match.string, start, end)
        if labelled:
            return start, end, context_score
        if labelled is None and bare_score is not None and match.group("v").isupper():
            return start, end, bare_score
        return None

    return refine


# Payment cards. Common issuers (Visa, Mastercard, Amex, Discover, UnionPay, 16+ digit Maestro)
# are recognised by shape + Luhn alone. Rarer forms - 12-15 digit Maestro (50, 56-69) and the
# 15-digit JCB ranges 1800 / 2131 - collide with order and account numbers (Luhn passes one
# number in ten), so they need a card word labelling them (:class:`_IdContext`: nearest label
# in the same sentence before, or right after; "order" / "订单" labels beat it).
CARD_CONTEXT = (r"卡号|银行卡|信用卡|借记卡|储蓄卡|卡|(?<![A-Za-z])(?i:(?:credit|debit|bank|payment)?[ ]?card"
                r"|cc|visa|master[ ]?card|maestro|jcb)(?![A-Za-z])")
CARD_CONTEXT_WORDS = _IdContext(CARD_CONTEXT)


def _contextual_card(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    start, end = match.span("v")
    digits = match.group("v")
    if len(set(digits)) < 2 or not luhn_valid(digits):
        return None
    return (start, end, 0.9) if CARD_CONTEXT_WORDS.find(match.string, start, end) else None


CREDIT_CARD_RULES = (
    _rule("card (digits)", L + r"[2-6][0-9]{12,18}" + R, 1.0, validate=payment_card_valid),
    _rule(
        "card (grouped)",
        L + r"(?:[2-6][0-9]{3}(?P<s1>[ \-])[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{1,4}"
        r"(?:(?P=s1)[0-9]{1,3})?|3[47][0-9]{2}(?P<s2>[ \-])[0-9]{6}(?P=s2)[0-9]{5})" + R,
        1.0,
        validate=payment_card_valid,
    ),
    _rule("card (12-15 digits, card word)", L + r"(?P<v>(?:1800|2131)[0-9]{11}|(?:5[06-9]|6[0-9])[0-9]{10,13})" + R,
          0.9, refine=_contextual_card),
)

# GB 32100-2015 unified social credit code: 18 characters of 0-9 A-H J-N P-R T-U W-Y (no I O Z S
# V); 1 registering authority, 2 entity type, 3-8 region code (digits), 9-17 organization code
# (GB 11714, its own MOD 11 check character), 18 MOD 31 check character (python-stdnum).
USCC_CHARS = "0-9A-HJ-NP-RT-UW-Y"
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


def uscc_check_valid(value: str) -> bool:
    """The GB 32100 check character (18th) of an 18-character code."""
    return (len(value) == 18 and all(ch in _USCC_ALPHABET for ch in value)
            and stdnum_uscc.calc_check_digit(value[:17]) == value[17])


_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_valid(code: str) -> bool:
    """GB 11714 organization code (8 characters + check character 0-9 / X)."""
    if len(code) != 9:
        return False
    total = 0
    for ch, w in zip(code[:8], _ORG_CODE_WEIGHTS):
        if "0" <= ch <= "9":
            total += (ord(ch) - 48) * w
        elif "A" <= ch <= "Z":
            total += (ord(ch) - 55) * w  # A = 10 ... Z = 35
        else:
            return False
    check = 11 - total % 11
    return code[8] == {10: "X", 11: "0"}.get(check, str(check))


def uscc_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a USCC candidate: the MOD 31 check character must match. Codes with a
    letter score 0.95 on the checksum alone; for all-digit ones (18-digit order numbers pass the
    MOD 31 check 1 time in 31) the embedded organization code must pass its GB 11714 check too
    (0.95), else a context word is needed (信用代码 / 税号 / USCC ..., 0.85; without: 0.3, not
    scrubbed)."""
    value = match.group("v")
    if not uscc_check_valid(value):
        return None
    start, end = match.span("v")
    if not value.isdigit() or org_code_valid(value[8:17]):
        return start, end, 0.95
    if USCC_CONTEXT_WORDS.find(match.string, start, end):
        return start, end, 0.85
    return start, end, 0.3


_LETTER_NO_IO = "A-HJ-NP-Za-hj-np-z"  # second letter of the newer E / C numbers

CN_PASSPORT_RULES = (
    _rule("cn passport (e-passport E)",
          L + r"(?P<v>[Ee](?:[0-9]{8}|[" + _LETTER_NO_IO + r"][0-9]{7}))" + R,
          0.9, "v", refine=cn_id_context(PASSPORT_CONTEXT_WORDS, 0.9, 0.3),
          prefilter=r"[0-9]{7}"),
    _rule("cn passport (older G/D/S/P)", L + r"(?P<v>[GgDdSsPp][0-9]{7,8})" + R,
          0.8, "v", refine=cn_id_context(PASSPORT_CONTEXT_WORDS, 0.8, None),
          prefilter=r"[0-9]{7}"),
)

CN_HK_MACAU_PERMIT_RULES = (
    _rule("hk/macau permit (card C)",
          L + r"(?P<v>[Cc](?:[0-9]{8}|[" + _LETTER_NO_IO + r"][0-9]{7}))" + R,
          0.9, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.9, 0.3),
          prefilter=r"[0-9]{7}"),
    _rule("hk/macau permit (booklet W)", L + r"(?P<v>[Ww][0-9]{8})" + R,
          0.8, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.8, None),
          prefilter=r"[0-9]{8}"),
    _rule("home return permit (H/M)", L + r"(?P<v>[HhMm](?:[0-9]{8}|[0-9]{10}))" + R,
          0.85, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.85, None),
          prefilter=r"[0-9]{8}"),
)

CN_USCC_RULES = (
    _rule("cn unified social credit code",
          L + f"(?P<v>[{USCC_CHARS}]{{2}}[0-9]{{6}}[{USCC_CHARS}]{{10}})" + R,
          0.95, "v", refine=uscc_span, prefilter=r"[0-9]{6}"),
)


# Phone numbers written as a bare run of digits (no +, separators or parentheses) are mostly
# not phones: constants in code (MOD = 1000000007, 2147483647), amounts (62049563.00元), counts,
# IDs. Policy (:func:`phone_span_plausible`), for phonenumbers' matches and our CN mobiles alike:
#   * a digit run with a decimal part ("62049563.00", "13812345678.5") is an amount: rejected;
#   * a formatted number (+, separators, parentheses) is kept;
#   * a bare run with a phone context word shortly before it on the same line ("电话", "call",
#     "tel", "mobile" ...) is kept;
#   * otherwise a bare run needs a plausible shape: a CN mobile (1[3-9] + 9 digits), or 10+ digits
#     with at least 4 distinct digits (phonenumbers already deemed it valid for some region) that
#     do not follow "=" (an assignment in code) and are not in code at all (fenced, inline or an
#     unfenced code line: "dist.get(v, 2147483647)").
PHONE_CONTEXT_RE = re.compile(
    r"(?i:phone|tel\b|telephone|mobile|cell|call|fax|contact|whats ?app|wechat|sms|text me|dial"
    r"|ring me|reach me)|电话|手机|联系|致电|拨打|号码|座机|传真|微信|短信|热线|来电|打给"
)
PHONE_CONTEXT_BEFORE = 30
_BARE_DIGITS_RE = re.compile(r"[0-9]+")
_DECIMAL_RE = re.compile(r"[0-9]+[.,][0-9]{1,2}")
_CN_MOBILE_BARE_RE = re.compile(r"1[3-9][0-9]{9}")


def in_code(text: str, pos: int) -> bool:
    """Whether ``text[pos]`` lies in fenced / inline code or on an unfenced code line."""
    return any(m.start() <= pos < m.end()
               for regex in (CODE_RE, CODE_LINE_RE) for m in regex.finditer(text))


def phone_span_plausible(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, matched as a phone number, may be one (policy above)."""
    value = text[start:end]
    if _DECIMAL_RE.fullmatch(value):
        return False
    if not _BARE_DIGITS_RE.fullmatch(value):
        return True  # formatted: +, separators, parentheses
    if re.match(r"[.,][0-9]", text[end:end + 2]):
        return False  # decimal part after the match
    line_start = text.rfind("\n", 0, start) + 1
    if PHONE_CONTEXT_RE.search(text, max(line_start, start - PHONE_CONTEXT_BEFORE), start):
        return True
    if text[max(0, start - 3):start].rstrip(" \t").endswith("="):
        return False
    if _CN_MOBILE_BARE_RE.fullmatch(value):
        return True
    if in_code(text, start):
        return False  # other bare numbers in code are constants (2147483647), unless labelled
    return len(value) >= 10 and len(set(value)) >= 4


def _cn_mobile_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    if not phone_span_plausible(match.string, match.start(), match.end()):
        return None
    return match.start(), match.end(), 0.7


CN_PHONE_RULES = (
    _rule(
        "cn mobile",
        r"(?<![0-9A-Za-z+])(?:\(?(?:\+|00)86\)?[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}" + R,
        0.7,
        refine=_cn_mobile_span,
    ),
    _rule(
        "cn landline",
        r"(?<![0-9A-Za-z+])(?:\(0[1-9][0-9]{1,2}\)[ \-]?|0[1-9][0-9]{1,2}[ \-]"
        r"|(?:\+|00)86[ \-]?[1-9][0-9]{1,2}[ \-]?)[1-9][0-9]{6,7}" + R,
        0.6,
    ),
)

# Phone numbers of any country, written the way people label them: "Phone: 60-56-85-91",
# "Mobile:\n723 813 266", "call me on 9472 7916", "416 60 039 office", "(37) 788-063-Office".
# phonenumbers validates numbers against the numbering plans of a few regions only, so numbers
# of other countries (or fictional ranges) slip through it; a label right before (same or
# previous line, only punctuation between) or right after the number stands in for that
# validation. 7-15 digits, not a date, not an amount.
_PHONE_LABEL = (r"(?<![A-Za-z])(?i:phone|tel|telephone|mobile|cell|cellphone|fax|desk|office|home"
                r"|work|whats ?app|call me (?:on|at)|reach me (?:on|at)|text me (?:on|at)"
                r"|ring me (?:on|at))(?![A-Za-z])|电话|手机|座机|传真|联系电话|联系方式")
# Labels that are ordinary words too: the number must be formatted ("home 1234567 days" is not).
_WEAK_PHONE_LABELS = frozenset({"cell", "desk", "office", "home", "work"})
_PHONE_VALUE = (r"(?P<v>(?:\+|00)?\(?[0-9][0-9 ().\-]{4,19}[0-9]"
                r"(?:[ ]?(?i:x|ext\.?)[ ]?[0-9]{1,5})?)")
_PHONE_DATE_RE = re.compile(r"(?:19|20)[0-9]{2}[\-./](?:0?[1-9]|1[0-2])[\-./](?:0?[1-9]|[12][0-9]|3[01])"
                            r"|(?:0?[1-9]|[12][0-9]|3[01])[\-./](?:0?[1-9]|1[0-2])[\-./](?:19|20)?[0-9]{2}")


def _labelled_phone(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    start, end = match.span("v")
    value = match.group("v")
    if match.group("label").lower() in _WEAK_PHONE_LABELS and _BARE_DIGITS_RE.fullmatch(value):
        return None
    main = re.split(r"(?i)[ ]?(?:x|ext)", value)[0]
    digits = digits_only(main)
    if not 7 <= len(digits) <= 15 or len(set(digits)) < 3:
        return None
    if _PHONE_DATE_RE.fullmatch(main.strip()) or _DECIMAL_RE.fullmatch(main):
        return None
    if main.count("(") != main.count(")"):
        return None
    return start, end, 0.6


LABELLED_PHONE_RULES = (
    _rule("phone (label before)",
          f"(?P<label>{_PHONE_LABEL})(?:[ \\t]*(?:number|no\\.?|#))?[ \\t]*[:：#.\\-]?[ \\t]*\\n?[ \\t]*"
          + _PHONE_VALUE + R,
          0.6, refine=_labelled_phone, prefilter=_PHONE_LABEL),
    _rule("phone (label after)",
          r"(?<![0-9A-Za-z+])" + _PHONE_VALUE + R + r"[ \t]*[\-–(]?[ \t]*"
          r"(?P<label>(?i:office|fax|mobile|cell|home|work|desk|phone)(?![A-Za-z])|手机|电话|座机|传真)",
          0.6, refine=_labelled_phone, prefilter=_PHONE_LABEL),
)

IP_RULES = (
    _rule(
        "ipv4",
        # letters may touch the left ("陌生IP218.95.6.117", "ip:..."): a dotted quad glued to a
        # word is still an address; a lone "v" / "V" before it is a version ("v1.2.3.4")
        r"(?<![0-9.])(?<!(?<![A-Za-z])[vV])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
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
# A key: one of the above, or a word ending in password / passwd / passphrase (PGPASSWORD,
# dbpassword); never a shell / template variable reference ("$PWD":/app, %PASSWORD%).
_SECRET_KEY = (r"(?<![A-Za-z0-9$%])(?:[A-Za-z0-9]{1,20}(?i:password|passwd|passphrase)|(?i:"
               + _SECRET_KEYS + r"))")
SECRET_RULES = (
    _rule(
        "secret assignment (quoted)",
        _SECRET_KEY + r"[\"']?\s*(?::=|=>|[:=])\s*"
        r"(?P<q>[\"'])(?P<v>[^\"'\n]{3,200})(?P=q)",
        0.8,
        "v",
        validate=secret_value_valid,
    ),
    _rule(
        "secret assignment (unquoted)",
        _SECRET_KEY + r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
        r"(?P<v>[^\s\"'`,;&<>]{4,200}+)",
        0.7,
        "v",
        validate=unquoted_secret_value_valid,
    ),
)

# --------------------------------------------------------------------------------------------
# Street addresses (US / UK style), entity type ADDRESS
# --------------------------------------------------------------------------------------------
# "<house number> <Capitalized street words> [unit] [, City, ST 12345 | , City POSTCODE]".
# Confidence depends on which parts are there (see :func:`street_address_span`):
#   number + street + ", City, ST[ 12345]" (or a UK postcode)      0.95 (0.85 without a suffix)
#   number + Name(s) + common street suffix [+ unit]               0.6  ("42 Oak Street", "9 Elm Rd #4")
#   number + Name(s) + any USPS suffix, with a unit or a 3+ digit  0.6  ("090 Rogers Mount Apt. 713",
#     house number that is no year                                      "4866 Bryant Creek")
#   number + Name(s) + unit, no suffix                             0.5
#   UK "[Flat 3, ][12 ]Name Suffix, [Town, ]POSTCODE"              0.9  (:data:`UK_ADDRESS_RE`)
# Street words must be Capitalized (lower-case "42 oak street" is not detected: too many false
# positives such as "2 blocks down the road"); a suffix never counts as the first street word
# ("5 Drive Safely").

# Suffixes that make "<number> <Name> <Suffix>" an address on their own: the common USPS suffixes
# and abbreviations plus UK street types.
STREET_SUFFIXES_COMMON = frozenset(
    "Street St Avenue Ave Av Road Rd Lane Ln Drive Dr Court Ct Boulevard Blvd Way Place Pl Terrace "
    "Ter Terr Parkway Pkwy Highway Hwy Circle Cir Square Sq Trail Trl Crescent Cres Close Alley Aly "
    "Loop Row Plaza Plz Pike Turnpike Tpke Expressway Expy Freeway Fwy Route Rte Mews Walk Gardens "
    "Grove Causeway Cswy Crossing Xing Esplanade Promenade Wharf Quay".split()
)
# Every USPS / Faker en_US street suffix: plausible street endings, but also ordinary words
# ("3 Great Lakes", "top 5 Parks"), so they count only with a unit or a city/state tail.
STREET_SUFFIXES_ALL = STREET_SUFFIXES_COMMON | frozenset(
    "Alley Avenue Branch Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center "
    "Centers Circle Circles Cliff Cliffs Club Common Corner Corners Course Court Courts Cove Coves "
    "Creek Crescent Crest Crossing Crossroad Curve Dale Dam Divide Drive Drives Estate Estates "
    "Expressway Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords Forest Forge "
    "Forges Fork Forks Fort Freeway Garden Gardens Gateway Glen Glens Green Greens Grove Groves Harbor "
    "Harbors Haven Heights Highway Hill Hills Hollow Inlet Island Islands Isle Junction Junctions Key "
    "Keys Knoll Knolls Lake Lakes Land Landing Lane Light Lights Loaf Lock Locks Lodge Loop Mall Manor "
    "Manors Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval "
    "Overpass Park Parks Parkway Parkways Pass Passage Path Pike Pine Pines Place Plain Plains Plaza "
    "Point Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridge Ridges River Road Roads "
    "Route Row Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs Square Squares "
    "Station Stravenue Stream Street Streets Summit Terrace Throughway Trace Track Trafficway Trail "
    "Tunnel Turnpike Underpass Union Unions Valley Valleys Via Viaduct View Views Village Villages "
    "Ville Vista Walk Walks Wall Way Ways Well Wells".split()
)
# Street "names" that are products / counters, not streets ("2 Google Drive folders").
_NOT_STREET_WORDS = frozenset(
    "Google Microsoft Apple Amazon Azure Hard Flash Cloud Data Power Solid Supreme Team Project Step "
    "Chapter Page Level Version Part Phase Series Season Episode Days Hours Minutes Years Weeks "
    "Months Top Best Easy Simple Quick".split()
)
US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP FM MH PW AA AE AP"
).split()
US_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|"
    "Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|"
    "New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|"
    "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|"
    "Wisconsin|Wyoming"
)
_UNIT_WORDS = r"Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Bldg|Building|Box"
_ADDR_WORD = (
    r"(?!(?:" + _UNIT_WORDS + r")\b)"
    r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:['’\-][A-Za-z][a-z]+)?|O['’][A-Z][a-z]+"
    r"|[0-9]{1,3}(?:st|nd|rd|th)|[NS][EW]\.?|[NSEW]\.?)"
)
_CITY = r"(?:St\.?[ ])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[ \-][A-Z][a-z]+){0,2}"
_UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}"
STREET_ADDRESS_RE = re.compile(
    r"(?<![0-9A-Za-z.,:/#$€£\-])(?P<num>[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,5}[A-Za-z]?)?)"
    r"[ ](?P<street>" + _ADDR_WORD + r"(?:[ ]" + _ADDR_WORD + r"){0,5})"
    r"(?P<unit>(?:\.?(?:,?[ \t]+|,?[ \t]*\n[ \t]*)(?:#[ ]?|(?:" + _UNIT_WORDS + r")\.?[ ]?#?)"
    r"[0-9A-Za-z][0-9A-Za-z\-]{0,5}(?![0-9A-Za-z])){1,2})?"
    r"(?P<tail>\.?(?:,[ \t]*|[ \t]*\n[ \t]*)" + _CITY + r"(?:,[ \t]*|[ \t]+)"
    r"(?:(?:" + "|".join(US_STATE_CODES) + "|" + US_STATE_NAMES + r")(?![A-Za-z0-9])"
    r"(?:,?[ \t]+[0-9]{5}(?:-[0-9]{4})?(?![0-9]))?"
    r"|" + _UK_POSTCODE + r"(?![A-Za-z0-9])))?"
)


def _house_number_is_strong(number: str) -> bool:
    """3+ digit house numbers that are not years ("1383 Jeffrey Views", not "2024 Apple Park")."""
    digits = number.split("-")[0].rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    if len(digits) < 3:
        return False
    return not (len(digits) == 4 and digits[0] != "0" and 1900 <= int(digits) <= 2099)


def street_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`STREET_ADDRESS_RE` match, None when it is not an address."""
    words = match.group("street").split(" ")
    has_unit = match.group("unit") is not None
    if match.group("tail") is not None:  # ", City, ST 12345": an address whatever the street is
        has_suffix = any(w.rstrip(".") in STREET_SUFFIXES_ALL for w in words[1:])
        return match.start(), match.end(), 0.95 if has_suffix or has_unit else 0.85
    if any(w.rstrip(".") in _NOT_STREET_WORDS for w in words):
        return None
    broad = has_unit or _house_number_is_strong(match.group("num"))
    suffix_at = -1
    for i in range(len(words) - 1, 0, -1):
        word = words[i].rstrip(".")
        if word in STREET_SUFFIXES_COMMON or (broad and word in STREET_SUFFIXES_ALL):
            suffix_at = i
            break
    if suffix_at < 0:
        return (match.start(), match.end("unit"), 0.5) if has_unit else None
    if suffix_at == len(words) - 1:
        end = match.end("unit") if has_unit else match.end("street")
    else:  # words after the suffix belong to the sentence: "42 Oak Street With ..."
        end = match.start("street") + len(" ".join(words[:suffix_at + 1]))
    return match.start(), end, 0.6


def uk_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`UK_ADDRESS_RE` match: "[Flat 3, ][12 ]Name Suffix, [Town, ]PC"."""
    words = match.group("street").split(" ")
    if match.group("pre") is None and words[-1] not in STREET_SUFFIXES_ALL:
        return None
    return match.start(), match.end(), 0.9


_LINE_SEP = r"(?:,[ \t]*|[ \t]*\n[ \t]*)"
# UK addresses without a leading house number: "Flat 37, Bennett Mall, East Harrietport, N8 8HN"
UK_ADDRESS_RE = re.compile(
    r"(?<![0-9A-Za-z])(?P<pre>(?:Flat|Studio|Apartment|Unit|Suite)[ ][0-9]{1,4}[A-Za-z]?" + _LINE_SEP
    + r"|[0-9]{1,4}[A-Za-z]?[ ])?(?P<street>" + _ADDR_WORD + r"(?:[ ]" + _ADDR_WORD + r"){0,3})"
    + _LINE_SEP + r"(?:" + _CITY + r"(?:" + _LINE_SEP + r"|[ \t]+))?" + _UK_POSTCODE + r"(?![A-Za-z0-9])"
)

# Continental European and Latin American streets: the number comes after the street name.
#   a street word first, 1-5 name words, then the number   "Rue de Virton 38", "Via delle Coste 41",
#                                                           "Avda. Rio Nalon 58", "ul. Narewska 94"
#   a name with a glued or separate street word, number    "Friedhofstrasse 33", "Koskikatu 25",
#                                                           "Rooseveltlaan 110", "Erzsébet tér 19"
# 0.6 alone; 0.85 with a postcode + town after it ("Koskikatu 25, 00100 Helsinki"). A unit alone
# ("Apt. 805", "Suite 377") is 0.5: the US pattern above takes it along when a street precedes it.
_INTL_NAME = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃČŠŽ][\w'’.\-]*"
_INTL_TOWN = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃČŠŽ][\w'’\-]*"  # no "." at the end: a town ends the sentence
_INTL_PARTICLE = (r"(?:d[aeiou]s?|de[ls]?|du|la|le|les|del|della|delle|degli|dei|di|do|dos|das|van|von"
                  r"|der|den|het|y|e|am|an|im|zum|zur)")
_INTL_STREET_FIRST = (r"(?:Rue|Avenue|Av\.|Avda\.|Avenida|Boulevard|Bd\.|Chemin|Allée|Impasse|Quai|Via|Viale"
                      r"|Piazza|Piazzetta|Corso|Largo|Vicolo|Calle|Carrer|Plaza|Paseo|Camino|Rua|Travessa"
                      r"|Praça|Estrada|Rambla|ul\.|ulica|al\.|Aleja|Plac|Odos|Leoforos)")
_INTL_STREET_LAST = (r"(?:stra(?:ss|ß)e|str\.|gasse|weg|platz|allee|damm|ufer|katu|kuja|tie|polku|gatan|vägen"
                     r"|väg|gränd|vej|veien|vegen|vegur|gata|gade|stræti|straeti|laan|straat|plein|gracht"
                     r"|kade|utca|út|tér|körút|ulice|náměstí|tee|iela|gatvė)")
_INTL_NUMBER = r"(?P<num>[0-9]{1,4}[A-Za-z]?(?:[/\-][0-9]{1,4}[A-Za-z]?)?)(?![0-9A-Za-z])"
_INTL_POSTAL_TAIL = (r"(?P<tail>\.?(?:,[ \t]*|[ \t]*\n[ \t]*)(?:[A-Z]{1,2}-)?[0-9]{4,5}(?:[ ][0-9]{2,3})?"
                     r"[ ]" + _INTL_TOWN + r"(?:[ \-]" + _INTL_TOWN + r")?)?")
INTL_STREET_RE = re.compile(
    r"(?<![\w.])(?:" + _INTL_STREET_FIRST + r"(?:[ ](?:" + _INTL_PARTICLE + r"|" + _INTL_NAME + r")){1,5}"
    r"|(?:" + _INTL_NAME + r"[ ]){0,2}[A-ZÀ-ÖØ-Þ][\w'’\-]{2,}" + _INTL_STREET_LAST
    + r"|(?:" + _INTL_NAME + r"[ ]){1,2}" + _INTL_STREET_LAST + r")"
    r"[ ]" + _INTL_NUMBER + _INTL_POSTAL_TAIL
)
# A unit on its own line, after a comma or after a house number ("the test Suite 2 failed" is none).
UNIT_RE = re.compile(r"(?:^|(?<=\n)|(?<=,)|(?<=[0-9]))[ \t>]*(?P<v>(?:Apt\.?|Apartment|Suite)[ ]?#?[0-9]{1,5}"
                     r"[A-Za-z]?)(?![\w])")


def intl_street_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of an :data:`INTL_STREET_RE` match: the number must not be a year."""
    number = match.group("num")
    if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2099 and match.group("tail") is None:
        return None  # "Via Roma 2024" is more likely an event than an address
    return match.start(), match.end(), 0.85 if match.group("tail") else 0.6


STREET_ADDRESS_RULES = (
    _rule("street address", STREET_ADDRESS_RE.pattern, 0.6, refine=street_address_span,
          prefilter=r"[0-9][A-Za-z]?[ ][A-Z0-9]"),
    _rule("uk address", UK_ADDRESS_RE.pattern, 0.9, refine=uk_address_span,
          prefilter=_UK_POSTCODE + r"(?![A-Za-z0-9])"),
    _rule("street, number after the name", INTL_STREET_RE.pattern, 0.6, refine=intl_street_span,
          prefilter=r"[A-Za-zÀ-ÿ.][ ][0-9]"),
    _rule("unit", UNIT_RE.pattern, 0.5, "v", prefilter=r"(?:Apt|Apartment|Suite)"),
)

# --------------------------------------------------------------------------------------------
# Chinese addresses, entity type CN_ADDRESS
# --------------------------------------------------------------------------------------------
# 省 / 市 / 区县 / 镇乡街道 / 路街道巷弄 / 号 / 栋座楼单元室 / 6-digit postcode, with or without
# spaces, right against other Chinese text. Names of the levels are runs of CJK characters that
# contain none of the function characters below, so "我住在深圳市南山区" starts at 深 (a place
# name glued to a preceding content word, "靠近中山路88号", takes that word along).
# Scores (see :func:`cn_address_span`):
#   admin level(s) + road + number / building                      0.85
#   road + number ("中山路88号", no admin level)                     0.7
#   2+ admin levels + road, or 2+ admin levels + number / postcode 0.6
#   admin levels alone ("湖南省长沙市") are not an address: not detected.

# Function characters never inside a place name, plus the level suffixes themselves (a level name
# never spans another level: "收货地址湖南省" is not one city name).
_CN_ADDR_STOP = ("的在是住到往去于我你他她它们为了与及或从寄送发至请把给这那哪个有没不很要能可吗呢吧啊呀也"
                 "就还又再被让对址省市区县镇乡")


def _cjk_class_without(excluded: str) -> str:
    """A regex character class of the CJK ranges of :data:`CJK_CHAR_CLASS` minus ``excluded``
    (one class is much faster than a negative lookahead per character)."""
    ranges = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    cut = sorted({ord(ch) for ch in excluded})
    parts = []
    for lo, hi in ranges:
        start = lo
        for code in cut:
            if lo <= code <= hi:
                if start < code:
                    parts.append((start, code - 1))
                start = code + 1
        if start <= hi:
            parts.append((start, hi))
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in parts) + "]"


_CN_N = _cjk_class_without(_CN_ADDR_STOP)
_CN_PROVINCE = (
    "(?:(?:北京|天津|上海|重庆)市?"
    "|(?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州"
    "|云南|陕西|甘肃|青海|台湾)省?"
    "|(?:内蒙古|广西壮族|广西|西藏|宁夏回族|宁夏|新疆维吾尔|新疆)(?:自治区)?"
    "|(?:香港|澳门)(?:特别行政区)?)"
)
_CN_LEVEL = "(?:特别行政区|自治[区州县]|地区|街道|[省市州盟区县旗镇乡])"
_CN_LEVEL_RE = re.compile(_CN_LEVEL)
_CN_BARE_PROVINCE_RE = re.compile(
    "(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东"
    "|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)(?![省市]|自治区|特别)"
)
_SP = "[ \t]?"
# first level: a province by name, or a named level; further levels may be a bare suffix
# ("兴安盟县" in generated data), never more than 5 levels
_CN_ADMIN = (
    "(?:" + _CN_PROVINCE + "|" + _CN_N + "{1,7}?" + _CN_LEVEL + ")"
    "(?:" + _SP + _CN_N + "{0,7}?" + _CN_LEVEL + "){0,4}"
)
_CN_ROAD = _CN_N + "{1,10}?(?:大道|大街|胡同|[路街道巷弄])(?:[0-9]{1,4}(?:支弄|弄|巷))?"
_CN_NUM = "[0-9]{1,5}(?:[-之][0-9]{1,4})?号(?![线码])(?:院|楼)?"
_CN_BLDG = (
    "(?:[A-Za-z]|" + _CN_N + "){0,8}?[0-9A-Za-z]{1,5}(?:-[0-9A-Za-z]{1,5})?"
    "(?:号楼|号院|单元|栋|幢|座|楼|层|室|号)"
)
_CN_POST = "(?P<post>[ \t]*(?:邮编[:：]?[ \t]*)?[0-9]{6}(?![0-9]))?"
CN_ADDRESS_RE = re.compile(
    "(?P<admin>" + _CN_ADMIN + ")(?P<road>" + _SP + _CN_ROAD + ")?(?P<num>" + _SP + _CN_NUM + ")?"
    "(?P<bldg>(?:" + _SP + _CN_BLDG + "){0,4})" + _CN_POST
)
CN_ROAD_ADDRESS_RE = re.compile(
    "(?P<road>" + _CN_ROAD + ")(?:" + _SP + _CN_NUM + "(?:" + _SP + _CN_BLDG + "){0,4}"
    "|(?:" + _SP + "[0-9A-Za-z]{1,5}(?:栋|幢|座|号楼))(?:" + _SP + _CN_BLDG + "){0,3})" + _CN_POST
)


def cn_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`CN_ADDRESS_RE` match (led by an administrative level)."""
    admin = match.group("admin")
    # a bare suffix ("北京市区" = 北京市 + 区) is no level of its own
    levels, last = 0, 0
    for level in _CN_LEVEL_RE.finditer(admin):
        if admin[last:level.start()].strip():
            levels += 1
        last = level.end()
    if _CN_BARE_PROVINCE_RE.match(admin):
        levels += 1
    road = match.group("road") is not None
    number = match.group("num") is not None or bool(match.group("bldg"))
    post = match.group("post") is not None
    if road and number:
        score = 0.85
    elif levels >= 2 and (road or number or post):
        score = 0.6
    else:
        return None
    return match.start(), match.end(), min(1.0, score + (0.1 if post else 0.0))


def cn_road_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`CN_ROAD_ADDRESS_RE` match (road + house number, no admin)."""
    return match.start(), match.end(), 0.7


# Every accepted match has a house number / building or a road (or a postcode after 2 levels).
_CN_NUMBER_HINT = "[0-9A-Za-z][ \t]?(?:号|座|栋|幢|楼|单元|层|室)"
CN_ADDRESS_RULES = (
    _rule("cn address (admin levels)", CN_ADDRESS_RE.pattern, 0.85, refine=cn_address_span,
          prefilter=_CN_NUMBER_HINT + "|[0-9]{6}|[路街巷弄]|大道|胡同|(?<!知)道"),
    _rule("cn address (road + number)", CN_ROAD_ADDRESS_RE.pattern, 0.7, refine=cn_road_address_span,
          prefilter=_CN_NUMBER_HINT),
)

# --------------------------------------------------------------------------------------------
# English names announced by their context, entity type PERSON
# --------------------------------------------------------------------------------------------
# spaCy's small model misses names in plenty of sentences ("You could also call Philip Ingram"),
# the context pins them down. 1-3 Capitalized words (a middle initial allowed) after:
#   strong  "my name is", "my name's", "call me", "I'm called", "Dear", "signed", "regards,",
#           "sincerely,", "cheers,", "Thanks,<newline>": 1+ words (0.6, 2+ words 0.7);
#           "Name:" needs 2+ words (YAML "name: Build" is not a person)
#   weak    "I'm", "I am": 1+ words (0.5); "this is", "it's", "contact", "email", "call", "ask",
#           "tell", "text", "message", "ping", "cc", "meet", "thanks", "hi", "hello", "hey",
#           "named", "called", "name", "attn", "ship / send / email / give / talk (+ up to 3
#           words) to" ("email the result to X Y"), "addressed to", "payable to", "on behalf of":
#           2+ words (0.6)
#   title   "Mr.", "Mrs", "Ms", "Dr.", "Prof." + 1-2 words (0.6; the title itself is kept)
# Words in :data:`EN_NOT_NAME_WORDS` (function words, brands, tech, roles, nationalities) end the
# name; a name that loses its words that way is dropped.
EN_NOT_NAME_WORDS = frozenset(
    w.casefold()
    for w in (
        # function words / frequent sentence words that get capitalized in titles
        "a an the this that these those it its i me my we us our you your he him his she her they "
        "them their what which who whom whose when where why how all any both each few more most "
        "other some such no nor not only own same so than too very can will just should now is am "
        "are was were be been being have has had do does did doing would could might must shall may "
        "and but if or because as until while of at by for with about against between into through "
        "during before after above below to from up down in out on off over under again further then "
        "once here there also still even really actually maybe please sorry thanks thank hi hello "
        "hey dear yes no ok okay sure well new old good great best better fine happy glad sure ready "
        "really totally literally currently finally basically honestly seriously absolutely "
        "definitely probably simply exactly truly clearly certainly totally fully kind "
        "excited confused stuck tired worried married retired based located pleased curious "
        "afraid aware able unable sorry lost late free busy sick new here there not just future "
        "self "
        "trying looking going working using writing asking wondering interested new back done here "
        "today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january "
        "february march april may june july august september october november december morning "
        "evening afternoon night everyone everybody all team guys folks sir madam ma'am friend "
        "friends colleagues customer customers client clients user users member members student "
        "students parent parents applicant candidate recruiter committee editor admissions hiring "
        "manager managers support service services help desk helpdesk sales marketing billing "
        "account accounts admin administrator hr it tech technical human resources department office "
        "center centre team staff security legal finance operations engineering product design "
        "research development developer engineer software data scientist analyst designer teacher "
        "doctor nurse lawyer officer assistant bot ai model system assistant agent owner landlord "
        "tenant neighbor neighbour boss coworker mom mum dad mother father brother sister wife "
        "husband son daughter uncle aunt grandma grandpa baby kid kids family "
        # nationalities / languages
        "american british english chinese french german spanish italian japanese korean indian "
        "canadian australian russian brazilian mexican dutch swedish polish turkish arabic arab "
        "vietnamese thai filipino irish scottish welsh african european asian latino hispanic "
        "mandarin cantonese portuguese greek jewish christian muslim catholic buddhist hindu "
        # brands / products / tech (plus the scrubber's NER stoplist below)
        "google siri alexa cortana bard bing microsoft apple amazon meta facebook twitter instagram "
        "linkedin whatsapp slack zoom teams discord reddit youtube netflix spotify uber tesla samsung "
        "huawei xiaomi baidu tencent alibaba wechat chatgpt gpt openai claude anthropic gemini "
        "copilot llama mistral python java javascript typescript rust go golang kotlin swift ruby "
        "perl scala haskell sql mysql postgresql postgres sqlite mongodb redis json yaml html css xml "
        "csv api rest docker kubernetes linux ubuntu debian windows macos ios android excel word "
        "powerpoint outlook office github gitlab git aws azure gcp react vue angular django flask "
        "fastapi pandas numpy pytorch tensorflow bash markdown latex node npm pip vim emacs vscode "
        "code build test deploy setup run install update release world machine learning deep "
        "neural network networks programming object oriented artificial intelligence science "
        "computer language natural processing web app application server client framework "
        "library function class module package file folder database cloud computing quantum "
        "chapter section part step lesson unit example exercise question answer summary "
        "introduction conclusion overview guide tutorial tips tip notes note"
    ).split()
)
_EN_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)"
# inner capitals only after name prefixes (McDonald, DeLuca): "MyClass Helper" is code
_EN_NAME_WORD = (r"(?:(?:Mc|Mac|De|Di|Da|La|Le|Van|Von)?[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)?"
                 r"|O['’][A-Z][a-z]+)(?![A-Za-z0-9_])")
_EN_NAME = r"(?P<name>" + _EN_NAME_WORD + r"(?:[ ](?:[A-Z]\.[ ])?" + _EN_NAME_WORD + r"){0,2})"
EN_NAME_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z])(?=[A-Za-z])(?:"
    r"(?P<strong>(?i:my[ ](?:full[ ]|first[ ]|last[ ]|real[ ])?name)(?:[ ]is|['’]s)|(?i:call[ ]me)"
    r"|I['’]m[ ]called|(?i:dear)|(?i:signed),?|(?i:regards|sincerely|cheers|yours[ ]truly),"
    r"|(?i:thanks|thank[ ]you|best),?(?=[ \t]*\n))"
    r"|(?P<label>(?i:my[ ](?:full[ ])?name|name)[ ]?:)"
    r"|(?P<iam>I['’]m|I[ ]am)"
    r"|(?P<weak>(?i:this[ ]is|it['’]s|contact|e-?mail|call|ask|tell|text|message|ping|cc|meet"
    r"|thanks|thank[ ]you|hi|hello|hey|named|called|name|attn|attention"
    r"|(?:ship|send|e-?mail|mail|deliver|forward|address|post|give|pass|hand|report|reply|write"
    r"|talk|speak|reach[ ]out|introduce[ ]me|refer[ ]me)(?:[ ][a-z]+){0,3}?[ ]to"
    r"|addressed[ ]to|made[ ]out[ ]to|payable[ ]to|on[ ]behalf[ ]of)),?:?"
    r")[ \t]*\n?[ \t]*(?:" + _EN_TITLES + r"\.?[ ])?" + _EN_NAME
    + r"|(?<![A-Za-z])" + _EN_TITLES + r"\.?[ ](?P<titled>" + _EN_NAME_WORD + r"(?:[ ]"
    + _EN_NAME_WORD + r")?)"
)
_EN_NAME_WORD_RE = re.compile(_EN_NAME_WORD)


def en_name_context_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """The name of an :data:`EN_NAME_CONTEXT_RE` match cut at the first non-name word."""
    group = "titled" if match.group("titled") is not None else "name"
    start = match.start(group)
    end = start
    words = 0
    for word in _EN_NAME_WORD_RE.finditer(match.group(group)):
        if word.group().casefold() in EN_NOT_NAME_WORDS:
            break
        end = start + word.end()
        words += 1
    if words == 0:
        return None
    if group == "titled":
        return start, end, 0.6
    if match.group("strong") is not None:
        return start, end, 0.7 if words >= 2 else 0.6
    if match.group("iam") is not None:
        first = match.group("name").split(" ")[0]
        if len(first) > 5 and first.endswith(("ing", "ful", "ous", "ive", "able", "ible")):
            return None  # "I'm Feeling Lucky", "I Am Grateful"
        return start, end, 0.6 if words >= 2 else 0.5
    return (start, end, 0.6) if words >= 2 else None  # label / weak context: a full name


EN_NAME_CONTEXT_RULES = (
    _rule("english name in context", EN_NAME_CONTEXT_RE.pattern, 0.6, refine=en_name_context_span,
          prefilter=r"[A-Z][a-z]"),
)

# Places a person comes from, lives in or travels to, after a phrase that says so ("I'm
# originally from Tujetsch", "flew to LEPPEN", "grew up in Sund", "based in Poznań"): the small
# NER model calls many towns ORG or misses all-caps ones. 1-3 capitalized or all-caps words,
# cut at the first common word (:data:`EN_NOT_NAME_WORDS`: "I'm in Python", "flew to the").
# Generic phrases ("went to", "move to", "is from", "comes from") are no context: too many
# non-places follow them ("move to Settings", "the data is from Kaggle").
_EN_PLACE_WORD = (r"[A-ZÀ-ÖØ-Þ\u0100-\u024F][A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024F'’]*"
                  r"(?:-[A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024F]+)*")
# Common words that start place names ("New York", "Great Falls"): they count when a place word follows.
_EN_PLACE_LEADS = frozenset("new old great north south east west upper lower big little saint port "
                            "fort mount lake".split())
EN_PLACE_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z])(?i:(?:originally|I[ ]am|I['’]m|hails?|moved|emigrated|immigrated) from"
    r"|(?:flew|fly|flying|flies|travel(?:l)?(?:ed|ing)?|travels|moved|moving|relocat(?:e|ed|ing)"
    r"|emigrat(?:e|ed|ing)|commut(?:e|ed|ing)) (?:back )?to"
    r"|(?:arrived|arriving|landed|landing) (?:in|at)"
    r"|(?:live[sd]?|living|based|born|raised|grew up|growing up|reside[sd]?|residing|settled"
    r"|stationed) in)"
    r"[ ](?P<place>" + _EN_PLACE_WORD + r"(?:[ ]" + _EN_PLACE_WORD + r"){0,2})"
)
_EN_PLACE_WORD_RE = re.compile(_EN_PLACE_WORD)


def en_place_context_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """The place of an :data:`EN_PLACE_CONTEXT_RE` match, cut at the first common word."""
    start = end = match.start("place")
    words = list(_EN_PLACE_WORD_RE.finditer(match.group("place")))
    for i, word in enumerate(words):
        low = word.group().casefold()
        if low in EN_NOT_NAME_WORDS and not (i == 0 and low in _EN_PLACE_LEADS and len(words) > 1):
            break
        end = match.start("place") + word.end()
    return (start, end, 0.6) if end > start + 1 else None


EN_PLACE_CONTEXT_RULES = (
    _rule("english place in context", EN_PLACE_CONTEXT_RE.pattern, 0.6, refine=en_place_context_span,
          prefilter=r"(?i:from|to|in|at)[ ][A-ZÀ-Þ\u0100-\u024F]"),
)

# PLACEHOLDER_RE (what the scrubber writes) and CODE_RE (fenced and inline code) live in transforms.text.
# Lines of unfenced code: ending in ; { } (prose lines almost never do), starting with a
# lower-case declaration keyword and holding code punctuation ("class KruskalMST:", "def f(x):"),
# or a Python block header ("if d < dist.get(v, 2147483647):").
CODE_LINE_RE = re.compile(
    r"(?m)^[^\n]*[;{}][ \t]*$"
    r"|^[ \t]*(?:if|elif|else|for|while|try|except|with)\b[^\n]*[()=<>\[\]][^\n]*:[ \t]*$"
    r"|^[ \t]*(?:class|def|function|func|fn|import|from|const|let|var|public|private|protected"
    r"|static|final|return|package|struct|interface|enum|async|export|module|#include|#define)"
    r"[ \t][^\n]*[(){}=:;][^\n]*$"
)
