"""The data card of an export (README.md: counts only, never content) and LLaMA-Factory's dataset_info.json."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from datalake.export.common import EXPORT_FORMATS, SPLITS, _ranges
from datalake.export.formats import _Format
from datalake.commits import read_commit
from datalake.manifests import read_manifests
from datalake.reader import PartitionsRead
from schemas import SCHEMA_VERSION

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
    # The run whose rows were exported is the one each date's commit record names for `sft`; a date without a
    # record (a lake from before commit records) falls back to its latest succeeded run.
    committed = {d.isoformat(): r.tables["sft"].run_id for d in days
                 if (r := read_commit(lake_uri, d)) is not None and "sft" in r.tables}
    latest: dict[str, Any] = {}
    for manifest in read_manifests(lake_uri):  # oldest first: the last one wins
        if manifest.dt not in wanted:
            continue
        if manifest.dt in committed:
            if manifest.run_id == committed[manifest.dt]:
                latest[manifest.dt] = manifest
        elif manifest.status == "succeeded":
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


def _data_card(fmt: str, start: date, end: date, spec: _Format, read: PartitionsRead, splits: dict[str, pa.Table],
               files: dict[str, str], counts: dict[str, int], notes: Counter, pipeline: _PipelineCounts,
               validation_share: float, seed: str, provisional: Iterable[date] = ()) -> str:
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
    provisional = [d.isoformat() for d in provisional]
    if provisional:  # late events may still change them (README "Late data"); --include-provisional exports them
        lines += ["", f"Dates still provisional, not exported: {_ranges(provisional)}."]
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
