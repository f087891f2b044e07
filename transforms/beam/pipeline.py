"""The Beam pipeline for one day of logs: a thin wrapper around the plain steps.

    log files ─ParseLogFileDoFn─▶ (conversation_id, event) ─GroupByKey─▶ ProcessConversationDoFn
        └─▶ quarantine                                          (sessionize, scrub, rules)
    ─BatchElements─▶ JudgeConversationsDoFn (judge where rules cannot decide; cache side input)
        ├─▶ conversations, judgments ─▶ shards ─▶ staging
        └─▶ BuildTrainingRowsDoFn ─▶ preferences ─▶ shards ─▶ staging
                                  └─▶ SFT ─▶ CurateTrainingExamples (decontaminate, dedup, caps)
                                             ─▶ sft + dedup index ─▶ shards ─▶ staging

Everything a worker needs travels in `DayPlan` (plain, picklable) or is importable from the installed
package, so the same graph runs on FnApiRunner here and on Dataflow/Flink/Spark elsewhere.
Counts are Beam metrics in the `flywheel` namespace; the flow reads them into the run manifest.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.pvalue import TaggedOutput

from transforms.training.policy import TrainingPolicy
from schemas.conversation import Conversation
from schemas.outputs import Judgment, PreferencePair, QuarantinedLine, SFTExample
from transforms.conversation_step import process_conversation, with_row_id
from transforms.label.judge import Judge, JudgeConfig
from transforms.label.verdicts import apply_judgments, items_to_judge
from transforms.beam.training import CurateTrainingExamples, ReadDedupIndex, StageDedupIndex
from transforms.training.rows import build_training_rows
from transforms.ingest.files import read_lines
from transforms.ingest.lines import parse_line
from transforms.ingest.records import MalformedLine
from datalake.partitions import staging_partition, write_rows
from datalake.quarantine import stage_quarantine
from datalake.tables import shard_file_name

METRICS_NAMESPACE = "flywheel"
# Lines read per input file: the counter's name is the file's URI.
INPUT_LINES_NAMESPACE = "flywheel.input_lines"


@dataclass(frozen=True)
class DayPlan:
    """What one day's pipeline needs to know. Plain values only: it is pickled to every worker."""

    day: date
    run_id: str
    files: tuple[str, ...]
    log_format: str
    lake_uri: str
    quarantine_uri: str
    shards: int
    scrub_mode: str
    spacy_model: str
    scrub_replacement: str = "placeholder"
    # None = rules only. The judge's call/token budget is split evenly over `workers`.
    judge: JudgeConfig | None = None
    workers: int = 1
    policy: TrainingPolicy = field(default_factory=TrainingPolicy)
    # Key of the hash behind user_hash and ids that held PII (setting id_hash_key); never printed.
    id_hash_key: str | None = field(default=None, repr=False)


def _count(name: str, value: int = 1) -> None:
    Metrics.counter(METRICS_NAMESPACE, name).inc(value)


def shard_of(key: str, shards: int) -> int:
    """A stable shard for a key (Python's hash() is salted per process, so it cannot be used)."""
    return zlib.crc32(key.encode("utf-8")) % shards


class ParseLogFileDoFn(beam.DoFn):
    """A log file's URI -> (conversation_id, (adapter, event)) per event; rejected lines -> 'quarantine'."""

    QUARANTINE = "quarantine"

    def __init__(self, log_format: str):
        self._log_format = log_format

    def process(self, uri: str):
        read = blank = accepted = rejected = 0
        line_number = 0
        try:
            for line_number, line in read_lines(uri):
                read += 1
                if not line.strip():
                    blank += 1
                    continue
                try:
                    adapter, events = parse_line(line, self._log_format)
                except MalformedLine as exc:
                    rejected += 1
                    yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                        reason=exc.reason, source_uri=uri, line_number=line_number, raw_line=line))
                    continue
                accepted += 1
                _count("events_accepted", len(events))
                for event in events:
                    yield event.conversation_id, (adapter, event)
        except (OSError, EOFError, ValueError) as exc:
            # A truncated gzip or unreadable file: keep what was read, record where it broke.
            read += 1
            rejected += 1
            yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                reason=f"unreadable file after line {line_number}: {type(exc).__name__}",
                source_uri=uri, line_number=line_number + 1, raw_line=""))
        _count("files_read")
        _count("lines_read", read)
        _count("lines_blank", blank)
        _count("lines_accepted", accepted)
        _count("lines_quarantined", rejected)
        Metrics.counter(INPUT_LINES_NAMESPACE, uri).inc(read)


