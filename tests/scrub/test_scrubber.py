"""The scrubber facade (transforms.scrub.scrubber): settings, conversations (consistent placeholders,
propagation, idempotency), span merging, caches, pickling and the bounded spaCy pipeline."""

from __future__ import annotations

import pickle

import pytest

from scrub_helpers import USCC_EXAMPLE, found, types, with_luhn
from transforms.scrub import memory as scrub_module
from transforms.scrub.replacement import normalize_value
from transforms.scrub.scrubber import Scrubber
from transforms.scrub.spans import PiiSpan, resolve_overlaps


def test_unknown_mode_names_the_setting():
    with pytest.raises(ValueError, match="scrub_mode"):
        Scrubber("fast")


def test_missing_spacy_model_names_the_setting_and_does_not_download():
    with pytest.raises(ValueError, match="spacy_model"):
        Scrubber("presidio", spacy_model="xx_no_such_model_for_tests")


def test_regex_mode_misses_names_but_not_contacts(regex):
    # without spaCy a name is found only in a naming context
    text = "Sarah Johnson wrote from sarah.johnson@gmail.com"
    assert types(regex, text) == {"EMAIL_ADDRESS"}
    text = "My name is Sarah Johnson, mail sarah.johnson@gmail.com"
    assert ("PERSON", "Sarah Johnson") in found(regex, text)


def test_mixed_language_turn(presidio):
    text = "Hi, I'm Zhang. 我叫陈晓东，手机13912345678，email chenxd@qq.com"
    out, _ = presidio.scrub_text(text)
    for planted in ["陈晓东", "13912345678", "chenxd@qq.com"]:
        assert planted not in out


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


def test_non_string_rejected(regex):
    with pytest.raises(TypeError):
        regex.scrub_conversation([123])  # type: ignore[list-item]


def test_addresses_scrubbed_in_conversation(presidio):
    texts = ["我的地址是湖南省香港市东丽辛集路f座 379817，请寄到这里",
             "Ship it to 33287 Hernandez Shoals Suite 232, Amandashire, MT 84152 please",
             "确认：湖南省香港市东丽辛集路f座 379817"]
    out, counts = presidio.scrub_conversation(texts)
    assert out[0] == "我的地址是<CN_ADDRESS_1>，请寄到这里"
    assert "<ADDRESS_1>" in out[1] and "Hernandez" not in out[1] and "84152" not in out[1]
    assert out[2] == "确认：<CN_ADDRESS_1>"
    assert counts["CN_ADDRESS"] == 2 and counts["ADDRESS"] == 1


def test_context_name_propagates_to_bare_mentions(presidio):
    texts = ["You could also call Philip Ingram directly.", "Ingram said the invoice is late."]
    out, _ = presidio.scrub_conversation(texts)
    assert all("Ingram" not in t and "Philip" not in t for t in out), out


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


def test_reload_releases_memory(monkeypatch):
    calls = []
    monkeypatch.setattr(scrub_module, "_release_memory", lambda: calls.append(1))
    scrubber = Scrubber("regex", reload_every=2)
    scrubber.find_spans("one text")
    scrubber.find_spans("another text")
    assert scrubber.reloads >= 1 and calls
    monkeypatch.undo()
    scrub_module._release_memory()  # never raises


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


def test_find_spans_many_matches_find_spans(regex):
    texts = ["mail ann@example.org", None, "", "nothing here", "mail ann@example.org"]
    assert regex.find_spans_many(texts) == [regex.find_spans(t) if t is not None else [] for t in texts]
