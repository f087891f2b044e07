"""OpenAI fine-tuning files: chat SFT lines with per-message `weight`, and preference (DPO) lines.

    openai-jsonl             {"messages": [{"role", "content", "weight"?}]}
    openai-preference-jsonl  {"input": {"messages": [...]}, "preferred_output": [assistant],
                              "non_preferred_output": [assistant]}

Both are written down as pydantic models of the documented line schemas (no other key, roles
system/user/assistant), and every line is validated as the exact JSON text that is written.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from export.common import TEXT_ROLES, ExportError
from export.writing import dumps, python_rows, text_messages, train_flags

# --- The OpenAI line schemas, written down --------------------------------------------------------------


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


class OpenAIPlainAssistantMessage(_OpenAIMessage):
    """An assistant message of a preference line: role and content, no weight."""

    role: Literal["assistant"]


OpenAIChatMessage = Annotated[
    OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage, Field(discriminator="role")
]
OpenAIPromptMessage = Annotated[
    OpenAISystemMessage | OpenAIUserMessage | OpenAIPlainAssistantMessage, Field(discriminator="role")
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


class OpenAIPreferenceInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    messages: list[OpenAIPromptMessage]


class OpenAIPreferenceLine(BaseModel):
    """One line of an OpenAI preference (DPO) fine-tuning JSONL file.

    {"input": {"messages": [...]}, "preferred_output": [one assistant message], "non_preferred_output":
    [one assistant message]} and no other key; the input ends with a user message (the outputs answer it);
    the two outputs are non-empty and differ.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    input: OpenAIPreferenceInput
    preferred_output: list[OpenAIPlainAssistantMessage] = Field(min_length=1, max_length=1)
    non_preferred_output: list[OpenAIPlainAssistantMessage] = Field(min_length=1, max_length=1)

    @model_validator(mode="after")
    def _a_real_choice(self) -> "OpenAIPreferenceLine":
        if not self.input.messages or self.input.messages[-1].role != "user":
            raise ValueError("the input must end with a user message")
        preferred, other = self.preferred_output[0].content, self.non_preferred_output[0].content
        if not preferred.strip() or not other.strip() or preferred == other:
            raise ValueError("preferred and non-preferred outputs must be non-empty and differ")
        return self


# --- SFT ---------------------------------------------------------------------------------------------------


def openai_line(row: dict[str, Any]) -> str:
    """An SFT row as one OpenAI fine-tuning JSONL line (no newline), validated against OpenAIFineTuningLine.

    The train flag becomes `weight` on every assistant message (1 trained, 0 context); tool results
    become user messages. The line is validated as the exact JSON text that is written.
    """
    messages = []
    for message, train in zip(row["messages"], train_flags(row["messages"])):
        role = TEXT_ROLES[message["role"]]
        if role == "assistant":
            messages.append({"role": role, "content": message["content"], "weight": 1 if train else 0})
        else:
            messages.append({"role": role, "content": message["content"]})
    line = dumps({"messages": messages})
    try:
        OpenAIFineTuningLine.model_validate_json(line)
    except ValidationError as exc:  # rows were checked; this guards the contract itself
        raise ExportError(f"example {row['example_id']} does not fit the OpenAI fine-tuning line schema "
                          f"({exc.error_count()} error(s))") from None
    return line


def write_openai(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    with open(os.path.join(folder, f"{split}.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
        for row in python_rows(table, ["example_id", "messages"]):
            handle.write(openai_line(row) + "\n")
    return {split: (f"{split}.jsonl", table.num_rows)}


# --- Preferences -----------------------------------------------------------------------------------------


def openai_preference_line(row: dict[str, Any]) -> str:
    """A DPO row as one OpenAI preference fine-tuning line, validated against OpenAIPreferenceLine."""
    line = dumps({"input": {"messages": text_messages(row["prompt"])},
                  "preferred_output": [{"role": "assistant", "content": row["chosen"]}],
                  "non_preferred_output": [{"role": "assistant", "content": row["rejected"]}]})
    try:
        OpenAIPreferenceLine.model_validate_json(line)
    except ValidationError as exc:
        raise ExportError(f"pair {row['pair_id']} does not fit the OpenAI preference line schema "
                          f"({exc.error_count()} error(s))") from None
    return line


def write_openai_preference(folder: str, split: str, table: pa.Table,
                            notes: Counter) -> dict[str, tuple[str, int]]:
    rows = table.filter(pc.equal(table["kind"], "dpo"))  # the row checks left only DPO rows; KTO has no form here
    with open(os.path.join(folder, f"{split}.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
        for row in python_rows(rows, ["pair_id", "prompt", "chosen", "rejected"]):
            handle.write(openai_preference_line(row) + "\n")
    return {split: (f"{split}.jsonl", rows.num_rows)}