def _event_order(tagged: tuple[str, object]) -> tuple:
    # GroupByKey gives values in no fixed order: sort so reruns see the same arrival order.
    _, event = tagged
    return (event.timestamp, event.type, getattr(event, "message_id", None) or "",
            getattr(event, "event_id", None) or "", event.model_dump_json())


class ProcessConversationDoFn(beam.DoFn):
    """(conversation_id, events) -> Conversation, scrubbed and labeled by the rules.

    The scrubber (Presidio + spaCy) is loaded once per worker in `setup`. A conversation that fails is
    not dropped: its events go to quarantine with the error's type (never its message, which could
    quote raw text).
    """

    QUARANTINE = "quarantine"

    def __init__(self, scrub_mode: str, spacy_model: str, scrub_replacement: str = "placeholder",
                 id_hash_key: str | None = None):
        self._scrub_mode = scrub_mode
        self._spacy_model = spacy_model
        self._scrub_replacement = scrub_replacement
        self._id_hash_key = id_hash_key
        self._scrubber = None

    def setup(self):
        from transforms.scrub.scrubber import Scrubber

        self._scrubber = Scrubber(mode=self._scrub_mode, spacy_model=self._spacy_model,
                                  replacement=self._scrub_replacement)

    def process(self, keyed):
        conversation_id, tagged_events = keyed
        tagged_events = sorted(tagged_events, key=_event_order)
        source = tagged_events[0][0]
        events = [event for _, event in tagged_events]
        try:
            result = process_conversation(conversation_id, events, source, self._scrubber, self._id_hash_key)
        except Exception as exc:  # noqa: BLE001 - a bad conversation must not sink the day
            _count("conversations_failed")
            yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                reason=f"conversation failed in processing: {type(exc).__name__}",
                source_uri=f"conversation:{conversation_id}", line_number=0,
                raw_line=json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False)))
            return
        conversation = result.conversation
        _count("conversations")
        _count("turns", conversation.n_turns)
        _count("feedback_unattached", result.unattached_feedback)
        for entity in conversation.pii_entities:
            _count(f"pii.{entity.entity_type}", entity.count)
        yield conversation


def judge_share(config: JudgeConfig | None, workers: int) -> JudgeConfig | None:
    """Each worker's share of the run's judge budget (one Judge per worker keeps its own count)."""
    if config is None or workers <= 1:
        return config
    share = {k: math.ceil(getattr(config, k) / workers) for k in ("max_calls", "max_tokens")
             if getattr(config, k) is not None}
    return config.model_copy(update=share)


class JudgeConversationsDoFn(beam.DoFn):
    """Batches of rules-labeled conversations -> final conversations (main) and Judgment rows ('judgments').

    The judge runs on the turns the rules left undecided plus a calibration sample, through one `Judge`
    per worker (its budget spans the worker's batches). Earlier judgments arrive as the `cache` side
    input, so reruns and backfills do not pay twice. With no judge configured, turns are only marked.
    """

    JUDGMENTS = "judgments"

    def __init__(self, judge_config: JudgeConfig | None):
        self._config = judge_config
        self._judge: Judge | None = None

    def setup(self):
        if self._config is not None:
            self._judge = Judge(self._config)

    def teardown(self):
        if self._judge is not None:
            self._judge.close()

    def process(self, batch, cache):
        judgments: dict[str, dict[str, Judgment]] = defaultdict(dict)  # conversation id -> message id -> judgment
        skipped: dict[str, set[str]] = defaultdict(set)
        cached_ids: set[str] = set()
        if self._judge is not None:
            rate, seed = self._config.calibration_rate, self._config.seed
            items = [item for c in batch for item in items_to_judge(c, rate, seed)]
            if items:
                run = self._judge.run(items, cache)
                for name, value in run.counts().items():
                    _count(name.replace("judge_", "judge."), value)
                for judgment in run.judgments:
                    judgments[judgment.conversation_id][judgment.message_id] = judgment
                for item in run.skipped:
                    skipped[item.conversation_id].add(item.message_id)
                cached_ids = run.cached_ids
        for conversation in batch:
            cid = conversation.conversation_id
            final = with_row_id(apply_judgments(conversation, judgments.get(cid, {}), skipped.get(cid, set()),
                                                cached_ids, judge_configured=self._judge is not None))
            for turn in final.turns:
                _count("feedback_attached", len(turn.feedback))
                if turn.role == "assistant":
                    _count("assistant_turns")
                    _count(f"label.{turn.label.value}")
                    _count(f"judge_status.{turn.judge_status}")
            yield final
        for by_message in judgments.values():
            for judgment in by_message.values():
                yield TaggedOutput(self.JUDGMENTS, judgment)


