"""Canaries: known values of every supported PII and secret type, planted in a day of logs (user and
assistant text, edited answers, report comments, next to Chinese characters), must not survive a run:
not in the lake, not in the run's logs, not in the manifest. Quarantine is raw by design (owner-only)."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.day import process_day
from flows.settings import load_settings
from generated_lake import lake_text
from transforms.ids import pseudonym, stable_id

DAY = date(2026, 11, 21)

# entity type -> (canary value that must disappear, the sentence that carries it)
CANARIES = {
    "PERSON": ("Marcus Whitfield", "Hi, my name is Marcus Whitfield and I need help with my order."),
    "EMAIL_ADDRESS": ("canary.person@example.org", "Send the invoice to canary.person@example.org please."),
    "PHONE_NUMBER": ("(415) 555-0199", "You can reach me at (415) 555-0199 after 5pm."),
    "CN_PHONE_NUMBER": ("13912345678", "我的手机13912345678，请尽快联系我。"),
    "CN_PHONE_INTL": ("139 1234 5677", "或者打 +86 139 1234 5677 也可以。"),
    "ADDRESS": ("1234 Maple Avenue", "Ship it to 1234 Maple Avenue, Springfield, IL 62704."),
    "CN_ADDRESS": ("文三路138号", "收货地址是浙江省杭州市西湖区文三路138号。"),
    "CREDIT_CARD": ("4111 1111 1111 1111", "My card is 4111 1111 1111 1111, expiry 09/29."),
    "CN_BANK_CARD": ("6222021234567890128", "我的卡号6222021234567890128，帮我查一下余额。"),
    "CN_RESIDENT_ID": ("440301199003071230", "身份证号440301199003071230，帮我填表。"),
    "IP_ADDRESS": ("203.0.113.77", "The server at 203.0.113.77 keeps timing out."),
    "US_SSN": ("536-22-1844", "My SSN is 536-22-1844 for the tax form."),
    "IBAN_CODE": ("GB82WEST12345698765432", "Wire it to IBAN GB82WEST12345698765432 today."),
    "OPENAI_KEY": ("sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d",
                   "Why does sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d return 401?"),
    "ANTHROPIC_KEY": ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbA9z8y7x6w5v4u",
                      "export ANTHROPIC_API_KEY=sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbA9z8y7x6w5v4u"),
    "AWS_KEY": ("AKIAIOSFODNN7CANARY1", "aws_access_key_id = AKIAIOSFODNN7CANARY1"),
    "GITHUB_TOKEN": ("ghp_Canary1234567890abcdefghijklmnopqrstu", "git clone https://ghp_Canary1234567890abcdefghijklmnopqrstu@github.com/x/y"),
    "SLACK_TOKEN": ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                    "SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    "GOOGLE_KEY": ("AIzaSyCanary_1234567890abcdefghijklmnop", "maps key AIzaSyCanary_1234567890abcdefghijklmnop fails"),
    "JWT": ("eyJzdWIiOiJjYW5hcnkiLCJuYW1lIjoiQ2FuYXJ5In0",
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkiLCJuYW1lIjoiQ2FuYXJ5In0.Xk3dHq9mP2vR7sT1uW4yZ6aB8cD0eF2gH4iJ6kL8mN0 is rejected"),
    "PRIVATE_KEY": ("MIIEowIBAAKCAQEAcanaryKeyMaterial0123456789",
                    "```\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAcanaryKeyMaterial0123456789\nabcdefghijklmnopqrstuvwxyz0123456789ABCD\n-----END RSA PRIVATE KEY-----\n```"),
    "CREDENTIAL_URL": ("Sup3rS3cretCanary", "DATABASE_URL=postgres://admin:Sup3rS3cretCanary@db.internal:5432/prod"),
    "AUTH_TOKEN": ("abcDEF123456ghiJKL789canary", "curl -H 'Authorization: Bearer abcDEF123456ghiJKL789canary' https://api.example.com"),
    "SECRET": ("Hunter2Canary!", "config: password=Hunter2Canary! in settings.ini"),
    "CN_PERSON": ("王建国", "你好，我叫王建国，想咨询一下退货。"),
    "CN_PASSPORT": ("E12345678", "我的护照号E12345678，签证需要吗？"),
    "CN_HK_MACAU_PERMIT": ("C87654321", "港澳通行证C87654321快过期了。"),
    "CN_USCC": ("91350100M000100Y43", "公司统一社会信用代码91350100M000100Y43，开发票用。"),
}


def write_logs(root: Path) -> None:
    folder = root / "logs" / DAY.isoformat()
    folder.mkdir(parents=True)
    lines, n = [], 0
    for name, (_, sentence) in CANARIES.items():
        cid = f"canary-{name.lower()}"
        n += 1
        ts = f"2026-11-21T10:{n:02d}:00Z"
        lines.append({"type": "message", "conversation_id": cid, "message_id": f"{cid}-u", "role": "user",
                      "content": sentence, "timestamp": ts, "user_id": "canary.person@example.org"})
        lines.append({"type": "message", "conversation_id": cid, "message_id": f"{cid}-a", "parent_id": f"{cid}-u",
                      "role": "assistant", "content": f"Noted: {sentence}", "timestamp": ts.replace(":00Z", ":05Z")})
        lines.append({"type": "feedback", "conversation_id": cid, "message_id": f"{cid}-a", "kind": "edit",
                      "edited_text": f"Edited: {sentence}", "timestamp": ts.replace(":00Z", ":09Z")})
        lines.append({"type": "feedback", "conversation_id": cid, "message_id": f"{cid}-a", "kind": "report",
                      "comment": f"reporting because {sentence}", "timestamp": ts.replace(":00Z", ":10Z")})
    # Ids that carry PII (a product using the user's email as session and message ids).
    cid = "session-canary.person@example.org"
    lines.append({"type": "message", "conversation_id": cid, "message_id": "canary.person@example.org-1",
                  "role": "user", "content": "hello", "timestamp": "2026-11-21T11:00:00Z"})
    lines.append({"type": "message", "conversation_id": cid, "message_id": "canary.person@example.org-2",
                  "parent_id": "canary.person@example.org-1", "role": "assistant", "content": "Hi! I can help with questions about your bills.",
                  "timestamp": "2026-11-21T11:00:02Z"})
    lines.append({"type": "feedback", "conversation_id": cid, "message_id": "canary.person@example.org-2",
                  "kind": "thumbs_up", "timestamp": "2026-11-21T11:00:05Z"})
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    # A malformed line with a canary goes to quarantine (raw, owner-only), never to the lake or the logs.
    text += '\n{"type": "message", "content": "canary.person@example.org 13912345678"\n'
    (folder / "events.jsonl").write_text(text, encoding="utf-8")


ID_HASH_KEY = "canary-key-6f1d2a9b8c7e"


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("canaries")
    write_logs(root)
    settings = load_settings(source_uri=str(root / "logs"), lake_uri=str(root / "lake"),
                             quarantine_uri=str(root / "quarantine"), scrub_mode="presidio", shards=1,
                             id_hash_key=ID_HASH_KEY)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        manifest = process_day(settings, DAY, flow="canary-test")
    finally:
        logging.getLogger().removeHandler(handler)
    logs = "\n".join(r.getMessage() for r in records)
    return root, manifest, logs


@pytest.mark.parametrize("entity", sorted(CANARIES))
def test_canary_does_not_reach_the_lake_or_the_logs(canary_run, entity):
    root, manifest, logs = canary_run
    assert manifest.status == "succeeded", manifest.error
    value = CANARIES[entity][0]
    assert value not in lake_text(root / "lake")
    assert value not in logs
    assert value not in manifest.model_dump_json()


def test_the_run_kept_every_conversation_and_counted_what_it_scrubbed(canary_run):
    root, manifest, _ = canary_run
    assert manifest.counts["conversations"] == len(CANARIES) + 1
    assert manifest.counts["lines_quarantined"] == 1
    assert sum(manifest.pii_counts.values()) >= len(CANARIES)
    quarantined = next((root / "quarantine").rglob("*.jsonl")).read_text()
    assert "canary.person@example.org" in quarantined  # raw by design, and only there (owner-only)


def test_ids_that_carry_pii_are_hashed_consistently(canary_run):
    root, _, _ = canary_run
    rows = pq.read_table(root / "lake" / "conversations").to_pylist()
    (conv,) = [c for c in rows if c["conversation_id"].startswith("anon-")]
    user, answer = conv["turns"]
    assert answer["parent_id"] == user["message_id"] and user["message_id"].startswith("anon-")
    assert answer["label"] == "positive"  # the feedback still found its turn
    sft = pq.read_table(root / "lake" / "sft").to_pylist()
    assert any(row["conversation_id"] == conv["conversation_id"] for row in sft)


def test_surrogates_replace_values_with_consistent_fakes(tmp_path):
    from transforms.scrub.scrubber import Scrubber

    scrubber = Scrubber(mode="regex", replacement="surrogate")
    texts = ["Mail canary.person@example.org or call 13912345678.", "Again: canary.person@example.org",
             "password=Hunter2Canary!"]
    first, counts = scrubber.scrub_conversation(texts, conversation_key="conv-1")
    assert first == scrubber.scrub_conversation(texts, conversation_key="conv-1")[0]  # reruns agree
    assert not any(value in " ".join(first) for value in ("canary.person@example.org", "13912345678",
                                                            "Hunter2Canary!"))
    surrogate_email = first[1].split(": ", 1)[1]
    assert "@" in surrogate_email and surrogate_email in first[0]  # same value, same fake, every turn
    assert "<SECRET_1>" in first[2]  # secrets keep their placeholder
    assert counts["EMAIL_ADDRESS"] == 2
    other, _ = scrubber.scrub_conversation(texts, conversation_key="conv-2")
    assert other[1] != first[1]  # drawn per conversation, not from the value


def test_keyed_hashes_cannot_be_confirmed_by_guessing(canary_run):
    # Whoever guesses the user's email cannot find its plain hash in the lake; the key itself is nowhere.
    root, manifest, logs = canary_run
    email = "canary.person@example.org"
    text = lake_text(root / "lake")
    rows = pq.read_table(root / "lake" / "conversations").to_pylist()
    assert {r["user_hash"] for r in rows if r["conversation_id"].startswith("canary-")} == {
        pseudonym("user", email, ID_HASH_KEY)}
    assert stable_id("user", email) not in text
    assert stable_id("identifier", f"session-{email}", length=24) not in text
    assert any(r["conversation_id"] == "anon-" + pseudonym("identifier", f"session-{email}", ID_HASH_KEY, 24)
               for r in rows)
    for place in (text, logs, manifest.model_dump_json()):
        assert ID_HASH_KEY not in place
