"""What every part of the export shares: format and file names, the error, the result, date helpers.

The package's overview (formats, split, publishing): `export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from schemas.errors import FlywheelError

# SFT formats read the `sft` table, preference formats the `preferences` table (`formats.FORMATS`).
EXPORT_FORMATS = ("hf-parquet", "openai-jsonl", "openai-preference-jsonl", "sharegpt-json", "sharegpt-preference-json",
                  "trl-sft-jsonl", "trl-preference-jsonl")
SPLITS = ("train", "validation")
MARKER = ".flywheel-export"
DATA_CARD = "README.md"

SFT_TABLE = "sft"
PREFERENCES_TABLE = "preferences"

# The lake's roles in the text formats, which know only system/user/assistant: a tool result becomes a
# user message with its content unchanged (OpenAI and TRL files). hf-parquet keeps every role as logged;
# the LLaMA-Factory files make tool results `observation` turns (`llamafactory`).
TEXT_ROLES = {"system": "system", "user": "user", "assistant": "assistant", "tool": "user",
              "function": "user", "developer": "system"}


class ExportError(FlywheelError):
    """The export cannot be made. Messages name tables, dates and paths only: never row content."""


@dataclass
class ExportResult:
    # File key (the file name without extension: "train", "validation", "kto-train", ...) -> path.
    files: dict[str, str]
    # Rows per file key, "split.train" / "split.validation" totals, "rows_read", "duplicates",
    # "skipped.<reason>" for rows left out, and when the lake holds reviews of the kind "review.reviewed",
    # "review.accepted", "review.rejected", "review.fixed" (`reviews`).
    counts: dict[str, int]
    data_card: str


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


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