class BuildTrainingRowsDoFn(beam.DoFn):
    """A final conversation -> SFT candidates (main) and preference rows ('preferences').

    Every filter's and selection rule's drop count becomes a counter, so the manifest says why rows went.
    """

    PREFERENCES = "preferences"

    def __init__(self, policy: TrainingPolicy):
        self._policy = policy

    def process(self, conversation):
        candidates = build_training_rows(conversation, self._policy)
        for reason, count in candidates.dropped.items():
            _count(reason, count)
        _count("sft_candidates", len(candidates.sft))
        for pair in candidates.preferences:
            _count(f"preferences.{pair.kind}")
            yield TaggedOutput(self.PREFERENCES, pair)
        yield from candidates.sft


class WriteShardDoFn(beam.DoFn):
    """(shard, rows) -> one Parquet file in the run's staging partition, rows sorted by id."""

    def __init__(self, table: str, model: type, plan: DayPlan, id_field: str):
        self._table = table
        self._model = model
        self._plan = plan
        self._id_field = id_field

    def process(self, keyed):
        shard, rows = keyed
        rows = sorted(rows, key=lambda row: getattr(row, self._id_field))
        folder = staging_partition(self._plan.lake_uri, self._plan.run_id, self._table, self._plan.day)
        size = write_rows(f"{folder}/{shard_file_name(shard, self._plan.shards)}", self._model, rows)
        _count(f"rows.{self._table}", len(rows))
        _count(f"bytes_written.{self._table}", size)
        yield self._table, len(rows)


class StageQuarantineDoFn(beam.DoFn):
    def __init__(self, plan: DayPlan):
        self._plan = plan

    def process(self, keyed):
        _, lines = keyed
        stage_quarantine(self._plan.quarantine_uri, self._plan.run_id, self._plan.day, list(lines))


def _write_table(rows, table: str, model: type, plan: DayPlan, id_field: str, key_field: str):
    return (
        rows
        | f"Shard {table}" >> beam.Map(lambda row: (shard_of(getattr(row, key_field), plan.shards), row))
        | f"Group {table} by shard" >> beam.GroupByKey()
        | f"Write {table}" >> beam.ParDo(WriteShardDoFn(table, model, plan, id_field))
    )


@dataclass
class DayOutputs:
    conversations: beam.PCollection
    judgments: beam.PCollection
    sft: beam.PCollection
    preferences: beam.PCollection
    quarantine: beam.PCollection


