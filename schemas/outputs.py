"""Gold layer: training rows, plus what a run records about itself."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from schemas import SCHEMA_VERSION


class ChatMessage(BaseModel):
    """The chat format Hugging Face `datasets`, TRL and most trainers read as-is.

    `train` says whether the loss covers this message: the target (last) assistant message always; earlier
    assistant messages only when the selection policy's loss scope is "all". Exports honour it.
    """

    role: str
    content: str
    train: bool = False


class SFTExample(BaseModel):
    """One supervised fine-tuning example: the context plus the target assistant turn (last message)."""

    schema_version: int = SCHEMA_VERSION
    # Deterministic: hash of conversation id, target message id and the messages' content.
    example_id: str
    messages: list[ChatMessage]
    conversation_id: str
    target_message_id: str
    target_turn_index: int
    label: str
    # Every rule that decided the label: provenance of why this example was selected.
    rule_ids: list[str] = Field(default_factory=list)
    source: str
    model: str | None = None
    # How the target answer was obtained: "original" (the logged answer, selected on its signals),
    # "user_edit" (the user's edited answer), "regenerated_accepted" (the accepted regeneration after a
    # rejected one), "judge_correction" (the judge's answer built from the user's correction).
    derivation: str = "original"
    quality_score: float | None = None
    # Task category (coding, math, writing, qa, translation, chitchat, other) and language of the prompt.
    category: str | None = None
    language: str | None = None
    # Upsampling weight from the balance policy (1.0 = as is).
    sample_weight: float = 1.0


class PreferencePair(BaseModel):
    """A preference row: DPO (prompt, chosen, rejected) or KTO (prompt, completion, desirable label).

    `prompt` is the chat context before the answer(s). Provenance names the turns and how the pair came about.
    """

    schema_version: int = SCHEMA_VERSION
    pair_id: str
    kind: str  # "dpo" or "kto"
    prompt: list[ChatMessage]
    chosen: str | None = None
    rejected: str | None = None
    completion: str | None = None
    # KTO: True = desirable completion, False = undesirable.
    desirable: bool | None = None
    # "thumbs", "rating", "regeneration", "user_edit", "judge_correction"
    derivation: str
    conversation_id: str
    chosen_message_id: str | None = None
    rejected_message_id: str | None = None
    rule_ids: list[str] = Field(default_factory=list)
    source: str
    category: str | None = None
    language: str | None = None


class Judgment(BaseModel):
    """One LLM-judge call's verdict on one assistant turn (the `judgments` table and the judge cache).

    `cache_key` = hash(judged content, rubric version, model): a rerun or backfill that meets the same
    content under the same rubric and model reuses this row instead of calling the judge again.
    """

    schema_version: int = SCHEMA_VERSION
    judgment_id: str
    cache_key: str
    conversation_id: str
    message_id: str
    turn_index: int
    rubric_version: str
    model: str
    # Why this turn was judged: "undecided" (rules could not decide) or "calibration" (a sampled decided turn).
    reason: Literal["undecided", "calibration"]
    # "ok", or "failed" (errors, invalid answers: the turn keeps its rules label and is marked judge_failed).
    status: Literal["ok", "failed"]
    quality: int | None = None
    rationale: str | None = None
    satisfaction: str | None = None
    feedback_category: str | None = None
    corrected_answer: str | None = None
    rules_label: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    judged_at: datetime


class DedupKey(BaseModel):
    """One row of the dedup index (<lake>/_index/sft_keys/dt=.../): the keys of a published training row (an
    SFT example or a preference row), so later days never publish the same row, or a near-duplicate, again.
    The day is the partition (dt=)."""

    schema_version: int = SCHEMA_VERSION
    exact_key: str
    # The row's id: an SFT example_id or a preference row's pair_id.
    example_id: str
    # The rows it is compared with (transforms.training.dedup.DedupSubject): "sft", "dpo", "kto.desirable",
    # "kto.undesirable". Index files written before preferences were indexed hold SFT keys only.
    group: str = "sft"
    # MinHash signature (uint32 little-endian, transforms.training.dedup.minhash_signatures) of the row's
    # near-duplicate text; None when it has none (an empty prompt) or the file predates signatures.
    near_signature: bytes | None = None


class QuarantinedLine(BaseModel):
    """A log line that failed to parse or validate. Raw, so it lives outside the lake, owner-only."""

    reason: str
    source_uri: str
    line_number: int
    raw_line: str


# How reading an input file ended. "read": to its end. "truncated" (a compressed stream cut short),
# "unreadable" (cannot be opened, listed or decompressed) and "over_cap" (more decompressed bytes than
# FLYWHEEL_INGEST__MAX_FILE_BYTES) fail the run: a partial day is never published as complete.
# "skipped_not_regular": a FIFO, socket or device named *.jsonl, recorded and skipped, the run goes on.
InputFileStatus = Literal["read", "truncated", "unreadable", "over_cap", "skipped_not_regular"]
INPUT_FAILURE_STATUSES: tuple[InputFileStatus, ...] = ("truncated", "unreadable", "over_cap")


# A source file as a manifest names it (`scrub_source_uri`): what follows the day directory hashed.
_DAY_DIR = re.compile(r"^(?P<dir>.*(?:^|/)(?:dt=)?\d{4}-\d{2}-\d{2})/(?P<rest>.+)$")
_SCRUBBED_NAME = re.compile(r"^file-[0-9a-f]{16}(?:\.jsonl(?:\.gz)?)?$")
_SUFFIX = re.compile(r"(\.jsonl(?:\.gz)?)$")


def scrub_source_uri(uri: str) -> str:
    """A source file's URI without its name: file names (and folders below the day) can hold an email.

    `<source>/2026-11-28/alice@example.com/app.jsonl.gz` -> `<source>/2026-11-28/file-<16 hex>.jsonl.gz`, the
    hex being sha256 of `alice@example.com/app.jsonl.gz` (the part below the day directory): stable, so runs
    of the same file compare; to find a file, hash the candidates' names. Already scrubbed URIs stay as they are.
    """
    if _SCRUBBED_NAME.match(uri.rsplit("/", 1)[-1]):
        return uri
    match = _DAY_DIR.match(uri)
    if match:
        folder, rest = match.group("dir"), match.group("rest")
    else:  # not under a day directory: only the name goes
        folder, _, rest = uri.rpartition("/")
    suffix = _SUFFIX.search(rest)
    name = f"file-{hashlib.sha256(rest.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}{suffix.group(1) if suffix else ''}"
    return f"{folder}/{name}" if folder else name


class InputFile(BaseModel):
    # Scrubbed on the way in (scrub_source_uri): a manifest never holds a source file's name.
    uri: str
    lines: int
    status: InputFileStatus = "read"
    # Why reading stopped, naming the line; never the file's content.
    error: str | None = None

    @field_validator("uri")
    @classmethod
    def _scrub_uri(cls, value: str) -> str:
        return scrub_source_uri(value)


class LateInput(BaseModel):
    """A file of a later date that a run read for its late events: which, of which date, and how big it was."""

    uri: str  # scrubbed like InputFile.uri
    dt: str
    bytes: int

    @field_validator("uri")
    @classmethod
    def _scrub_uri(cls, value: str) -> str:
        return scrub_source_uri(value)


class RunProvenance(BaseModel):
    """What made a run's rows, for the data card of an export (flows/day.py records it when the run starts).

    Settings only, never content or secrets; eval sets by file name only (their paths can name people).
    """

    # The training policy as set (transforms.training.policy.TrainingPolicy, eval_sets by file name), each value
    # as JSON text (one Arrow type for the runs view), and a hash of the whole policy, eval set paths included:
    # two runs with the same hash selected rows the same way.
    policy: dict[str, str] = Field(default_factory=dict)
    policy_hash: str
    rules_version: str
    # None = rules only. Rubric = its version (the file's stem), which keys the judgment cache.
    judge_model: str | None = None
    judge_rubric: str | None = None
    scrub_mode: str
    scrub_replacement: str
    # Whether decontamination ran (an eval set was configured) and against which sets.
    decontamination_sets: list[str] = Field(default_factory=list)


class RunManifest(BaseModel):
    """One per run (one date), under lake/_runs/. Counts only: never content."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    flow: str
    dt: str
    # "running" while the run works; then "succeeded", "failed" or "no_input" (no log files for the date).
    status: Literal["running", "succeeded", "failed", "no_input"]
    started_at: datetime
    finished_at: datetime | None = None
    config_hash: str
    judge_mode: str
    versions: dict[str, str] = Field(default_factory=dict)
    inputs: list[InputFile] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    pii_counts: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    # A failed run: the exception's class name (never its message) and whether a retry may help (storage I/O,
    # network, judge endpoint down: flows/retry.py). The Prefect task retries only transient failures.
    error_type: str | None = None
    transient: bool = False
    # Guard rails (flows/guards.py): `forced` = run with --force, so a tripped rail did not stop it;
    # `guard_rails` = every rail the run tripped (name -> why, counts only): it failed the run, or was overridden.
    forced: bool = False
    guard_rails: dict[str, str] = Field(default_factory=dict)
    # Late data (flows/late.py, README "Late data"): the window this run applied; the later dates' files it read
    # (a date is re-opened only when its committed run has not read the later date's files as they are now);
    # the earlier dates this run republished because its logs held late events of theirs (counts per date in
    # `counts["late_events.<date>"]`), and those whose republishing failed (rerun this date to retry them).
    late_window_days: int = 0
    late_inputs: list[LateInput] = Field(default_factory=list)
    reopened_dates: list[str] = Field(default_factory=list)
    reopen_failed: list[str] = Field(default_factory=list)
    # What made the rows (None in manifests written before it was recorded).
    provenance: RunProvenance | None = None
