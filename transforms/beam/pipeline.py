"""The Beam pipeline for one day of logs: the stages' composite transforms, assembled and run.

    ReadAndParseLogs        log files -> (conversation_id, event); unparseable lines -> quarantine
    SessionizeScrubLabel    -> Conversation, sessionized, scrubbed, labeled by the rules; failures -> quarantine
    Judge                   -> final conversations + judgments (undecided turns; earlier verdicts as a cache)
    BuildTrainingRows       -> SFT candidates + preference pairs
    ReadDedupIndex          the exact keys other days published
    CurateTrainingExamples  SFT candidates -> decontaminated, deduplicated, balanced sft + their index keys
    WriteTables             conversations, judgments, sft, preferences -> staged Parquet shards
    StageDedupIndex         the sft keys -> staged _index/sft_keys shards
    StageQuarantine         quarantined lines -> one staged JSONL file

Each stage is one named composite (transforms.beam.ingest, conversations, judge, rows, training, write), so
every runner's UI shows the stages by name. Everything a worker needs travels in `DayPlan` (transforms.beam.plan)
or is importable from the installed package, so the same graph runs on FnApiRunner here and on
Dataflow/Flink/Spark elsewhere. Counts are Beam metrics (transforms.beam.metrics); `read_counts` turns them
into the run manifest's counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from schemas.outputs import Judgment
from transforms.beam.config import RunnerConfig
from transforms.beam.conversations import SessionizeScrubLabel
from transforms.beam.ingest import ReadAndParseLogs
from transforms.beam.judge import JudgeConversations
from transforms.beam.metrics import (
    INPUT_LINES_NAMESPACE, INPUT_STATUS_NAMESPACE, METRICS_NAMESPACE, parse_input_file_report,
)
from transforms.beam.plan import DayPlan
from transforms.beam.rows import BuildTrainingRows
from transforms.beam.training import CurateTrainingExamples, ReadDedupIndex, StageDedupIndex
from transforms.beam.write import StageQuarantine, WriteTables


@dataclass
class DayOutputs:
    conversations: beam.PCollection
    judgments: beam.PCollection
    sft: beam.PCollection
    preferences: beam.PCollection
    quarantine: beam.PCollection


def parse_and_process(pipeline: beam.Pipeline, plan: DayPlan, judge_cache: Iterable[Judgment] = ()) -> DayOutputs:
    """The day's processing graph up to (not including) curation and the writes: testable with assert_that."""
    parsed = pipeline | "ReadAndParseLogs" >> ReadAndParseLogs(plan.files, plan.log_format, plan.day, plan.ingest)
    labeled = parsed[ReadAndParseLogs.EVENTS] | "SessionizeScrubLabel" >> SessionizeScrubLabel(plan.scrub, plan.ingest)
    judged = labeled[SessionizeScrubLabel.CONVERSATIONS] | "Judge" >> JudgeConversations(
        plan.judge, plan.runner.workers, judge_cache, scrub=plan.scrub)
    conversations = judged[JudgeConversations.CONVERSATIONS]
    rows = conversations | "BuildTrainingRows" >> BuildTrainingRows(plan.policy)
    quarantine = (
        (parsed[ReadAndParseLogs.QUARANTINE], labeled[SessionizeScrubLabel.QUARANTINE])
        | "All quarantine" >> beam.Flatten()
    )
    return DayOutputs(conversations, judged[JudgeConversations.JUDGMENTS], rows[BuildTrainingRows.SFT],
                      rows[BuildTrainingRows.PREFERENCES], quarantine)


def build_day_pipeline(pipeline: beam.Pipeline, plan: DayPlan, judge_cache: Iterable[Judgment] = ()) -> None:
    """Add one day's graph to `pipeline`: parse, group by conversation, process, curate, stage the outputs."""
    outputs = parse_and_process(pipeline, plan, judge_cache)
    lake = plan.lake
    # Dedup against every other published day (not this one: a rerun must not dedup against itself),
    # near-duplicates, decontamination, category caps and weights; then the survivors and their index keys.
    earlier_keys = pipeline | "ReadDedupIndex" >> ReadDedupIndex(lake.lake_uri, exclude_day=plan.day)
    curated = outputs.sft | "CurateTrainingExamples" >> CurateTrainingExamples(plan.policy, prior_keys=earlier_keys)
    (
        {"conversations": outputs.conversations, "judgments": outputs.judgments,
         "sft": curated[CurateTrainingExamples.EXAMPLES], "preferences": outputs.preferences}
        | "WriteTables" >> WriteTables(lake, plan.run_id, plan.day)
    )
    curated[CurateTrainingExamples.INDEX_ROWS] | "StageDedupIndex" >> StageDedupIndex(
        lake.lake_uri, plan.run_id, plan.day, lake.shards)
    outputs.quarantine | "StageQuarantine" >> StageQuarantine(lake, plan.run_id, plan.day)


def pipeline_options(runner: RunnerConfig) -> PipelineOptions:
    """Options for a runner that needs nothing downloaded (never Prism/DirectRunner's default)."""
    flags = [f"--direct_num_workers={runner.workers}"]
    if runner.runner == "PortableRunner":
        # The embedded job server and loopback workers: the portable API without Docker or a download.
        flags += ["--job_endpoint=embed", "--environment_type=LOOPBACK"]
    elif runner.workers > 1:
        flags += ["--direct_running_mode=multi_processing"]
    else:
        flags += ["--direct_running_mode=in_memory"]
    return PipelineOptions(flags)


def make_runner(runner: str):
    if runner == "FnApiRunner":
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        return FnApiRunner()
    if runner == "PortableRunner":
        from apache_beam.runners.portability.portable_runner import PortableRunner

        return PortableRunner()
    raise ValueError(f"unsupported runner {runner!r} (setting: runner)")


@dataclass
class PipelineCounts:
    counts: dict[str, int]
    input_lines: dict[str, int]
    # uri -> {"status": ..., "error": ...}: how reading each input file ended (schemas.outputs.InputFile).
    input_files: dict[str, dict[str, str | None]] = field(default_factory=dict)


def run_day_pipeline(plan: DayPlan, judge_cache: Iterable[Judgment] = ()) -> PipelineCounts:
    """Run one day's pipeline on `plan.runner` to completion; return its counters."""
    pipeline = beam.Pipeline(runner=make_runner(plan.runner.runner), options=pipeline_options(plan.runner))
    build_day_pipeline(pipeline, plan, judge_cache)
    result = pipeline.run()
    result.wait_until_finish()
    return read_counts(result)


def read_counts(result) -> PipelineCounts:
    """The run's counters, summed over steps and workers: the `flywheel` namespace and lines per input file."""
    counts: dict[str, int] = {}
    input_lines: dict[str, int] = {}
    input_files: dict[str, dict[str, str | None]] = {}
    for counter in result.metrics().query(MetricsFilter())["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        namespace, name = counter.key.metric.namespace, counter.key.metric.name
        if namespace == METRICS_NAMESPACE:
            counts[name] = counts.get(name, 0) + int(value)
        elif namespace == INPUT_LINES_NAMESPACE:
            input_lines[name] = input_lines.get(name, 0) + int(value)
        elif namespace == INPUT_STATUS_NAMESPACE and value:
            uri, status, error = parse_input_file_report(name)
            # A retried bundle may report a file twice: a failure outranks a clean read.
            if input_files.get(uri, {}).get("status") in (None, "read"):
                input_files[uri] = {"status": status, "error": error}
    return PipelineCounts(counts, input_lines, input_files)
