"""End-to-end throughput of the flywheel against DuckDB's JSONL -> Parquet conversion as the I/O floor.

    python -m bench.bench_e2e [--conversations N] [--scale K] [--workers W] [--stages] [--out DIR]

1. Generates one day of logs (events format, gzip, fixed seed, the generator's default 1% malformed
   lines) of N conversations and reports its size in events (= valid lines) and MB.
2. Floor: DuckDB `COPY (FROM read_json(...)) TO floor.parquet` over the same files, with the event
   schema given explicitly (see EVENT_COLUMNS for why); run FLOOR_RUNS times, the median is the floor.
3. / 4. The flywheel (`flows.day.process_day`, no Prefect flow, no server) with scrub_mode=regex and
   scrub_mode=presidio, each into a fresh lake.
5. With --workers W > 1: both modes again with W worker processes (FnApiRunner multi_processing).
6. With --scale K > 1: all of it again on a day of K x N conversations (its own logs, floor and lakes), then
   a scaling table: events per CPU-second and peak RSS at both sizes, and their ratios (a pipeline whose
   memory follows the day's size shows it here).
7. With --stages: the regex day of N again under cProfile, its own time split by stage (bench.profile_day's
   attribution: each function's time goes to the stage of its nearest project caller).

Each variant runs in its own fresh Python process, so one variant's caches, loaded models and peak
memory do not leak into the next one's figures. Times are wall-clock seconds of the work itself
(imports excluded; loading spaCy/Presidio in the pipeline's DoFn.setup is included, as a nightly run
pays it). On a shared machine absolute times mean little: read the ratios to the floor, measured in
the same run. Nothing here asserts a timing; failures of the runs themselves are reported.
"""

from __future__ import annotations

import os

# Before anything can import Prefect (process_day itself does not need it).
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("DO_NOT_TRACK", "1")

import argparse
import gzip
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "e2e"
DAY = date(2024, 5, 1)
SEED = 7
# Sized so that the whole benchmark (generation, floor, regex, presidio, presidio with 2 workers)
# takes roughly 5-10 minutes on the 2-core development machine (~82,700 events, ~430 CPU-seconds in all);
# see bench/README.md for the figures.
DEFAULT_CONVERSATIONS = 12000
FLOOR_RUNS = 3

# The event schema (schemas/events.py, both kinds of line) as DuckDB columns. Given explicitly because
# auto-detection cannot be trusted here: with malformed lines in the files (garbage, arrays, truncated
# JSON) read_json's detection gives up and returns one untyped `json` column per line (nothing is
# converted), and with a sample that happens to hold only integer ratings, a later 4.5 would not fit.
# With `columns`, keys missing from a line (a message has no `kind`, feedback no `content`) are NULL,
# so message and feedback lines share one table; `ignore_errors` turns an unparsable line or value into
# NULLs instead of failing the file, and the WHERE drops rows that are not events at all.
EVENT_COLUMNS = {
    "conversation_id": "VARCHAR",
    "user_id": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "type": "VARCHAR",
    "message_id": "VARCHAR",
    "parent_id": "VARCHAR",
    "role": "VARCHAR",
    "content": "VARCHAR",
    "model": "VARCHAR",
    "event_id": "VARCHAR",
    "kind": "VARCHAR",
    "rating": "DOUBLE",
    "edited_text": "VARCHAR",
    "comment": "VARCHAR",
}


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def floor_sql(glob: str, out_file: str) -> str:
    columns = "{" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in EVENT_COLUMNS.items()) + "}"
    return (
        f"COPY (FROM read_json({_sql_str(glob)}, format='newline_delimited', ignore_errors=true, "
        f"columns={columns}) "
        "WHERE conversation_id IS NOT NULL AND timestamp IS NOT NULL AND type IN ('message', 'feedback')) "
        f"TO {_sql_str(out_file)} (FORMAT parquet)"
    )


# --------------------------------------------------------------------------------------------------
# Children: one variant each, result as JSON in a file
# --------------------------------------------------------------------------------------------------


def code_hash() -> str:
    """A hash of the project's Python sources: the files are edited while benchmarks run, so each run
    records which code it measured (taken at the start and at the end of every variant)."""
    digest = hashlib.sha256()
    for package in ("flywheel", "schemas", "transforms", "flows"):
        for path in sorted((REPO / package).rglob("*.py")):
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def usage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_self": me.ru_utime + me.ru_stime,
        "cpu_children": kids.ru_utime + kids.ru_stime,
        "rss_self_mb": me.ru_maxrss / 1024,  # KiB on Linux
        "rss_child_mb": kids.ru_maxrss / 1024,  # the largest reaped child (Beam worker processes)
    }


