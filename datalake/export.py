"""Export the lake's training rows to the formats trainers read, with a split and a data card.

    export_training_data(lake_uri, start, end, fmt, out_dir) -> ExportResult

Formats (one directory per export; every file sorted by row id, so a rerun gives byte-identical files):

    hf-parquet            train.parquet, validation.parquet: Hugging Face `messages` chat format (TRL's
                          SFTTrainer reads it as-is), the per-message train flag as the parallel `train_mask`
                          column, provenance columns beside it.
    openai-jsonl          train.jsonl, validation.jsonl: OpenAI chat fine-tuning lines
                          {"messages": [{"role", "content", "weight"?}]}, each validated against
                          `OpenAIFineTuningLine` before it is written.
    sharegpt-json         train.json, validation.json (+ *_all_turns.json) and dataset_info.json:
                          LLaMA-Factory's sharegpt format (human/gpt alternating, system in its own field).
    trl-preference-jsonl  dpo-train.jsonl, dpo-validation.jsonl: TRL conversational preference rows
                          {"prompt", "chosen", "rejected"}; kto-train.jsonl, kto-validation.jsonl:
                          {"prompt", "completion", "label"}.

Every export also holds README.md, the data card (counts only, never content), and a `.flywheel-export`
marker: an existing directory is only ever replaced by a new export when it holds that marker (or is
empty). The export is built in a hidden sibling directory and renamed into place, so no reader sees half
of one.

The split is by conversation: hash(seed, conversation_id) below `validation_share` -> validation. All rows
of one conversation (its SFT examples and its preference rows alike) land in the same split, and the same
seed gives the same split on every run and machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import secrets
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any, Callable, Iterable, Iterator, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.errors import FlywheelError
from schemas import SCHEMA_VERSION
from schemas.arrow import arrow_schema
from schemas.outputs import PreferencePair, SFTExample
from datalake.manifests import read_manifests
from datalake.tables import partition_name

EXPORT_FORMATS = ("hf-parquet", "openai-jsonl", "sharegpt-json", "trl-preference-jsonl")
SPLITS = ("train", "validation")
MARKER = ".flywheel-export"
DATA_CARD = "README.md"

SFT_TABLE = "sft"
PREFERENCES_TABLE = "preferences"

# Columns read from the lake (a column an older partition lacks reads as its default).
SFT_COLUMNS = {
    "schema_version": None, "example_id": None, "messages": None, "conversation_id": None, "label": None,
    "source": None, "model": None, "derivation": "original", "quality_score": None, "category": None,
    "language": None, "sample_weight": 1.0,
}
PREFERENCE_COLUMNS = {
    "schema_version": None, "pair_id": None, "kind": None, "prompt": None, "chosen": None, "rejected": None,
    "completion": None, "desirable": None, "derivation": None, "conversation_id": None, "source": None,
    "category": None, "language": None,
}

# The lake's roles in the text formats, which know only system/user/assistant: a tool result becomes a
# user message with its content unchanged (the same in openai-jsonl, sharegpt-json and the TRL prompts).
# hf-parquet keeps every role as logged.
TEXT_ROLES = {"system": "system", "user": "user", "assistant": "assistant", "tool": "user",
              "function": "user", "developer": "system"}


class ExportError(FlywheelError):
    """The export cannot be made. Messages name tables, dates and paths only: never row content."""


@dataclass
class ExportResult:
    # File key (the file name without extension: "train", "validation", "kto-train", ...) -> path.
    files: dict[str, str]
    # Rows per file key, "split.train" / "split.validation" totals, "rows_read", "duplicates",
    # and "skipped.<reason>" for rows left out.
    counts: dict[str, int]
    data_card: str


# --- The OpenAI fine-tuning line, written down -----------------------------------------------------------


class _OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    content: str


class OpenAISystemMessage(_OpenAIMessage):
    role: Literal["system"]


class OpenAIUserMessage(_OpenAIMessage):
    role: Literal["user"]


class OpenAIAssistantMessage(_OpenAIMessage):
    role: Literal["assistant"]
    # 0 or 1, on assistant messages only (any other message with a weight is an extra key, refused):
    # 0 = context only, not trained on.
    weight: Literal[0, 1] | None = None


OpenAIChatMessage = Annotated[
    OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage, Field(discriminator="role")
]


class OpenAIFineTuningLine(BaseModel):
    """One line of an OpenAI chat fine-tuning JSONL file: {"messages": [...]} and no other key.

    Roles system/user/assistant; keys role, content and (assistant only) weight 0/1; at least one user
    message; the last message is a non-empty assistant answer with weight 1.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    messages: list[OpenAIChatMessage]

    @model_validator(mode="after")
    def _ends_with_trained_answer(self) -> "OpenAIFineTuningLine":
        if not any(m.role == "user" for m in self.messages):
            raise ValueError("an example needs a user message")
        last = self.messages[-1] if self.messages else None
        if last is None or last.role != "assistant" or last.weight != 1 or not last.content.strip():
            raise ValueError("the last message must be a non-empty assistant message with weight 1")
        return self


