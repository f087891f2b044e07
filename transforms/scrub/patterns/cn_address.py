"""Chinese address patterns (entity type CN_ADDRESS): 省 / 市 / 区县 / 镇 + 路街巷 + 号 / 座 / 栋 / 室."""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub.patterns.rules import CJK_CHAR_CLASS, rule


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
    rule("cn address (admin levels)", CN_ADDRESS_RE.pattern, 0.85, refine=cn_address_span,
         prefilter=_CN_NUMBER_HINT + "|[0-9]{6}|[路街巷弄]|大道|胡同|(?<!知)道"),
    rule("cn address (road + number)", CN_ROAD_ADDRESS_RE.pattern, 0.7, refine=cn_road_address_span,
         prefilter=_CN_NUMBER_HINT),
)
