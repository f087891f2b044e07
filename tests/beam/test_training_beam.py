"""CurateTrainingExamples on FnApiRunner: the same decisions as the plain functions, counters, the index."""

from __future__ import annotations

import json
from datetime import date

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.errors import ConfigError
from transforms.training.policy import TrainingPolicy
from schemas.outputs import ChatMessage, SFTExample
from datalake import partitions
from transforms.training.curate_oracle import curate_examples
from datalake.config import LakeConfig
from datalake.dedup_index import dedup_index_files, read_index_file, stage_dedup_index
from datalake.tables import INDEX_TABLE
from transforms.training.dedup import index_rows
from transforms.beam.dedup import ReadDedupIndex, StageDedupIndex
from transforms.beam.training import CurateTrainingExamples

DAY1, DAY2 = date(2026, 11, 27), date(2026, 11, 28)


def ex(example_id, prompt, category=None, score=None, answer="ok"):
    return SFTExample(example_id=example_id, conversation_id=f"c-{example_id}", target_message_id="m",
                      target_turn_index=1, label="positive", source="events", quality_score=score,
                      category=category, messages=[ChatMessage(role="user", content=prompt),
                                                   ChatMessage(role="assistant", content=answer, train=True)])


SOLVE = "Solve for x: 3x + 7 = 22. Show each step of the working please, and check the answer at the end."
SEEN = ex("old", "What is the capital of France?", "qa", answer="Paris")
DAY2_EXAMPLES = [
    ex("leak", "please compute the derivative of x cubed plus two x squared minus five", "math"),
    ex("dup1", "How many legs does a spider have?", "qa", 0.4, answer="Eight."),
    ex("dup2", "how many legs does a spider have? ", "qa", 0.7, answer="eight."),
    ex("dup3", "How many legs does a SPIDER have?", "qa", None, answer="Eight."),
    ex("again", "What is the capital of FRANCE?", "qa", 0.9, answer="Paris"),
    ex("near1", SOLVE, "math", 0.9),
    ex("near2", SOLVE.replace("working please", "working, please").replace("end.", "end!"), "math", 0.3),
    ex("zh1", "请帮我把这段话翻译成英文，我明天下午要交给我们部门的老板看一下，谢谢你的帮忙", "translation", 0.2),
    ex("zh2", "请帮我把这段话翻译成英文，我后天下午要交给我们部门的老板看一下，谢谢你的帮忙", "translation", 0.6),
    ex("chat1", "hello there, how are you today?", "chitchat", 0.9),
    ex("chat2", "good morning! what a lovely day it is", "chitchat", 0.2),
    ex("chat3", "tell me something fun about cats", "chitchat", 0.5),
    ex("misc", "Write a haiku about autumn leaves"),
]


def policy_for(tmp_path):
    eval_set = tmp_path / "eval.jsonl"
    eval_set.write_text(json.dumps({"prompt": "Compute the derivative of x cubed plus two x squared minus five"}) + "\n")
    return TrainingPolicy(eval_sets=[str(eval_set)], category_caps={"chitchat": 1},
                          category_weights={"math": 3.0, "unknown": 0.5})


def counters(result) -> dict[str, int]:
    out: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace("flywheel"))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        out[counter.key.metric.name] = out.get(counter.key.metric.name, 0) + int(value)
    return out


def test_curation_on_fnapirunner_matches_the_plain_functions_and_a_rerun_is_not_self_deduped(tmp_path):
    lake_uri = str(tmp_path / "lake")
    stage_dedup_index(lake_uri, "run1", DAY1, index_rows([SEEN]))
    partitions.publish_partition(lake_uri, "run1", INDEX_TABLE, DAY1)
    policy = policy_for(tmp_path)
    expected = curate_examples(DAY2_EXAMPLES, policy, prior=index_rows([SEEN]))
    assert [e.example_id for e in expected.examples] == ["chat1", "dup2", "misc", "near1", "zh2"]

    p = BeamTestPipeline(runner=FnApiRunner())
    prior = p | "Read index" >> ReadDedupIndex(lake_uri, exclude_day=DAY2)
    out = (p | beam.Create(DAY2_EXAMPLES)) | CurateTrainingExamples(policy, prior=prior)
    assert_that(out["examples"] | beam.Map(lambda e: (e.example_id, e.sample_weight)),
                equal_to([(e.example_id, e.sample_weight) for e in expected.examples]), label="examples")
    assert_that(out["index_rows"] | beam.Map(lambda r: (r.exact_key, r.example_id)),
                equal_to([(r.exact_key, r.example_id) for r in expected.index_rows]), label="index rows")
    out["index_rows"] | StageDedupIndex(LakeConfig(lake_uri=lake_uri, quarantine_uri=lake_uri + "-q", shards=2),
                                        "run2", DAY2)
    # In the same pipeline (one runner start-up less): a rerun of day 1 reads the index without day 1's own
    # rows, so the example day 1 published is not a duplicate of itself.
    rerun_prior = p | "Read index for rerun" >> ReadDedupIndex(lake_uri, exclude_day=DAY1)
    rerun = (p | "Day 1 again" >> beam.Create([SEEN, ex("new", "Capital of Spain?", answer="Madrid")])
             | "Curate rerun" >> CurateTrainingExamples(TrainingPolicy(), prior=rerun_prior))
    assert_that(rerun["examples"] | "rerun ids" >> beam.Map(lambda e: e.example_id), equal_to(["old", "new"]),
                label="rerun")
    result = p.run()
    result.wait_until_finish()

    got = counters(result)
    for name in ("decontaminated", "dedup.exact_in_run", "dedup.exact_earlier", "dedup.near", "capped.chitchat",
                 "category.chitchat", "category.math", "category.translation"):
        assert got.get(name, 0) == expected.counts[name], name
    # The rerun branch adds its two kept examples (category "qa" and unknown) to the category counters.
    assert (got["category.qa"], got["category.unknown"]) == (expected.counts["category.qa"] + 1,
                                                             expected.counts["category.unknown"] + 1)
    # Both branches count into the same counters; the rerun branch drops nothing.
    assert (got["dedup.exact_in_run"], got["dedup.exact_earlier"], got["dedup.near"]) == (2, 1, 2)

    partitions.publish_partition(lake_uri, "run2", INDEX_TABLE, DAY2)
    staged = dedup_index_files(lake_uri, exclude_day=None)
    assert {dt for _, dt in staged} == {"2026-11-27", "2026-11-28"}
    published = {i for uri, dt in staged if dt == "2026-11-28" for i in read_index_file(uri).column("example_id").to_pylist()}
    assert published == {"chat1", "dup2", "misc", "near1", "zh2"}


