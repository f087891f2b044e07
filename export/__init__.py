"""Export the lake's training rows to the formats trainers read, with a split and a data card.

    export_training_data(lake_uri, start, end, fmt, out_dir) -> ExportResult

Formats (one directory per export; every file sorted by row id, so a rerun gives byte-identical files). Each
one, used the documented way in its consumer, trains exactly the answers the lake flags as trained:

    trl-sft-jsonl             train.jsonl, validation.jsonl: TRL conversational prompt-completion rows
                              {"prompt": [messages before the answer], "completion": [the answer]}; TRL's
                              default completion-only loss trains the answer only (`trl_jsonl`).
    hf-parquet                train.parquet, validation.parquet: Hugging Face `messages` with the per-message
                              train flag as the parallel `train_mask` column, provenance columns beside it; a
                              trainer must build labels from `train_mask` (`hf_parquet`).
    openai-jsonl              train.jsonl, validation.jsonl: OpenAI chat fine-tuning lines with `weight` 0/1 on
                              every assistant message (`openai_jsonl`).
    openai-preference-jsonl   train.jsonl, validation.jsonl: OpenAI preference fine-tuning lines {"input",
                              "preferred_output", "non_preferred_output"} from the DPO rows.
    sharegpt-json             LLaMA-Factory sharegpt SFT records with `observation` turns, routed by train
                              flags into {split}.json / {split}_last_turn.json, plus dataset_info.json
                              (`llamafactory`).
    sharegpt-preference-json  LLaMA-Factory ranking (dpo-*.json) and KTO (kto-*.json) records, dataset_info.json.
    trl-preference-jsonl      dpo-*.jsonl {"prompt", "chosen", "rejected"}; kto-*.jsonl {"prompt",
                              "completion", "label"}.

People's review verdicts (`datalake.reviews`) apply to every format: rejected rows are left out, fixed answers
are the targets (derivation "review_fix"), and the card counts reviewed / accepted / rejected / fixed rows
(`reviews`).

Every export also holds README.md, the data card (counts and provenance, never content: `card`), and a
`.flywheel-export` marker: an existing directory is only ever replaced by a new export when it holds that
marker (or is empty). The export is built in a hidden sibling directory and renamed into place, so no reader
sees half of one.

The split is by conversation and near-duplicate prompt cluster (`split`): the conversations of both tables
are joined where their prompts are near-duplicates, and each component goes to one split by a hash of the
seed and its smallest conversation id. All rows of one conversation (its SFT examples and its preference
rows alike) land in the same split, and the same seed gives the same split on every run and machine.

Modules: `common` (names, ExportError, ExportResult), `reading` (the date range's rows and their checks),
`reviews` (review verdicts applied), `split`, `formats` (the registry) and one module per consumer, `card` + `notes` (README.md); this one splits
and publishes. The lake's layout: `datalake.tables`.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections import Counter
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from export.card import SplitRule, _data_card, _pipeline_counts
from export.common import (DATA_CARD, EXPORT_FORMATS, MARKER, PREFERENCES_TABLE, SFT_TABLE, SPLITS,
                                    TEXT_ROLES, ExportError, ExportResult, _days, _ranges)
from export.formats import (FORMATS, OpenAIFineTuningLine, OpenAIPreferenceLine, hf_table, openai_line,
                                     openai_preference_line, sharegpt_record, sharegpt_records, trl_preference_line,
                                     trl_sft_lines)
from export.reading import PREFERENCE_COLUMNS, SFT_COLUMNS, _dedupe, _read_table
from export.reviews import REVIEW_KIND, apply_reviews
from export.split import prompt_texts, split_of, validation_conversations
from datalake.commits import read_commit
from datalake.manifests import final_dates
from datalake.reviews import item_decisions
from transforms.training.policy import TrainingPolicy

__all__ = [
    "DATA_CARD", "EXPORT_FORMATS", "FORMATS", "MARKER", "PREFERENCES_TABLE", "PREFERENCE_COLUMNS", "SFT_COLUMNS",
    "SFT_TABLE", "SPLITS", "TEXT_ROLES", "ExportError", "ExportResult", "OpenAIFineTuningLine", "OpenAIPreferenceLine",
    "export_training_data", "hf_table", "openai_line", "openai_preference_line", "sharegpt_record", "sharegpt_records",
    "split_of", "trl_preference_line", "trl_sft_lines",
]

# The policy's default; the CLI passes the configured one (Settings.training.near_duplicate_threshold).
DEFAULT_NEAR_DUPLICATE_THRESHOLD: float = TrainingPolicy.model_fields["near_duplicate_threshold"].default

# --- Split --------------------------------------------------------------------------------------------------

# Each table's prompt column, and whether its last message is the answer (not part of the prompt).
_PROMPT_COLUMN = {SFT_TABLE: ("messages", True), PREFERENCES_TABLE: ("prompt", False)}


def _validation_mask(lake_uri: str, days: list[date], table_name: str, table: pa.Table, seed: str,
                     validation_share: float, threshold: float) -> tuple[pa.ChunkedArray, int]:
    """Per row: its conversation's component is in the validation split (`export.split`); and the
    near-duplicate links that joined components. Both tables' prompts are clustered, so SFT and preference
    rows of one conversation share a split."""
    if validation_share <= 0:
        return pa.chunked_array([pa.array([False] * table.num_rows, pa.bool_())]), 0
    conversations: list[str] = []
    texts: list[str] = []
    for name, (column, context_only) in _PROMPT_COLUMN.items():
        if name == table_name:
            rows = table
        else:
            rows, _ = _read_table(lake_uri, name, days, {"conversation_id": None, column: None})
        if rows.num_rows:
            conversations += rows["conversation_id"].to_pylist()
            texts += prompt_texts(rows[column], context_only)
    validation, links = validation_conversations(conversations, texts, threshold, seed, validation_share)
    return pc.is_in(table["conversation_id"], value_set=pa.array(sorted(validation), pa.string())), links


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
                         near_duplicate_threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
                         final_only_window: int | None = None, today: date | None = None) -> ExportResult:
    """Export the lake's rows for dt in [start, end] to `out_dir` in `fmt` (see EXPORT_FORMATS).

    near_duplicate_threshold: prompts at or above this MinHash Jaccard estimate are one cluster for the split
    (the policy's `near_duplicate_threshold`).
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
    table, reviewed = apply_reviews(table, spec.id_column, item_decisions(lake_uri, REVIEW_KIND[spec.table]))
    counts.update(reviewed)
    problems = spec.problems(table)
    ok = problems == None  # noqa: E711 - elementwise over an object array
    skipped = Counter(f"skipped.{p}" for p in problems[~ok])
    counts.update(sorted(skipped.items()))
    table = table.filter(pa.array(ok, pa.bool_()))
    if not table.num_rows:
        dropped = sorted((k, v) for k, v in counts.items() if k.startswith("skipped."))
        raise ExportError(f"nothing to export: all {read.rows - duplicates} row(s) of '{spec.table}' for {start}..{end} "
                          f"were skipped ({', '.join(f'{k}={v}' for k, v in dropped)})")
    validation, links = _validation_mask(lake_uri, days, spec.table, table, seed, validation_share,
                                         near_duplicate_threshold)
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
        counts["split.near_duplicate_links"] = links
        if spec.index is not None:
            with open(os.path.join(staging, "dataset_info.json"), "w", encoding="utf-8", newline="\n") as handle:
                handle.write(json.dumps(spec.index(relative), indent=2, ensure_ascii=False) + "\n")
        pipeline = _pipeline_counts(lake_uri, days)
        rule = SplitRule(seed, validation_share, near_duplicate_threshold, links)
        card = _data_card(fmt, start, end, spec, read, splits, relative, counts, notes, pipeline, rule, provisional)
        with open(os.path.join(staging, DATA_CARD), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(card)
        open(os.path.join(staging, MARKER), "w").close()
        _publish(staging, target, parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(files=files, counts=counts, data_card=os.path.join(target, DATA_CARD))