# --- Split --------------------------------------------------------------------------------------------------


def split_of(conversation_id: str, seed: str, validation_share: float) -> str:
    """"validation" when hash(seed, conversation_id) falls below the share, else "train"."""
    digest = hashlib.sha256(f"{seed}\x1f{conversation_id}".encode("utf-8")).digest()
    return "validation" if int.from_bytes(digest[:8], "big") / 2**64 < validation_share else "train"


def _validation_mask(table: pa.Table, seed: str, validation_share: float) -> pa.ChunkedArray:
    """Per row: its conversation is in the validation split (each distinct conversation hashed once)."""
    conversations = pc.unique(table["conversation_id"]).to_pylist()
    validation = [c for c in conversations if split_of(c, seed, validation_share) == "validation"]
    return pc.is_in(table["conversation_id"], value_set=pa.array(validation, pa.string()))


# --- Reading the lake ---------------------------------------------------------------------------------------


@dataclass
class _TableRead:
    table: str
    rows_per_day: dict[str, int] = field(default_factory=dict)
    missing_days: list[str] = field(default_factory=list)  # no partition at all

    @property
    def empty_days(self) -> list[str]:
        return [d for d, n in self.rows_per_day.items() if n == 0]

    @property
    def rows(self) -> int:
        return sum(self.rows_per_day.values())


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _read_table(lake_uri: str, table: str, days: list[date], schema: pa.Schema,
                defaults: dict[str, Any]) -> tuple[pa.Table, _TableRead]:
    """The `schema` columns of a table's partitions for `days`, in date then file order.

    A column an older partition lacks reads as its default (or null).
    """
    fs, root = url_to_fs(lake_uri)
    root = root.rstrip("/") or "/"
    read = _TableRead(table)
    parts = []
    for day in days:
        folder = posixpath.join(root, table, partition_name(day))
        if not fs.isdir(folder):
            read.missing_days.append(day.isoformat())
            continue
        count = 0
        for path in sorted(fs.glob(posixpath.join(folder, "*.parquet"))):
            with fs.open(path, "rb") as handle:
                parquet = pq.ParquetFile(handle)
                names = parquet.schema_arrow.names
                data = parquet.read(columns=[c for c in schema.names if c in names])
            columns = []
            for column in schema:
                if column.name in names:
                    try:
                        columns.append(data[column.name].cast(column.type))
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                        raise ExportError(f"{table}/{partition_name(day)}/{posixpath.basename(path)}: column "
                                          f"{column.name} has type {data.schema.field(column.name).type}, "
                                          f"not {column.type}") from None
                else:
                    default = defaults.get(column.name)
                    columns.append(pa.nulls(data.num_rows, column.type) if default is None
                                   else pa.array([default] * data.num_rows, column.type))
            parts.append(pa.Table.from_arrays(columns, schema=schema))
            count += data.num_rows
        read.rows_per_day[day.isoformat()] = count
    return (pa.concat_tables(parts) if parts else schema.empty_table()), read


def _dedupe(table: pa.Table, key: str) -> tuple[pa.Table, int]:
    """First occurrence of each id (ids hash the content, so a repeat is the same row)."""
    seen: set[str] = set()
    keep = []
    for index, value in enumerate(table[key].to_pylist()):
        if value not in seen:
            seen.add(value)
            keep.append(index)
    if len(keep) == table.num_rows:
        return table, 0
    return table.take(pa.array(keep, pa.int64())), table.num_rows - len(keep)


# --- Row checks (vectorised: one reason per row, or None) ------------------------------------------------


def _np(array: pa.Array | pa.ChunkedArray, fill: Any) -> np.ndarray:
    return pc.fill_null(array, fill).to_numpy(zero_copy_only=False)


