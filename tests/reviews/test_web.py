"""The review app through its HTTP interface (Starlette's TestClient, no browser): sign-in, token, CSRF,
escaping of untrusted item text, verdicts landing in the lake's reviews table. The browser tests are in
test_web_browser.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_queue import HOSTILE_ANSWER, REGEX_SCRUB, write_small_queue

from datalake.reviews import read_reviews, record_sampled, reviewer_hash
from review.queue import write_queue
from review.web import create_app, is_loopback, serve
from schemas.errors import ConfigError
from schemas.review import ReviewItem

TOKEN = "t0ken-for-tests-0123456789"


@pytest.fixture()
def lake(tmp_path) -> str:
    return str(tmp_path / "lake")


@pytest.fixture()
def queue(tmp_path) -> str:
    path = tmp_path / "queue.jsonl"
    write_small_queue(path)
    return str(path)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def signed_in(client: TestClient, name: str = "Alice Reviewer", **extra) -> TestClient:
    form = client.get("/login").text
    response = client.post("/login", data={"name": name, "csrf": csrf_of(form), **extra}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def post_verdict(client: TestClient, position: int, **fields):
    page = client.get(f"/items/{position}").text
    return client.post(f"/items/{position}/verdict", data={"csrf": csrf_of(page), **fields}, follow_redirects=False)


def test_loopback_hosts_are_told_apart_from_hosts_reachable_from_elsewhere():
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.10", "review.example.org"]))


def test_serve_refuses_a_host_beyond_loopback_without_a_token(lake, queue):
    with pytest.raises(ConfigError, match="--token") as refused:
        serve(lake, queue, host="0.0.0.0", port=1)
    assert "FLYWHEEL_REVIEW_TOKEN" in str(refused.value)
    with pytest.raises(ConfigError, match="at least 16 characters"):
        serve(lake, queue, host="0.0.0.0", port=1, token="short")


def test_with_a_token_every_page_needs_it_as_a_header_or_through_the_sign_in_form(lake, queue):
    with TestClient(create_app(lake, queue, token=TOKEN, scrub=REGEX_SCRUB)) as client:
        assert client.get("/", follow_redirects=False).status_code == 401
        assert client.get("/me", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
        assert client.get("/login", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/me", headers={"Authorization": f"Bearer {TOKEN}"},
                          follow_redirects=False).status_code == 303  # to the sign-in page: no name yet

        form = client.get("/login").text
        assert 'name="access_token"' in form
        wrong = client.post("/login", data={"name": "Alice", "csrf": csrf_of(form), "access_token": "nope"})
        assert wrong.status_code == 401 and client.get("/me").status_code == 401

        signed_in(client, access_token=TOKEN)
        assert client.get("/me").status_code == 200  # the session proved the token: no header needed
        assert client.get("/items/0").status_code == 200


def test_without_a_token_the_local_app_needs_only_a_name(lake, queue):
    with TestClient(create_app(lake, queue, scrub=REGEX_SCRUB)) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/login"
        assert 'name="access_token"' not in client.get("/login").text
        forged = client.post("/login", data={"name": "Mallory", "csrf": "not-the-forms"})
        assert forged.status_code == 403
        signed_in(client)
        assert client.get("/", follow_redirects=False).headers["location"] == "/items/0"


def test_without_a_queue_file_each_reviewer_reviews_the_queues_sampled_for_them(lake, tmp_path):
    items = write_small_queue(tmp_path / "sampled.jsonl")
    record_sampled(lake, reviewer_hash(lake, "Alice"), items[:2])
    app = create_app(lake, None, scrub=REGEX_SCRUB)
    with TestClient(app) as alice, TestClient(app) as bob:
        signed_in(alice, " alice ")  # the same reviewer however the name is typed
        assert alice.get("/", follow_redirects=False).headers["location"] == "/items/0"
        assert "sft item 2 of 2" in alice.get("/items/1").text
        assert alice.get("/items/2").status_code == 404
        signed_in(bob, "Bob")
        assert "Your queue is empty" in bob.get("/").text


def test_item_text_is_escaped_and_pages_forbid_foreign_and_inline_scripts(lake, queue):
    with TestClient(create_app(lake, queue, scrub=REGEX_SCRUB)) as client:
        signed_in(client)
        response = client.get("/items/2")
        assert response.status_code == 200
        assert HOSTILE_ANSWER not in response.text and "<img src=x" not in response.text
        assert "&lt;script&gt;document.title=&#34;owned&#34;&lt;/script&gt;" in response.text
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        # The guideline is rendered Markdown: its headings are HTML, its reason codes are listed.
        assert "<h2>Reason codes</h2>" in response.text and 'value="incorrect"' in response.text


def test_templates_never_mark_text_safe():
    templates = Path(__file__).parents[2] / "review" / "templates"
    for template in templates.glob("*.html"):
        assert "|safe" not in template.read_text().replace(" ", ""), template.name


def test_verdicts_land_in_the_reviews_table_under_the_reviewers_hash(lake, queue, tmp_path):
    with TestClient(create_app(lake, queue, scrub=REGEX_SCRUB)) as client:
        signed_in(client, "Alice Reviewer")
        accepted = post_verdict(client, 0, verdict="accept")
        assert accepted.status_code == 303 and accepted.headers["location"] == "/items/1"
        assert post_verdict(client, 1, verdict="reject", reason="incorrect").status_code == 303
        fixed = post_verdict(client, 3, verdict="fix", fixed_answer="It weighs 1.6 kg. Mail jane.doe@example.com")
        assert fixed.status_code == 303
        me = client.get("/me").text

    rows = read_reviews(lake)
    assert [(r.item_id, r.verdict, r.reason) for r in rows] == [
        ("ex-001", "accept", None), ("ex-002", "reject", "incorrect"), ("ex-004", "fix", None)]
    assert rows[2].fixed_answer.startswith("It weighs 1.6 kg. Mail ")  # what a reviewer types is scrubbed too
    assert "jane.doe" not in rows[2].fixed_answer
    assert {r.reviewer for r in rows} == {reviewer_hash(lake, "Alice Reviewer")}
    assert {r.source for r in rows} == {"web"} and {r.strategy for r in rows} == {"random"}
    lake_files = b"".join(p.read_bytes() for p in Path(lake).rglob("*") if p.is_file())
    assert b"Alice" not in lake_files
    assert "3 of 4 items reviewed" in me
    assert re.search(r"accepted <strong>1</strong>.*rejected <strong>1</strong>.*fixed <strong>1</strong>", me, re.S)


def test_a_reject_without_a_reason_code_is_refused_on_the_page(lake, queue):
    with TestClient(create_app(lake, queue, scrub=REGEX_SCRUB)) as client:
        signed_in(client)
        refused = post_verdict(client, 0, verdict="reject")
        assert refused.status_code == 422 and 'class="error"' in refused.text
    assert read_reviews(lake) == []


def test_a_verdict_without_the_sessions_csrf_token_is_refused(lake, queue):
    app = create_app(lake, queue, scrub=REGEX_SCRUB)
    with TestClient(app) as client, TestClient(app) as other:
        signed_in(client)
        forged = client.post("/items/0/verdict", data={"csrf": "guessed", "verdict": "accept"})
        assert forged.status_code == 403
        signed_in(other, "Bob")  # another browser's valid token is not this session's
        stolen = csrf_of(other.get("/items/0").text)
        assert client.post("/items/0/verdict", data={"csrf": stolen, "verdict": "accept"}).status_code == 403
    assert read_reviews(lake) == []


def test_a_judgment_offers_no_fix_and_a_kto_row_is_fixed_from_its_completion(lake, tmp_path):
    judgment = ReviewItem(
        item_id="jd-1", kind="judgment", day=date(2026, 11, 2), strategy="disagreement", why="rules vs judge",
        content={"messages": [{"role": "user", "content": "Is 7 prime?"}], "answer": "No.",
                 "rules_label": "positive", "judge_label": "negative", "rationale": "7 is prime."})
    kto = ReviewItem(
        item_id="pf-1", kind="preference", day=date(2026, 11, 2), strategy="random", why="uniform sample",
        content={"prompt": [{"role": "user", "content": "Capital of France?"}], "completion": "Lyon.",
                 "desirable": False})
    write_queue([judgment, kto], tmp_path / "mixed.jsonl")
    with TestClient(create_app(lake, str(tmp_path / "mixed.jsonl"), scrub=REGEX_SCRUB)) as client:
        signed_in(client)
        judged = client.get("/items/0").text
        assert 'id="fix-form"' not in judged and "Judge&#39;s rationale" in judged
        assert 'value="too_positive"' in judged  # the judgment guideline's reason codes, not the SFT ones
        preferred = client.get("/items/1").text
        assert re.search(r'<textarea id="fixed_answer"[^>]*>Lyon\.</textarea>', preferred)
        assert post_verdict(client, 1, verdict="fix", fixed_answer="Paris.").status_code == 303
    assert [(r.item_kind, r.verdict, r.fixed_answer) for r in read_reviews(lake)] == [("preference", "fix", "Paris.")]
