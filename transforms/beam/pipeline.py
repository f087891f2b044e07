"""The Beam pipeline for one day of logs: the stages' composite transforms, assembled and run.

    ReadAndParseLogs        log files -> (conversation_id, LogEvents: its events from one run of a file,
                            transforms.beam.log_events); unparseable lines -> quarantine
    ReadNeighbourLogs       the files of the dates around it (late data: transforms.beam.lateness)
    PlaceConversations      -> (conversation_id, [(adapter, event), ...]) per conversation that belongs to the
                            date (grouped once, here); too late -> quarantine
    SessionizeScrubLabel    grouped conversations -> Conversation, sessionized, scrubbed, labeled by the rules
                            (no shuffle of its own); failures -> quarantine
    ReadJudgeCache          with a judge: the lake's earlier judgments, read on the workers
    Judge                   -> final conversations + judgments (undecided turns; earlier verdicts, joined by
                            cache key, as a cache)
    BuildTrainingRows       -> SFT candidates + preference pairs
    ReadDedupIndex          the keys and signatures other days published (an ordered backfill curates in a
                            second pipeline, build_curation_pipeline, once the earlier dates have published)
    CurateTrainingExamples  SFT candidates -> decontaminated, deduplicated, balanced sft + their index keys
    CuratePreferences       preference pairs -> deduplicated preferences + their index keys
    WriteTables             conversations, judgments, sft, preferences -> staged Parquet files, as many as
                            each partition's size needs (LakeConfig.file_mb), written in row groups
    StageDedupIndex         the sft and preference keys -> staged _index/sft_keys files (the same way)
    StageQuarantine         quarantined lines -> staged JSONL file(s), by size

A day larger than the runner's `wave_mb` runs as several such pipelines, one per hash bucket of its
conversations, without curation, then curates all their candidates in passes (`run_day`, `curate_staged`;
transforms.beam.waves, transforms.beam.curation_waves).

Each stage is one named composite (transforms.beam.ingest, conversations, judge, rows, training, write), so
every runner's UI shows the stages by name. Everything a worker needs travels in `DayPlan` (transforms.beam.plan)
or is importable from the installed package, so the same graph runs on FnApiRunner here and on
Dataflow/Flink/Spark elsewhere. Counts are Beam metrics (transforms.beam.metrics); `read_counts` turns them
into the run manifest's counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter

from transforms.beam import curation_waves
from transforms.beam.config import LOCAL_RUNNER, runner_key
from transforms.beam.conversations import SessionizeScrubLabel
from transforms.beam.ingest import ReadAndParseLogs
from transforms.beam.judge import JudgeConversations, ReadJudgeCache
from transforms.beam.lateness import PlaceConversations, ReadNeighbourLogs
from transforms.beam.metrics import (
    INPUT_LINES_NAMESPACE, INPUT_STATUS_NAMESPACE, METRICS_NAMESPACE, parse_input_file_report,
)
from transforms.beam.options import make_runner, pipeline_options
from transforms.beam.plan import DayPlan
from transforms.beam.rows import BuildTrainingRows
from transforms.beam.dedup import ReadDedupIndex, StageDedupIndex
from transforms.beam.training import CuratePreferences, CurateTrainingExamples, ReadCandidates, StageCandidates
from transforms.beam.waves import Wave, waves_for
from transforms.beam.write import StageQuarantine, WriteTables
from transforms.ingest.files import input_bytes
from transforms.label.judge_config import JudgeConfig


# The tables curated before they are written (the others are written as the day's steps make them).
CURATED = ("sft", "preferences")


@dataclass
class DayOutputs:
    conversations: beam.PCollection
    judgments: beam.PCollection
    sft: beam.PCollection
    preferences: beam.PCollection
    quarantine: beam.PCollection


def parse_and_process(pipeline: beam.Pipeline, plan: DayPlan) -> DayOutputs:
    """The day's processing graph up to (not including) curation and the writes: testable with assert_that.
    With a judge, the lake's earlier judgments are its cache (read on the workers: ReadJudgeCache)."""
    parsed = pipeline | "ReadAndParseLogs" >> ReadAndParseLogs(plan.files, plan.log_format, plan.day, plan.ingest,
                                                               plan.wave)
    # A conversation belongs to the first log date it arrived in; its late events come from the next dates' logs.
    neighbours = pipeline | "ReadNeighbourLogs" >> ReadNeighbourLogs(
        plan.later_files, plan.earlier_files, plan.log_format, plan.ingest, plan.wave)
    placed = (parsed[ReadAndParseLogs.EVENTS], neighbours) | "PlaceConversations" >> PlaceConversations(
        plan.day, plan.late_window_days)
    labeled = placed[PlaceConversations.EVENTS] | "SessionizeScrubLabel" >> SessionizeScrubLabel(plan.scrub, plan.ingest)
    cache = (pipeline | "ReadJudgeCache" >> ReadJudgeCache(plan.lake.lake_uri)) if plan.judge else None
    judged = labeled[SessionizeScrubLabel.CONVERSATIONS] | "Judge" >> JudgeConversations(
        plan.judge, plan.runner.workers, cache, scrub=plan.scrub)
    conversations = judged[JudgeConversations.CONVERSATIONS]
    rows = conversations | "BuildTrainingRows" >> BuildTrainingRows(plan.policy)
    quarantine = (
        (parsed[ReadAndParseLogs.QUARANTINE], placed[PlaceConversations.QUARANTINE],
         labeled[SessionizeScrubLabel.QUARANTINE])
        | "All quarantine" >> beam.Flatten()
    )
    return DayOutputs(conversations, judged[JudgeConversations.JUDGMENTS], rows[BuildTrainingRows.SFT],
                      rows[BuildTrainingRows.PREFERENCES], quarantine)