@dataclass
class _Lists:
    """A list<struct<role, content, ...>> column flattened: per row its start and length in `roles`."""

    lengths: np.ndarray
    starts: np.ndarray
    roles: pa.Array
    contents: pa.Array
    child: pa.StructArray

    @classmethod
    def of(cls, column: pa.ChunkedArray) -> "_Lists":
        lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        lengths = _np(pc.list_value_length(lists), 0).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if len(lengths) else lengths
        child = lists.flatten()  # StructArray; .field() honours its offset
        return cls(lengths, starts, child.field("role"), child.field("content"), child)

    def count_per_row(self, flags: np.ndarray, last_excluded: bool = False) -> np.ndarray:
        """Per row, how many of its messages have `flags` set (optionally not counting the last)."""
        cumulative = np.concatenate([[0], np.cumsum(flags.astype(np.int64))])
        ends = self.starts + self.lengths - (1 if last_excluded else 0)
        ends = np.maximum(ends, self.starts)
        return cumulative[ends] - cumulative[self.starts]

    def last(self, array: pa.Array) -> pa.Array:
        """Each row's last message's value (rows without messages read index 0: mask them yourself)."""
        index = np.maximum(self.starts + self.lengths - 1, 0)
        return array.take(pa.array(index)) if len(array) else pa.nulls(len(index), array.type)


def _first_reason(rules: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    reasons = np.full(n, None, dtype=object)
    for reason, failed in reversed(rules):  # the first rule that fails names the reason
        reasons[failed] = reason
    return reasons


def _nonblank(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return _np(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(array)), 0), False)


def _sft_problems(table: pa.Table) -> np.ndarray:
    """Why each SFT row cannot be exported, or None. The last message is the target and always trains."""
    n = table.num_rows
    lists = _Lists.of(table["messages"])
    has_messages = lists.lengths > 0
    last_role_ok = has_messages & _np(pc.equal(lists.last(lists.roles), "assistant"), False)
    last_nonblank = has_messages & _nonblank(lists.last(lists.contents))
    is_user = _np(pc.equal(lists.roles, "user"), False)
    unknown = ~_np(pc.is_in(lists.roles, value_set=pa.array(list(TEXT_ROLES))), False)
    return _first_reason([
        ("negative_label", _np(pc.equal(table["label"], "negative"), False)),  # never training data
        ("no_target", ~(last_role_ok & last_nonblank)),
        ("no_user_message", lists.count_per_row(is_user, last_excluded=True) == 0),
        ("unknown_role", lists.count_per_row(unknown) > 0),
    ], n)


def _preference_problems(table: pa.Table) -> np.ndarray:
    n = table.num_rows
    lists = _Lists.of(table["prompt"])
    kind = _np(table["kind"], "")
    is_dpo, is_kto = kind == "dpo", kind == "kto"
    chosen_ok, rejected_ok = _nonblank(table["chosen"]), _nonblank(table["rejected"])
    same = _np(pc.equal(table["chosen"], table["rejected"]), False)
    completion_ok = _nonblank(table["completion"]) & _np(pc.is_valid(table["desirable"]), False)
    is_user = _np(pc.equal(lists.roles, "user"), False)
    unknown = ~_np(pc.is_in(lists.roles, value_set=pa.array(list(TEXT_ROLES))), False)
    return _first_reason([
        ("unknown_kind", ~(is_dpo | is_kto)),
        ("no_user_message", lists.count_per_row(is_user) == 0),
        ("unknown_role", lists.count_per_row(unknown) > 0),
        ("dpo_missing_answer", is_dpo & ~(chosen_ok & rejected_ok)),
        ("dpo_identical_answers", is_dpo & same),
        ("kto_missing_completion_or_label", is_kto & ~completion_ok),
    ], n)


# --- Formats -------------------------------------------------------------------------------------------------

BATCH_ROWS = 8192


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _python_rows(table: pa.Table, columns: list[str]) -> Iterator[dict[str, Any]]:
    """The rows as dicts, a batch at a time (only the batch is held as Python objects)."""
    for batch in table.select(columns).to_batches(max_chunksize=BATCH_ROWS):
        yield from batch.to_pylist()


def _train_flags(messages: list[dict[str, Any]]) -> list[bool]:
    flags = [bool(m.get("train")) for m in messages]
    flags[-1] = True  # the target
    return flags


HF_SCHEMA = pa.schema([
    pa.field("example_id", pa.string()),
    pa.field("messages", pa.list_(pa.struct([pa.field("role", pa.string()), pa.field("content", pa.string())]))),
    # train_mask[i]: the loss covers messages[i] (the target always; earlier assistant turns when selected).
    pa.field("train_mask", pa.list_(pa.bool_())),
    pa.field("conversation_id", pa.string()),
    pa.field("category", pa.string()),
    pa.field("language", pa.string()),
    pa.field("source", pa.string()),
    pa.field("derivation", pa.string()),
    pa.field("model", pa.string()),
    pa.field("quality_score", pa.float64()),
    pa.field("sample_weight", pa.float64()),
])


