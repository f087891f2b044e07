"""Contact patterns (transforms.scrub.patterns: contact, address, cn_address, names): phones, emails,
street and Chinese addresses, English names and places announced by their context."""

from __future__ import annotations

import pytest

from scrub_helpers import found, types


@pytest.mark.parametrize(
    "text,phone",
    [
        ("手机13812345678", "13812345678"),
        ("电话：+86 138 1234 5678。", "+86 138 1234 5678"),
        ("联系0086-138-1234-5678谢谢", "0086-138-1234-5678"),
        ("手机号(+86)13912345678", "(+86)13912345678"),
        ("座机010-12345678", "010-12345678"),
        ("办公室(0755)26543210转", "(0755)26543210"),
        ("call me at 415-555-2671 tomorrow", "415-555-2671"),
        ("UK office +44 20 7946 0958.", "+44 20 7946 0958"),
    ],
)
def test_phone_numbers(regex, text, phone):
    assert ("PHONE_NUMBER", phone) in found(regex, text)


def test_phone_not_inside_longer_numbers(regex):
    assert "PHONE_NUMBER" not in types(regex, "order 138123456789012 and ts 1712345678901")


@pytest.mark.parametrize("text", [
    "MOD = 1000000007",
    "```python\nMAX_SIZE = 2147483647\n```",
    "今年的销售额是62049563.00元",
    "总价13812345678.50元",
    "the answer is 1000000007 mod p",
])
def test_bare_numbers_are_not_phones(regex, text):
    assert "PHONE_NUMBER" not in types(regex, text)


@pytest.mark.parametrize("text,phone", [
    ("我的手机13812345678", "13812345678"),
    ("13912345678", "13912345678"),
    ("phone 4155552671", "4155552671"),
    ("座机电话 4155552671", "4155552671"),
    ("reach the desk on 4155552671 today", "4155552671"),
])
def test_bare_numbers_with_phone_shape_or_context(regex, text, phone):
    assert ("PHONE_NUMBER", phone) in found(regex, text)


@pytest.mark.parametrize("text,phone", [
    ("Personal Info:\nPhone:\n60-56-85-91\n\nE-mail:", "60-56-85-91"),
    ("Name: Sieda Batukayev\nPhone: (99) 645-791", "(99) 645-791"),
    ("Hungary 34796\n(37) 788-063-Office", "(37) 788-063"),
    ("APO AA 61487\n416 60 039 office", "416 60 039"),
    ("+46 (0)8 928 571 38 fax", "+46 (0)8 928 571 38"),
    ("Can someone call me on 9472 7916? I have questions", "9472 7916"),
    ("Mobile: 0490 39 07 81", "0490 39 07 81"),
    ("Fax: 345-899-3560x4587", "345-899-3560x4587"),
    ("Home: 555-1234", "555-1234"),
    ("联系电话：0571 8888 1234", "0571 8888 1234"),
])
def test_labelled_phone_numbers_of_any_country(regex, text, phone):
    assert ("PHONE_NUMBER", phone) in found(regex, text)


@pytest.mark.parametrize("text", [
    "home 1234567 days",  # a word that labels phones, but a bare number
    "Office 2019 costs 149.99",
    "Phone: 2024-05-01",  # a date
    "work 2024-05-01 to 2024-06-01",
    "tel: 12.5",
    "office hours 9-17",
    "call me at 5pm",
])
def test_phone_labels_do_not_make_numbers_phones(regex, text):
    assert "PHONE_NUMBER" not in types(regex, text)


def test_email_next_to_cjk(regex):
    assert ("EMAIL_ADDRESS", "zhang.san@example.com.cn") in found(
        regex, "邮箱zhang.san@example.com.cn谢谢")
    assert ("EMAIL_ADDRESS", "a.b+tag@mail.co") in found(regex, "(a.b+tag@mail.co)")


def test_git_remote_is_not_an_email(regex):
    assert "EMAIL_ADDRESS" not in types(regex, "git clone git@github.com:org/repo.git")