def build_day_pipeline(pipeline: beam.Pipeline, plan: DayPlan,
                       curate: bool = True) -> None:
    """Add one day's graph to `pipeline`: parse, group by conversation, process, curate, stage the outputs.

    curate=False stops before curation: the SFT and preference candidates are staged (StageCandidates) for
    `build_curation_pipeline`, which an ordered backfill runs once the earlier dates have published
    (flows.ordering). Both ways stage the same bytes. A wave of a day run in waves (`plan.wave`) is never
    curated here: `run_day` curates all waves' candidates at once."""
    if plan.wave.count > 1 and curate:
        raise ValueError("a wave's candidates are curated with the other waves' (run_day), not alone")
    outputs = parse_and_process(pipeline, plan)
    lake = plan.lake
    tables = {"conversations": outputs.conversations, "judgments": outputs.judgments}
    if curate:
        tables.update(_curate(pipeline, plan, outputs.sft, outputs.preferences))
    else:
        outputs.sft | "StageSFTCandidates" >> StageCandidates(lake, plan.run_id, plan.day, wave=plan.wave)
        outputs.preferences | "StagePreferenceCandidates" >> StageCandidates(
            lake, plan.run_id, plan.day, table="preferences", wave=plan.wave)
    tables | "WriteTables" >> WriteTables(lake, plan.run_id, plan.day, plan.wave)
    outputs.quarantine | "StageQuarantine" >> StageQuarantine(lake, plan.run_id, plan.day, plan.wave)


def build_curation_pipeline(pipeline: beam.Pipeline, plan: DayPlan) -> None:
    """The second half of `build_day_pipeline(curate=False)`: the staged SFT and preference candidates, curated
    against the index as it is now, staged as the run's sft, preferences and index partitions."""
    lake = plan.lake
    sft = pipeline | "ReadSFTCandidates" >> ReadCandidates(lake.lake_uri, plan.run_id, plan.day)
    preferences = pipeline | "ReadPreferenceCandidates" >> ReadCandidates(lake.lake_uri, plan.run_id, plan.day,
                                                                          table="preferences")
    _curate(pipeline, plan, sft, preferences) | "WriteTables" >> WriteTables(lake, plan.run_id, plan.day)


def _curate(pipeline: beam.Pipeline, plan: DayPlan, sft: beam.PCollection,
            preferences: beam.PCollection) -> dict[str, beam.PCollection]:
    """{"sft": curated SFT examples, "preferences": curated preference rows}; their index keys staged. The
    index's file list is read when the graph is built, its rows on the workers."""
    lake = plan.lake
    # Dedup against every other published day (not this one: a rerun must not dedup against itself), exact
    # and near-duplicate; for SFT also decontamination, category caps and weights.
    earlier = pipeline | "ReadDedupIndex" >> ReadDedupIndex(lake.lake_uri, exclude_day=plan.day)
    curated = sft | "CurateTrainingExamples" >> CurateTrainingExamples(plan.policy, prior=earlier)
    curated_preferences = preferences | "CuratePreferences" >> CuratePreferences(plan.policy, prior=earlier)
    ((curated[CurateTrainingExamples.INDEX_ROWS], curated_preferences[CuratePreferences.INDEX_ROWS])
     | "All index rows" >> beam.Flatten()
     | "StageDedupIndex" >> StageDedupIndex(lake, plan.run_id, plan.day))
    return {"sft": curated[CurateTrainingExamples.EXAMPLES],
            "preferences": curated_preferences[CuratePreferences.PREFERENCES]}


