"""TRL files in its conversational dataset types: prompt-completion SFT, and preferences (DPO, KTO).

    trl-sft-jsonl         {"prompt": [messages before the answer], "completion": [the answer]}
    trl-preference-jsonl  dpo-*.jsonl {"prompt", "chosen", "rejected"}; kto-*.jsonl {"prompt", "completion", "label"}

Prompt-completion is TRL's own way to train only the answer: SFTTrainer's `completion_only_loss` (on by
default for this type) masks every prompt token, so the negatively labelled answers a context may hold are
never learned. One line per trained answer: with loss_scope "last" that is one line per example; with
"all", an example whose earlier answers train too gives a line for each of them (its prompt cut before
it), so the default recipe trains exactly the flagged answers whatever the chat template. A line written
before (an earlier answer that is also its own example's target) is written once.

Roles are the text roles (`TEXT_ROLES`: a tool result is a user message), which every chat template knows.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from export.writing import JsonLinesWriter, dumps, python_rows, text_messages, train_flags


def trl_sft_lines(row: dict[str, Any], notes: Counter | None = None) -> list[dict[str, Any]]:
    """An SFT row -> one prompt-completion line per trained assistant message (the target last)."""
    notes = notes if notes is not None else Counter()
    messages, lines = row["messages"], []
    for index, (message, train) in enumerate(zip(messages, train_flags(messages))):
        if not train or message["role"] != "assistant":
            continue
        prompt = text_messages(messages[:index])
        if not any(m["role"] == "user" for m in prompt):
            notes["trl_sft.trained_answers_without_user_prompt_skipped"] += 1
            continue
        lines.append({"prompt": prompt, "completion": [{"role": "assistant", "content": message["content"]}]})
    if len(lines) > 1:
        notes["trl_sft.examples_split_per_trained_answer"] += 1
    return lines


def write_trl_sft(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    writer = JsonLinesWriter(os.path.join(folder, f"{split}.jsonl"))
    try:
        for row in python_rows(table, ["example_id", "messages"]):
            for line in trl_sft_lines(row, notes):
                writer.add(dumps(line))
    finally:
        writer.close()
    if writer.repeats:
        notes["trl_sft.repeated_lines_written_once"] += writer.repeats
    return {split: (f"{split}.jsonl", writer.count)} if writer.count else {}


def trl_preference_line(row: dict[str, Any]) -> dict[str, Any]:
    """A preference row in TRL's conversational form: DPO (prompt/chosen/rejected) or KTO (prompt/completion/label)."""
    prompt = text_messages(row["prompt"])
    if row["kind"] == "dpo":
        return {"prompt": prompt, "chosen": [{"role": "assistant", "content": row["chosen"]}],
                "rejected": [{"role": "assistant", "content": row["rejected"]}]}
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": row["completion"]}],
            "label": bool(row["desirable"])}


def write_trl_preference(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    written = {}
    for kind in ("dpo", "kto"):
        rows = table.filter(pc.equal(table["kind"], kind))
        if rows.num_rows:
            key = f"{kind}-{split}"
            with open(os.path.join(folder, f"{key}.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
                for row in python_rows(rows, ["kind", "prompt", "chosen", "rejected", "completion", "desirable"]):
                    handle.write(dumps(trl_preference_line(row)) + "\n")
            written[key] = (f"{key}.jsonl", rows.num_rows)
    return written

