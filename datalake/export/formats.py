"""The four export formats: how a split's rows become files, and the OpenAI line model they are checked against.

    hf-parquet, openai-jsonl, sharegpt-json, trl-preference-jsonl   (what each holds: `datalake.export`)

A writer gets (folder, split, rows sorted by id, notes) and returns {file key: (file name, rows written)};
`FORMATS` ties each format to its table, columns, id column, row checks, writer and data-card dimensions.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Iterator, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from datalake.export.common import PREFERENCES_TABLE, SFT_TABLE, TEXT_ROLES, ExportError
from datalake.export.reading import (PREFERENCE_COLUMNS, SFT_COLUMNS, _Lists, _np, _preference_problems,
                                     _sft_problems)

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
    table: str  # its model and Arrow schema come from the registry (datalake.tables, datalake.reader)
    columns: dict[str, Any]  # column -> default for partitions written before the column existed
    id_column: str
    problems: Callable[[pa.Table], np.ndarray]
    # (folder, split, rows sorted by id, notes) -> {file key: (file name, rows written)}
    write: Callable[[str, str, pa.Table, Counter], dict[str, tuple[str, int]]]
    dimensions: tuple[str, ...]


_SFT_DIMENSIONS = ("category", "language", "source", "derivation")
FORMATS: dict[str, _Format] = {
    "hf-parquet": _Format(SFT_TABLE, SFT_COLUMNS, "example_id", _sft_problems, _write_hf_parquet, _SFT_DIMENSIONS),
    "openai-jsonl": _Format(SFT_TABLE, SFT_COLUMNS, "example_id", _sft_problems, _write_openai, _SFT_DIMENSIONS),
    "sharegpt-json": _Format(SFT_TABLE, SFT_COLUMNS, "example_id", _sft_problems, _write_sharegpt,
                             _SFT_DIMENSIONS),
    "trl-preference-jsonl": _Format(PREFERENCES_TABLE, PREFERENCE_COLUMNS, "pair_id", _preference_problems, _write_trl,
                                    ("kind", "category", "language", "source", "derivation")),
}