def run_floor(spec: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    if spec.get("threads"):
        con.execute(f"SET threads = {int(spec['threads'])}")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    sql = floor_sql(spec["glob"], spec["out_file"])
    before = usage()
    t0 = time.perf_counter()
    con.execute(sql)
    seconds = time.perf_counter() - t0
    after = usage()
    rows = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(spec['out_file'])})").fetchone()[0]
    return {
        "status": "succeeded", "seconds": seconds, "threads": threads, "rows": rows,
        "cpu": after["cpu_self"] - before["cpu_self"], "rss_self_mb": after["rss_self_mb"], "rss_child_mb": 0.0,
        "duckdb": duckdb.__version__,
    }


def run_flywheel(spec: dict) -> dict:
    import cProfile
    import pstats

    import flows.day
    from flows.day import process_day
    from flows.settings import load_settings

    settings = load_settings(
        source_uri=spec["source"], lake_uri=spec["lake"], quarantine_uri=spec["quarantine"],
        scrub_mode=spec["scrub_mode"], workers=spec["workers"], runner="FnApiRunner",
    )
    profiler = cProfile.Profile() if spec.get("profile") else None
    before = usage()
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    manifest = process_day(settings, date.fromisoformat(spec["day"]), flow="bench")
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - t0
    after = usage()
    stages = None
    if profiler:
        from bench.profile_day import attribute_by_stage

        stages = attribute_by_stage(pstats.Stats(profiler), str(REPO))
    return {"stages": stages, 
        "status": manifest.status, "error": manifest.error, "seconds": seconds,
        "project": str(Path(flows.day.__file__).resolve().parents[1]),
        "cpu": (after["cpu_self"] - before["cpu_self"]) + (after["cpu_children"] - before["cpu_children"]),
        "rss_self_mb": after["rss_self_mb"], "rss_child_mb": after["rss_child_mb"],
        "judge_mode": manifest.judge_mode, "workers": spec["workers"],
        "counts": manifest.counts, "pii_total": sum(manifest.pii_counts.values()),
    }