@dataclass
class PipelineCounts:
    counts: dict[str, int]
    input_lines: dict[str, int]
    # uri -> {"status": ..., "error": ...}: how reading each input file ended (schemas.outputs.InputFile).
    input_files: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def plus(self, other: PipelineCounts) -> PipelineCounts:
        """Both pipelines' counters of one run (a run curated apart: run_curation_pipeline)."""
        counts = dict(self.counts)
        for name, value in other.counts.items():
            counts[name] = counts.get(name, 0) + value
        lines = dict(self.input_lines)
        for uri, value in other.input_lines.items():
            lines[uri] = lines.get(uri, 0) + value
        return PipelineCounts(counts, lines, {**self.input_files, **other.input_files})


def run_day_pipeline(plan: DayPlan, curate: bool = True) -> PipelineCounts:
    """Run one day's pipeline on `plan.runner` to completion; return its counters (curate: build_day_pipeline)."""
    return _run(plan, lambda pipeline: build_day_pipeline(pipeline, plan, curate=curate))


def run_day(plan: DayPlan, curate: bool = True) -> PipelineCounts:
    """Run one day to completion, in one pipeline or, when its input is larger than the runner's `wave_mb`, in
    waves (transforms.beam.waves) and then curation in passes (curate_staged); the counters of all of them.

    curate=False: as run_day_pipeline's (the caller runs run_curation_pipeline when it is time). The judge's
    budget is the run's: each wave gets what the earlier waves left. A file that could not be read to its end
    stops the waves after the first (it reports the files): the run fails on it anyway."""
    wave_mb = plan.runner.effective_wave_mb
    # Off (a cluster runner's default): the files' sizes are not even asked for (a request per file on a store).
    waves = waves_for(input_bytes(list(plan.files)), wave_mb) if wave_mb > 0 else 1
    if waves == 1:
        return run_day_pipeline(plan, curate=curate)
    total: PipelineCounts | None = None
    for index in range(waves):
        wave_plan = replace(plan, wave=Wave(index, waves), judge=_judge_budget_left(plan.judge, total))
        counts = run_day_pipeline(wave_plan, curate=False)
        total = counts if total is None else total.plus(counts)
        if any(report.get("status") != "read" for report in total.input_files.values()):
            return total
    total.counts["waves"] = waves
    return total.plus(curate_staged(plan, waves)) if curate else total


def _judge_budget_left(judge: JudgeConfig | None, spent: PipelineCounts | None) -> JudgeConfig | None:
    """The run's judge budget less what the earlier waves' counters say they used (HTTP calls, tokens)."""
    if judge is None or spent is None:
        return judge
    used = {"max_calls": spent.counts.get("judge.calls", 0),
            "max_tokens": spent.counts.get("judge.prompt_tokens", 0) + spent.counts.get("judge.completion_tokens", 0)}
    return judge.model_copy(update={name: max(0, getattr(judge, name) - value) for name, value in used.items()
                                    if getattr(judge, name) is not None})


def run_curation_pipeline(plan: DayPlan) -> PipelineCounts:
    """Curate what `run_day_pipeline(plan, curate=False)` staged; return its counters."""
    return _run(plan, lambda pipeline: build_curation_pipeline(pipeline, plan))


def curate_staged(plan: DayPlan, waves: int) -> PipelineCounts:
    """Curate a run's staged candidates: in one pipeline, or for a day run in waves table by table, each in
    passes that never hold the whole day (transforms.beam.curation_waves: an exact pass, `waves` near passes
    over their share of the LSH buckets, a final pass)."""
    if waves == 1:
        return run_curation_pipeline(plan)
    if runner_key(plan.runner.runner) == runner_key(LOCAL_RUNNER) and plan.runner.workers > 1:
        # The passes are short: on the local runner, starting worker processes for each of them costs more than
        # they save (a 15,000-conversation day with 2 workers was slower than with 1).
        plan = replace(plan, runner=plan.runner.model_copy(update={"workers": 1}))
    total = PipelineCounts({}, {})
    for table in CURATED:
        total = total.plus(_run(plan, lambda p: curation_waves.build_exact_pass(p, plan, table)))
        for index in range(waves):
            total = total.plus(_run(plan, lambda p: curation_waves.build_near_pass(p, plan, table, index, waves)))
        total = total.plus(_run(plan, lambda p: curation_waves.build_final_pass(p, plan, table)))
    return total


def _run(plan: DayPlan, build: Callable[[beam.Pipeline], None]) -> PipelineCounts:
    """Build one pipeline with `build` on `plan.runner`, run it to completion; its counters."""
    pipeline = beam.Pipeline(runner=make_runner(plan.runner), options=pipeline_options(plan.runner))
    build(pipeline)
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
