"""Identifier patterns: payment cards, PRC resident IDs, passports, HK/Macau permits, USCC codes.

Entity types CREDIT_CARD, CN_RESIDENT_ID, CN_PASSPORT, CN_HK_MACAU_PERMIT and CN_USCC (see
:mod:`transforms.scrub.entities`), with their checksums (Luhn, GB 11643 MOD 11-2, GB 32100 MOD 31,
GB 11714) and the context-word policy that tells a passport from an order number
(:func:`cn_id_context`). IBAN and US SSN are Presidio's own recognizers
(:mod:`transforms.scrub.recognizers`).
"""

from __future__ import annotations

import datetime
import re
from typing import Optional, Tuple

from stdnum.cn import uscc as stdnum_uscc

from transforms.scrub.patterns.rules import L, R, digits_only, rule


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

CN_RESIDENT_ID_RULES = (
    rule(
        "cn resident id (18)",
        L + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
        r"[0-9]{3}[0-9Xx]" + R,
        1.0,
        validate=cn_resident_id_valid,
    ),
    rule(
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
    """A :attr:`PatternRule.refine` for letter + digits identifiers (group ``v``): ``context_score``
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
    rule("card (digits)", L + r"[2-6][0-9]{12,18}" + R, 1.0, validate=payment_card_valid),
    rule(
        "card (grouped)",
        L + r"(?:[2-6][0-9]{3}(?P<s1>[ \-])[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{1,4}"
        r"(?:(?P=s1)[0-9]{1,3})?|3[47][0-9]{2}(?P<s2>[ \-])[0-9]{6}(?P=s2)[0-9]{5})" + R,
        1.0,
        validate=payment_card_valid,
    ),
    rule("card (12-15 digits, card word)", L + r"(?P<v>(?:1800|2131)[0-9]{11}|(?:5[06-9]|6[0-9])[0-9]{10,13})" + R,
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
    rule("cn passport (e-passport E)",
         L + r"(?P<v>[Ee](?:[0-9]{8}|[" + _LETTER_NO_IO + r"][0-9]{7}))" + R,
         0.9, "v", refine=cn_id_context(PASSPORT_CONTEXT_WORDS, 0.9, 0.3),
         prefilter=r"[0-9]{7}"),
    rule("cn passport (older G/D/S/P)", L + r"(?P<v>[GgDdSsPp][0-9]{7,8})" + R,
         0.8, "v", refine=cn_id_context(PASSPORT_CONTEXT_WORDS, 0.8, None),
         prefilter=r"[0-9]{7}"),
)

CN_HK_MACAU_PERMIT_RULES = (
    rule("hk/macau permit (card C)",
         L + r"(?P<v>[Cc](?:[0-9]{8}|[" + _LETTER_NO_IO + r"][0-9]{7}))" + R,
         0.9, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.9, 0.3),
         prefilter=r"[0-9]{7}"),
    rule("hk/macau permit (booklet W)", L + r"(?P<v>[Ww][0-9]{8})" + R,
         0.8, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.8, None),
         prefilter=r"[0-9]{8}"),
    rule("home return permit (H/M)", L + r"(?P<v>[HhMm](?:[0-9]{8}|[0-9]{10}))" + R,
         0.85, "v", refine=cn_id_context(HK_MACAU_PERMIT_CONTEXT_WORDS, 0.85, None),
         prefilter=r"[0-9]{8}"),
)

CN_USCC_RULES = (
    rule("cn unified social credit code",
         L + f"(?P<v>[{USCC_CHARS}]{{2}}[0-9]{{6}}[{USCC_CHARS}]{{10}})" + R,
         0.95, "v", refine=uscc_span, prefilter=r"[0-9]{6}"),
)


# US driver's licence numbers (entity type US_DRIVER_LICENSE): every state has its own shape (letters
# + digits, 5-15 characters), so a bare value is any id; only a licence word right before it makes
# it one: "driver's license number is 2270-66-1551", "DL: D1234567", "licence no. 5551234".
DRIVER_LICENSE_RULES = (
    rule(
        "driver's licence with context",
        r"(?<![A-Za-z])(?:(?i:driver['’]?s?[ ]licen[cs]e|driving[ ]licen[cs]e|licen[cs]e[ ](?:number|no\.?|#))"
        r"|DL)(?:[ ](?i:number|no\.?|#|id))?(?:[ ](?i:is))?[ \t]*[:#]?[ \t]*"
        r"(?P<v>[A-Za-z]{0,3}[ \-]?[0-9][0-9A-Za-z\-]{3,16})" + R,
        0.85,  # above a phone reading of the same digits: the licence word says what they are
        "v",
        validate=lambda v: sum(ch.isdigit() for ch in v) >= 5,
    ),
)


# --------------------------------------------------------------------------------------------
# Dates of birth, entity type DATE_OF_BIRTH
# --------------------------------------------------------------------------------------------
# A date is personal data only as someone's date of birth: "born on 8/5/1989", "date of birth:
# 1990-04-16", "DOB 12 March 1985", "my birthday is June 3rd". Plain dates ("founded in 1977", "on
# Monday") are not looked for.
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = (r"(?:[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})|[0-9]{4}-[0-9]{2}-[0-9]{2}"
         r"|[0-9]{1,2}(?:st|nd|rd|th)?[ ](?:of[ ])?" + _MONTH + r"(?:,?[ ][0-9]{4})?"
         r"|" + _MONTH + r"[ ][0-9]{1,2}(?:st|nd|rd|th)?(?:,?[ ][0-9]{4})?)")
DATE_OF_BIRTH_RULES = (
    rule(
        "date of birth with context",
        r"(?<![A-Za-z])(?i:born(?:[ ]on)?|date[ ]of[ ]birth|birth[ ]?date|d\.?o\.?b\.?"
        r"|(?:my|his|her|their)[ ]birthday(?:[ ]is)?)(?:[ ](?i:is|was))?[ \t]*[:\-]?[ \t]*"
        r"(?:[.?][ ](?i:it['’]s|it[ ]is)[ ])?"
        r"(?:(?i:on|the)[ ])?(?P<v>" + _DATE + r")" + R,
        0.8,
        "v",
    ),
)
