"""Where a regex-only day's CPU goes, by stage: the scrubber apart from everything else.

    python -m bench.profile_day [--conversations N] [--seed S] [--out DIR] [--profile] [--top K]

Generates one day (events format, gzip, the generator's default 1% malformed lines, 2024-05-01) like
bench_e2e, then runs `flows.day.process_day` on it (scrub_mode=regex, FnApiRunner in-process, one worker,
no judge) into a fresh lake, in this process.

Without --profile: CPU seconds (user+sys of this process) of the whole day, of the scrubber (the scrub
step `transforms.conversation_step.scrub_conversation` and building the scrubber), and of the rest, per
1,000 events. This is the figure to compare before/after: no profiler overhead.

With --profile: the same day under cProfile, and two tables. "By stage": every function's own time goes to
the stage of the nearest project frame that called it (a pydantic validation called by sessionize counts as
sessionize; a library called through several project-free frames is shared among its callers in proportion
to their calls' time), so the stages add up to the whole. "By library": own time by package (pydantic, Beam,
json, the regex engine's builtins, ...), wherever it was called from. Then the top K functions by own time
outside the scrubber. Profiled times are inflated by the profiler (about 1.5-2x); read the shares.

Run it before and after a change from each tree's root (PYTHONPATH=<tree>), same N and seed.
"""

from __future__ import annotations

import os

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("DO_NOT_TRACK", "1")

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

DAY = date(2024, 5, 1)

# Project module path (relative, without .py) prefix -> stage. The first matching prefix wins.
STAGES = [
    ("transforms/scrub/", "scrub"),
    ("transforms/ingest/sessionize", "sessionize"),
    ("transforms/ingest/", "ingest (read, parse, validate)"),
    ("schemas/events", "ingest (read, parse, validate)"),
    ("transforms/label/", "label rules"),
    ("transforms/task_category", "tags (category, language)"),
    ("transforms/conversation_tags", "tags (category, language)"),
    ("transforms/text", "tags (category, language)"),
    ("transforms/training/", "training rows + curation"),
    ("transforms/turns", "training rows + curation"),
    ("transforms/conversation_step", "conversation step glue"),
    ("transforms/ids", "ids (hashing)"),
    ("transforms/beam/", "Beam DoFns / composites"),
    ("datalake/", "lake (write, publish)"),
    ("flows/", "flow"),
    ("schemas/", "schemas"),
]
UNATTRIBUTED = "runner and libraries (no project caller)"

LIBRARIES = [
    ("pydantic_core", "pydantic"), ("pydantic", "pydantic"), ("apache_beam", "Beam"), ("presidio", "Presidio"),
    ("phonenumbers", "phonenumbers"), ("py3langid", "py3langid"), ("numpy", "numpy"), ("pyarrow", "pyarrow"),
    ("json/", "json (stdlib)"), ("orjson", "orjson"), ("gzip", "gzip/zlib"), ("copy.py", "copy (deepcopy)"),
    ("re/", "re (compile, module functions)"), ("hashlib", "hashlib"), ("dill", "pickling"), ("pickle", "pickling"),
    ("cloudpickle", "pickling"),
]


def _project_root() -> Path:
    import transforms

    return Path(transforms.__file__).resolve().parents[1]


def _stage_of(filename: str, root: str) -> str | None:
    if not filename.startswith(root):
        return None
    rel = filename[len(root):].lstrip("/")
    for prefix, stage in STAGES:
        if rel.startswith(prefix):
            return stage
    return None


def _library_of(func: tuple, root: str) -> str:
    filename, _, name = func
    if filename == "~":
        # builtins: name like "<method 'search' of 're.Pattern' objects>" or "<built-in method ...>"
        if "re.Pattern" in name or "_sre" in name:
            return "regex engine (builtin calls)"
        if "pickle" in name or "dumps" in name or "loads" in name:
            return "builtin (de)serialisation"
        return "other builtins"
    stage = _stage_of(filename, root)
    if stage is not None:
        return f"project: {stage}"
    for needle, library in LIBRARIES:
        if f"/{needle}" in filename or filename.endswith(needle):
            return library
    return "other Python"


def attribute_by_stage(stats: pstats.Stats, root: str, rounds: int = 60) -> dict[str, float]:
    """Own time of every function, charged to the stage of its nearest project caller (see the docstring).

    A project-free function's shares are its callers' shares weighted by the time of each call edge; the
    call graph has cycles (Beam's receivers call each other), so the shares are relaxed to a fixed point
    (`rounds` passes) instead of recursing."""
    table = stats.stats  # func -> (cc, nc, tt, ct, callers{caller: (cc, nc, tt, ct)})
    fixed = {func: {stage: 1.0} for func in table if (stage := _stage_of(func[0], root)) is not None}
    edges = {}
    for func, row in table.items():
        if func in fixed:
            continue
        weights = {caller: edge[3] or edge[2] or 1e-9 for caller, edge in row[4].items() if caller != func}
        total = sum(weights.values())
        edges[func] = [(caller, weight / total) for caller, weight in weights.items()]
    shares: dict[tuple, dict[str, float]] = {func: {UNATTRIBUTED: 1.0} for func in edges}
    shares.update(fixed)
    for _ in range(rounds):
        for func, callers in edges.items():
            if not callers:
                continue
            result: dict[str, float] = defaultdict(float)
            for caller, fraction in callers:
                for stage, part in shares.get(caller, {UNATTRIBUTED: 1.0}).items():
                    result[stage] += part * fraction
            shares[func] = result
    by_stage: dict[str, float] = defaultdict(float)
    for func, row in table.items():
        for stage, fraction in shares[func].items():
            by_stage[stage] += row[2] * fraction
    return dict(by_stage)


