"""Contact patterns: email addresses, phone numbers and a person's own web address (entity types
EMAIL_ADDRESS, PHONE_NUMBER, PERSONAL_URL).

Phones: CN mobiles and landlines, numbers of any country next to a phone label, and the policy
(:func:`phone_span_plausible`) that keeps bare digit runs (constants, amounts, ids) from counting as
phones; Presidio's python-phonenumbers recognizer applies that policy too
(:mod:`transforms.scrub.recognizers`). Addresses and names are in :mod:`.address`,
:mod:`.cn_address` and :mod:`.names`.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub.patterns.code_lines import CODE_LINE_RE
from transforms.scrub.patterns.rules import R, digits_only, rule
from transforms.text import CODE_RE


EMAIL_RULES = (
    rule(
        "email",
        r"(?<![A-Za-z0-9._%+\-])(?P<v>[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9\-])",
        1.0,
        "v",
        # git@github.com:org/repo.git is an SSH remote, not a mailbox
        validate=lambda v: not v.lower().startswith("git@"),
    ),
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
#     unfenced code line: "dist.get(v, 2147483647)");
#   * a run that starts with a calendar date or runs on into a clock time is a timestamp, whatever
#     its shape ("2012-08-1115:40:42": the date glued to the hour, "20120811 15:40").
PHONE_CONTEXT_RE = re.compile(
    r"(?i:phone|tel\b|telephone|mobile|cell|call|fax|contact|whats ?app|wechat|sms|text me|dial"
    r"|ring me|reach me)|电话|手机|联系|致电|拨打|号码|座机|传真|微信|短信|热线|来电|打给"
)
PHONE_CONTEXT_BEFORE = 30
_BARE_DIGITS_RE = re.compile(r"[0-9]+")
_DECIMAL_RE = re.compile(r"[0-9]+[.,][0-9]{1,2}")
_CN_MOBILE_BARE_RE = re.compile(r"1[3-9][0-9]{9}")
# year (1900-2099), month, day, with or without one separator between the parts
_DATE_START_RE = re.compile(r"(?:19|20)[0-9]{2}([\-/.]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12][0-9]|3[01])")
_CLOCK_AFTER_RE = re.compile(r"[:h][0-5][0-9]")


def in_code(text: str, pos: int) -> bool:
    """Whether ``text[pos]`` lies in fenced / inline code or on an unfenced code line."""
    return any(m.start() <= pos < m.end()
               for regex in (CODE_RE, CODE_LINE_RE) for m in regex.finditer(text))


def phone_span_plausible(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, matched as a phone number, may be one (policy above)."""
    value = text[start:end]
    if _DECIMAL_RE.fullmatch(value):
        return False
    if _DATE_START_RE.match(value) or _CLOCK_AFTER_RE.match(text, end):
        return False  # a timestamp: "2012-08-1115:40:42", "call at 2012-08-11 1530"
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
    rule(
        "cn mobile",
        r"(?<![0-9A-Za-z+])(?:\(?(?:\+|00)86\)?[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}" + R,
        0.7,
        refine=_cn_mobile_span,
    ),
    rule(
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
    rule("phone (label before)",
         f"(?P<label>{_PHONE_LABEL})(?:[ \\t]*(?:number|no\\.?|#))?[ \\t]*[:：#.\\-]?[ \\t]*\\n?[ \\t]*"
         + _PHONE_VALUE + R,
         0.6, refine=_labelled_phone, prefilter=_PHONE_LABEL),
    rule("phone (label after)",
         r"(?<![0-9A-Za-z+])" + _PHONE_VALUE + R + r"[ \t]*[\-–(]?[ \t]*"
         r"(?P<label>(?i:office|fax|mobile|cell|home|work|desk|phone)(?![A-Za-z])|手机|电话|座机|传真)",
         0.6, refine=_labelled_phone, prefilter=_PHONE_LABEL),
)


# --------------------------------------------------------------------------------------------
# A person's own web address, entity type PERSONAL_URL
# --------------------------------------------------------------------------------------------
# A link in a chat is no personal data; a link someone gives as their own is ("my website is ...",
# "Website:\nhttp://..." in a profile or signature), like an e-mail address.
def _own_url_span(match: "re.Match[str]") -> Tuple[int, int, float]:
    end = match.end("v")
    while match.string[end - 1] in ".,;:!?)":  # the sentence's punctuation, not the URL's
        end -= 1
    return match.start("v"), end, 0.8


PERSONAL_URL_RULES = (
    rule(
        "own website with context",
        r"(?<![A-Za-z])(?:(?i:my|our)[ ](?:personal[ ])?(?:web[ ]?site|homepage|home[ ]page|blog|portfolio)"
        r"(?:[ ](?i:is|at))?[ \t]*:?|(?i:website|homepage|blog)[ \t]*:)[ \t]*\n?[ \t]*"
        r"(?P<v>(?:https?://)?(?:www\.)?[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
        r"(?:/[^\s\"'<>]*)?)",
        0.8,
        refine=_own_url_span,
        prefilter=r"(?i:website|homepage|home page|blog|portfolio)",
    ),
)