def child_main(spec_json: str) -> int:
    spec = json.loads(spec_json)
    code_before = code_hash()
    try:
        result = run_floor(spec) if spec["kind"] == "floor" else run_flywheel(spec)
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        result = {"status": "crashed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    result["code"] = code_before
    result["code_changed_during_run"] = code_hash() != code_before
    Path(spec["result_file"]).write_text(json.dumps(result))
    return 0


def run_child(spec: dict, log_file: Path, module: str = "bench.bench_e2e") -> dict:
    """Run one variant in a fresh interpreter (`python -m <module> --child <spec>`); its output goes to log_file."""
    result_file = Path(spec["result_file"])
    result_file.unlink(missing_ok=True)
    # The flywheel is measured rules-only: a judge configured in the caller's environment would add
    # network calls to a model endpoint, which is bench_judge.py's subject, not this one's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYWHEEL_JUDGE")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    with open(log_file, "ab") as log:
        proc = subprocess.run([sys.executable, "-m", module, "--child", json.dumps(spec)],
                              cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    if not result_file.exists():
        return {"status": "crashed", "error": f"child exited with code {proc.returncode}; see {log_file}"}
    return json.loads(result_file.read_text())


# --------------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------------


MARKER = ".bench_e2e"


def _clean(out: Path) -> None:
    """Remove what an earlier run of this benchmark left in `out` (and nothing else). A non-empty
    directory this benchmark did not create is refused rather than cleaned."""
    if any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"--out {out} is not empty and was not made by this benchmark: choose another directory")
    (out / MARKER).write_text("working directory of bench.bench_e2e: its contents are replaced on every run\n")
    for name in ("logs", "floor"):
        shutil.rmtree(out / name, ignore_errors=True)
    for pattern in ("lake-*", "quarantine-*", "results-*", "size-*"):
        for path in out.glob(pattern):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    for path in out.glob("*.log"):
        path.unlink()


def generate(out: Path, conversations: int, seed: int) -> dict:
    from flywheel.sample_logs import generate_logs

    t0 = time.perf_counter()
    logs = generate_logs(out / "logs", [DAY], conversations, seed=seed, log_format="events", gzip=True)
    seconds = time.perf_counter() - t0
    gz_bytes = raw_bytes = 0
    for f in logs.files:
        gz_bytes += os.path.getsize(f)
        with gzip.open(f, "rb") as handle:
            while chunk := handle.read(1 << 20):
                raw_bytes += len(chunk)
    return {"files": len(logs.files), "lines": logs.lines, "malformed": logs.malformed_lines, "events": logs.events,
            "gz_mb": gz_bytes / 1e6, "raw_mb": raw_bytes / 1e6, "seconds": seconds}


def lake_fingerprint(lake: Path) -> dict[str, str]:
    """Per table: row count and an order-independent hash of every row. Two runs of the same code on
    the same input must match, whatever the number of workers (the lake promises deterministic rows)."""
    import duckdb

    con = duckdb.connect()
    out = {}
    for table in sorted(p.name for p in lake.iterdir() if p.is_dir() and not p.name.startswith("_")):
        if not any((lake / table).rglob("*.parquet")):
            out[table] = "0 files"
            continue
        glob = _sql_str(str(lake / table / "**" / "*.parquet"))
        try:
            n, h = con.execute(f"SELECT count(*), bit_xor(hash(CAST(t AS VARCHAR))) "
                               f"FROM read_parquet({glob}, hive_partitioning=true, union_by_name=true) t").fetchone()
        except duckdb.Error as exc:
            out[table] = f"unreadable: {type(exc).__name__}"
            continue
        out[table] = f"{n} rows, {h:016x}" if h is not None else f"{n} rows"
    return out


def _fmt_rss(r: dict) -> str:
    if "rss_self_mb" not in r:
        return "-"
    text = f"{r['rss_self_mb']:.0f}"
    if r.get("rss_child_mb"):
        text += f" (+{r['rss_child_mb']:.0f}/worker)"
    return text


def print_table(rows: list[tuple[str, dict]], events: int, floor_seconds: float) -> None:
    header = ("variant", "seconds", "events/s", "time / floor", "floor ev/s / ev/s", "CPU s", "events/CPU s",
              "peak RSS MB")
    lines = [header]
    floor_rate = events / floor_seconds
    for name, r in rows:
        if r.get("status") != "succeeded" or "seconds" not in r:
            lines.append((name, "-", "-", "-", "-", "-", "-", f"{r.get('status')}: {r.get('error')}"))
            continue
        rate = events / r["seconds"]
        lines.append((name, f"{r['seconds']:.2f}", f"{rate:,.0f}", f"{r['seconds'] / floor_seconds:.1f}x",
                      f"{floor_rate / rate:.1f}x", f"{r['cpu']:.2f}", f"{events / max(r['cpu'], 1e-9):,.0f}",
                      _fmt_rss(r)))
    widths = [max(len(str(line[i])) for line in lines if i < len(line)) for i in range(len(header))]
    for n, line in enumerate(lines):
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(line, widths))]
        if len(line) > len(header):
            cells.append(" ".join(line[len(header):]))
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_e2e",
                                 description="End-to-end events/s of the flywheel vs DuckDB's JSONL->Parquet floor.")
    ap.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS,
                    help=f"conversations in the generated day (default {DEFAULT_CONVERSATIONS})")
    ap.add_argument("--scale", type=int, default=1,
                    help="also run everything on a day this many times larger, and compare (default 1: one size)")
    ap.add_argument("--workers", type=int, default=2,
                    help="worker processes of the extra multi-process variants; 1 skips them (default 2)")
    ap.add_argument("--stages", action="store_true",
                    help="also run the regex day of --conversations under cProfile: time split by stage")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"working directory for logs, lakes and logs of each run (default {DEFAULT_OUT})")
    ap.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    ap.add_argument("--skip", default="", help="comma-separated variants to skip: regex, presidio, workers")
    ap.add_argument("--json", type=Path, help="also write the results here as JSON")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.conversations < 1:
        ap.error("--conversations must be >= 1")
    if args.workers < 1:
        ap.error("--workers must be >= 1")
    if args.scale < 1:
        ap.error("--scale must be >= 1")
    return args


