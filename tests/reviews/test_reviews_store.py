"""The reviews table: append-only verdicts, keyed reviewer hashes, and the decision each item gets."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta, timezone

import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from datalake.reviews import (append_reviews, item_decisions, read_reviews, record_sampled, reviewer_hash,
                              sampled_items, sampled_queue, sampled_strategies)
from schemas.review import Review, ReviewItem, VerdictLine

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def review(item_id: str, reviewer: str, verdict: str, minutes: int = 0, **extra) -> Review:
    return Review(review_id=f"{item_id}-{reviewer}-{minutes}", item_id=item_id, item_kind=extra.pop("kind", "sft"),
                  item_day=date(2026, 11, 28), reviewer=reviewer, verdict=verdict, strategy="random",
                  guideline_version="sft-1", source="import", reviewed_at=T0 + timedelta(minutes=minutes), **extra)


def item(item_id: str, strategy: str) -> ReviewItem:
    return ReviewItem(item_id=item_id, kind="sft", day=date(2026, 11, 28), strategy=strategy, why="test",
                      content={"answer": "It weighs 1.6 kg."})


def test_an_empty_lake_has_no_reviews_and_an_empty_append_writes_nothing(tmp_path):
    assert read_reviews(str(tmp_path)) == []
    assert append_reviews(str(tmp_path), []) == ""
    assert not (tmp_path / "reviews").exists()


def test_appends_add_files_and_never_rewrite_earlier_ones(tmp_path):
    first = append_reviews(str(tmp_path), [review("a", "r1", "accept")])
    before = open(first, "rb").read()
    second = append_reviews(str(tmp_path), [review("a", "r2", "reject", 1, reason="incorrect")])
    assert first != second and open(first, "rb").read() == before
    assert [r.reviewer for r in read_reviews(str(tmp_path))] == ["r1", "r2"]
    assert pq.read_table(second).num_rows == 1
    assert not [p for p in os.listdir(tmp_path / "reviews") if not p.startswith("part-")]


def test_rows_come_back_oldest_first_whatever_order_they_were_appended(tmp_path):
    append_reviews(str(tmp_path), [review("a", "r1", "accept", 5)])
    append_reviews(str(tmp_path), [review("b", "r1", "accept", 1)])
    assert [r.item_id for r in read_reviews(str(tmp_path))] == ["b", "a"]


def test_two_reviewers_disagreeing_are_two_rows_and_the_reject_decides(tmp_path):
    append_reviews(str(tmp_path), [review("a", "r1", "accept"), review("a", "r2", "reject", 1, reason="unsafe")])
    assert len(read_reviews(str(tmp_path))) == 2
    decision = item_decisions(str(tmp_path), "sft")["a"]
    assert (decision.verdict, decision.reviewer, decision.reviewers) == ("reject", "r2", 2)


def test_a_reviewers_latest_verdict_replaces_their_earlier_one(tmp_path):
    append_reviews(str(tmp_path), [review("a", "r1", "reject", 0, reason="incorrect"), review("a", "r1", "accept", 3)])
    decision = item_decisions(str(tmp_path), "sft")["a"]
    assert (decision.verdict, decision.reviewers) == ("accept", 1)


def test_the_latest_fix_gives_the_target_unless_someone_rejects(tmp_path):
    append_reviews(str(tmp_path), [review("a", "r1", "fix", 0, fixed_answer="old fix"),
                                   review("a", "r2", "fix", 2, fixed_answer="new fix"),
                                   review("a", "r3", "accept", 4)])
    decision = item_decisions(str(tmp_path), "sft")["a"]
    assert (decision.verdict, decision.fixed_answer, decision.reviewer) == ("fix", "new fix", "r2")
    append_reviews(str(tmp_path), [review("a", "r3", "reject", 6, reason="unsafe")])
    assert item_decisions(str(tmp_path), "sft")["a"].verdict == "reject"


def test_decisions_are_per_kind(tmp_path):
    append_reviews(str(tmp_path), [review("a", "r1", "reject", reason="incorrect", kind="judgment")])
    assert item_decisions(str(tmp_path), "sft") == {}
    assert item_decisions(str(tmp_path), "judgment")["a"].verdict == "reject"


def test_reviewer_hashes_are_stable_in_a_lake_keyed_per_lake_and_the_key_is_owner_only(tmp_path):
    lake, other = str(tmp_path / "lake"), str(tmp_path / "other")
    alice = reviewer_hash(lake, "Alice")
    assert reviewer_hash(lake, "  alice ") == alice and reviewer_hash(lake, "Bob") != alice
    assert "alice" not in alice.lower() and reviewer_hash(other, "Alice") != alice
    key = tmp_path / "lake" / "_reviews" / "reviewer.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_sampled_items_remember_queues_and_reviews_per_reviewer_and_kind(tmp_path):
    record_sampled(str(tmp_path), "r1", [item("a", "random"), item("b", "random")])
    record_sampled(str(tmp_path), "r1", [item("b", "stratified"), item("d", "stratified")])
    append_reviews(str(tmp_path), [review("c", "r1", "accept")])
    assert sampled_items(str(tmp_path), "r1", "sft") == {"a", "b", "c", "d"}
    assert sampled_strategies(str(tmp_path), "r1", "sft") == {"a": "random", "b": "random", "d": "stratified"}
    assert [i.item_id for i in sampled_queue(str(tmp_path), "r1")] == ["a", "b", "d"]
    assert sampled_queue(str(tmp_path), "r2") == []
    assert sampled_items(str(tmp_path), "r2", "sft") == set()
    assert sampled_items(str(tmp_path), "r1", "preference") == set()


def test_verdict_lines_refuse_extra_keys_unknown_verdicts_and_overlong_text():
    VerdictLine(item_id="a", reviewer="r", verdict="accept")
    for bad in ({"item_id": "a", "reviewer": "r", "verdict": "accept", "note": "x"},
                {"item_id": "a", "reviewer": "r", "verdict": "maybe"},
                {"item_id": "a", "reviewer": "r" * 201, "verdict": "accept"},
                {"item_id": "a", "reviewer": "r", "verdict": "fix", "fixed_answer": "x" * 20_001}):
        with pytest.raises(ValidationError):
            VerdictLine.model_validate(bad)
