"""The data card of an export (README.md: counts and settings only, never content).

Stable across reruns that change no data: it names no run id or time, only what the rows came from (each
setting once, or per date range where dates differ) and counts. Dedup counts are summed so that a rerun
cannot move them: when a date is rerun after later dates were published, its exact-key check sees those
dates' index and catches first what the near-duplicate step caught before (same rows dropped, other
counter). So `*exact_in_run` counters (the date's own data) are shown as is and the other dedup counters of a table
are summed into one row.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from export.common import EXPORT_FORMATS, SPLITS, _ranges
from export.formats import _Format
from export.notes import FORMAT_NOTES
from datalake.commits import read_commit
from datalake.manifests import read_manifests
from datalake.reader import PartitionsRead
from schemas import SCHEMA_VERSION
from schemas.outputs import RunManifest

# The dedup counters that depend on the date's own data only (see the module docstring); every other counter of
# a table ("dedup." for SFT rows, "dedup.preferences." for preference rows) is summed into OTHER_DEDUP.
STABLE_DEDUP_SUFFIX = "exact_in_run"
OTHER_DEDUP = "other_dates_or_near (exact_earlier + near...)"
NOT_RECORDED = "not recorded (run before provenance was recorded)"


@dataclass
class _PipelineCounts:
    dates: list[str]  # exported dates with a run on record
    no_succeeded_run: list[str]
    filters: dict[str, int]
    dedup: dict[str, int]
    judge: dict[str, int]
    # setting -> value -> dates it held on
    provenance: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _provenance_items(manifest: RunManifest) -> dict[str, str]:
    items = {"config hash (run settings)": manifest.config_hash, "judge mode": manifest.judge_mode}
    p = manifest.provenance
    if p is None:
        return {**items, "training policy": NOT_RECORDED}
    policy = {name: json.loads(value) for name, value in p.policy.items()}
    return {
        **items,
        "training policy hash": p.policy_hash,
        "loss_scope": str(policy.get("loss_scope")),
        "near_duplicate_threshold": str(policy.get("near_duplicate_threshold")),
        "selection: min_judge_quality": str(policy.get("min_judge_quality")),
        "filters: answer chars / max placeholder share": f"{policy.get('min_answer_chars')}..{policy.get('max_answer_chars')}"
                                                         f" / {policy.get('max_placeholder_share')}",
        "languages kept": ", ".join(policy.get("languages") or []) or "all",
        "category caps / weights": f"{policy.get('category_caps') or {}} / {policy.get('category_weights') or {}}",
        "rules version": p.rules_version,
        "judge model / rubric": f"{p.judge_model} / {p.judge_rubric}" if p.judge_model else "none (rules only)",
        "PII scrub mode / replacement": f"{p.scrub_mode} / {p.scrub_replacement}",
        "decontamination": (f"ran against {', '.join(p.decontamination_sets)} "
                            f"({policy.get('decontamination_ngram')}-grams)" if p.decontamination_sets
                            else "did not run (no eval sets configured)"),
    }


def _pipeline_counts(lake_uri: str, days: list[date]) -> _PipelineCounts:
    wanted = {d.isoformat() for d in days}
    # The run whose rows were exported is the one each date's commit record names for `sft`; a date without a
    # record (a lake from before commit records) falls back to its latest succeeded run.
    committed = {d.isoformat(): r.tables["sft"].run_id for d in days
                 if (r := read_commit(lake_uri, d)) is not None and "sft" in r.tables}
    latest: dict[str, RunManifest] = {}
    for manifest in read_manifests(lake_uri):  # oldest first: the last one wins
        if manifest.dt not in wanted:
            continue
        if manifest.dt in committed:
            if manifest.run_id == committed[manifest.dt]:
                latest[manifest.dt] = manifest
        elif manifest.status == "succeeded":
            latest[manifest.dt] = manifest
    sums: dict[str, Counter] = {"filter.": Counter(), "dedup.": Counter(), "judge.": Counter()}
    provenance: dict[str, dict[str, list[str]]] = {}
    for dt, manifest in sorted(latest.items()):
        for key, value in manifest.counts.items():
            for prefix, counter in sums.items():
                if key.startswith(prefix):
                    counter[key] += value
        for name, value in _provenance_items(manifest).items():
            provenance.setdefault(name, {}).setdefault(value, []).append(dt)
    dedup: Counter = Counter()
    for key, value in sums["dedup."].items():
        table = "dedup.preferences." if key.startswith("dedup.preferences.") else "dedup."
        dedup[key if key.endswith(STABLE_DEDUP_SUFFIX) else table + OTHER_DEDUP] += value
    return _PipelineCounts(
        dates=sorted(latest), no_succeeded_run=sorted(wanted - set(latest)),
        filters=dict(sorted(sums["filter."].items())), dedup=dict(sorted(dedup.items())),
        judge=dict(sorted(sums["judge."].items())), provenance=provenance,
    )


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |" for row in rows]
    return lines


def _front_matter(spec: _Format, files: dict[str, str]) -> list[str]:
    """Hugging Face dataset-card YAML: lets `load_dataset(<export dir>)` find the files and splits."""
    lines = ["---", "configs:"]
    for name, pattern in spec.configs:
        present = {s: files[pattern.format(split=s)] for s in SPLITS if pattern.format(split=s) in files}
        if not present:
            continue
        lines += [f"- config_name: {name}", "  data_files:"]
        for split, path in present.items():
            lines += [f"  - split: {split}", f"    path: {path}"]
    lines += ["---", ""]
    return lines if len(lines) > 4 else []


def _value_counts(column: pa.ChunkedArray) -> Counter:
    counts = pc.value_counts(column)
    return Counter({("(none)" if v is None else str(v)): n for v, n in
                    zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())})


@dataclass
class SplitRule:
    """How the rows were split, for the card."""

    seed: str
    validation_share: float
    near_duplicate_threshold: float
    near_duplicate_links: int


def _split_lines(rule: SplitRule) -> list[str]:
    return [
        f"- Split: by conversation and near-duplicate prompt cluster. Prompts of both tables (SFT contexts, "
        f"preference prompts) are clustered with the pipeline's MinHash/LSH at Jaccard >= "
        f"{rule.near_duplicate_threshold}; conversations sharing a near-duplicate prompt form one component "
        f"({rule.near_duplicate_links:,} near-duplicate links joined components). A component goes to validation "
        f"when sha256(\"{rule.seed}\" + 0x1f + its smallest conversation_id), first 8 bytes as an unsigned "
        f"big-endian integer / 2^64 < {rule.validation_share}, else to train. No conversation and no "
        f"near-duplicate cluster is in both splits; the same seed gives the same split.",
    ]


def _provenance_lines(pipeline: _PipelineCounts) -> list[str]:
    if not pipeline.provenance:
        return ["No run on record for the exported dates."]
    rows = []
    for name, values in pipeline.provenance.items():
        if len(values) == 1:
            rows.append([name, next(iter(values))])
        else:
            rows.append([name, "; ".join(f"{v} ({_ranges(d)})" for v, d in sorted(values.items()))])
    return _table(["setting", "value"], rows)


def _kto_lines(splits: dict[str, pa.Table]) -> list[str]:
    per_split = {}
    for split in SPLITS:
        table = splits[split]
        kto = table.filter(pc.equal(table["kind"], "kto"))
        per_split[split] = _value_counts(pc.if_else(kto["desirable"], "desirable", "undesirable"))
    rows = [[v, *[per_split[s][v] for s in SPLITS], sum(per_split[s][v] for s in SPLITS)]
            for v in ("desirable", "undesirable")]
    total = sum(r[-1] for r in rows)
    share = f"{rows[0][-1] / total:.1%} desirable" if total else "no KTO rows"
    return ["", f"### KTO balance ({share})", ""] + _table(["label", *SPLITS, "total"], rows)


# The formats whose files carry review_verdict / reviewed_by per row (their consumers ignore extra fields).
REVIEWER_CARRIED_IN = {"hf-parquet": "columns", "sharegpt-json": "record fields",
                       "sharegpt-preference-json": "record fields"}


def _review_lines(fmt: str, counts: dict[str, int]) -> list[str]:
    """People's verdicts on the rows read (export.reviews): reviewed = accepted + rejected + fixed."""
    carried = REVIEWER_CARRIED_IN.get(fmt)
    where = (f"each row's decision and its reviewer's hash are the `review_verdict` and `reviewed_by` {carried}"
             if carried else "this format's lines have fixed keys: reviewer hashes are not in them (hf-parquet and "
                             "the sharegpt formats carry them)")
    return ["", "### Reviews", "",
            *_table(["rows of the date range", "total"], [
                ["reviewed", counts["review.reviewed"]],
                ["accepted (exported as they are)", counts["review.accepted"]],
                ["rejected (left out: skipped.review_rejected)", counts["review.rejected"]],
                ["fixed (the reviewer's answer is the target, derivation review_fix)", counts["review.fixed"]],
            ]), "",
            f"Each item's decision: any reviewer's reject rejects it, else the latest fix, else accept; {where}."]