def run_size(out: Path, conversations: int, args: argparse.Namespace, skip: set[str]) -> dict:
    """Generate a day of `conversations`, measure the floor and every flywheel variant on it, print its table."""
    out.mkdir(parents=True, exist_ok=True)
    print(f"generating {conversations} conversations for {DAY} (events format, gzip, seed {args.seed}) ...",
          flush=True)
    gen = generate(out, conversations, args.seed)
    events = gen["events"]
    print(f"input: {events:,} events (valid lines) + {gen['malformed']:,} malformed lines in {gen['files']} file(s), "
          f"{gen['gz_mb']:.2f} MB gzip / {gen['raw_mb']:.2f} MB uncompressed "
          f"({gen['raw_mb'] * 1e6 / max(gen['lines'], 1):.0f} B/line); generated in {gen['seconds']:.1f}s", flush=True)

    (out / "floor").mkdir()
    glob = str(out / "logs" / DAY.isoformat() / "*.jsonl.gz")
    floors = []
    for i in range(FLOOR_RUNS):
        r = run_child({"kind": "floor", "glob": glob, "out_file": str(out / "floor" / "floor.parquet"),
                       "result_file": str(out / "results-floor.json")}, out / "floor.log")
        if r.get("status") != "succeeded":
            raise SystemExit(f"DuckDB floor failed: {r.get('error')}")
        floors.append(r)
    floor = sorted(floors, key=lambda r: r["seconds"])[len(floors) // 2]
    floor_seconds = floor["seconds"]
    print(f"floor: DuckDB {floor['duckdb']}, {floor['threads']} thread(s), runs "
          + ", ".join(f"{r['seconds']:.2f}s" for r in floors) + f" -> median {floor_seconds:.2f}s, "
          f"{floor['rows']:,} rows written", flush=True)
    r1 = run_child({"kind": "floor", "threads": 1, "glob": glob, "out_file": str(out / "floor" / "floor-1t.parquet"),
                    "result_file": str(out / "results-floor-1t.json")}, out / "floor.log")

    rows: list[tuple[str, dict]] = [(f"duckdb floor ({floor['threads']} threads)", floor),
                                    ("duckdb, 1 thread", r1)]
    variants = [(f"flywheel {mode}, 1 worker", mode, 1) for mode in ("regex", "presidio") if mode not in skip]
    if args.workers > 1 and "workers" not in skip:
        variants += [(f"flywheel {mode}, {args.workers} workers", mode, args.workers)
                     for mode in ("regex", "presidio") if mode not in skip]

    problems = []
    if floor["rows"] < events:
        problems.append(f"DuckDB wrote {floor['rows']:,} rows for {events:,} valid lines: some were not converted")
    fingerprints: dict[str, dict] = {}
    for name, mode, workers in variants:
        tag = f"{mode}-w{workers}"
        print(f"running {name} ...", flush=True)
        r = run_child({"kind": "flywheel", "source": str(out / "logs"), "lake": str(out / f"lake-{tag}"),
                       "quarantine": str(out / f"quarantine-{tag}"), "scrub_mode": mode, "workers": workers,
                       "day": DAY.isoformat(), "result_file": str(out / f"results-{tag}.json")},
                      out / f"{tag}.log")
        rows.append((name, r))
        if r.get("status") != "succeeded":
            problems.append(f"{name}: {r.get('status')}: {r.get('error')} (log: {out / f'{tag}.log'})")
            continue
        fingerprints[tag] = {"mode": mode, "tables": lake_fingerprint(out / f"lake-{tag}")}
        c = r["counts"]
        print(f"  {r['seconds']:.1f}s, {events / r['seconds']:,.0f} events/s; lines accepted "
              f"{c.get('lines_accepted', 0):,}, quarantined {c.get('lines_quarantined', 0):,}, conversations "
              f"{c.get('conversations', 0):,}, turns {c.get('turns', 0):,}, sft examples "
              f"{c.get('rows.sft', 0):,}, PII replaced {r['pii_total']:,}, {r.get('judge_mode')}", flush=True)
        if c.get("lines_accepted") != events:
            problems.append(f"{name}: accepted {c.get('lines_accepted'):,} lines, the generator wrote {events:,} "
                            "valid ones")
    by_mode: dict[str, list[tuple[str, dict]]] = {}
    for tag, fp in fingerprints.items():
        by_mode.setdefault(fp["mode"], []).append((tag, fp["tables"]))
    for mode, runs in by_mode.items():
        if any(tables != runs[0][1] for _, tables in runs[1:]):
            problems.append(f"{conversations} conversations, scrub_mode={mode}: the lakes of "
                            + " and ".join(t for t, _ in runs) + " differ (same input, same mode: they should be "
                            "identical)")

    codes = {r.get("code") for _, r in rows if r.get("code")}
    print()
    print(f"{conversations:,} conversations = {events:,} events ({gen['gz_mb']:.2f} MB gzip, {gen['raw_mb']:.2f} MB "
          f"JSONL), {gen['files']} file(s); code {', '.join(sorted(c for c in codes if c)) or '?'}; ratios against "
          f"the DuckDB floor's median ({FLOOR_RUNS} runs); CPU s = user+sys of the run (Beam worker processes "
          "included)")
    print_table(rows, events, floor_seconds)
    print()
    return {"conversations": conversations, "input": gen, "floor_runs": floors, "variants": rows,
            "lake_fingerprints": fingerprints, "problems": problems}


def print_scaling(sizes: list[dict]) -> None:
    """Per flywheel variant: events per CPU-second and peak RSS at each size, and the largest over the smallest."""
    small, large = sizes[0], sizes[-1]
    factor = large["input"]["events"] / small["input"]["events"]
    print(f"scaling: {small['conversations']:,} -> {large['conversations']:,} conversations "
          f"({factor:.1f}x the events)")
    header = ("variant", "events/CPU s small", "large", "ratio", "peak RSS MB small", "large", "ratio")
    lines = [header]
    large_rows = dict(large["variants"])
    for name, r in small["variants"]:
        other = large_rows.get(name, {})
        if not name.startswith("flywheel") or r.get("status") != "succeeded" or other.get("status") != "succeeded":
            continue
        rates = [s["input"]["events"] / max(x["cpu"], 1e-9) for s, x in ((small, r), (large, other))]
        rss = [x["rss_self_mb"] + x.get("rss_child_mb", 0) * (x.get("workers") or 1) for x in (r, other)]
        lines.append((name, f"{rates[0]:,.0f}", f"{rates[1]:,.0f}", f"{rates[1] / rates[0]:.2f}x",
                      f"{rss[0]:,.0f}", f"{rss[1]:,.0f}", f"{rss[1] / rss[0]:.2f}x"))
    _print_rows(lines)
    print("(peak RSS of a multi-worker variant: parent + workers x the largest worker)\n")


def print_stages(result: dict, events: int) -> None:
    stages = result.get("stages") or {}
    total = sum(stages.values()) or 1e-9
    print(f"time split by stage: the regex day under cProfile ({result.get('seconds', 0):.1f}s wall, profiled; "
          "the profiler inflates times about 1.5-2x, read the shares)")
    lines = [("stage", "profiled s", "share", "s per 1,000 events")]
    for stage, seconds in sorted(stages.items(), key=lambda item: -item[1]):
        lines.append((stage, f"{seconds:.2f}", f"{seconds / total:.0%}", f"{seconds * 1000 / events:.3f}"))
    _print_rows(lines)
    print()


def _print_rows(lines: list[tuple]) -> None:
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    for n, line in enumerate(lines):
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child)

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    started = time.perf_counter()
    load_start = os.getloadavg()
    counts = [args.conversations] + ([args.conversations * args.scale] if args.scale > 1 else [])
    sizes = [run_size(out / f"size-{n}", n, args, skip) for n in counts]
    if len(sizes) > 1:
        print_scaling(sizes)
    stages = None
    if args.stages:
        small = out / f"size-{counts[0]}"
        print("running flywheel regex, 1 worker, under cProfile ...", flush=True)
        stages = run_child({"kind": "flywheel", "source": str(small / "logs"), "lake": str(small / "lake-profile"),
                            "quarantine": str(small / "quarantine-profile"), "scrub_mode": "regex", "workers": 1,
                            "day": DAY.isoformat(), "profile": True,
                            "result_file": str(small / "results-profile.json")}, small / "profile.log")
        if stages.get("status") == "succeeded":
            print_stages(stages, sizes[0]["input"]["events"])

    problems = [p for size in sizes for p in size["problems"]]
    all_rows = [r for size in sizes for _, r in size["variants"]] + ([stages] if stages else [])
    codes = {r.get("code") for r in all_rows if r.get("code")}
    if len(codes) > 1 or any(r.get("code_changed_during_run") for r in all_rows):
        problems.append("the project's code changed during the benchmark (hashes "
                        f"{', '.join(sorted(c for c in codes if c))}): the variants did not all measure the same code")
    projects = {r["project"] for r in all_rows if r.get("project")}
    if projects and projects != {str(REPO)}:
        problems.append(f"the flywheel was imported from {', '.join(sorted(projects))}, not from {REPO}")
    load_end = os.getloadavg()
    print(f"code {', '.join(sorted(c for c in codes if c)) or '?'} in {REPO}; total benchmark time "
          f"{time.perf_counter() - started:.0f}s on {os.cpu_count()} CPUs; load average (1/5/15 min) at start "
          f"{'/'.join(f'{x:.1f}' for x in load_start)}, at end {'/'.join(f'{x:.1f}' for x in load_end)}; outputs "
          f"and per-run logs in {out}")
    for p in problems:
        print(f"WARNING: {p}")

    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "sizes": [
            {**{k: v for k, v in size.items() if k != "variants"}, "variants": dict(size["variants"])}
            for size in sizes], "stages": stages, "warnings": problems,
            "load_average": {"start": load_start, "end": load_end}}, indent=2, default=str))
    return 1 if any(r.get("status") != "succeeded" for r in all_rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