def test_a_missing_eval_set_fails_while_the_graph_is_built(tmp_path):
    policy = TrainingPolicy(eval_sets=[str(tmp_path / "nope.jsonl")])
    with pytest.raises(ConfigError, match=r"training\.eval_sets"):
        CurateTrainingExamples(policy)


def test_near_duplicates_of_other_days_and_preference_dedup_on_fnapirunner_match_the_plain_functions(tmp_path):
    from tests.training.test_dedup_history import ANSWER, SOLVE, SOLVE_AGAIN, kto, pair
    from transforms.beam.training import CuratePreferences
    from transforms.training.curate_oracle import curate_preferences
    from transforms.training.preference_dedup import PREFERENCE_DEDUP

    lake_uri = str(tmp_path / "lake")
    day1_prefs = [kto("k1", SOLVE, ANSWER, True), pair("d1", SOLVE, chosen=ANSWER, rejected="x = 4")]
    stage_dedup_index(lake_uri, "run1", DAY1, index_rows([ex("old", SOLVE, "math")]) +
                      index_rows(day1_prefs, PREFERENCE_DEDUP))
    partitions.publish_partition(lake_uri, "run1", INDEX_TABLE, DAY1)
    near_a = SOLVE_AGAIN.replace("Solve for x", "Solve for x now")
    sft = [ex("a", SOLVE_AGAIN, "math", 0.9), ex("b", near_a, "math", 0.2), ex("c", "Write a haiku about rain")]
    prefs = [kto("k9", SOLVE, ANSWER, True), kto("k7", SOLVE.upper(), ANSWER, True),
             pair("d9", SOLVE_AGAIN, chosen=ANSWER, rejected="x = 4"), kto("k8", SOLVE, ANSWER, False),
             kto("k6", "Write a haiku about rain", "Grey sky, soft drumming.", True)]
    prior = index_rows([ex("old", SOLVE, "math")]) + index_rows(day1_prefs, PREFERENCE_DEDUP)
    expected_sft = curate_examples(sft, TrainingPolicy(), prior=prior, eval_ngrams=frozenset())
    expected_prefs = curate_preferences(prefs, TrainingPolicy(), prior=prior)
    assert [e.example_id for e in expected_sft.examples] == ["c"]
    assert [p.pair_id for p in expected_prefs.examples] == ["k6", "k8"]

    p = BeamTestPipeline(runner=FnApiRunner())
    index = p | "Read index" >> ReadDedupIndex(lake_uri, exclude_day=DAY2)
    out = (p | "SFT" >> beam.Create(sft)) | CurateTrainingExamples(TrainingPolicy(), prior=index,
                                                                      eval_ngrams=frozenset())
    out_prefs = (p | "Preferences" >> beam.Create(prefs)) | CuratePreferences(TrainingPolicy(), prior=index)
    assert_that(out["examples"] | beam.Map(lambda e: e.example_id), equal_to(["c"]), label="sft")
    assert_that(out_prefs["preferences"] | beam.Map(lambda r: r.pair_id), equal_to(["k6", "k8"]), label="prefs")
    assert_that(out_prefs["index_rows"] | beam.Map(lambda k: (k.exact_key, k.group, k.near_signature)),
                equal_to([(k.exact_key, k.group, k.near_signature) for k in expected_prefs.index_rows]),
                label="pref index")
    result = p.run()
    result.wait_until_finish()
    got = counters(result)
    for name, value in {**expected_sft.counts, **expected_prefs.counts}.items():
        if name.startswith("dedup."):
            assert got.get(name, 0) == value, name
    assert (got["dedup.near"], got["dedup.near_earlier"], got["dedup.preferences.exact_earlier"],
            got["dedup.preferences.exact_in_run"], got["dedup.preferences.near_earlier"]) == (1, 1, 1, 1, 1)
