"""Identifier patterns (transforms.scrub.patterns.identifiers): PRC resident IDs, payment cards, passports,
HK / Macau permits and unified social credit codes."""

from __future__ import annotations

import pytest

from scrub_helpers import USCC_EXAMPLE, found, types, with_luhn
from transforms.scrub import patterns as pp


def wrong_check_digit(ric: str) -> str:
    right = pp.cn_ric_check_digit(ric[:17])
    return ric[:17] + next(c for c in "0123456789X" if c != right)


def test_cn_resident_id_valid_checksums_flagged(regex, cn_ids):
    for ric in cn_ids + ["110101199003074258", "11010519491231002X"]:
        assert pp.cn_resident_id_valid(ric), ric
        assert ("CN_RESIDENT_ID", ric) in found(regex, f"身份证{ric}，请核实"), ric


def test_cn_resident_id_wrong_check_digit_not_flagged(regex, cn_ids):
    for ric in cn_ids + ["110101199003074258"]:
        bad = wrong_check_digit(ric)
        assert not pp.cn_resident_id_valid(bad)
        assert "CN_RESIDENT_ID" not in types(regex, f"身份证{bad}"), bad


def test_cn_resident_id_invalid_date_or_province_not_flagged():
    assert not pp.cn_resident_id_valid(with_ric_check("11010119901332001"))  # month 13
    assert not pp.cn_resident_id_valid(with_ric_check("99010119900307001"))  # province 99


def with_ric_check(first17: str) -> str:
    return first17 + pp.cn_ric_check_digit(first17)


def test_cn_resident_id_legacy_15_digits(regex):
    assert ("CN_RESIDENT_ID", "110101900307425") in found(regex, "旧身份证110101900307425")
    assert "CN_RESIDENT_ID" not in types(regex, "编号990101900307425")  # no such province


def test_cn_resident_id_inside_longer_number_not_flagged(regex):
    assert "CN_RESIDENT_ID" not in types(regex, "1101011990030742581")


@pytest.mark.parametrize(
    "card",
    [
        "4111111111111111",
        with_luhn("622202123456789012"),  # 19-digit UnionPay
        with_luhn("622848001234567"),  # 16-digit UnionPay
        "5555555555554444",
        "378282246310005",  # Amex
    ],
)
def test_luhn_valid_cards_flagged_next_to_cjk(regex, card):
    assert ("CREDIT_CARD", card) in found(regex, f"卡号{card}，谢谢")
    assert ("CREDIT_CARD", card) in found(regex, f"my card is {card}.")


def test_grouped_card_numbers(regex):
    assert ("CREDIT_CARD", "4111 1111 1111 1111") in found(regex, "Visa 4111 1111 1111 1111 exp")
    assert ("CREDIT_CARD", "4111-1111-1111-1111") in found(regex, "卡号4111-1111-1111-1111")
    assert ("CREDIT_CARD", "3782 822463 10005") in found(regex, "amex 3782 822463 10005")


def test_luhn_invalid_card_not_flagged(regex):
    for bad in ["4111111111111112", "6222021234567890124", "5555555555554445"]:
        assert not pp.luhn_valid(bad) or not pp.payment_card_valid(bad)
        assert "CREDIT_CARD" not in types(regex, f"卡号{bad}"), bad


def test_long_digit_runs_are_not_cards(regex):
    # 20+ digits, or a valid card embedded in a longer number
    assert "CREDIT_CARD" not in types(regex, "id 41111111111111110")
    assert "CREDIT_CARD" not in types(regex, "x" + "4111111111111111")