def hf_table(table: pa.Table) -> pa.Table:
    """SFT rows as the Hugging Face `messages` table (built column-wise in Arrow, no Python rows)."""
    lists = _Lists.of(table["messages"])
    offsets = pa.array(np.concatenate([[0], np.cumsum(lists.lengths)]).astype(np.int32))
    messages = pa.ListArray.from_arrays(offsets, pa.StructArray.from_arrays(
        [lists.roles, lists.contents], names=["role", "content"]))
    train = _np(lists.child.field("train"), False).astype(bool)
    train[lists.starts + lists.lengths - 1] = True  # the target always trains
    train_mask = pa.ListArray.from_arrays(offsets, pa.array(train, pa.bool_()))
    columns = {name: table[name].combine_chunks() for name in HF_SCHEMA.names if name in table.column_names}
    columns.update(messages=messages, train_mask=train_mask,
                   sample_weight=pc.fill_null(columns["sample_weight"], 1.0))
    return pa.Table.from_arrays([columns[name].cast(f.type) for name, f in zip(HF_SCHEMA.names, HF_SCHEMA)],
                                schema=HF_SCHEMA)


def _write_hf_parquet(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    pq.write_table(hf_table(table), os.path.join(folder, f"{split}.parquet"), compression="zstd")
    return {split: (f"{split}.parquet", table.num_rows)}


def openai_line(row: dict[str, Any]) -> str:
    """An SFT row as one OpenAI fine-tuning JSONL line (no newline), validated against OpenAIFineTuningLine.

    The train flag becomes `weight` on every assistant message (1 trained, 0 context); tool results
    become user messages. The line is validated as the exact JSON text that is written.
    """
    messages = []
    for message, train in zip(row["messages"], _train_flags(row["messages"])):
        role = TEXT_ROLES[message["role"]]
        if role == "assistant":
            messages.append({"role": role, "content": message["content"], "weight": 1 if train else 0})
        else:
            messages.append({"role": role, "content": message["content"]})
    line = _dumps({"messages": messages})
    try:
        OpenAIFineTuningLine.model_validate_json(line)
    except ValidationError as exc:  # rows were checked; this guards the contract itself
        raise ExportError(f"example {row['example_id']} does not fit the OpenAI fine-tuning line schema "
                          f"({exc.error_count()} error(s))") from None
    return line


def _write_openai(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    with open(os.path.join(folder, f"{split}.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
        for row in _python_rows(table, ["example_id", "messages"]):
            handle.write(openai_line(row) + "\n")
    return {split: (f"{split}.jsonl", table.num_rows)}


def sharegpt_record(row: dict[str, Any], notes: Counter | None = None) -> tuple[dict[str, Any], bool]:
    """An SFT row as a LLaMA-Factory sharegpt record, and whether every gpt turn trains.

    Leading system messages go to the "system" field; tool results and later system messages are human
    turns; consecutive turns of one side are joined with a blank line (human at odd positions, gpt at even,
    as LLaMA-Factory requires); an assistant turn before the first human one is dropped.
    """
    notes = notes if notes is not None else Counter()
    messages, flags = row["messages"], _train_flags(row["messages"])
    system: list[str] = []
    i = 0
    while i < len(messages) and TEXT_ROLES[messages[i]["role"]] == "system":
        system.append(messages[i]["content"])
        i += 1
    turns: list[list[Any]] = []  # [from, value, train]
    for message, train in zip(messages[i:], flags[i:]):
        side = "gpt" if message["role"] == "assistant" else "human"
        if side == "gpt" and not turns:
            notes["sharegpt.leading_assistant_turns_dropped"] += 1
            continue
        if turns and turns[-1][0] == side:
            notes["sharegpt.consecutive_turns_joined"] += 1
            turns[-1][1] = f"{turns[-1][1]}\n\n{message['content']}"
            turns[-1][2] = train
            continue
        turns.append([side, message["content"], train])
    gpt_flags = [t[2] for t in turns if t[0] == "gpt"]
    all_turns = len(gpt_flags) > 1 and all(gpt_flags)
    if len(gpt_flags) > 1 and not all_turns and any(gpt_flags[:-1]):
        # Some but not all earlier turns train: LLaMA-Factory masks all history or none; keep the safe side.
        notes["sharegpt.history_train_flags_masked"] += 1
    record = {
        "conversations": [{"from": side, "value": value} for side, value, _ in turns],
        "system": "\n\n".join(system),
        "example_id": row["example_id"],
    }
    return record, all_turns


class _JsonArrayWriter:
    """A JSON array written one record a line, opened on the first record (no file for no records)."""

    def __init__(self, path: str):
        self.path, self.handle, self.count = path, None, 0

    def add(self, record: dict[str, Any]) -> None:
        if self.handle is None:
            self.handle = open(self.path, "w", encoding="utf-8", newline="\n")
            self.handle.write("[\n")
        else:
            self.handle.write(",\n")
        self.handle.write(_dumps(record))
        self.count += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.write("\n]\n")
            self.handle.close()


def _write_sharegpt(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    writers = {False: _JsonArrayWriter(os.path.join(folder, f"{split}.json")),
               True: _JsonArrayWriter(os.path.join(folder, f"{split}_all_turns.json"))}
    try:
        for row in _python_rows(table, ["example_id", "messages"]):
            record, all_turns = sharegpt_record(row, notes)
            writers[all_turns].add(record)
    finally:
        for writer in writers.values():
            writer.close()
    keys = {False: split, True: f"{split}_all_turns"}
    return {keys[k]: (f"{keys[k]}.json", w.count) for k, w in writers.items() if w.count}


def _text_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"role": TEXT_ROLES[m["role"]], "content": m["content"]} for m in messages]


def trl_preference_line(row: dict[str, Any]) -> dict[str, Any]:
    """A preference row in TRL's conversational form: DPO (prompt/chosen/rejected) or KTO (prompt/completion/label)."""
    prompt = _text_messages(row["prompt"])
    if row["kind"] == "dpo":
        return {"prompt": prompt, "chosen": [{"role": "assistant", "content": row["chosen"]}],
                "rejected": [{"role": "assistant", "content": row["rejected"]}]}
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": row["completion"]}],
            "label": bool(row["desirable"])}


def _write_trl(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    written = {}
    for kind in ("dpo", "kto"):
        rows = table.filter(pc.equal(table["kind"], kind))
        if rows.num_rows:
            key = f"{kind}-{split}"
            with open(os.path.join(folder, f"{key}.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
                for row in _python_rows(rows, ["kind", "prompt", "chosen", "rejected", "completion", "desirable"]):
                    handle.write(_dumps(trl_preference_line(row)) + "\n")
            written[key] = (f"{key}.jsonl", rows.num_rows)
    return written


@dataclass(frozen=True)
class _Format:
    table: str
    model: type[BaseModel]
    columns: dict[str, Any]  # column -> default for partitions written before the column existed
    id_column: str
    problems: Callable[[pa.Table], np.ndarray]
    # (folder, split, rows sorted by id, notes) -> {file key: (file name, rows written)}
    write: Callable[[str, str, pa.Table, Counter], dict[str, tuple[str, int]]]
    dimensions: tuple[str, ...]

    @property
    def schema(self) -> pa.Schema:
        model_schema = arrow_schema(self.model)
        return pa.schema([model_schema.field(name) for name in self.columns])


_SFT_DIMENSIONS = ("category", "language", "source", "derivation")
FORMATS: dict[str, _Format] = {
    "hf-parquet": _Format(SFT_TABLE, SFTExample, SFT_COLUMNS, "example_id", _sft_problems, _write_hf_parquet,
                          _SFT_DIMENSIONS),
    "openai-jsonl": _Format(SFT_TABLE, SFTExample, SFT_COLUMNS, "example_id", _sft_problems, _write_openai,
                            _SFT_DIMENSIONS),
    "sharegpt-json": _Format(SFT_TABLE, SFTExample, SFT_COLUMNS, "example_id", _sft_problems, _write_sharegpt,
                             _SFT_DIMENSIONS),
    "trl-preference-jsonl": _Format(PREFERENCES_TABLE, PreferencePair, PREFERENCE_COLUMNS, "pair_id",
                                    _preference_problems, _write_trl,
                                    ("kind", "category", "language", "source", "derivation")),
}


# --- Data card -------------------------------------------------------------------------------------------


@dataclass
class _PipelineCounts:
    runs: list[tuple[str, str]]  # (date, run id) of the latest succeeded run per date
    no_succeeded_run: list[str]
    filters: dict[str, int]
    dedup: dict[str, int]
    judge: dict[str, int]


def _pipeline_counts(lake_uri: str, days: list[date]) -> _PipelineCounts:
    wanted = {d.isoformat() for d in days}
    latest: dict[str, Any] = {}
    for manifest in read_manifests(lake_uri):  # oldest first: the last one wins
        if manifest.dt in wanted and manifest.status == "succeeded":
            latest[manifest.dt] = manifest
    sums: dict[str, Counter] = {"filter.": Counter(), "dedup.": Counter(), "judge.": Counter()}
    for manifest in latest.values():
        for key, value in manifest.counts.items():
            for prefix, counter in sums.items():
                if key.startswith(prefix):
                    counter[key] += value
    return _PipelineCounts(
        runs=sorted((dt, m.run_id) for dt, m in latest.items()),
        no_succeeded_run=sorted(wanted - set(latest)),
        filters=dict(sorted(sums["filter."].items())), dedup=dict(sorted(sums["dedup."].items())),
        judge=dict(sorted(sums["judge."].items())),
    )


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |" for row in rows]
    return lines


def _front_matter(fmt: str, files: dict[str, str]) -> list[str]:
    """Hugging Face dataset-card YAML: lets `load_dataset(<export dir>)` find the files and splits."""
    if fmt == "trl-preference-jsonl":
        configs = {kind: {s: files.get(f"{kind}-{s}") for s in SPLITS} for kind in ("dpo", "kto")}
    elif fmt == "sharegpt-json":
        configs = {"default": {s: files.get(s) for s in SPLITS},
                   "all_turns": {s: files.get(f"{s}_all_turns") for s in SPLITS}}
    else:
        configs = {"default": {s: files.get(s) for s in SPLITS}}
    lines = ["---", "configs:"]
    for name, splits in configs.items():
        present = {s: p for s, p in splits.items() if p}
        if not present:
            continue
        lines += [f"- config_name: {name}", "  data_files:"]
        for split, path in present.items():
            lines += [f"  - split: {split}", f"    path: {path}"]
    lines += ["---", ""]
    return lines if len(lines) > 4 else []


FORMAT_NOTES = {
    "hf-parquet": [
        "`messages` is the Hugging Face chat format (list of {role, content}); TRL's SFTTrainer reads it as-is.",
        "`train_mask[i]` says whether the loss covers `messages[i]`: the target (last) message always, earlier "
        "assistant messages only when the selection policy trained on them. With TRL, `assistant_only_loss` "
        "trains every assistant turn; use `train_mask` to mask the rest.",
        "`sample_weight` is the balance policy's upsampling weight (1.0 = as is); rows are written once.",
        "Roles are kept as logged (system, user, assistant, tool).",
    ],
    "openai-jsonl": [
        "Each line is exactly {\"messages\": [{\"role\", \"content\", \"weight\"?}]}, validated before writing "
        "(roles system/user/assistant, no other keys).",
        "Every assistant message carries `weight`: 1 when it is trained on (the final one always), 0 otherwise.",
        "Tool results are exported as user messages, content unchanged.",
        "`sample_weight` cannot be carried in this format: each example is written once.",
    ],
    "sharegpt-json": [
        "LLaMA-Factory sharegpt format: `conversations` alternates human (odd positions) and gpt (even), ending "
        "with the target gpt turn; leading system messages are in the `system` field. See dataset_info.json.",
        "Tool results and later system messages are human turns; consecutive turns of one side are joined "
        "with a blank line; an assistant turn before the first human turn is dropped.",
        "Train flags: `train.json` / `validation.json` hold examples whose loss covers only the last gpt turn: "
        "train them with `mask_history: true` (single-turn examples are the same either way). "
        "`*_all_turns.json` hold examples where every gpt turn trains: train them with `mask_history: false` "
        "(the default). LLaMA-Factory applies mask_history per run, not per example.",
        "`sample_weight` is not carried: each example is written once.",
    ],
    "trl-preference-jsonl": [
        "`dpo-*.jsonl`: TRL conversational preference rows {\"prompt\": [messages], \"chosen\": [assistant], "
        "\"rejected\": [assistant]} (DPOTrainer, RewardTrainer).",
        "`kto-*.jsonl`: TRL conversational unpaired preference rows {\"prompt\", \"completion\", \"label\"} "
        "(KTOTrainer); label true = desirable.",
        "Tool results in prompts are exported as user messages, content unchanged.",
    ],
}


def _value_counts(column: pa.ChunkedArray) -> Counter:
    counts = pc.value_counts(column)
    return Counter({("(none)" if v is None else str(v)): n for v, n in
                    zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())})


def _data_card(fmt: str, start: date, end: date, spec: _Format, read: _TableRead, splits: dict[str, pa.Table],
               files: dict[str, str], counts: dict[str, int], notes: Counter, pipeline: _PipelineCounts,
               validation_share: float, seed: str) -> str:
    seen_versions = sorted({v for t in splits.values() for v in pc.unique(t["schema_version"]).to_pylist()}
                           - {None})
    everything = pa.concat_tables(splits.values())
    lines = _front_matter(fmt, files)
    lines += [
        f"# Flywheel training export: {fmt}", "",
        f"- Dates: {start.isoformat()} .. {end.isoformat()} (table `{spec.table}`; "
        f"{sum(1 for n in read.rows_per_day.values() if n)} date(s) with rows)",
        f"- Format: `{fmt}` (formats of this exporter: {', '.join(EXPORT_FORMATS)})",
        f"- schema_version: {SCHEMA_VERSION} (rows: {', '.join(map(str, seen_versions)) or 'none'})",
        f"- Split: by conversation. sha256(\"{seed}\" + 0x1f + conversation_id), first 8 bytes as an unsigned "
        f"big-endian integer / 2^64 < {validation_share} -> validation, else train. No conversation is in both "
        f"splits; the same seed gives the same split.",
        f"- Rows sorted by `{spec.id_column}` in every file: the same lake gives byte-identical files.",
        "- Counts only: this card never quotes content.", "",
        "## Files", "",
    ]
    lines += _table(["file", "rows"], [[path, counts[key]] for key, path in sorted(files.items())])
    lines += ["", "## Rows", ""]
    lines += _table(["", *SPLITS, "total"], [
        ["rows read", "", "", counts["rows_read"]],
        ["duplicates across dates (same id) dropped", "", "", counts["duplicates"]],
        *[[k, "", "", v] for k, v in sorted(counts.items()) if k.startswith("skipped.")],
        ["exported", *[splits[s].num_rows for s in SPLITS], everything.num_rows],
        ["conversations", *[pc.count_distinct(splits[s]["conversation_id"]).as_py() for s in SPLITS],
         pc.count_distinct(everything["conversation_id"]).as_py()],
    ])
    for dimension in spec.dimensions:
        per_split = {s: _value_counts(splits[s][dimension]) for s in SPLITS}
        values = sorted(set().union(*per_split.values()))
        lines += ["", f"### By {dimension}", ""]
        lines += _table([dimension, *SPLITS, "total"],
                        [[v, *[per_split[s][v] for s in SPLITS], sum(per_split[s][v] for s in SPLITS)]
                         for v in values])
    if notes:
        lines += ["", "### Format adjustments", ""]
        lines += _table(["adjustment", "rows"], [[k, v] for k, v in sorted(notes.items())])
    lines += ["", "## Partitions", ""]
    lines += _table(["date", f"{spec.table} rows"], [[d, n] for d, n in sorted(read.rows_per_day.items())])
    if read.missing_days:
        lines += ["", f"No `{spec.table}` partition for: {_ranges(read.missing_days)}."]
    lines += ["", "## Pipeline counts (latest succeeded run per exported date)", ""]
    lines += _table(["date", "run id"], pipeline.runs) if pipeline.runs else ["No succeeded run manifest."]
    if pipeline.no_succeeded_run:
        lines += ["", f"No succeeded run for: {_ranges(pipeline.no_succeeded_run)}."]
    for title, values in (("Filter drops", pipeline.filters), ("Dedup", pipeline.dedup),
                          ("Judge usage", pipeline.judge)):
        lines += ["", f"### {title}", ""]
        lines += _table(["count", "total"], [[k, v] for k, v in values.items()]) if values else ["none recorded"]
    lines += ["", "## Notes for trainers", ""]
    lines += [f"- {note}" for note in FORMAT_NOTES[fmt]]
    return "\n".join(lines) + "\n"


def _dataset_info(files: dict[str, str]) -> dict[str, Any]:
    """LLaMA-Factory dataset_info.json entries for the sharegpt files (names flywheel_<file key>)."""
    entry = {"formatting": "sharegpt", "columns": {"messages": "conversations", "system": "system"},
             "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt"}}
    return {f"flywheel_{key}": {"file_name": path, **entry} for key, path in sorted(files.items())}


# --- Publishing --------------------------------------------------------------------------------------------


def _prepare_target(out_dir: str) -> tuple[str, str]:
    if "://" in out_dir and not out_dir.startswith("file://"):
        raise ExportError(f"out_dir must be a local directory, not {out_dir}")
    target = os.path.abspath(out_dir.removeprefix("file://"))
    if os.path.exists(target):
        if not os.path.isdir(target):
            raise ExportError(f"{target} exists and is not a directory")
        if os.listdir(target) and not os.path.exists(os.path.join(target, MARKER)):
            raise ExportError(f"{target} is not empty and holds no earlier export ({MARKER}): not replacing it")
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    return target, parent


def _publish(staging: str, target: str, parent: str) -> None:
    """Rename the finished export into place; an earlier export is moved aside first, then deleted."""
    old = None
    if os.path.exists(target):
        old = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(target)}.old-")
        os.rename(target, os.path.join(old, "export"))
    os.rename(staging, target)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def export_training_data(lake_uri: str, start: date, end: date, fmt: str, out_dir: str, *,
                         validation_share: float = 0.05, seed: str = "flywheel") -> ExportResult:
    """Export the lake's rows for dt in [start, end] to `out_dir` in `fmt` (see EXPORT_FORMATS).

    Raises ExportError for a bad format or range, for a range with no rows at all (saying which table and
    dates were empty), and for an out_dir that holds something other than an earlier export.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    if end < start:
        raise ExportError(f"end {end} is before start {start}")
    if not 0.0 <= validation_share < 1.0:
        raise ExportError(f"validation_share must be in [0, 1), not {validation_share}")
    spec = FORMATS[fmt]
    days = _days(start, end)
    target, parent = _prepare_target(out_dir)

    table, read = _read_table(lake_uri, spec.table, days, spec.schema, spec.columns)
    if not read.rows:
        parts = []
        if read.missing_days:
            parts.append(f"no partition for {_ranges(read.missing_days)}")
        if read.empty_days:
            parts.append(f"empty partitions for {_ranges(read.empty_days)}")
        raise ExportError(f"nothing to export: table '{spec.table}' has no rows for {start}..{end} in "
                          f"{lake_uri} ({'; '.join(parts)})")

    table, duplicates = _dedupe(table, spec.id_column)
    counts: dict[str, int] = {"rows_read": read.rows, "duplicates": duplicates}
    problems = spec.problems(table)
    ok = problems == None  # noqa: E711 - elementwise over an object array
    skipped = Counter(f"skipped.{p}" for p in problems[~ok])
    counts.update(sorted(skipped.items()))
    table = table.filter(pa.array(ok, pa.bool_()))
    if not table.num_rows:
        raise ExportError(f"nothing to export: all {len(problems)} row(s) of '{spec.table}' for {start}..{end} "
                          f"were skipped ({', '.join(f'{k}={v}' for k, v in sorted(skipped.items()))})")
    validation = _validation_mask(table, seed, validation_share)
    splits = {
        "train": table.filter(pc.invert(validation)).sort_by(spec.id_column),
        "validation": table.filter(validation).sort_by(spec.id_column),
    }
    del table

    staging = os.path.join(parent, f".{os.path.basename(target)}.partial-{secrets.token_hex(6)}")
    os.mkdir(staging)  # the usual mode under the umask (mkdtemp would make it owner-only)
    try:
        notes: Counter = Counter()
        written: dict[str, tuple[str, int]] = {}
        for split in SPLITS:
            if splits[split].num_rows:
                written.update(spec.write(staging, split, splits[split], notes))
        relative = {key: path for key, (path, _) in written.items()}
        files = {key: os.path.join(target, path) for key, path in relative.items()}
        counts.update((key, n) for key, (_, n) in written.items())
        for split in SPLITS:
            counts[f"split.{split}"] = splits[split].num_rows
        if fmt == "sharegpt-json":
            with open(os.path.join(staging, "dataset_info.json"), "w", encoding="utf-8", newline="\n") as handle:
                handle.write(json.dumps(_dataset_info(relative), indent=2, ensure_ascii=False) + "\n")
        pipeline = _pipeline_counts(lake_uri, days)
        card = _data_card(fmt, start, end, spec, read, splits, relative, counts, notes, pipeline,
                          validation_share, seed)
        with open(os.path.join(staging, DATA_CARD), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(card)
        open(os.path.join(staging, MARKER), "w").close()
        _publish(staging, target, parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(files=files, counts=counts, data_card=os.path.join(target, DATA_CARD))


def _ranges(days: list[str]) -> str:
    """Dates as compact ranges: 2026-01-01..2026-01-03, 2026-01-05."""
    parsed = sorted(date.fromisoformat(d) for d in days)
    spans: list[list[date]] = []
    for day in parsed:
        if spans and day - spans[-1][1] == timedelta(days=1):
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return ", ".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in spans)
