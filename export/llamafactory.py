"""LLaMA-Factory files in its sharegpt format, and the dataset_info.json entries that register them.

    sharegpt-json             SFT: {"conversations": [{"from", "value"}], "system", "example_id", "sample_weight"}
    sharegpt-preference-json  ranking: {"conversations", "system", "chosen": {gpt}, "rejected": {gpt}}
                              KTO: {"conversations" ending with the gpt completion, "system", "kto_tag": bool}

LLaMA-Factory's sharegpt converter wants human or observation turns at odd positions and gpt (or
function_call) turns at even ones; an SFT or KTO record ends with a gpt turn, a ranking record's
conversation with a human/observation turn. Tool results are `observation` turns. Consecutive turns of one
side are joined with a blank line (a user message joined with a tool result is a human turn); leading system
messages go to the `system` field; an assistant turn before the first human one is dropped.

Which answers train: LLaMA-Factory has no per-turn mask in this format. With its default
(`mask_history: false`) it trains every gpt turn of a record; with `mask_history: true` only the last.
So the SFT records are routed by their train flags:

    train.json / validation.json                      every gpt turn trains: the default trains exactly them
    train_last_turn.json / validation_last_turn.json  earlier gpt turns are context only: train with
                                                      `mask_history: true` (a run setting, not a dataset one)

An example whose earlier answers train only in part becomes one record per trained answer (cut after it),
each in the file whose rule trains exactly that answer; a record already written is not written again.
`sample_weight` rides along as a column LLaMA-Factory ignores (it has no per-example weight), and so do
`review_verdict` / `reviewed_by` when the lake holds reviews (`export.reviews`).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from export.common import TEXT_ROLES
from export.reviews import REVIEW_COLUMNS
from export.writing import JsonArrayWriter, dumps, python_rows, train_flags

USER, ASSISTANT, OBSERVATION = "human", "gpt", "observation"
TOOL_ROLES = {"tool", "function"}

TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": USER, "assistant_tag": ASSISTANT,
        "observation_tag": OBSERVATION, "function_tag": "function_call", "system_tag": "system"}


def sharegpt_turns(messages: list[dict[str, Any]], flags: list[bool],
                   notes: Counter) -> tuple[str, list[list[Any]]]:
    """Messages and their train flags -> (system text, turns as [tag, value, train]), alternating sides.

    A joined gpt turn trains only when every answer in it trains (so no untrained text is ever learned).
    """
    system: list[str] = []
    i = 0
    while i < len(messages) and TEXT_ROLES[messages[i]["role"]] == "system":
        system.append(messages[i]["content"])
        i += 1
    turns: list[list[Any]] = []
    for message, train in zip(messages[i:], flags[i:]):
        role = message["role"]
        tag = ASSISTANT if role == "assistant" else OBSERVATION if role in TOOL_ROLES else USER
        if tag == ASSISTANT and not turns:
            notes["sharegpt.leading_assistant_turns_dropped"] += 1
            continue
        if turns and (turns[-1][0] == ASSISTANT) == (tag == ASSISTANT):
            notes["sharegpt.consecutive_turns_joined"] += 1
            turns[-1][1] = f"{turns[-1][1]}\n\n{message['content']}"
            if tag != turns[-1][0]:  # a user message and a tool result together: the user speaks
                turns[-1][0] = USER
            turns[-1][2] = turns[-1][2] and train
            continue
        turns.append([tag, message["content"], train])
    return "\n\n".join(system), turns


def _conversation(turns: list[list[Any]]) -> list[dict[str, str]]:
    return [{"from": tag, "value": value} for tag, value, _ in turns]


def sharegpt_records(row: dict[str, Any], notes: Counter | None = None) -> list[tuple[dict[str, Any], bool]]:
    """An SFT row -> its records, each with whether every gpt turn in it trains (the default file) or only
    the last (the *_last_turn file, for mask_history: true). Usually one record; see the module docstring."""
    notes = notes if notes is not None else Counter()
    system, turns = sharegpt_turns(row["messages"], train_flags(row["messages"]), notes)
    if not turns or turns[-1][0] != ASSISTANT or not turns[-1][2]:
        notes["sharegpt.target_joined_with_untrained_answer_dropped"] += 1
        return []
    answers = [k for k, turn in enumerate(turns) if turn[0] == ASSISTANT]
    if all(turns[k][2] for k in answers):
        cuts = [len(turns)]
    else:
        cuts = [k + 1 for k in answers if turns[k][2]]
        if len(cuts) > 1:
            notes["sharegpt.examples_split_per_trained_answer"] += 1
    records = []
    for cut in cuts:
        every_answer_trains = all(turns[k][2] for k in answers if k < cut)
        records.append(({"conversations": _conversation(turns[:cut]), "system": system,
                         "example_id": row["example_id"], "sample_weight": row.get("sample_weight") or 1.0,
                         **_review_fields(row)}, every_answer_trains))
    return records


def sharegpt_record(row: dict[str, Any], notes: Counter | None = None) -> tuple[dict[str, Any], bool]:
    """An SFT row's full record (the last of `sharegpt_records`) and whether every gpt turn in it trains."""
    return sharegpt_records(row, notes)[-1]


