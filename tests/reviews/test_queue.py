"""Review queues: scrubbed lake rows, sampled by strategy, deterministic, never twice for one reviewer."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datalake.reviews import append_reviews, reviewer_hash
from lake_for_review import DAY, review_lake
from review.queue import (STRATUM_KEYS, Candidate, QueueError, TurnSignals, _disagreement, candidates, read_queue,
                          recorded_queue, sample_queue, turn_signals, write_queue)
from schemas.conversation import Label, LabelDecision, Turn
from schemas.review import Review, ReviewItem


@pytest.fixture
def lake(tmp_path):
    return str(review_lake(tmp_path))


def ids(items):
    return [i.item_id for i in items]


def test_two_reviewers_with_the_same_seed_get_the_same_queue_and_another_seed_another(lake):
    alice = sample_queue(lake, "sft", DAY, DAY, 6, "random", "alice", seed=1)
    bob = sample_queue(lake, "sft", DAY, DAY, 6, "random", "bob", seed=1)
    carol = sample_queue(lake, "sft", DAY, DAY, 6, "random", "carol", seed=2)
    assert len(alice) == 6 and ids(alice) == ids(bob)
    assert ids(carol) != ids(alice)


def test_an_item_is_never_sampled_twice_for_the_same_reviewer(lake):
    first = sample_queue(lake, "sft", DAY, DAY, 10, "stratified", "alice")
    second = sample_queue(lake, "sft", DAY, DAY, 100, "random", "alice")
    assert not set(ids(first)) & set(ids(second))
    assert len(first) + len(second) == len(candidates(lake, "sft", DAY, DAY)) == 18
    assert sample_queue(lake, "sft", DAY, DAY, 5, "disagreement", "alice") == []
    assert len(sample_queue(lake, "sft", DAY, DAY, 5, "random", "bob")) == 5  # another reviewer still gets them


def test_an_item_the_reviewer_already_reviewed_is_not_sampled_for_them(lake):
    every = [c.item.item_id for c in candidates(lake, "sft", DAY, DAY)]
    append_reviews(lake, [Review(review_id="r", item_id=every[0], item_kind="sft", item_day=DAY,
                                 reviewer=reviewer_hash(lake, "alice"), verdict="accept", strategy="unsampled",
                                 guideline_version="sft-1", source="import", reviewed_at=datetime.now(timezone.utc))])
    assert every[0] not in ids(sample_queue(lake, "sft", DAY, DAY, 100, "random", "alice"))


def test_sft_items_carry_the_lakes_scrubbed_row_as_it_is(lake):
    rows = {r["example_id"]: r for r in pq.read_table(next((Path(lake) / "sft").rglob("*.parquet"))).to_pylist()}
    for item in sample_queue(lake, "sft", DAY, DAY, 5, "random", "alice"):
        row = rows[item.item_id]
        assert item.content["answer"] == row["messages"][-1]["content"]
        assert item.content["messages"] == [{"role": m["role"], "content": m["content"]} for m in row["messages"][:-1]]
        assert (item.kind, item.day, item.strategy) == ("sft", DAY, "random")
        assert item.labels["label"] == row["label"] and item.labels["rule_ids"] == row["rule_ids"]


def test_stratified_takes_one_item_per_stratum_before_a_second_from_any(lake):
    strata = {tuple(c.stratum) for c in candidates(lake, "sft", DAY, DAY)}
    assert 1 < len(strata) < 18
    items = sample_queue(lake, "sft", DAY, DAY, len(strata), "stratified", "alice")
    seen = [tuple(i.why.split(" (")[0].removeprefix("stratum ").split(" ")) for i in items]
    assert len(set(seen)) == len(strata)  # every stratum once
    assert all(i.why.startswith("stratum " + STRATUM_KEYS[0] + "=") for i in items)


def test_the_range_bounds_the_sample(lake):
    later = DAY + timedelta(days=1)
    assert sample_queue(lake, "sft", later, later, 5, "random", "alice") == []
    with pytest.raises(QueueError, match="before"):
        sample_queue(lake, "sft", later, DAY, 5, "random", "alice")
    with pytest.raises(QueueError, match="--n"):
        sample_queue(lake, "sft", DAY, DAY, 0, "random", "alice")


def test_preference_items_show_both_sides_or_the_kto_completion(lake):
    items = sample_queue(lake, "preference", DAY, DAY, 40, "random", "alice")
    assert items
    for item in items:
        assert item.content["prompt"]
        if item.content["kind"] == "dpo":
            assert item.content["chosen"] and item.content["rejected"]
        else:
            assert item.content["completion"] and isinstance(item.content["desirable"], bool)


def test_a_lake_without_judgments_gives_an_empty_judgment_queue(lake):
    assert sample_queue(lake, "judgment", DAY, DAY, 5, "disagreement", "alice") == []


def test_the_recorded_queue_is_every_item_sampled_for_the_reviewer_in_order(lake):
    first = sample_queue(lake, "sft", DAY, DAY, 3, "random", "alice")
    second = sample_queue(lake, "preference", DAY, DAY, 2, "stratified", "alice")
    assert recorded_queue(lake, "Alice ") == first + second
    assert recorded_queue(lake, "bob") == []


def decision(rule_id: str, label: Label, confidence: float) -> LabelDecision:
    return LabelDecision(rule_id=rule_id, rules_version="1", label=label, confidence=confidence)


def answer(label: Label | None, *decisions: LabelDecision) -> Turn:
    return Turn(turn_index=1, message_id="m", role="assistant", content="It weighs 1.6 kg.",
                timestamp=datetime(2026, 11, 28, tzinfo=timezone.utc), label=label, decisions=list(decisions))


def test_rules_and_judge_disagree_only_when_both_take_opposite_sides():
    split = turn_signals(answer(Label.positive, decision("explicit.thumbs_down", Label.negative, 0.9),
                                decision("judge.v1", Label.positive, 0.8)))
    assert (split.rules_label, split.judge_label, split.disagree) == ("negative", "positive", True)
    assert split.confidence == 0.8
    unsure = turn_signals(answer(Label.positive, decision("behavioural.copy", Label.neutral, 0.5),
                                 decision("judge.v1", Label.positive, 0.7)))
    assert not unsure.disagree
    assert turn_signals(answer(Label.positive)).confidence is None  # nothing backs the label


def test_disagreement_first_then_the_least_confident():
    def candidate(n: int, signals: TurnSignals) -> Candidate:
        item = ReviewItem(item_id=f"i{n}", kind="sft", day=DAY, strategy="disagreement", why="", content={})
        return Candidate(item, ("x",), signals)

    pool = [candidate(1, TurnSignals("positive", None, 0.9)), candidate(2, TurnSignals("positive", None, 0.3)),
            candidate(3, TurnSignals("negative", "positive", 0.95)), candidate(4, TurnSignals(None, None, None))]
    picked = _disagreement(pool, 3, random.Random(0))
    assert [c.item.item_id for c, _ in picked] == ["i3", "i2", "i1"]
    assert picked[0][1] == "rules say negative, judge says positive"
    assert picked[1][1] == "low confidence 0.30 for label None"


def test_a_queue_file_round_trips_and_a_bad_line_is_named(tmp_path, lake):
    items = sample_queue(lake, "sft", DAY, DAY, 4, "random", "alice")
    path = tmp_path / "queue.jsonl"
    write_queue(items, path)
    assert read_queue(path) == items
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"item_id": "x"}\n')
    with pytest.raises(QueueError, match=r"queue.jsonl:5: not a queue item"):
        read_queue(path)
