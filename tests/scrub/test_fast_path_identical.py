"""The scrubber's fast path (recognizers picked by their triggers, called directly) finds exactly the
spans of the full path (every recognizer through Presidio's ``AnalyzerEngine.analyze``), scores
included, and scrubs to the same text: on texts made to hit every recognizer, on a generated day,
and on the shared corpora (Presidio's synthetic set, Weibo NER, OpenAssistant; a sample always, all
of them with ``-m slow``; skipped without the data)."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import List

import pytest

from transforms.scrub.scrubber import Scrubber

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SAMPLE = 120  # texts per shared corpus in the default run

# One or more texts per recognizer (and a few that are near misses of one).
HAND_TEXTS = [
    "Mail me at ann.lee@example.org or 张伟@公司.cn, not at @handle.",
    "My card is 4111 1111 1111 1111, exp 12/27; cc 6759649826438453",
    "身份证号 11010519491231002X，护照 E12345678，港澳通行证 C12345678，统一社会信用代码 91350100M000100Y43",
    "Driver's license number D1234567, born on 03/14/1985, DOB: 1990-01-02",
    "My website is https://annlee.dev and my blog: annlee.blog",
    "手机 138-1234-5678，座机 010-12345678; Phone:\n60-56-85-91; call me on 9472 7916",
    "Call +1 415-555-2671 or (212) 555-0199 ext. 12; UK 020 7946 0958",
    "Server 192.168.10.24 and fe80::1ff:fe23:4567:890a, not 127.0.0.1",
    "key sk-proj-abcdefghijklmnopqrstuvwxyz123456 and AKIAIOSFODNN7EXAMPLE, ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "Authorization: Bearer abcdef0123456789abcdef0123456789",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    "postgres://admin:s3cret@db.example.com:5432/app and https://hooks.slack.com/services/T000/B000/XXXX",
    'password = "hunter2hunter2"; api_key: abcd1234efgh',
    "Ship it to 1600 Pennsylvania Ave NW, Washington, DC 20500 or Apt. 805",
    "Friedhofstrasse 33, 8048 Zürich; PSC 1234, Box 5678, APO AE 09876; P.O. Box 42",
    "寄到北京市朝阳区建国路88号SOHO现代城5号楼1201室 100022",
    "My name is Philip Ingram. Regards,\nDestiny Jones",
    "Destiny: can you help? I grew up in Lisbon and flew to Osaka.",
    "IBAN GB82 WEST 1234 5698 7654 32, SSN 536-22-1234, ssn 536221234",
    "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "我的同事Katelyn Benjamin说张伟明天来，王小明的电话是13912345678",
    "No PII here at all, just words.",
    "",
    "A placeholder <PERSON_1> stays, `get_user_name()` in code",
]


def _scrubbers(mode: str):
    return Scrubber(mode, fast_path=True), Scrubber(mode, fast_path=False)


@pytest.fixture(scope="module", params=["regex", "presidio"])
def pair(request):
    """(the session's scrubber of the mode: fast path, the default; one on the full path)."""
    return request.getfixturevalue(request.param), Scrubber(request.param, fast_path=False)


def _differences(fast: Scrubber, full: Scrubber, texts: List[str]) -> List[str]:
    out = []
    for text in texts:
        if fast.find_spans(text) != full.find_spans(text) or fast.scrub_text(text) != full.scrub_text(text):
            out.append(text)
    return out


def _generated_conversations(conversations: int) -> List[List[str]]:
    from flywheel.sample_logs import generate_logs

    by_conversation: dict = {}
    with tempfile.TemporaryDirectory() as out:
        logs = generate_logs(out, [date(2024, 5, 1)], conversations, seed=5, gzip=False)
        for file in logs.files:
            for line in Path(file).read_text(encoding="utf-8").splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # the generator's malformed lines
                if not isinstance(event, dict):
                    continue
                texts = by_conversation.setdefault(event.get("conversation_id"), [])
                texts += [event[k] for k in ("content", "edited_text", "comment", "message_id", "event_id")
                          if isinstance(event.get(k), str)]
    return list(by_conversation.values())


def _weibo_sentences(split: str) -> List[str]:
    """The sentences of a Weibo NER split (one character and its tag per line; emoji stored as lone
    surrogates, kept as they are, as bench/eval_weiboner.py reads them)."""
    raw = (SHARED_DATA / "weiboner" / f"weiboNER.conll.{split}").read_bytes().decode("utf-8", "surrogatepass")
    sentences, chars = [], []
    for line in raw.splitlines() + [""]:
        if line.strip():
            chars.append(line[:1] or " ")
        elif chars:
            sentences.append("".join(chars))
            chars = []
    return sentences


def _tree_texts(message: dict) -> List[str]:
    return [message["text"]] + [t for reply in message.get("replies", []) for t in _tree_texts(reply)]


def _shared_texts(limit: int | None) -> dict:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found: {SHARED_DATA}")
    synth = json.loads((SHARED_DATA / "presidio_synth_dataset_v2.json").read_text(encoding="utf-8"))
    trees = (SHARED_DATA / "oasst_en_100_tree.jsonl").read_text(encoding="utf-8").splitlines()
    texts = {
        "presidio_synth": [record["full_text"] for record in synth],
        "weibo": _weibo_sentences("train") + _weibo_sentences("dev"),
        "oasst": [t for line in trees if line.strip() for t in _tree_texts(json.loads(line)["prompt"])],
    }
    return {name: found[:limit] for name, found in texts.items()}


def test_every_recognizer_finds_the_same_on_texts_made_for_it(pair):
    fast, full = pair
    assert not _differences(fast, full, HAND_TEXTS)
    # the texts do reach the recognizers: far from every span is a name
    types = {s.entity_type for t in HAND_TEXTS for s in full.find_spans(t)}
    assert {"EMAIL_ADDRESS", "CREDIT_CARD", "PHONE_NUMBER", "IP_ADDRESS", "API_KEY", "ADDRESS",
            "CN_ADDRESS", "IBAN_CODE", "US_SSN", "CRYPTO", "PRIVATE_KEY", "CREDENTIAL_URL"} <= types


def test_a_generated_day_scrubs_the_same_conversation_by_conversation(pair):
    fast, full = pair
    for conversation in _generated_conversations(40):
        assert fast.scrub_conversation(conversation) == full.scrub_conversation(conversation), conversation
        assert fast.find_spans_many(conversation) == full.find_spans_many(conversation)


def test_a_sample_of_the_shared_corpora_gives_the_same_spans(pair):
    fast, full = pair
    for name, texts in _shared_texts(SAMPLE).items():
        assert not _differences(fast, full, texts), name


def test_the_fast_path_skips_recognizers_that_cannot_match(regex):
    triggers = regex._direct.triggers
    everything = {r.name for r, _ in triggers.candidates("Call 4111 1111 1111 1111 at ann@example.org")}
    plain = {r.name for r, _ in triggers.candidates("thanks, that worked")}
    assert {"PaymentCardRecognizer", "EmailAsciiBoundaryRecognizer", "PhoneRecognizer"} <= everything
    assert not plain & {"PaymentCardRecognizer", "EmailAsciiBoundaryRecognizer", "PhoneRecognizer",
                        "CnResidentIdRecognizer", "IbanRecognizer", "UsSsnRecognizer"}


def test_the_full_path_stays_selectable_and_survives_pickling():
    import pickle

    full = pickle.loads(pickle.dumps(Scrubber("regex", fast_path=False)))
    assert full.fast_path is False and full._direct is None
    assert full.find_spans("ann@example.org")[0].entity_type == "EMAIL_ADDRESS"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["regex", "presidio"])
def test_all_of_the_shared_corpora_and_a_larger_generated_day_give_the_same_spans(mode):
    fast, full = _scrubbers(mode)
    for name, texts in _shared_texts(None).items():
        assert not _differences(fast, full, texts), name
    for conversation in _generated_conversations(400):
        assert fast.scrub_conversation(conversation) == full.scrub_conversation(conversation), conversation
