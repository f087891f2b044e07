"""The review app in headless Chromium (Playwright driving the machine's own browser, never a downloaded one):
a queue sampled from a generated lake, reviewed by clicking accept, reject with a reason, fix with an edited
answer, and by keyboard shortcuts; the verdicts must be rows of the lake's reviews table.

Skipped, with the reason, when Playwright or a Chromium binary is missing (CHROMIUM_BIN names another
binary). `REVIEW_SCREENSHOT=docs/review-page.png pytest -m slow tests/reviews/test_web_browser.py`
also saves a screenshot of the review page.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from generated_lake import one_day_lake
from web_queue import HOSTILE_ANSWER, REGEX_SCRUB, write_small_queue

from datalake.reviews import read_reviews, reviewer_hash
from review.guidelines import load_guideline
from review.queue import sample_queue, write_queue
from review.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")

DAY = date(2026, 11, 2)
CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)")


@contextmanager
def running_app(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
        assert thread.is_alive(), "the review app did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def sign_in(page, url: str, name: str, token: str | None = None) -> None:
    page.goto(url)
    page.fill("#name", name)
    if token is not None:
        page.fill("#access_token", token)
    page.click("text=Start reviewing")
    page.wait_for_url(f"{url}/items/0")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.mark.slow
def test_a_reviewer_accepts_rejects_and_fixes_in_the_browser_and_the_verdicts_reach_the_lake(tmp_path, browser):
    lake = str(one_day_lake(tmp_path, DAY, conversations=12) / "lake")
    items = sample_queue(lake, "sft", DAY, DAY, 4, "random", reviewer="Alice")
    assert len(items) == 4
    queue = tmp_path / "queue.jsonl"
    write_queue(items, queue)

    with running_app(create_app(lake, str(queue), scrub=REGEX_SCRUB)) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(10_000)
        sign_in(page, url, "Alice")
        assert page.text_content("#progress-text") == "0 of 4 reviewed"
        assert page.locator(".markdown h2", has_text="Reason codes").count() == 1
        if os.environ.get("REVIEW_SCREENSHOT"):
            page.screenshot(path=os.environ["REVIEW_SCREENSHOT"])

        page.click("#accept")
        page.wait_for_url(f"{url}/items/1")
        page.check("#reject-form input[value=incorrect]")
        page.click("#reject")
        page.wait_for_url(f"{url}/items/2")
        page.fill("#fixed_answer", "The corrected answer, written by the reviewer.")
        page.click("#fix")
        page.wait_for_url(f"{url}/items/3")
        assert page.text_content("#progress-text") == "3 of 4 reviewed"
        page.keyboard.press("a")
        page.wait_for_url(f"{url}/me?finished=1")
        assert "4 of 4 items reviewed" in page.text_content("#queue-progress")
        page.close()

    rows = read_reviews(lake)
    assert [(r.item_id, r.verdict, r.reason) for r in rows] == [
        (items[0].item_id, "accept", None), (items[1].item_id, "reject", "incorrect"),
        (items[2].item_id, "fix", None), (items[3].item_id, "accept", None)]
    assert rows[2].fixed_answer == "The corrected answer, written by the reviewer."
    assert {r.reviewer for r in rows} == {reviewer_hash(lake, "Alice")}


def test_signed_in_with_the_token_keys_review_and_navigate_and_item_text_never_runs(tmp_path, browser):
    lake = str(tmp_path / "lake")
    write_small_queue(tmp_path / "queue.jsonl")
    token = "a-token-of-20-chars!"
    with running_app(create_app(lake, str(tmp_path / "queue.jsonl"), token, scrub=REGEX_SCRUB)) as url:
        page = browser.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, url, "Bob", token)
        page.keyboard.press("j")
        page.wait_for_url(f"{url}/items/1")
        page.keyboard.press("j")
        page.wait_for_url(f"{url}/items/2")  # the hostile item: its script is text on the page, not code
        assert page.title() != "owned" and HOSTILE_ANSWER in page.text_content("[data-field=answer]")
        page.keyboard.press("k")
        page.wait_for_url(f"{url}/items/1")
        page.keyboard.press("2")  # the guideline's second reason code ...
        page.keyboard.press("r")  # ... and reject
        page.wait_for_url(f"{url}/items/2")
        page.keyboard.press("k")
        page.wait_for_url(f"{url}/items/1")
        assert "reject" in page.text_content("#your-verdict")
        page.keyboard.press("f")
        assert page.evaluate("document.activeElement.id") == "fixed_answer"
        page.keyboard.press("a")  # typed into the answer, not a shortcut
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        page.wait_for_url(f"{url}/items/2")
        page.close()

    second_reason = list(load_guideline("sft").reason_codes)[1]
    assert [(r.item_id, r.verdict, r.reason) for r in read_reviews(lake)] == [
        ("ex-002", "reject", second_reason), ("ex-002", "accept", None)]
