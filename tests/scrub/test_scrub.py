"""Unit tests for transforms.scrub.scrubber / transforms.scrub.recognizers / transforms.scrub.patterns.

The Presidio scrubber (spaCy + jieba) is loaded once per module; most recognizer tests use the
cheap regex-mode scrubber.
"""

from __future__ import annotations

import pickle

import pytest
from faker import Faker

from transforms.scrub import patterns as pp
from transforms.scrub import scrubber as scrub_module
from transforms.scrub.scrubber import PiiSpan, Scrubber, mask_code, normalize_value, resolve_overlaps


@pytest.fixture(scope="module")
def presidio() -> Scrubber:
    return Scrubber("presidio")


@pytest.fixture(scope="module")
def regex() -> Scrubber:
    return Scrubber("regex")


def found(scrubber: Scrubber, text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, text[s.start:s.end]) for s in scrubber.find_spans(text)]


def types(scrubber: Scrubber, text: str) -> set[str]:
    return {s.entity_type for s in scrubber.find_spans(text)}


def with_luhn(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit."""
    for d in "0123456789":
        if pp.luhn_valid(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


def wrong_check_digit(ric: str) -> str:
    right = pp.cn_ric_check_digit(ric[:17])
    return ric[:17] + next(c for c in "0123456789X" if c != right)


@pytest.fixture(scope="module")
def cn_ids() -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(20240501)
    return [fake.ssn() for _ in range(20)]


# ------------------------------------------------------------------------------------------------
# configuration errors
# ------------------------------------------------------------------------------------------------

def test_unknown_mode_names_the_setting():
    with pytest.raises(ValueError, match="scrub_mode"):
        Scrubber("fast")


def test_missing_spacy_model_names_the_setting_and_does_not_download():
    with pytest.raises(ValueError, match="spacy_model"):
        Scrubber("presidio", spacy_model="xx_no_such_model_for_tests")


# ------------------------------------------------------------------------------------------------
# Chinese resident ID
# ------------------------------------------------------------------------------------------------

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


# ------------------------------------------------------------------------------------------------
# cards
# ------------------------------------------------------------------------------------------------

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


# ------------------------------------------------------------------------------------------------
# phones
# ------------------------------------------------------------------------------------------------

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


def test_presidio_builtins_and_context_words(regex, presidio):
    for scrubber in (regex, presidio):
        assert ("US_SSN", "536-22-1234") in found(scrubber, "my SSN is 536-22-1234")
        # a bare 9-digit number is an SSN only next to a context word
        assert ("US_SSN", "536221234") in found(scrubber, "ssn 536221234")
        assert "US_SSN" not in types(scrubber, "the number 536221234 is big")
        assert ("IBAN_CODE", "DE89370400440532013000") in found(
            scrubber, "转账到DE89370400440532013000")


# ------------------------------------------------------------------------------------------------
# email / IP
# ------------------------------------------------------------------------------------------------

def test_email_next_to_cjk(regex):
    assert ("EMAIL_ADDRESS", "zhang.san@example.com.cn") in found(
        regex, "邮箱zhang.san@example.com.cn谢谢")
    assert ("EMAIL_ADDRESS", "a.b+tag@mail.co") in found(regex, "(a.b+tag@mail.co)")


def test_git_remote_is_not_an_email(regex):
    assert "EMAIL_ADDRESS" not in types(regex, "git clone git@github.com:org/repo.git")


def test_ip_addresses(regex):
    assert ("IP_ADDRESS", "192.168.10.20") in found(regex, "服务器192.168.10.20挂了")
    assert ("IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334") in found(
        regex, "ipv6 2001:db8:85a3::8a2e:370:7334 ok")
    assert "IP_ADDRESS" not in types(regex, "localhost 127.0.0.1 and 0.0.0.0 and ::1")
    assert "IP_ADDRESS" not in types(regex, "upgrade to v1.2.3.4 or 1.2.3.4.5 at 12:30:45")
    assert "IP_ADDRESS" not in types(regex, "std::vector<int> and a::b")


# ------------------------------------------------------------------------------------------------
# secrets
# ------------------------------------------------------------------------------------------------

SECRETS = {
    "API_KEY": [
        "sk-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3",
        "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90_Uv12-Wx34",
        "sk-ant-api03-" + "Xy12Zw34Vu56Ts78Rq90Po12Nm34Lk56Ji78Hg90Fe12-Dc34",
        "AKIA" + "IOSFODNN7EXAMPL3",
        "ASIA" + "Y34FZKBOKMUTVV7A",
        "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_" + "16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    ],
    "JWT": [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ],
}


@pytest.mark.parametrize("entity,secret", [(e, s) for e, ss in SECRETS.items() for s in ss])
def test_vendor_secrets(regex, entity, secret):
    assert (entity, secret) in found(regex, f"here: {secret} ok")
    assert (entity, secret) in found(regex, f"密钥{secret}，别外传")
    out, _ = regex.scrub_text(f'client = OpenAI(api_key="{secret}")')
    assert secret not in out


def test_bearer_token(regex):
    token = "ya29.a0AfH6SMBx3d_Q-9xYz1234567890abcdef"
    text = f"curl -H 'Authorization: Bearer {token}' https://api.example.com"
    assert ("AUTH_TOKEN", token) in found(regex, text)
    assert "AUTH_TOKEN" not in types(regex, "Authorization: Bearer <YOUR_TOKEN>")


def test_basic_auth_header(regex):
    assert ("AUTH_TOKEN", "dXNlcjpwYXNzd29yZDEyMw==") in found(
        regex, "Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==")


def test_pem_private_key_blocks(regex):
    body = "MIIEowIBAAKCAQEAx1y2z3" + "A" * 40 + "\n" + "bC9" * 20
    full = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    text = f"my key:\n{full}\nwhy does ssh reject it?"
    assert ("PRIVATE_KEY", full) in found(regex, text)
    # truncated paste (no END line) still covers the key material
    truncated = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}"
    out, _ = regex.scrub_text(truncated + "\n\nhelp")
    assert "MIIEowIBAAKCAQEA" not in out and "bC9bC9" not in out


def test_credential_urls(regex):
    url = "postgres://admin:s3cr3tP4ss@db.internal.example.com:5432/prod"
    assert ("CREDENTIAL_URL", url) in found(regex, f"DATABASE_URL={url}")
    assert ("CREDENTIAL_URL", "redis://:hunter2hunter2@10.0.0.5:6379/0") in found(
        regex, "连接redis://:hunter2hunter2@10.0.0.5:6379/0失败")
    # example credentials in docs and plain URLs are left alone
    assert "CREDENTIAL_URL" not in types(regex, "postgresql://user:password@localhost/mydb")
    assert "CREDENTIAL_URL" not in types(regex, "see https://docs.python.org/3/library/re.html")


def test_password_assignments(regex):
    assert ("SECRET", "hunter22") in found(regex, "password: hunter22")
    assert ("SECRET", "Tr0ub4dor&3") in found(regex, 'DB_PASSWORD="Tr0ub4dor&3"')
    assert ("SECRET", "abcd1234efgh") in found(regex, '{"api_key": "abcd1234efgh"}')
    assert ("SECRET", "p@ss w0rd!") in found(regex, "client_secret = 'p@ss w0rd!'")


def test_code_and_placeholders_are_not_secrets(regex):
    for text in [
        "password = get_password()",
        "password = request.form['password']",
        "api_key=OPENAI_API_KEY",
        "password: str",
        'password = "<your-password>"',
        "api_key: ${API_KEY}",
        "password: ********",
        "secret_key = settings.SECRET_KEY",
        "pip install scikit-learn  # sk-learn-compatible-estimator-interface",
    ]:
        assert not types(regex, text) & {"SECRET", "API_KEY"}, text


# ------------------------------------------------------------------------------------------------
# NER (presidio mode)
# ------------------------------------------------------------------------------------------------

def test_english_names_and_places_scrubbed(presidio):
    text = "My name is Sarah Johnson and I live in Boston."
    out, spans = presidio.scrub_text(text)
    assert ("PERSON", "Sarah Johnson") in [(s.entity_type, text[s.start:s.end]) for s in spans]
    assert ("LOCATION", "Boston") in [(s.entity_type, text[s.start:s.end]) for s in spans]
    assert out == "My name is <PERSON_1> and I live in <LOCATION_1>."


def test_regex_mode_misses_names_but_not_contacts(regex):
    # without spaCy a name is found only in a naming context
    text = "Sarah Johnson wrote from sarah.johnson@gmail.com"
    assert types(regex, text) == {"EMAIL_ADDRESS"}
    text = "My name is Sarah Johnson, mail sarah.johnson@gmail.com"
    assert ("PERSON", "Sarah Johnson") in found(regex, text)


def test_code_block_identifiers_are_not_persons(presidio):
    text = (
        "Why does this fail?\n```python\ndef get_user_name(first_name, last_name):\n"
        "    Johnson = lookup(first_name)\n    return Johnson.full_name\n```\n"
        "and `Mike Ross` is inline code."
    )
    assert "PERSON" not in types(presidio, text)


def test_code_block_still_scanned_for_secrets_and_contacts(presidio):
    key = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
    text = f'```python\nclient = OpenAI(api_key="{key}")\nADMIN = "ops@corp-mail.com"\n```'
    assert {"API_KEY", "EMAIL_ADDRESS"} <= types(presidio, text)


def test_chinese_names(presidio):
    assert ("PERSON", "张伟") in found(presidio, "我叫张伟，住在北京。")
    assert ("PERSON", "王小明") in found(presidio, "王小明的电话是13812345678")
    assert ("PERSON", "何志强") in found(presidio, "经理何志强今天请假")
    assert ("PERSON", "李娜") in found(presidio, "李娜女士您好")


def test_chinese_common_words_are_not_names(presidio):
    text = "好的谢谢，我明白了，这个武功很厉害，顾问说王朝很强大。请问黄山怎么去？"
    assert "PERSON" not in types(presidio, text)


def test_mixed_language_turn(presidio):
    text = "Hi, I'm Zhang. 我叫陈晓东，手机13912345678，email chenxd@qq.com"
    out, _ = presidio.scrub_text(text)
    for planted in ["陈晓东", "13912345678", "chenxd@qq.com"]:
        assert planted not in out


# ------------------------------------------------------------------------------------------------
# conversations: consistency, propagation, None
# ------------------------------------------------------------------------------------------------

def test_consistent_placeholders_across_turns(regex):
    texts = [
        "mail me at a.person@example.org or b.other@example.org",
        None,
        "again: a.person@example.org; phone 13812345678",
        "手机 138-1234-5678 and b.other@example.org",
    ]
    out, counts = regex.scrub_conversation(texts)
    assert out[1] is None
    assert out[0] == "mail me at <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_2>"
    assert out[2] == "again: <EMAIL_ADDRESS_1>; phone <PHONE_NUMBER_1>"
    assert out[3] == "手机 <PHONE_NUMBER_1> and <EMAIL_ADDRESS_2>"
    assert counts == {"EMAIL_ADDRESS": 4, "PHONE_NUMBER": 2}


def test_none_and_empty_passthrough(regex):
    assert regex.scrub_conversation([None, "", None]) == ([None, "", None], {})
    assert regex.scrub_conversation([]) == ([], {})


def test_value_found_once_is_replaced_everywhere(presidio):
    # NER cannot see the name inside code (masked), propagation must catch it
    texts = [
        "My name is Sarah Johnson and I need help.",
        '```python\nprint("Sarah Johnson")\n```',
        "Thanks Sarah, that worked!",
    ]
    out, counts = presidio.scrub_conversation(texts)
    assert all("Sarah" not in t and "Johnson" not in t for t in out), out
    assert out[1] == '```python\nprint("<PERSON_1>")\n```'
    assert out[2] == "Thanks <PERSON_1>, that worked!"
    assert counts["PERSON"] == 3


def test_propagation_respects_word_boundaries(presidio):
    out, _ = presidio.scrub_conversation(["I am Ann Lee from Denver.", "Annual report by Leeds"])
    assert out[1] == "Annual report by Leeds"


def test_scrubbing_is_idempotent(presidio):
    text = "Contact Sarah Johnson at sarah@example.org, 手机13812345678."
    once, _ = presidio.scrub_text(text)
    twice, spans = presidio.scrub_text(once)
    assert twice == once and spans == []


def test_no_planted_value_survives(presidio, cn_ids):
    card = with_luhn("622202123456789012")
    planted = {
        "Sarah Johnson": "PERSON",
        "sarah.j@example.org": "EMAIL_ADDRESS",
        "415-555-2671": "PHONE_NUMBER",
        "13812345678": "PHONE_NUMBER",
        card: "CREDIT_CARD",
        cn_ids[0]: "CN_RESIDENT_ID",
        "203.0.113.77": "IP_ADDRESS",
        "AKIAIOSFODNN7EXAMPL3": "API_KEY",
        "postgres://app:Zx9!kq2@db.prod.internal/app": "CREDENTIAL_URL",
        "张伟": "PERSON",
    }
    texts = [
        "You are a support bot. Be concise.",
        f"Hi, I'm Sarah Johnson (sarah.j@example.org, 415-555-2671).",
        f"我叫张伟，手机13812345678，卡号{card}，身份证{cn_ids[0]}",
        "```bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPL3\n"
        "psql postgres://app:Zx9!kq2@db.prod.internal/app\nssh root@203.0.113.77\n```",
        None,
        "Sarah Johnson again: same card " + card,
    ]
    out, counts = presidio.scrub_conversation(texts)
    joined = "\n".join(t for t in out if t)
    for value in planted:
        assert value not in joined, value
    for entity in set(planted.values()):
        assert counts.get(entity, 0) >= 1, entity
    assert out[0] == texts[0] and out[4] is None


# ------------------------------------------------------------------------------------------------
# helpers, cache, pickling, long texts
# ------------------------------------------------------------------------------------------------

def test_resolve_overlaps_merges_to_union():
    spans = [
        PiiSpan("PHONE_NUMBER", 10, 20, 0.4),
        PiiSpan("CREDIT_CARD", 5, 24, 1.0),
        PiiSpan("PERSON", 30, 35, 0.85),
        PiiSpan("LOCATION", 33, 40, 0.85),
        PiiSpan("EMAIL_ADDRESS", 40, 50, 1.0),  # touching, not overlapping
    ]
    assert resolve_overlaps(spans) == [
        PiiSpan("CREDIT_CARD", 5, 24, 1.0),
        PiiSpan("LOCATION", 30, 40, 0.85),
        PiiSpan("EMAIL_ADDRESS", 40, 50, 1.0),
    ]


def test_find_spans_sorted_and_non_overlapping(presidio):
    text = "Sarah Johnson: 4111 1111 1111 1111, sarah@example.org, 10.1.2.3, Boston"
    spans = presidio.find_spans(text)
    assert spans == sorted(spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_mask_code_keeps_offsets():
    text = "a\n```py\nx = Mike\n```\nb `Ross` c"
    masked = mask_code(text)
    assert len(masked) == len(text) and "Mike" not in masked and "Ross" not in masked
    assert masked.count("\n") == text.count("\n")


def test_normalize_value():
    assert normalize_value("PHONE_NUMBER", "+86 138 1234 5678") == normalize_value(
        "PHONE_NUMBER", "13812345678")
    assert normalize_value("EMAIL_ADDRESS", "A@B.com") == normalize_value("EMAIL_ADDRESS", "a@b.com")
    assert normalize_value("PERSON", "Sarah  Johnson") == normalize_value("PERSON", "sarah johnson")


def test_cache_hits_and_bound():
    s = Scrubber("regex", cache_size=2)
    s.find_spans("mail x@example.org")
    s.find_spans("mail x@example.org")
    assert s.cache_hits == 1 and s.cache_misses == 1
    for i in range(5):
        s.find_spans(f"mail y{i}@example.org")
    assert len(s._cache) == 2


def test_pickle_roundtrip_rebuilds(regex):
    clone = pickle.loads(pickle.dumps(regex))
    text = "mail x@example.org"
    assert clone.find_spans(text) == regex.find_spans(text)


def test_long_text_split_for_ner(presidio, monkeypatch):
    monkeypatch.setattr(scrub_module, "MAX_NER_CHARS", 60)
    text = ("Yesterday I met Sarah Johnson in Boston. " * 3) + "Then Michael Brown called me."
    pieces = scrub_module._split_for_ner(text)
    assert len(pieces) > 1 and "".join(pieces) == text
    found_values = {text[s.start:s.end] for s in presidio.find_spans(text + " ")}
    assert {"Sarah Johnson", "Michael Brown"} <= found_values


def test_non_string_rejected(regex):
    with pytest.raises(TypeError):
        regex.scrub_conversation([123])  # type: ignore[list-item]


# ------------------------------------------------------------------------------------------------
# street addresses (ADDRESS)
# ------------------------------------------------------------------------------------------------

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
    ("2274 Via delle Coste 41\n Apt. 322", "Via delle Coste 41"),
    ("85199 Avda. Rio Nalon 58", "Avda. Rio Nalon 58"),
    ("772 ul. Narewska 94", "ul. Narewska 94"),
    ("Meine Adresse: Friedhofstrasse 33, 8010 Graz", "Friedhofstrasse 33, 8010 Graz"),
    ("address: Koskikatu 25, 00100 Helsinki.", "Koskikatu 25, 00100 Helsinki"),
    ("Kevin had given Alma his address: 5049 Harjukuja 54, SEINÄJOKI", "Harjukuja 54"),
    ("233 Erzsébet tér 19.\n Suite 282", "Erzsébet tér 19"),
    ("moved to Rooseveltlaan 110 last year", "Rooseveltlaan 110"),
    ("Maureen Thibault\n41086 Kiannonkatu 98\n Suite 464\n OULU", "Suite 464"),
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


# ------------------------------------------------------------------------------------------------
# Chinese addresses (CN_ADDRESS)
# ------------------------------------------------------------------------------------------------

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


def test_addresses_scrubbed_in_conversation(presidio):
    texts = ["我的地址是湖南省香港市东丽辛集路f座 379817，请寄到这里",
             "Ship it to 33287 Hernandez Shoals Suite 232, Amandashire, MT 84152 please",
             "确认：湖南省香港市东丽辛集路f座 379817"]
    out, counts = presidio.scrub_conversation(texts)
    assert out[0] == "我的地址是<CN_ADDRESS_1>，请寄到这里"
    assert "<ADDRESS_1>" in out[1] and "Hernandez" not in out[1] and "84152" not in out[1]
    assert out[2] == "确认：<CN_ADDRESS_1>"
    assert counts["CN_ADDRESS"] == 2 and counts["ADDRESS"] == 1


# ------------------------------------------------------------------------------------------------
# English names in naming contexts (PERSON, both modes)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,name",
    [
        ("You could also call Philip Ingram directly at the office.", "Philip Ingram"),
        ("Hi, I'm Kimberly Bowers.", "Kimberly Bowers"),
        ("Ship it to Eddie Evans, 12 Main St.", "Eddie Evans"),
        ("Format this as a contact card: name Bradley Weaver, email", "Bradley Weaver"),
        ("my name is Sarah.", "Sarah"),
        ("Dear Mr. Smith,", "Smith"),
        ("Best regards,\nJohn A. Smith", "John A. Smith"),
        ("Please email Mary O'Brien today", "Mary O'Brien"),
        ("Name: Wei Zhang", "Wei Zhang"),
        ("Please contact Dr. Emily Chen.", "Emily Chen"),
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


def test_context_name_propagates_to_bare_mentions(presidio):
    texts = ["You could also call Philip Ingram directly.", "Ingram said the invoice is late."]
    out, _ = presidio.scrub_conversation(texts)
    assert all("Ingram" not in t and "Philip" not in t for t in out), out


# ------------------------------------------------------------------------------------------------
# Chinese names: jieba + naming contexts (presidio mode)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,name",
    [
        ("如有疑问请联系乔想，电话13812345678。", "乔想"),  # jieba: 乔 / 想(v)
        ("如有疑问请联系洪玉兰，电话13812345678。", "洪玉兰"),
        ("黑洞是什么？\n我叫鞠敏，手机13812345678。", "鞠敏"),
        ("如有疑问请联系高欢，电话13812345678。", "高欢"),  # jieba: 高欢(v)
        ("帮我写一张请假条。我叫周建华，手机13812345678。", "周建华"),  # 周 / 建华(nz)
        ("请联系文建华，电话：13812345678。", "文建华"),
        ("收件人辜颖，电话13812345678", "辜颖"),  # surname missing from our list
        ("请拨打13812345678联系鄢瑞。", "鄢瑞"),
        ("和李娜说一下会议改期了", "李娜"),
        ("周建平先生您好，您的订单已发货。", "周建平"),
        ("尊敬的邱丹丹女士：", "邱丹丹"),
        ("请联系谢建国处理。", "谢建国"),
        ("联系人：欧阳娜娜", "欧阳娜娜"),
        ("我是常坤，手机13750042671，帮我给物业写一条报修的短信。", "常坤"),  # found by the leak check
    ],
)
def test_chinese_names_in_context(presidio, text, name):
    assert ("PERSON", name) in found(presidio, text)


# Ordinary sentences, many with naming-context words used otherwise: no PERSON at all.
CN_NO_NAMES = """
我是高中生，想学编程。|我是江苏人，现在在上海工作。|我是程序员，每天写代码。|我是金融行业的从业者。
我是单身，想找个对象。|我是白领，工作压力很大。|我是华为的员工。|我是文科生，数学不好。|我是石油工人。
我是马上要毕业的大学生。|这是关于人工智能的文章。|这是方便面的做法。|这是黄色的还是橙色的？|联系方式：请在官网查看。
请联系客服处理退款。|如有问题请联系管理员。|联系时请说明订单号。|请联系房东确认一下。|请联系商家修改地址。
联系程序员修复这个bug。|请联系华为售后。|我叫了外卖，还没到。|给高层汇报工作进度。|给文件命名要规范。
和高中同学聊了很久。|和田玉的价格怎么样？|和平是人类共同的愿望。|与时俱进是很重要的。|同时要注意安全。
找房子要注意什么？|问路的时候要有礼貌。|谢谢你的帮助，我学到了很多。|叶绿素吸收红光和蓝光。|解方程的时候要先移项。
申请人需要提交身份证明。|何时能完成这个项目？|高铁比飞机更准时。|黄金价格最近上涨了。|万一失败了怎么办？
宁可慢一点也要保证质量。|康复训练需要坚持。|谢谢老师的指导。|联系方式见附件。|联系本人。|联系销售。
我叫车去公司。|我是湖南长沙人。|我是高三学生。|这是高铁站吗？|这是金属材料。|和高手过招。|跟时间赛跑。
收件人信息不完整。|寄件人需要填写电话。|姓名一栏不能为空。|本人承诺以上信息属实。|请转告沈阳分公司。
好的谢谢，我明白了，这个武功很厉害，顾问说王朝很强大。请问黄山怎么去？
""".replace("\n", "").split("|")


def test_chinese_sentences_without_names(presidio):
    flagged = {text: found(presidio, text) for text in CN_NO_NAMES}
    flagged = {text: spans for text, spans in flagged.items() if any(t == "PERSON" for t, _ in spans)}
    assert not flagged


# ------------------------------------------------------------------------------------------------
# bounded spaCy vocab growth
# ------------------------------------------------------------------------------------------------

def test_spacy_reload_every_n_texts_keeps_results(presidio, monkeypatch):
    texts = [f"Message {i}: my colleague Sarah Johnson from Boston, Zqxw{i}word, 手机1381234567{i % 10}"
             for i in range(7)] + ["You could also call Philip Ingram directly."]
    presidio.clear_caches()
    expected = [presidio.find_spans(t) for t in texts]
    before = presidio.reloads
    old_nlp = presidio._nlp
    monkeypatch.setattr(presidio, "reload_every", 3)
    presidio.clear_caches()
    again = [presidio.find_spans(t) for t in texts]
    assert presidio.reloads - before >= 2
    assert presidio._nlp is not old_nlp and presidio._analyzer.nlp_engine is presidio._engine
    assert again == expected


def test_memory_zones_keep_the_vocab_at_its_loaded_size(presidio):
    before = presidio.vocab_size()
    for i in range(50):
        presidio.find_spans(f"Brand new tokens Qw{i}zx Vb{i}nm Pl{i}ok from Alice Walker{i} in Zorbtown{i}.")
    assert presidio.vocab_size() == before


def test_spacy_reload_when_vocab_too_big(presidio, monkeypatch):
    # Safety net for strings added outside a memory zone (a component that keeps its own).
    monkeypatch.setattr(presidio, "reload_every", 0)
    monkeypatch.setattr(presidio, "max_vocab_growth", 5)
    for i in range(10):
        presidio._spacy.vocab.strings.add(f"kept-outside-a-zone-{i}")
    before = presidio.reloads
    presidio.find_spans("Brand new tokens: Qwzx Vbnm Plok Jhgf Rtyu Mnbv Asdf Zxcv from Alice Walker.")
    assert presidio.reloads == before + 1
    assert presidio.vocab_size() - presidio._base_vocab_size <= presidio.max_vocab_growth


def test_regex_mode_reload(monkeypatch):
    s = Scrubber("regex", cache_size=0, reload_every=2)
    text = "ssn 536221234 and my name is Sarah Johnson"
    first = s.find_spans(text)
    for _ in range(3):
        assert s.find_spans(text) == first
    assert s.reloads >= 2


def test_junk_spacy_span_does_not_hide_chinese_name(presidio):
    # the capital X makes spaCy run; it tags most of the sentence as one PERSON, which is dropped
    # (CJK, digits) - it must not take the name found inside it along
    text = "请问澳大利亚的首都是哪里？\n收货地址：西藏自治区红梅市城东姚路X座 136971，收件人邓宁，联系电话15590753811。"
    assert ("PERSON", "邓宁") in found(presidio, text)


def test_random_api_key_without_digits(regex):
    key = "sk-prUFYOkgHcBmKTFUrGTNKUSaLwKSkhhXkJWuNvnjquuAcXNh"
    assert ("API_KEY", key) in found(regex, f"I accidentally pushed my key {key} to GitHub")


# ------------------------------------------------------------------------------------------------
# Chinese passports, HK / Macau permits, unified social credit codes
# ------------------------------------------------------------------------------------------------

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


USCC_EXAMPLE = "91350100M000100Y43"  # GB 32100-2015's own example


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


def test_cn_ids_scrubbed_in_conversation(regex, presidio):
    texts = [
        "我的护照号E12345678，通行证C12345678",
        f"信用代码{USCC_EXAMPLE}",
        "再确认一下E12345678和回乡证H1234567801",
        "订单C87654321已发货",
    ]
    expected = [
        "我的护照号<CN_PASSPORT_1>，通行证<CN_HK_MACAU_PERMIT_1>",
        "信用代码<CN_USCC_1>",
        "再确认一下<CN_PASSPORT_1>和回乡证<CN_HK_MACAU_PERMIT_2>",
        "订单C87654321已发货",
    ]
    for scrubber in (regex, presidio):
        out, counts = scrubber.scrub_conversation(texts)
        assert out == expected
        assert counts == {"CN_PASSPORT": 2, "CN_HK_MACAU_PERMIT": 2, "CN_USCC": 1}


# ------------------------------------------------------------------------------------------------
# evaluation findings (bench/RESULTS_scrub.md)
# ------------------------------------------------------------------------------------------------

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


def test_ip_after_letters(regex):
    assert ("IP_ADDRESS", "218.95.6.117") in found(
        regex, "登录日志里有个陌生IP218.95.6.117，是不是被盗号了？")
    assert ("IP_ADDRESS", "10.1.2.3") in found(regex, "ip:10.1.2.3")
    assert "IP_ADDRESS" not in types(regex, "released v1.2.3.4 and V2.0.1.7")


@pytest.mark.parametrize("text,name", [
    ("我的同事Katelyn Benjamin说server挂了。", "Katelyn Benjamin"),
    ("Joseph Sims的邮箱是jingtan@juandeng.cn", "Joseph Sims"),
])
def test_english_names_against_chinese_text(presidio, text, name):
    assert ("PERSON", name) in found(presidio, text)


def test_ner_input_blanks_cjk_keeping_offsets():
    text = "姓名：April，`code`"
    masked = scrub_module.ner_input(text)
    assert len(masked) == len(text)
    assert masked.strip().startswith("April") and "姓" not in masked and "code" not in masked


def test_reload_releases_memory(monkeypatch):
    calls = []
    monkeypatch.setattr(scrub_module, "_release_memory", lambda: calls.append(1))
    scrubber = Scrubber("regex", reload_every=2)
    scrubber.find_spans("one text")
    scrubber.find_spans("another text")
    assert scrubber.reloads >= 1 and calls
    monkeypatch.undo()
    scrub_module._release_memory()  # never raises


def test_lower_case_iban(regex):
    assert ("IBAN_CODE", "gb42nawi04454264788619") in found(
        regex, "my iban is gb42nawi04454264788619")


@pytest.mark.parametrize("text,value", [
    ('"password": "%T1TKkhz&PF28Yb1",', "%T1TKkhz&PF28Yb1"),
    ("password: L9Sb*Dm1$2(gIi", "L9Sb*Dm1$2(gIi"),
    ("PGPASSWORD=At1336$ psql -h db -U app", "At1336$"),
    ("mysqlpassword = 'Xk9#pq2!'", "Xk9#pq2!"),
])
def test_secret_values_from_evaluation(regex, text, value):
    assert ("SECRET", value) in found(regex, text)


@pytest.mark.parametrize("text", [
    'docker run --rm -v "$PWD":/app app',
    "password = $DB_PASSWORD",
    'password: "%(password)s"',
    "password = %PASSWORD%",
    "password = get_password(user)",
])
def test_not_secrets_from_evaluation(regex, text):
    assert "SECRET" not in types(regex, text)


def test_ner_gate():
    gate = scrub_module.needs_ner
    for text in ["Sure! Here is the SQL query you asked for.", "Summarize this article. It is long.",
                 "What does JSON mean? Please explain.", "no capitals at all", "I think so."]:
        assert not gate(text), text
    for text in ["Sure, Sarah can help.", "Will Smith called", "Meet me in Boston.",
                 "May Chen is here", "Schedule a call with O'Brien's team"]:
        assert gate(text), text


def test_ner_gate_contractions_and_calendar_words():
    gate = scrub_module.needs_ner
    for text in ["You're right. Here's why. I'm sure we'll manage.", "Don't worry, it isn't hard.",
                 "Won't work? Can't say.", "It’s due on Monday, 3 March.", "See you in December.",
                 "They've done it. I'd say They'll win."]:
        assert not gate(text), text
    for text in ["Sarah's report is ready.", "See you in April.", "Since May it works.",
                 "June called.", "August's plan", "O'Brien's team", "Will's car"]:
        assert gate(text), text


LONG_FILLER = [
    "this answer covers the setup step by step.",
    "first, install the package with your usual package manager.",
    "then open the configuration file and set the options you need.",
    "after that, restart the service so the changes take effect.",
]


def test_segment_ner_finds_name_in_fifth_sentence(presidio, monkeypatch):
    sentences = [s.capitalize() for s in LONG_FILLER] + [
        "If it still fails, ask Katelyn Benjamin from the platform team.",
        "She has fixed this before.\nOtherwise, check the logs again."]
    text = " ".join(sentences)
    segments = scrub_module._ner_segments(text, scrub_module.ner_input(text))
    assert len(segments) == 1 and text[segments[0][0]:segments[0][1]] == sentences[4]
    seen = []
    real_pipe = type(presidio._nlp).pipe

    def spy(self, texts, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return real_pipe(self, texts, **kwargs)

    monkeypatch.setattr(type(presidio._nlp), "pipe", spy)
    spans = presidio.find_spans(text)
    assert seen == [sentences[4]]
    start = text.index("Katelyn Benjamin")
    assert [(s.entity_type, s.start, s.end) for s in spans] == [
        ("PERSON", start, start + len("Katelyn Benjamin"))]


def test_segment_ner_skips_long_answer_without_names(presidio, monkeypatch):
    text = " ".join(s.capitalize() for s in LONG_FILLER * 3) + \
        "\nYou're done. Here's a tip: on Monday, restart it again. Don't forget."
    calls = []
    monkeypatch.setattr(type(presidio._nlp), "pipe",
                        lambda self, texts, **kw: calls.append(list(texts)) or [])
    assert presidio.find_spans(text) == []
    assert calls == []


def test_segments_do_not_split_initials_or_titles():
    text = ("filler words without any capital letters at all here. " * 6
            + "We asked Mr. John F. Kennedy about it. then nothing more.")
    segments = scrub_module._ner_segments(text, text)
    assert [text[s:e] for s, e in segments] == ["We asked Mr. John F. Kennedy about it."]


def test_repeated_sentence_goes_through_spacy_once(presidio, monkeypatch):
    # Two different texts sharing a sentence: the second one's NER for it comes from the cache,
    # with offsets mapped into the second text.
    shared = "Please forward this to Katelyn Benjamin before Friday."
    first = f"Ticket 4411 is open. {shared}"
    second = f"{shared} Also attach the Q3 report."
    presidio.clear_caches()
    seen = []
    real_pipe = type(presidio._nlp).pipe

    def spy(self, texts, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return real_pipe(self, texts, **kwargs)

    monkeypatch.setattr(type(presidio._nlp), "pipe", spy)
    spans_first = presidio.find_spans(first)
    spans_second = presidio.find_spans(second)
    assert seen.count(shared) == 1
    for text, spans in ((first, spans_first), (second, spans_second)):
        start = text.index("Katelyn Benjamin")
        assert ("PERSON", start, start + len("Katelyn Benjamin")) in [
            (s.entity_type, s.start, s.end) for s in spans]


def test_caches_do_not_change_results(presidio):
    texts = ["Please forward this to Katelyn Benjamin before Friday. Ticket 4411.",
             "Ticket 4411. Please forward this to Katelyn Benjamin before Friday.",
             "我的同事张建国说，明天下午三点开会。请联系张建国。",
             "明天下午三点开会。Dear Mr. Howard Chen, see you in Boston."]
    presidio.clear_caches()
    cold = [presidio.find_spans(t) for t in texts]
    warm = [presidio.find_spans(t) for t in texts]  # whole-text cache
    presidio._cache.clear()
    sentence_cached = [presidio.find_spans(t) for t in texts]  # sentence + jieba caches only
    uncached = Scrubber("presidio", cache_size=0)
    assert cold == warm == sentence_cached == [uncached.find_spans(t) for t in texts]
    assert any(s.entity_type == "PERSON" for s in cold[2])


def test_jieba_cuts_are_cached_per_run(presidio):
    from transforms.scrub.recognizers import ChinesePersonRecognizer

    recognizer = next(r for r in presidio._analyzer.registry.recognizers
                      if isinstance(r, ChinesePersonRecognizer))
    presidio.clear_caches()
    presidio.find_spans("请联系王小明处理，谢谢")
    misses = recognizer.cut_cache.misses
    presidio.find_spans("Order 12345: 请联系王小明处理，谢谢")  # new text, same CJK runs
    assert recognizer.cut_cache.misses == misses and recognizer.cut_cache.hits >= 2


@pytest.mark.parametrize("value,is_name", [
    ("Sophie Lang", True),
    ("Johannes Varvio", True),
    ("Morgan Stanley", True),  # an organisation named like a person: masked, the cheap mistake
    ("Rand Corporation", False),
    ("Kent Street", False),
    ("Will Power Inc", False),
    ("Google", False),
    ("Sophie", False),  # one word: too weak a signal
    ("Sophie LANG", False),
    ("Python Software Foundation", False),
])
def test_org_spans_that_read_like_person_names(value, is_name):
    assert scrub_module.org_span_is_person_name(value) is is_name


def test_person_called_org_by_the_model_is_scrubbed(presidio):
    text = "Billing address: Sophie Lang\n    3482 Via Franscini 71"
    ents = {e.text.strip(): e.label_ for e in presidio._nlp(text).ents}
    assert ents.get("Sophie Lang") == "ORG"  # the small model's mistake this guards against
    assert ("PERSON", "Sophie Lang") in found(presidio, text)


def test_find_spans_many_matches_find_spans(regex):
    texts = ["mail ann@example.org", None, "", "nothing here", "mail ann@example.org"]
    assert regex.find_spans_many(texts) == [regex.find_spans(t) if t is not None else [] for t in texts]


def test_analyzer_shortcuts_keep_context_boosts(regex):
    # Context words still raise a score (the enhancement is skipped only when nothing was found).
    with_context = {s.entity_type: s.score for s in regex.find_spans("my SSN is 536-22-1234")}
    without = {s.entity_type: s.score for s in regex.find_spans("value 536-22-1234")}
    assert with_context.get("US_SSN", 0) > without.get("US_SSN", 0)


def test_unfenced_code_lines_are_hidden_from_ner_only():
    text = "I met John Smith yesterday.\nclass JohnsonParser {\n  this.cache = new Map();\n}\nHere is the list:"
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert "John Smith" in masked and "Here is the list:" in masked
    assert "JohnsonParser" not in masked and "Map" not in masked


@pytest.mark.parametrize("code", [
    "class JohnsonParser {\n  constructor(limit = 10) {\n    this.cache = new Map();\n  }\n}",
    "public class DijkstraRouter {\n    private final String firstName;\n}",
    'class KruskalMST:\n    """KruskalMST over an edge list."""',
    "if d + w < dist.get(v, 2147483647):\n    dist[v] = d + w",
])
def test_raw_code_without_pii_is_not_flagged(presidio, code):
    assert presidio.find_spans(code) == []


def test_pii_in_raw_code_is_still_found(presidio):
    code = 'numbers = ["13812345678"]\nowner = "ann@example.org";\nlet key = "sk-proj-abcDEF1234567890ghijKLMN";'
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS", "API_KEY"} <= types(presidio, code)
    assert ("PERSON", "Katelyn Benjamin") in found(presidio, "Ask Katelyn Benjamin about it.\nx = f(1);")


@pytest.mark.parametrize("text", [
    "The light-dependent reactions make ATP, and the Calvin cycle uses them to fix carbon.",
    "How do I compute Fibonacci numbers efficiently in Python?",
    "Explain Dijkstra's algorithm with an example.",
])
def test_concepts_named_after_people_are_not_scrubbed(presidio, text):
    assert "PERSON" not in types(presidio, text) and "LOCATION" not in types(presidio, text)


def test_a_person_with_an_eponym_name_is_still_a_person(presidio):
    assert ("PERSON", "Calvin") in found(presidio, "I asked Calvin about the report yesterday.")
