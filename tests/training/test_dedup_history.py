"""Dedup across days and of preference rows, as plain functions: near-duplicates of what other days published
(their signatures in the index), preference rows exact and near, and index files from before signatures."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from datalake import partitions
from datalake.dedup_index import dedup_index_files, read_index_keys, stage_dedup_index
from datalake.tables import INDEX_TABLE
from schemas.outputs import ChatMessage, PreferencePair
from transforms.training.curate_oracle import curate_examples, curate_preferences
from transforms.training.dedup import dedup_near, index_rows
from transforms.training.policy import TrainingPolicy
from transforms.training.preference_dedup import PREFERENCE_DEDUP, preference_exact_key
from tests.training.test_dedup import ex

DAY1 = date(2026, 11, 27)
POLICY = TrainingPolicy()
SOLVE = "Solve for x: 3x + 7 = 22. Show each step of the working please, and check the answer at the end."
SOLVE_AGAIN = SOLVE.replace("working please", "working, please").replace("end.", "end!")


def test_a_near_duplicate_of_another_days_example_is_dropped_and_the_other_day_wins():
    published = index_rows([ex("old", SOLVE, "x = 5", score=0.1)])
    assert published[0].near_signature is not None and published[0].group == "sft"
    # Better scored than the published one: it still loses, the other day's row was there first.
    today = [ex("new", SOLVE_AGAIN, "x = 5.", score=0.9), ex("other", "Write a haiku about autumn leaves")]
    result = dedup_near(today, POLICY.near_duplicate_threshold, prior=published)
    assert [e.example_id for e in result.kept] == ["other"]
    assert result.lost_to_earlier == {"new": "old"} and result.lost_to == {}


def test_the_in_run_verdict_does_not_depend_on_what_other_days_hold():
    published = index_rows([ex("old", SOLVE)])
    near_a = SOLVE_AGAIN.replace("Solve for x", "Solve for x now")  # near "a" (0.89), not "old" (0.77)
    today = [ex("a", SOLVE_AGAIN, score=0.9), ex("b", near_a, score=0.2)]
    alone = curate_examples(today, POLICY, eval_ngrams=frozenset()).counts
    assert (alone["dedup.near"], alone["dedup.near_earlier"], alone["curate.output"]) == (1, 0, 1)
    # With the other day's row: "a" loses to it, and "b" still loses to "a" in the run, counted as before
    # (so a rerun of a date counts the same whatever later dates published meanwhile).
    counts = curate_examples(today, POLICY, prior=published, eval_ngrams=frozenset()).counts
    assert (counts["dedup.near"], counts["dedup.near_earlier"], counts["curate.output"]) == (1, 1, 0)


def pair(pair_id, prompt, chosen=None, rejected=None, completion=None, desirable=None, kind="dpo"):
    return PreferencePair(pair_id=pair_id, kind=kind, prompt=[ChatMessage(role="user", content=prompt)],
                          chosen=chosen, rejected=rejected, completion=completion, desirable=desirable,
                          derivation="thumbs", conversation_id=f"c-{pair_id}", source="events")


def kto(pair_id, prompt, completion, desirable):
    return pair(pair_id, prompt, completion=completion, desirable=desirable, kind="kto")


ANSWER = "First subtract 7 from both sides: 3x = 15. Then divide by 3: x = 5. Check: 3 * 5 + 7 = 22."


def test_kto_rows_are_deduplicated_exactly_and_near_within_their_desirability():
    rows = [
        kto("k1", SOLVE, ANSWER, True),
        kto("k2", SOLVE.upper(), ANSWER.lower(), True),        # exact copy once normalized
        kto("k3", SOLVE_AGAIN, ANSWER, True),                  # near copy
        kto("k4", SOLVE, ANSWER, False),                       # the same text, undesirable: another lesson
        kto("k5", "Write a haiku about autumn leaves", "Red leaves drift and fall.", True),
    ]
    result = curate_preferences(rows, POLICY)
    assert [p.pair_id for p in result.examples] == ["k1", "k4", "k5"]
    c = result.counts
    assert (c["dedup.preferences.exact_in_run"], c["dedup.preferences.near"]) == (1, 1)
    assert preference_exact_key(rows[0]) != preference_exact_key(rows[3])


def test_dpo_pairs_with_the_same_prompt_but_other_answers_both_stay():
    rows = [pair("d1", SOLVE, chosen=ANSWER, rejected="x = 4"),
            pair("d2", SOLVE, chosen=ANSWER, rejected="I think x is 29 because 22 + 7 = 29, so the answer is 29."),
            pair("d3", SOLVE_AGAIN, chosen=ANSWER, rejected="x = 4")]  # near copy of d1
    result = curate_preferences(rows, POLICY)
    assert [p.pair_id for p in result.examples] == ["d1", "d2"]


def test_preference_rows_another_day_published_are_dropped_exact_and_near():
    day1 = [kto("k1", SOLVE, ANSWER, True), pair("d1", SOLVE, chosen=ANSWER, rejected="x = 4")]
    prior = index_rows(day1, PREFERENCE_DEDUP)
    assert {k.group for k in prior} == {"kto.desirable", "dpo"}
    day2 = [kto("k9", SOLVE, ANSWER, True), pair("d9", SOLVE_AGAIN, chosen=ANSWER, rejected="x = 4"),
            kto("k8", SOLVE, ANSWER, False)]
    result = curate_preferences(day2, POLICY, prior=prior)
    assert [p.pair_id for p in result.examples] == ["k8"]
    c = result.counts
    assert (c["dedup.preferences.exact_earlier"], c["dedup.preferences.near_earlier"]) == (1, 1)


def test_index_rows_round_trip_through_the_lake_and_old_index_files_still_read(tmp_path):
    lake = str(tmp_path)
    rows = index_rows([ex("a", SOLVE), ex("b", "")])
    stage_dedup_index(lake, "run1", DAY1, rows)
    partitions.publish_partition(lake, "run1", INDEX_TABLE, DAY1)
    [(uri, _)] = dedup_index_files(lake, exclude_day=None)
    assert sorted(read_index_keys(uri), key=lambda k: k.example_id) == sorted(rows, key=lambda k: k.example_id)
    # An empty prompt has no signature: nothing is its near-duplicate.
    assert {k.example_id: k.near_signature is None for k in rows} == {"a": False, "b": True}
    # A file written before groups and signatures: SFT keys, nothing to compare near-duplicates with.
    old = tmp_path / "old.parquet"
    pq.write_table(pa.table({"schema_version": [1], "exact_key": ["k"], "example_id": ["e"]}), old)
    [key] = read_index_keys(str(old))
    assert (key.exact_key, key.example_id, key.group, key.near_signature) == ("k", "e", "sft", None)