def _review_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Who reviewed the row, as extra record fields LLaMA-Factory ignores; none for a lake without reviews."""
    return {name: row[name] for name in REVIEW_COLUMNS if name in row}


def _record_key(record: dict[str, Any]) -> str:
    return dumps([record["system"], record["conversations"]])


def write_sharegpt(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    keys = {True: split, False: f"{split}_last_turn"}
    writers = {every: JsonArrayWriter(os.path.join(folder, f"{key}.json")) for every, key in keys.items()}
    try:
        for row in python_rows(table, ["example_id", "messages", "sample_weight", *_present(table, REVIEW_COLUMNS)]):
            for record, every_answer_trains in sharegpt_records(row, notes):
                writers[every_answer_trains].add(record, key=_record_key(record))
    finally:
        for writer in writers.values():
            writer.close()
    repeats = sum(w.repeats for w in writers.values())
    if repeats:
        notes["sharegpt.repeated_records_written_once"] += repeats
    return {keys[k]: (f"{keys[k]}.json", w.count) for k, w in writers.items() if w.count}


# --- Preferences -----------------------------------------------------------------------------------------


def sharegpt_preference_record(row: dict[str, Any], notes: Counter | None = None) -> dict[str, Any] | None:
    """A preference row as a LLaMA-Factory ranking (DPO) or KTO record; None when its prompt does not end
    on the human side (nothing for the answer to answer)."""
    notes = notes if notes is not None else Counter()
    system, turns = sharegpt_turns(row["prompt"], [False] * len(row["prompt"]), notes)
    if not turns or turns[-1][0] == ASSISTANT:
        notes["sharegpt.prompt_not_ending_with_human_dropped"] += 1
        return None
    if row["kind"] == "dpo":
        return {"conversations": _conversation(turns), "system": system,
                "chosen": {"from": ASSISTANT, "value": row["chosen"]},
                "rejected": {"from": ASSISTANT, "value": row["rejected"]}, **_review_fields(row)}
    return {"conversations": _conversation(turns) + [{"from": ASSISTANT, "value": row["completion"]}],
            "system": system, "kto_tag": bool(row["desirable"]), **_review_fields(row)}


def write_sharegpt_preference(folder: str, split: str, table: pa.Table,
                              notes: Counter) -> dict[str, tuple[str, int]]:
    written = {}
    for kind in ("dpo", "kto"):
        key = f"{kind}-{split}"
        writer = JsonArrayWriter(os.path.join(folder, f"{key}.json"))
        try:
            rows = table.filter(pc.equal(table["kind"], kind))
            columns = ["kind", "prompt", "chosen", "rejected", "completion", "desirable", *_present(rows, REVIEW_COLUMNS)]
            for row in python_rows(rows, columns):
                record = sharegpt_preference_record(row, notes)
                if record is not None:
                    writer.add(record)
        finally:
            writer.close()
        if writer.count:
            written[key] = (f"{key}.json", writer.count)
    return written


def _present(table: pa.Table, columns: tuple[str, ...]) -> list[str]:
    return [name for name in columns if name in table.column_names]


# --- dataset_info.json -------------------------------------------------------------------------------------


def dataset_info(files: dict[str, str]) -> dict[str, Any]:
    """LLaMA-Factory dataset_info.json entries for an export's files (names flywheel_<file key>)."""
    entries = {}
    for key, path in sorted(files.items()):
        entry: dict[str, Any] = {"file_name": path, "formatting": "sharegpt"}
        columns = {"messages": "conversations", "system": "system"}
        if key.startswith("dpo-"):
            entry["ranking"] = True
            columns.update(chosen="chosen", rejected="rejected")
        elif key.startswith("kto-"):
            columns.update(kto_tag="kto_tag")
        entries[f"flywheel_{key}"] = {**entry, "columns": columns, "tags": dict(TAGS)}
    return entries