def generate(out: Path, conversations: int, seed: int) -> int:
    from flywheel.sample_logs import generate_logs

    logs = generate_logs(out / "logs", [DAY], conversations, seed=seed, log_format="events", gzip=True)
    return logs.events


class ScrubClock:
    """CPU seconds spent inside the scrubber: the conversation step's scrub call and building the scrubber."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, module, name: str) -> None:
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            t0 = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - t0

        setattr(module, name, timed)


def run_day(out: Path):
    from flows.day import process_day
    from flows.settings import load_settings

    settings = load_settings(
        source_uri=str(out / "logs"), lake_uri=str(out / "lake"), quarantine_uri=str(out / "quarantine"),
        scrub_mode="regex", workers=1, runner="FnApiRunner",
    )
    return process_day(settings, DAY, flow="bench")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, help="working directory (default: a temporary one, removed after)")
    ap.add_argument("--profile", action="store_true", help="run under cProfile and print the tables")
    ap.add_argument("--stats", type=Path, help="with --profile: also save the raw cProfile stats here")
    ap.add_argument("--top", type=int, default=25, help="functions listed outside the scrubber (with --profile)")
    args = ap.parse_args(argv)
    for name in ("FLYWHEEL_JUDGE__BASE_URL", "FLYWHEEL_JUDGE__MODEL", "FLYWHEEL_JUDGE__API_KEY"):
        os.environ.pop(name, None)  # rules-only: a judge would add network time

    out = args.out or Path(tempfile.mkdtemp(prefix="profile_day_"))
    out.mkdir(parents=True, exist_ok=True)
    for name in ("logs", "lake", "quarantine"):
        shutil.rmtree(out / name, ignore_errors=True)
    try:
        events = generate(out, args.conversations, args.seed)
        import flows.day  # noqa: F401 - imports outside the measured time
        import transforms.beam.conversations as beam_conversations
        import transforms.conversation_step as step

        clock = ScrubClock()
        clock.wrap(step, "scrub_conversation")
        clock.wrap(beam_conversations.Scrubber, "from_config")
        profiler = cProfile.Profile() if args.profile else None
        t0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        manifest = run_day(out)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        if manifest.status != "succeeded":
            raise SystemExit(f"the day did not succeed: {manifest.status} {manifest.error}")
        root = str(_project_root())
        per_k = 1000 / events
        print(f"project {root}; {events:,} events, {args.conversations:,} conversations, seed {args.seed}; "
              f"{'profiled' if profiler else 'not profiled'}")
        print(f"CPU s: whole day {cpu:.2f} (wall {wall:.2f}), scrubber {clock.seconds:.2f}, "
              f"rest {cpu - clock.seconds:.2f}")
        print(f"CPU s per 1,000 events: whole day {cpu * per_k:.3f}, scrubber {clock.seconds * per_k:.3f}, "
              f"rest {(cpu - clock.seconds) * per_k:.3f}")
        if profiler:
            stats = pstats.Stats(profiler)
            if args.stats:
                stats.dump_stats(args.stats)
            report(stats, root, events, args.top)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


def report(stats: pstats.Stats, root: str, events: int, top: int) -> None:
    total = sum(row[2] for row in stats.stats.values())
    per_k = 1000 / events

    def table(title: str, rows: dict[str, float]) -> None:
        print(f"\n{title} (profiled s, s per 1,000 events, share)")
        for name, seconds in sorted(rows.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<44} {seconds:8.2f} {seconds * per_k:8.3f} {100 * seconds / total:6.1f}%")

    by_stage = attribute_by_stage(stats, root)
    table("By stage", by_stage)
    scrub = by_stage.get("scrub", 0.0)
    print(f"  {'(all but the scrubber)':<44} {total - scrub:8.2f} {(total - scrub) * per_k:8.3f}")
    by_library: dict[str, float] = defaultdict(float)
    for func, row in stats.stats.items():
        by_library[_library_of(func, root)] += row[2]
    table("By library (own time)", by_library)

    print(f"\nTop {top} functions by own time, the scrubber's and Presidio's left out")
    rows = []
    for func, (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        if _stage_of(func[0], root) == "scrub" or "presidio" in func[0] or "phonenumbers" in func[0]:
            continue
        rows.append((tottime, ncalls, cumtime, func))
    for tottime, ncalls, cumtime, (filename, line, name) in sorted(rows, reverse=True)[:top]:
        where = filename[len(root) + 1:] if filename.startswith(root) else filename.split("site-packages/")[-1]
        print(f"  {tottime:7.2f} own {cumtime:7.2f} cum {ncalls:9d} calls  {name}  {where}:{line}")


if __name__ == "__main__":
    raise SystemExit(main())