@pytest.mark.parametrize(
    "text,address",
    [
        ("address 23020 Kim Keys Suite 867, Smithmouth, VT 56397",
         "23020 Kim Keys Suite 867, Smithmouth, VT 56397"),
        ("I live at 090 Rogers Mount Apt. 713, Hansenchester, CT 71589, and my phone is",
         "090 Rogers Mount Apt. 713, Hansenchester, CT 71589"),
        ("HQ: 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
         "1600 Pennsylvania Avenue NW, Washington, DC 20500"),
        ("Ship to:\n123 Main St\nSpringfield, IL 62701-1234\nThanks", "123 Main St\nSpringfield, IL 62701-1234"),
        ("Our office: 10 Downing Street, London SW1A 2AA", "10 Downing Street, London SW1A 2AA"),
        ("Flat 37\nBennett Mall\nEast Harrietport\nN8 8HN", "Flat 37\nBennett Mall\nEast Harrietport\nN8 8HN"),
        ("I moved to 42 Oak Street. Then I", "42 Oak Street"),  # medium: number + name + suffix
        ("it's 9 Elm Rd #4 near the park", "9 Elm Rd #4"),
        ("地址：221B Baker Street，谢谢", "221B Baker Street"),  # next to CJK text
        ("send it to 4866 Bryant Creek tomorrow", "4866 Bryant Creek"),  # long number: any suffix
    ],
)
def test_street_addresses(regex, text, address):
    assert ("ADDRESS", address) in found(regex, text)


@pytest.mark.parametrize(
    "text",
    [
        "3 Python Tips for Beginners",
        "in 2024 Apple released a new phone",
        "In 2024 Apple Park opened to visitors",
        "Step 5 Drive Safely",
        "copy the 2 Google Drive folders",
        "I have visited 3 Great Lakes",
        "Top 10 Places to Visit",
        "Chapter 3 Introduction to Data Science",
        "the meeting is at 5 PM on Main",
        "version 3.2 Release Notes",
        "we walked 2 blocks down the road",
    ],
)
def test_not_street_addresses(regex, text):
    assert "ADDRESS" not in types(regex, text), found(regex, text)


@pytest.mark.parametrize("text,place", [
    ("Mr. Leiva flew to LEPPEN on Tuesday morning.", "LEPPEN"),
    ("a 29 year old man who grew up in SUND.", "SUND"),
    ("I'm originally from Tujetsch, and I'm 31", "Tujetsch"),
    ("I moved to New York City last year", "New York City"),
    ("our team is based in Poznań", "Poznań"),
    ("I'm from Łódź", "Łódź"),
    ("she lives in West Hollywood now", "West Hollywood"),
])
def test_places_after_a_residence_or_travel_phrase(regex, text, place):
    assert ("LOCATION", place) in found(regex, text)


@pytest.mark.parametrize("text", [
    "I'm in Python mode today",
    "we moved to the cloud last year",
    "I am from Google",  # a company: a common / brand word
    "returned to Normal mode",  # 'return' is no context: UI labels follow it
    "I went to Costco",  # 'went to' is no context
    "the dataset is from Kaggle",  # nor 'is from'
    "move to Settings and turn it off",  # nor an instruction's 'move to'
    "moved to New",
])
def test_no_place_without_a_place_word(regex, text):
    assert "LOCATION" not in types(regex, text), found(regex, text)


@pytest.mark.parametrize("text,address", [
    ("please ship it to Rue de Virton 38, I'm there all week", "Rue de Virton 38"),
    ("2274 Via delle Coste 41\n Apt. 322", "2274 Via delle Coste 41\n Apt. 322"),
    ("85199 Avda. Rio Nalon 58", "85199 Avda. Rio Nalon 58"),
    ("772 ul. Narewska 94", "772 ul. Narewska 94"),
    ("Meine Adresse: Friedhofstrasse 33, 8010 Graz", "Friedhofstrasse 33, 8010 Graz"),
    ("address: Koskikatu 25, 00100 Helsinki.", "Koskikatu 25, 00100 Helsinki"),
    ("Kevin had given Alma his address: 5049 Harjukuja 54, SEINÄJOKI", "5049 Harjukuja 54, SEINÄJOKI"),
    ("233 Erzsébet tér 19.\n Suite 282", "233 Erzsébet tér 19"),
    ("moved to Rooseveltlaan 110 last year", "Rooseveltlaan 110"),
    ("Maureen Thibault\n41086 Kiannonkatu 98\n Suite 464\n OULU", "41086 Kiannonkatu 98\n Suite 464\n OULU"),
])
def test_streets_with_the_number_after_the_name(regex, text, address):
    assert ("ADDRESS", address) in found(regex, text)