@pytest.mark.parametrize("card", [
    "630427373398",  # 12-digit Maestro
    "501864667909",  # 12-digit Maestro
    "180016070420458",  # 15-digit JCB (1800)
    "213176828496175",  # 15-digit JCB (2131)
])
def test_short_and_rare_cards_need_a_card_word(regex, card):
    assert pp.luhn_valid(card)
    assert ("CREDIT_CARD", card) in found(regex, f"What is the limit for card {card}?")
    assert ("CREDIT_CARD", card) in found(regex, f"信用卡{card}被冻结了")
    assert ("CREDIT_CARD", card) in found(regex, f"the last bill for cc {card} was late")
    # without a card word, or labelled as something else, it is just a number
    assert "CREDIT_CARD" not in types(regex, f"reference {card}")
    assert "CREDIT_CARD" not in types(regex, f"my card was declined, order {card} is stuck")
    assert "CREDIT_CARD" not in types(regex, f"card {card[:-1]}{(int(card[-1]) + 1) % 10}")  # Luhn


def regex_recognizer(entity: str):
    from transforms.scrub.recognizers import regex_recognizers

    return next(r for r in regex_recognizers() if r.entity == entity)


@pytest.mark.parametrize(
    "text,value",
    [
        ("护照号E12345678", "E12345678"),
        ("我的护照号码是：EA1234567。", "EA1234567"),
        ("護照E87654321", "E87654321"),
        ("Passport No. G12345678, expires 2030", "G12345678"),
        ("passport: D1234567", "D1234567"),
        ("公务护照P12345678请收好", "P12345678"),
        ("E12345678是我的护照号", "E12345678"),  # context after the number
        ("E12345678 (my passport)", "E12345678"),
        ("护照号：e12345678", "e12345678"),  # lower case with context
        ("护照号：E12345678、E87654321", "E87654321"),  # a list after one label
    ],
)
def test_cn_passport_with_context(regex, text, value):
    assert ("CN_PASSPORT", value) in found(regex, text)


@pytest.mark.parametrize(
    "text",
    [
        "订单E12345678",  # no passport context
        "订单E12345678已发货",
        "E12345678",
        "我的护照丢了，订单E12345678",  # a nearer competing label
        "订单号G12345678",
        "part number P1234567 is out of stock",
        "S12345678",
        "护照号E123456789",  # 9 digits
        "护照号xE12345678",  # continues an ASCII word
        "护照号E12345678x",
        "我的护照丢了。E12345678",  # context in another sentence
    ],
)
def test_cn_passport_negatives(regex, text):
    assert "CN_PASSPORT" not in types(regex, text), found(regex, text)


def test_cn_passport_score_policy():
    recognizer = regex_recognizer("CN_PASSPORT")
    scores = lambda text: [(text[r.start:r.end], r.score) for r in recognizer.find(text)]  # noqa: E731
    # without context only the e-passport shapes are reported, below the 0.4 threshold
    assert scores("see E12345678") == [("E12345678", 0.3)]
    assert scores("see EA1234567") == [("EA1234567", 0.3)]
    assert scores("see G12345678") == []
    assert scores("订单E12345678") == []
    assert scores("护照E12345678") == [("E12345678", 0.9)]
    assert scores("护照G12345678") == [("G12345678", 0.8)]


@pytest.mark.parametrize(
    "text,value",
    [
        ("通行证C12345678", "C12345678"),
        ("港澳通行证CA1234567，下周去香港", "CA1234567"),
        ("往来港澳通行证号码：W12345678", "W12345678"),
        ("HK/Macau permit C87654321", "C87654321"),
        ("Exit-Entry Permit No.: C12345678", "C12345678"),
        ("回乡证H1234567801", "H1234567801"),
        ("港澳居民来往内地通行证M12345678", "M12345678"),
        ("Home Return Permit: H12345678", "H12345678"),
    ],
)
def test_cn_hk_macau_permits(regex, text, value):
    assert ("CN_HK_MACAU_PERMIT", value) in found(regex, text)


@pytest.mark.parametrize(
    "text",
    ["订单C12345678", "C12345678", "型号W12345678", "H12345678", "快递单M1234567890",
     "通行证C123456789", "去港澳旅游，订单C12345678"],
)
def test_cn_hk_macau_permit_negatives(regex, text):
    assert "CN_HK_MACAU_PERMIT" not in types(regex, text), found(regex, text)