def _data_card(fmt: str, start: date, end: date, spec: _Format, read: PartitionsRead, splits: dict[str, pa.Table],
               files: dict[str, str], counts: dict[str, int], notes: Counter, pipeline: _PipelineCounts,
               rule: SplitRule, provisional: Iterable[date] = ()) -> str:
    seen_versions = sorted({v for t in splits.values() for v in pc.unique(t["schema_version"]).to_pylist()}
                           - {None})
    everything = pa.concat_tables(splits.values())
    lines = _front_matter(spec, files)
    lines += [
        f"# Flywheel training export: {fmt}", "",
        f"- Dates: {start.isoformat()} .. {end.isoformat()} (table `{spec.table}`; "
        f"{sum(1 for n in read.rows_per_day.values() if n)} date(s) with rows)",
        f"- Format: `{fmt}` (formats of this exporter: {', '.join(EXPORT_FORMATS)})",
        f"- schema_version: {SCHEMA_VERSION} (rows: {', '.join(map(str, seen_versions)) or 'none'})",
        *_split_lines(rule),
        f"- Rows sorted by `{spec.id_column}` in every file: the same lake gives byte-identical files.",
        "- Counts and settings only: this card never quotes content.", "",
        "## Provenance (the runs that produced the exported dates)", "",
    ]
    lines += _provenance_lines(pipeline)
    lines += ["", "## Files", ""]
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
    if spec.table == "preferences":
        lines += _kto_lines(splits)
    for dimension in spec.dimensions:
        per_split = {s: _value_counts(splits[s][dimension]) for s in SPLITS}
        values = sorted(set().union(*per_split.values()))
        lines += ["", f"### By {dimension}", ""]
        lines += _table([dimension, *SPLITS, "total"],
                        [[v, *[per_split[s][v] for s in SPLITS], sum(per_split[s][v] for s in SPLITS)]
                         for v in values])
    if "review.reviewed" in counts:
        lines += _review_lines(fmt, counts)
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
    lines += ["", "## Pipeline counts (the run each exported date's commit names)", ""]
    lines += [f"Dates with a run on record: {_ranges(pipeline.dates)}."] if pipeline.dates else \
        ["No succeeded run manifest."]
    if pipeline.no_succeeded_run:
        lines += ["", f"No succeeded run for: {_ranges(pipeline.no_succeeded_run)}."]
    for title, values in (("Filter drops", pipeline.filters), ("Dedup drops", pipeline.dedup),
                          ("Judge usage (a rerun served from the judgment cache counts cache hits for calls)",
                           pipeline.judge)):
        lines += ["", f"### {title}", ""]
        lines += _table(["count", "total"], [[k, v] for k, v in values.items()]) if values else ["none recorded"]
    lines += ["", "## Notes for trainers", ""]
    lines += [f"- {note}" for note in FORMAT_NOTES[fmt]]
    return "\n".join(lines) + "\n"
