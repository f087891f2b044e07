"""Unit tests for transforms.scrub / transforms.recognizers / transforms.pii_patterns.

The Presidio scrubber (spaCy + jieba) is loaded once per module; most recognizer tests use the
cheap regex-mode scrubber.
"""

from __future__ import annotations

import pickle

import pytest
from faker import Faker

from transforms import pii_patterns as pp
from transforms import scrub as scrub_module
from transforms.scrub import PiiSpan, Scrubber, mask_code, normalize_value, resolve_overlaps


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
    text = "My name is Sarah Johnson, mail sarah.johnson@gmail.com"
    assert types(regex, text) == {"EMAIL_ADDRESS"}


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