@pytest.mark.parametrize("text", [
    "Place 3 eggs in the bowl",
    "Python 3 and Windows 11",
    "Chapter 5 explains String 5",
    "Spring 2024 release notes",
    "Via 3 routes you can get there",
    "the test Suite 2 failed again",
    "see Via Roma 2024 for the festival",  # a year, not a house number
    "Route 66 and Highway 101",
])
def test_not_streets_with_the_number_after_the_name(regex, text):
    assert "ADDRESS" not in types(regex, text), found(regex, text)


@pytest.mark.parametrize(
    "text,address",
    [
        ("帮我整理一下快递信息：收件人王芳，地址湖南省长沙市岳麓区麓山路88号 410083",
         "湖南省长沙市岳麓区麓山路88号 410083"),
        ("收货地址：北京市朝阳区建国路88号SOHO现代城5号楼1203室，谢谢",
         "北京市朝阳区建国路88号SOHO现代城5号楼1203室"),
        ("我住在深圳市南山区科技园路1号", "深圳市南山区科技园路1号"),
        ("寄到上海市 浦东新区 张江镇 碧波路690号", "上海市 浦东新区 张江镇 碧波路690号"),  # with spaces
        ("地址内蒙古自治区欢县徐汇韦街b座 469074。", "内蒙古自治区欢县徐汇韦街b座 469074"),
        ("广东深圳市南山区高新南七道R2-B栋3楼", "广东深圳市南山区高新南七道R2-B栋3楼"),
        ("我家住在中山路88号，欢迎来玩", "中山路88号"),  # road + number, no admin level
    ],
)
def test_chinese_addresses(regex, text, address):
    assert ("CN_ADDRESS", address) in found(regex, text)


@pytest.mark.parametrize(
    "text",
    [
        "湖南省长沙市",  # admin levels alone are not an address
        "我去了北京市区逛街",
        "知道路怎么走吗",
        "坐地铁2号线到终点站",
        "这座城市计划在未来五年内开通三条新的地铁线路。",
        "我家在小区3号楼",
        "这道题3号之前交",
        "市中心的房价大幅上涨",
    ],
)
def test_not_chinese_addresses(regex, text):
    assert "CN_ADDRESS" not in types(regex, text), found(regex, text)


@pytest.mark.parametrize(
    "text,name",
    [
        ("You could also call Philip Ingram directly at the office.", "Philip Ingram"),
        ("Hi, I'm Kimberly Bowers.", "Kimberly Bowers"),
        ("Ship it to Eddie Evans, 12 Main St.", "Eddie Evans"),
        ("Format this as a contact card: name Bradley Weaver, email", "Bradley Weaver"),
        ("my name is Sarah.", "Sarah"),
        ("Dear Mr. Smith,", "Mr. Smith"),  # the title stays in the span
        ("Best regards,\nJohn A. Smith", "John A. Smith"),
        ("Please email Mary O'Brien today", "Mary O'Brien"),
        ("Name: Wei Zhang", "Wei Zhang"),
        ("Please contact Dr. Emily Chen.", "Dr. Emily Chen"),
    ],
)
def test_english_names_in_context(regex, text, name):
    assert ("PERSON", name) in found(regex, text)


@pytest.mark.parametrize(
    "text",
    [
        "Dear Hiring Manager,",
        "Please contact Customer Support for a refund.",
        "name: Build and Test",  # GitHub Actions YAML
        "I'm Feeling Lucky",
        "ask Google Assistant to set a timer",
        "I am Chinese and I live abroad",
        "Send it to Google Drive",
        "Contact Us",
        "I'm Really Tired today",
        "Thanks, Great answer!",
    ],
)
def test_english_name_contexts_without_names(regex, text):
    assert "PERSON" not in types(regex, text), found(regex, text)
