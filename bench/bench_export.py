"""Training-data export throughput over a month of partitions, against a DuckDB COPY baseline.

    python -m bench.bench_export [--days 30] [--examples-per-day 20000] [--work DIR] [--keep]

1. Generates a synthetic lake with pyarrow: `--days` dates of `sft` partitions (`--examples-per-day` rows
   each; 1-3 turn conversations, some with a system prompt or a tool result, mixed ASCII/CJK text), a
   `preferences` partition per date (a quarter as many rows, half DPO half KTO) and one run manifest per date.
2. Exports the whole range once per format with `export.export_training_data` and reports
   seconds and exported rows/s (SFT examples, or preference rows for trl-preference-jsonl).
3. Baseline, measured in the same run on the same rows: DuckDB
   `COPY (SELECT messages FROM read_parquet(...) WHERE dt BETWEEN ... ORDER BY example_id) TO ... (FORMAT json)`
   -- the same read, sort and JSON write with none of the split, validation or format logic, on all cores
   (the exporter is one Python thread). Ratios are format time / baseline time.

Absolute figures on a shared machine mean little; read the ratios. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from schemas.arrow import arrow_schema  # noqa: E402
from schemas.outputs import PreferencePair, RunManifest, SFTExample  # noqa: E402
import export as ex  # noqa: E402
from datalake.reader import read_partitions  # noqa: E402
from datalake.manifests import write_manifest
from datalake.tables import partition_name, shard_file_name  # noqa: E402

START = date(2026, 1, 1)
WORDS = ("the of and to in is for on that with as it by this be are from at or an function value data model "
         "error list table query file return python sum mean loop class string").split()
CJK = "数据模型错误列表查询文件返回函数字符串"


def text_pool(rng: random.Random, n: int = 4096) -> list[str]:
    pool = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 120))]
        if i % 7 == 0:
            words.insert(rng.randint(0, len(words)), "".join(rng.choice(CJK) for _ in range(rng.randint(4, 30))))
        if i % 5 == 0:
            words.insert(rng.randint(0, len(words)), '"quoted"\n\tline')
        pool.append(" ".join(words))
    return pool


def make_day(day: date, n: int, rng: random.Random, pool: list[str]) -> tuple[list[dict], list[dict]]:
    sft, prefs = [], []
    conv = 0
    while len(sft) < n:
        conv_id = f"{day.isoformat()}-c{conv:07d}"
        conv += 1
        history: list[dict] = []
        if rng.random() < 0.2:
            history.append({"role": "system", "content": rng.choice(pool), "train": False})
        all_turns = rng.random() < 0.1
        for turn in range(rng.choice((1, 1, 2, 3))):
            history.append({"role": "user", "content": rng.choice(pool), "train": False})
            if rng.random() < 0.05:
                history.append({"role": "assistant", "content": "calling a tool", "train": all_turns})
                history.append({"role": "tool", "content": '{"result": 42}', "train": False})
            answer = {"role": "assistant", "content": rng.choice(pool), "train": True}
            messages = [dict(m) for m in history] + [answer]
            sft.append({
                "schema_version": 1, "example_id": f"{conv_id}-{turn}", "messages": messages,
                "conversation_id": conv_id, "target_message_id": f"{conv_id}-m{turn}", "target_turn_index": turn,
                "label": "positive", "rule_ids": ["explicit.thumbs_up"], "source": "events", "model": "model-a",
                "derivation": rng.choice(("original", "original", "user_edit", "judge_correction")),
                "quality_score": round(rng.random(), 3), "category": rng.choice(("coding", "math", "qa", "writing")),
                "language": rng.choice(("en", "en", "de", "zh")), "sample_weight": rng.choice((1.0, 1.0, 2.0)),
            })
            history.append(dict(answer, train=all_turns))
            if len(sft) >= n:
                break
        if conv % 4 == 0:
            prompt = [m for m in history if m["role"] != "assistant"][:2]
            kind = "dpo" if conv % 8 == 0 else "kto"
            prefs.append({
                "schema_version": 1, "pair_id": f"{conv_id}-p", "kind": kind, "prompt": prompt,
                "chosen": rng.choice(pool) if kind == "dpo" else None,
                "rejected": rng.choice(pool) if kind == "dpo" else None,
                "completion": rng.choice(pool) if kind == "kto" else None,
                "desirable": (rng.random() < 0.5) if kind == "kto" else None,
                "derivation": "regeneration" if kind == "dpo" else "thumbs", "conversation_id": conv_id,
                "chosen_message_id": None, "rejected_message_id": None, "rule_ids": [], "source": "events",
                "category": "qa", "language": "en",
            })
    return sft, prefs


def make_lake(root: Path, days: int, per_day: int) -> tuple[int, int]:
    rng = random.Random(7)
    pool = text_pool(rng)
    n_sft = n_prefs = 0
    for i in range(days):
        day = START + timedelta(days=i)
        sft, prefs = make_day(day, per_day, rng, pool)
        for table, model, rows in (("sft", SFTExample, sft), ("preferences", PreferencePair, prefs)):
            folder = root / table / partition_name(day)
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(model)), folder / shard_file_name(0, 1),
                           compression="zstd")
        n_sft += len(sft)
        n_prefs += len(prefs)
        now = datetime(2026, 2, 1, tzinfo=timezone.utc)
        write_manifest(str(root), RunManifest(
            run_id=f"{day.isoformat()}_20260201T000000Z_000000", flow="bench", dt=day.isoformat(),
            status="succeeded", started_at=now, config_hash="bench", judge_mode="rules-only",
            counts={"filter.refusal": 40, "filter.too_short": 25, "dedup.exact": 30, "dedup.near": 60,
                    "judge.calls": 300, "judge.prompt_tokens": 240_000, "judge.completion_tokens": 30_000}))
    return n_sft, n_prefs


def duckdb_baseline(lake: Path, out: Path, end: date) -> tuple[float, float, int, str]:
    con = duckdb.connect()
    source = f"{lake}/sft/*/*.parquet"
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(f"""
        COPY (
            SELECT list_transform(messages, lambda m: struct_pack(role := m.role, content := m.content)) AS messages
            FROM read_parquet('{source}', hive_partitioning = true)
            WHERE dt BETWEEN '{START.isoformat()}' AND '{end.isoformat()}'
            ORDER BY example_id
        ) TO '{out}' (FORMAT json)
    """)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = con.execute(f"SELECT count(*) FROM read_json('{out}')").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    return seconds, cpu, rows, threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--examples-per-day", type=int, default=20000)
    parser.add_argument("--formats", default=",".join(ex.EXPORT_FORMATS))
    parser.add_argument("--work", help="directory for the lake and the exports (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    lake = work / "lake"
    end = START + timedelta(days=args.days - 1)
    try:
        started = time.perf_counter()
        n_sft, n_prefs = make_lake(lake, args.days, args.examples_per_day)
        lake_mb = sum(f.stat().st_size for f in lake.rglob("*.parquet")) / 1e6
        print(f"export bench: {args.days} days x {args.examples_per_day:,} SFT examples = {n_sft:,} examples, "
              f"{n_prefs:,} preference rows; lake {lake_mb:.0f} MB Parquet, generated in "
              f"{time.perf_counter() - started:.1f} s; cores {os.cpu_count()}")

        started = time.perf_counter()
        days = [START + timedelta(days=i) for i in range(args.days)]
        table, _ = read_partitions(str(lake), "sft", days, columns=ex.SFT_COLUMNS, defaults=ex.SFT_COLUMNS)
        read_seconds = time.perf_counter() - started
        del table

        base_seconds, base_cpu, base_rows, threads = duckdb_baseline(lake, work / "duckdb.json", end)
        base_mb = (work / "duckdb.json").stat().st_size / 1e6
        results = []
        for fmt in args.formats.split(","):
            out = work / f"export-{fmt}"
            started, cpu = time.perf_counter(), time.process_time()
            result = ex.export_training_data(str(lake), START, end, fmt, str(out))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            rows = result.counts["split.train"] + result.counts["split.validation"]
            size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
            results.append((fmt, seconds, cpu, rows, size))

        print(f"\n{'variant':<34} {'seconds':>8} {'cpu s':>7} {'rows':>9} {'rows/s':>9} {'MB out':>7} "
              f"{'vs duckdb':>9} {'cpu vs':>7}")
        print(f"{'duckdb COPY ... (FORMAT json)':<34} {base_seconds:>8.2f} {base_cpu:>7.2f} {base_rows:>9,} "
              f"{base_rows / base_seconds:>9,.0f} {base_mb:>7.0f} {'1.00x':>9} {'1.00x':>7}")
        for fmt, seconds, cpu, rows, size in results:
            print(f"{'export ' + fmt:<34} {seconds:>8.2f} {cpu:>7.2f} {rows:>9,} {rows / seconds:>9,.0f} "
                  f"{size:>7.0f} {seconds / base_seconds:>8.2f}x {cpu / base_cpu:>6.2f}x")
        print(f"\nof which reading the sft partitions into Arrow: {read_seconds:.2f} s; "
              f"duckdb threads: {threads}; the exporter runs on one thread. "
              f"'cpu s' = CPU seconds of this process (all threads; wall >> cpu means a busy machine). "
              f"'vs duckdb' / 'cpu vs' = export wall / CPU seconds over the baseline's (trl-preference-jsonl exports "
              f"{n_prefs:,} preference rows, not the SFT rows the baseline copies).")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
