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

Modules: `common` (names, ExportError, ExportResult), `reading` (the date range's rows and their checks),
`formats` (the four writers), `card` (README.md, dataset_info.json); this one splits and publishes.
The lake's layout: `datalake.tables`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
from collections import Counter
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from datalake.export.card import _data_card, _dataset_info, _pipeline_counts
from datalake.export.common import (DATA_CARD, EXPORT_FORMATS, MARKER, PREFERENCES_TABLE, SFT_TABLE, SPLITS,
                                    TEXT_ROLES, ExportError, ExportResult, _days, _ranges)
from datalake.export.formats import FORMATS, OpenAIFineTuningLine, hf_table, openai_line, sharegpt_record, \
    trl_preference_line
from datalake.export.reading import PREFERENCE_COLUMNS, SFT_COLUMNS, _dedupe, _read_table
from datalake.commits import read_commit
from datalake.manifests import final_dates

__all__ = [
    "DATA_CARD", "EXPORT_FORMATS", "FORMATS", "MARKER", "PREFERENCES_TABLE", "PREFERENCE_COLUMNS", "SFT_COLUMNS",
    "SFT_TABLE", "SPLITS", "TEXT_ROLES", "ExportError", "ExportResult", "OpenAIFineTuningLine",
    "export_training_data", "hf_table", "openai_line", "sharegpt_record", "split_of", "trl_preference_line",
]


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
                         validation_share: float = 0.05, seed: str = "flywheel",
                         final_only_window: int | None = None, today: date | None = None) -> ExportResult:
    """Export the lake's rows for dt in [start, end] to `out_dir` in `fmt` (see EXPORT_FORMATS).

    final_only_window: the late window (Settings.late_window_days); given, only the dates whose rows are final
    on `today` are exported (`datalake.manifests.date_finality`), the provisional ones are named in the data
    card. None exports every date in the range (the CLI's --include-provisional).

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
    provisional: list[date] = []
    if final_only_window is not None:
        final = set(final_dates(lake_uri, days, final_only_window, today or date.today()))
        # A date never committed is no more final than provisional: it stays in `days` and reads as missing.
        provisional = [d for d in days if d not in final and read_commit(lake_uri, d) is not None]
        days = [d for d in days if d not in provisional]
        if not days:
            raise ExportError(f"nothing to export: every date in {start}..{end} is still provisional (late events "
                              f"may still change it, FLYWHEEL_LATE_WINDOW_DAYS={final_only_window}); "
                              "use --include-provisional to export them anyway")
    target, parent = _prepare_target(out_dir)

    table, read = _read_table(lake_uri, spec.table, days, spec.columns)
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
                          validation_share, seed, provisional)
        with open(os.path.join(staging, DATA_CARD), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(card)
        open(os.path.join(staging, MARKER), "w").close()
        _publish(staging, target, parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(files=files, counts=counts, data_card=os.path.join(target, DATA_CARD))