def with_uscc_check(first17: str) -> str:
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)


def all_digit_usccs() -> tuple[str, str]:
    """All-digit USCCs with a valid MOD 31 check: (org code valid, org code invalid)."""
    good = bad = None
    for n in range(10_000_000, 10_001_000):
        body = f"91110000{n}"
        for org_check in "0123456789":
            code = with_uscc_check(body + org_check)
            if not code.isdigit():
                continue
            if pp.org_code_valid(code[8:17]):
                good = good or code
            else:
                bad = bad or code
        if good and bad:
            return good, bad
    raise AssertionError("unreachable")


def test_uscc_check_matches_stdnum():
    from stdnum.cn import uscc

    for code in [USCC_EXAMPLE, "91110000600037341L", "91350211M000100Y46", "91350211M000100Y43"]:
        assert pp.uscc_check_valid(code) == uscc.is_valid(code), code
    assert pp.org_code_valid("M000100Y4") and pp.org_code_valid("600037341")
    assert not pp.org_code_valid("600037342")


@pytest.mark.parametrize(
    "text,value",
    [
        ("信用代码91350211M000100Y46", "91350211M000100Y46"),
        (f"统一社会信用代码：{USCC_EXAMPLE}。", USCC_EXAMPLE),
        ("The company (91110000600037341L) is registered in Beijing", "91110000600037341L"),
        (f"公司{USCC_EXAMPLE}成立于2015年", USCC_EXAMPLE),  # valid checksum: no context needed
    ],
)
def test_uscc_valid(regex, text, value):
    assert ("CN_USCC", value) in found(regex, text)


def test_uscc_invalid_not_flagged(regex):
    # the brief's "91350211M000100Y43": its check character should be 6
    assert "CN_USCC" not in types(regex, "信用代码91350211M000100Y43")
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != USCC_EXAMPLE[-1]:
            assert "CN_USCC" not in types(regex, f"信用代码{USCC_EXAMPLE[:17]}{wrong}"), wrong
    # I / O / S / V / Z are not in the charset; 19 characters; inside an ASCII word
    for letter in "IOSVZ":
        assert "CN_USCC" not in types(regex, f"信用代码{USCC_EXAMPLE[:8]}{letter}{USCC_EXAMPLE[9:]}")
    assert "CN_USCC" not in types(regex, f"信用代码{USCC_EXAMPLE}1")
    assert "CN_USCC" not in types(regex, f"code x{USCC_EXAMPLE}")


def test_uscc_all_digits_needs_org_code_or_context(regex):
    good, bad = all_digit_usccs()
    assert ("CN_USCC", good) in found(regex, f"编号{good}")
    # an 18-digit number passing MOD 31 by chance (1 in 31) is no USCC without context
    assert "CN_USCC" not in types(regex, f"订单号{bad}")
    assert ("CN_USCC", bad) in found(regex, f"税号{bad}")


def test_dates_of_birth_and_own_websites_need_their_context(regex):
    assert ("DATE_OF_BIRTH", "8/5/1989") in found(regex, "she was born on 8/5/1989.")
    assert ("DATE_OF_BIRTH", "6/24/1991") in found(regex, "Please tell me your date of birth. It's 6/24/1991")
    assert ("DATE_OF_BIRTH", "12 March 1985") in found(regex, "DOB: 12 March 1985")
    assert ("PERSONAL_URL", "http://www.CreditQuarterly.pl/") in found(regex, "My website is http://www.CreditQuarterly.pl/.")
    assert ("PERSONAL_URL", "https://www.UEarly.se/") in found(regex, "Website:\nhttps://www.UEarly.se/\n")
    for text in ("The orchestra was founded in 1977.", "Just posted a photo https://www.FarmerBuys.be/",
                 "url: https://api.example.com/v1", '"homepage": "https://example.org"'):
        assert found(regex, text) == [], text