def parse_and_process(pipeline: beam.Pipeline, plan: DayPlan, judge_cache: list[Judgment] = ()) -> DayOutputs:
    """The day's processing graph up to (not including) the writes: testable with assert_that."""
    parsed = (
        pipeline
        | "List files" >> beam.Create(sorted(plan.files))
        # Files are independent units of work: let the runner spread them over workers.
        | "Spread files" >> beam.Reshuffle()
        | "Parse lines" >> beam.ParDo(ParseLogFileDoFn(plan.log_format)).with_outputs(
            ParseLogFileDoFn.QUARANTINE, main="events")
    )
    labeled = (
        parsed.events
        | "Group by conversation" >> beam.GroupByKey()
        | "Scrub and label" >> beam.ParDo(
            ProcessConversationDoFn(plan.scrub_mode, plan.spacy_model, plan.scrub_replacement,
                                    plan.id_hash_key)).with_outputs(
            ProcessConversationDoFn.QUARANTINE, main="conversations")
    )
    cache = (
        pipeline
        | "Earlier judgments" >> beam.Create([(j.cache_key, j) for j in judge_cache if j.status == "ok"])
    )
    judged = (
        labeled.conversations
        # Batches let the judge keep several requests in flight across conversations.
        | "Batch for the judge" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
        | "Judge undecided turns" >> beam.ParDo(
            JudgeConversationsDoFn(judge_share(plan.judge, plan.workers)),
            cache=beam.pvalue.AsDict(cache)).with_outputs(JudgeConversationsDoFn.JUDGMENTS, main="conversations")
    )
    training = judged.conversations | "Build training rows" >> beam.ParDo(
        BuildTrainingRowsDoFn(plan.policy)).with_outputs(BuildTrainingRowsDoFn.PREFERENCES, main="sft")
    quarantine = (
        (parsed[ParseLogFileDoFn.QUARANTINE], labeled[ProcessConversationDoFn.QUARANTINE])
        | "All quarantine" >> beam.Flatten()
    )
    return DayOutputs(judged.conversations, judged[JudgeConversationsDoFn.JUDGMENTS], training.sft,
                      training[BuildTrainingRowsDoFn.PREFERENCES], quarantine)


def build_day_pipeline(pipeline: beam.Pipeline, plan: DayPlan, judge_cache: list[Judgment] = ()) -> None:
    """Add one day's graph to `pipeline`: parse, group by conversation, process, stage the outputs."""
    outputs = parse_and_process(pipeline, plan, judge_cache)
    _write_table(outputs.conversations, "conversations", Conversation, plan, "row_id", "conversation_id")
    _write_table(outputs.judgments, "judgments", Judgment, plan, "judgment_id", "conversation_id")
    # Dedup against every other published day (not this one: a rerun must not dedup against itself),
    # near-duplicates, decontamination, category caps and weights; then the survivors and their index keys.
    earlier_keys = pipeline | "Read dedup index" >> ReadDedupIndex(plan.lake_uri, exclude_day=plan.day)
    curated = outputs.sft | "Curate SFT" >> CurateTrainingExamples(plan.policy, prior_keys=earlier_keys)
    _write_table(curated["examples"], "sft", SFTExample, plan, "example_id", "conversation_id")
    curated["index_rows"] | "Stage dedup index" >> StageDedupIndex(plan.lake_uri, plan.run_id, plan.day, plan.shards)
    _write_table(outputs.preferences, "preferences", PreferencePair, plan, "pair_id", "conversation_id")
    (
        outputs.quarantine
        | "One quarantine file" >> beam.Map(lambda line: (0, line))
        | "Group quarantine" >> beam.GroupByKey()
        | "Stage quarantine" >> beam.ParDo(StageQuarantineDoFn(plan))
    )


def pipeline_options(runner: str, workers: int) -> PipelineOptions:
    """Options for a runner that needs nothing downloaded (never Prism/DirectRunner's default)."""
    flags = [f"--direct_num_workers={workers}"]
    if runner == "PortableRunner":
        # The embedded job server and loopback workers: the portable API without Docker or a download.
        flags += ["--job_endpoint=embed", "--environment_type=LOOPBACK"]
    elif workers > 1:
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


def run_day_pipeline(plan: DayPlan, runner: str = "FnApiRunner", judge_cache: list[Judgment] = ()) -> PipelineCounts:
    """Run one day's pipeline to completion; return its counters."""
    pipeline = beam.Pipeline(runner=make_runner(runner), options=pipeline_options(runner, plan.workers))
    build_day_pipeline(pipeline, plan, judge_cache)
    result = pipeline.run()
    result.wait_until_finish()
    return read_counts(result)


def read_counts(result) -> PipelineCounts:
    counts: dict[str, int] = {}
    input_lines: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter())["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        namespace, name = counter.key.metric.namespace, counter.key.metric.name
        if namespace == METRICS_NAMESPACE:
            counts[name] = counts.get(name, 0) + int(value)
        elif namespace == INPUT_LINES_NAMESPACE:
            input_lines[name] = input_lines.get(name, 0) + int(value)
    return PipelineCounts(counts, input_lines)
