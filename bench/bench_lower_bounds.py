"""Lower bounds: what one day costs before any flywheel work, against the same DuckDB floor as bench_e2e.

    python -m bench.bench_lower_bounds [--conversations N] [--out DIR] [--seed S]

Issue 12 asks for the flywheel's day within 30x (regex mode) and 100x (presidio mode) of DuckDB's
JSONL -> Parquet floor. This measures the least that any day of a Beam pipeline in Python pays, on exactly
bench_e2e's generated day (its `generate`, floor SQL and fresh-process floor runs, imported):

- `duckdb floor`: bench_e2e's COPY, median of its FLOOR_RUNS runs.
- `beam copy`: the cheapest Beam pipeline that does what a day must: the day's gzip JSONL files
  (beam.Create of the file names, read in a FlatMap, as the flywheel's ingest reads them), json.loads per
  line, keyed by conversation_id, one GroupByKey (sessionizing needs one shuffle), and the events written as
  one Parquet file per bundle with pyarrow (the floor's 14 columns; timestamps parsed with
  datetime.fromisoformat). Built on the runner and options the flywheel uses for one local worker
  (`Settings.runner_config` -> transforms.beam.options: FnApiRunner, in_memory). Timed: construction + run.
- `beam empty`: the same construction + run with one element (Create -> Map -> GroupByKey -> Map): the fixed
  cost of any pipeline on this runner.
- `python copy`: the same work without Beam: read, validate each line with the project's own event models
  the way ingest does (`transforms.ingest.lines.parse_line`, "events" format, the day's event window), group
  by conversation, write Parquet with pyarrow.
- `regex scrub only`: the project's scrubber as a regex-mode run builds it (`Scrubber.from_config` of
  `Settings.scrub`), `scrub_conversation` on each conversation's message texts, no Beam. The build is timed
  apart (setup s), not in seconds. `presidio scrub only`: the same in presidio mode.
- `spacy NER only`: the spaCy pipeline presidio mode runs (`make_ner_engine` of the settings' spacy_model:
  NER and what it listens to), `nlp.pipe` over every message text, no Presidio, no Beam; again over the
  distinct texts only; and over exactly what the presidio scrubber gives spaCy on this day (recorded from a
  real scrubber run before the timing, `scrubber_ner_inputs`: distinct code-masked sentences that may hold
  a name). The last is the least NER a presidio-mode day pays with the scrubber's gate as it is; every text
  is what it would pay without the gate. The model's load is timed apart.

The texts of the scrub and NER variants are read, grouped (and recorded) before the timing. Every variant runs
in its own fresh Python process; seconds are wall time of the work, imports excluded; CPU s is user + system of
the process (and of any child). Nothing asserts a timing; a copy that wrote another number of rows than the
day's valid events is reported (the python copy must write exactly them; the beam copy, like the floor, also
keeps malformed lines that are still objects with a conversation_id, a timestamp and a known type).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from bench.bench_e2e import DAY, EVENT_COLUMNS, FLOOR_RUNS, REPO, SEED, generate, run_child, usage

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "lower_bounds"
DEFAULT_CONVERSATIONS = 3000
MARKER = ".bench_lower_bounds"
# The targets, in multiples of the floor.
TARGETS = {"regex": 30, "presidio": 100}
EVENT_TYPES = ("message", "feedback")


def _arrow_schema():
    """The floor's columns (bench_e2e.EVENT_COLUMNS) as an Arrow schema: both copies write what DuckDB writes."""
    import pyarrow as pa

    types = {"VARCHAR": pa.string(), "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"), "DOUBLE": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in EVENT_COLUMNS.items()])


def _settings(spec: dict, scrub_mode: str = "regex"):
    """The flywheel's settings for this day, as bench_e2e's flywheel variant loads them (1 worker, FnApiRunner)."""
    from flows.settings import load_settings

    out = Path(spec["out"])
    return load_settings(source_uri=spec["source"], lake_uri=str(out / "lake-unused"),
                         quarantine_uri=str(out / "quarantine-unused"), scrub_mode=scrub_mode, workers=1,
                         runner="FnApiRunner")


def _day_files(spec: dict) -> list[str]:
    from transforms.ingest.files import list_source_files

    return list_source_files(spec["source"], DAY)


# --------------------------------------------------------------------------------------------------
# The copies: the day's events to Parquet
# --------------------------------------------------------------------------------------------------


def record_row(record: object) -> dict | None:
    """A json.loads'ed line as a row of the floor's columns, or None for what the floor's WHERE drops (no object,
    no conversation_id or timestamp, another type). A value of the wrong type becomes NULL, as with the floor's
    ignore_errors."""
    if not isinstance(record, dict) or record.get("type") not in EVENT_TYPES:
        return None
    try:
        timestamp = datetime.fromisoformat(record.get("timestamp"))
    except (TypeError, ValueError):
        return None
    if not isinstance(record.get("conversation_id"), str):
        return None
    row = {name: (value if isinstance(value := record.get(name), str) else None) for name in EVENT_COLUMNS}
    rating = record.get("rating")
    row["rating"] = float(rating) if isinstance(rating, (int, float)) and not isinstance(rating, bool) else None
    row["timestamp"] = timestamp
    return row


def _keyed_records(uri: str):
    with gzip.open(uri, "rt", encoding="utf-8") as lines:
        for line in lines:
            try:
                row = record_row(json.loads(line))
            except ValueError:
                continue
            if row is not None:
                yield row["conversation_id"], row


def _write_parquet(rows: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows, schema=_arrow_schema()), path)


def run_beam_copy(spec: dict) -> dict:
    import uuid

    import apache_beam as beam

    from transforms.beam.options import make_runner, pipeline_options

    class WriteBundleParquet(beam.DoFn):
        """The grouped events of a bundle -> one Parquet file (FnApiRunner in memory: one bundle for the day)."""

        def __init__(self, folder: str):
            self._folder = folder

        def start_bundle(self):
            self._rows = []

        def process(self, keyed):
            self._rows.extend(keyed[1])

        def finish_bundle(self):
            if self._rows:
                _write_parquet(self._rows, Path(self._folder) / f"events-{uuid.uuid4().hex}.parquet")

    folder = Path(spec["out"]) / "beam-copy"
    folder.mkdir()
    config = _settings(spec).runner_config
    files = _day_files(spec)
    before = usage()
    t0 = time.perf_counter()
    pipeline = beam.Pipeline(runner=make_runner(config), options=pipeline_options(config))
    _ = (pipeline
         | "Files" >> beam.Create(files)
         | "Read and key" >> beam.FlatMap(_keyed_records)
         | "By conversation" >> beam.GroupByKey()
         | "Write" >> beam.ParDo(WriteBundleParquet(str(folder))))
    pipeline.run().wait_until_finish()
    seconds = time.perf_counter() - t0
    return _result(seconds, before, rows=_parquet_rows(folder), files=len(files))


def run_beam_empty(spec: dict) -> dict:
    import apache_beam as beam

    from transforms.beam.options import make_runner, pipeline_options

    config = _settings(spec).runner_config
    before = usage()
    t0 = time.perf_counter()
    pipeline = beam.Pipeline(runner=make_runner(config), options=pipeline_options(config))
    _ = (pipeline
         | "One" >> beam.Create(["conversation"])
         | "Key" >> beam.Map(lambda key: (key, 1))
         | "Shuffle" >> beam.GroupByKey()
         | "Count" >> beam.Map(lambda keyed: sum(keyed[1])))
    pipeline.run().wait_until_finish()
    return _result(time.perf_counter() - t0, before)


def run_python_copy(spec: dict) -> dict:
    from schemas.events import MessageEvent
    from transforms.ingest import lines, records  # noqa: F401 - what valid_events parses with, loaded before the clock
    from transforms.ingest.window import EventWindow

    settings = _settings(spec)
    window = EventWindow.for_day(DAY, settings.ingest)
    folder = Path(spec["out"]) / "python-copy"
    folder.mkdir()
    files = _day_files(spec)
    before = usage()
    t0 = time.perf_counter()
    conversations: dict[str, list] = defaultdict(list)
    for event in valid_events(files, window):
        conversations[event.conversation_id].append(event)
    rows = []
    for events in conversations.values():
        for e in events:
            message = isinstance(e, MessageEvent)
            rows.append({
                "conversation_id": e.conversation_id, "user_id": e.user_id, "timestamp": e.timestamp,
                "type": e.type, "message_id": e.message_id, "parent_id": e.parent_id if message else None,
                "role": e.role.value if message else None, "content": e.content if message else None,
                "model": e.model if message else None, "event_id": None if message else e.event_id,
                "kind": None if message else e.kind.value, "rating": None if message else e.rating,
                "edited_text": None if message else e.edited_text, "comment": None if message else e.comment})
    _write_parquet(rows, folder / "events.parquet")
    seconds = time.perf_counter() - t0
    return _result(seconds, before, rows=_parquet_rows(folder), conversations=len(conversations))


def valid_events(files: list[str], window):
    """The events of the day's valid lines, in file order, parsed and validated as ingest does it."""
    from transforms.ingest.lines import parse_line
    from transforms.ingest.records import MalformedLine

    for uri in files:
        with gzip.open(uri, "rt", encoding="utf-8") as lines:
            for line in lines:
                try:
                    _, events = parse_line(line, "events", window)
                except MalformedLine:
                    continue
                yield from events


def _parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))


# --------------------------------------------------------------------------------------------------
# Scrubbing alone: the scrubber in each mode, and presidio mode's spaCy NER
# --------------------------------------------------------------------------------------------------


def day_messages(spec: dict) -> dict[str, list[str]]:
    """Each conversation's message texts in log order (valid lines only, parsed as ingest parses them)."""
    from schemas.events import MessageEvent
    from transforms.ingest.window import EventWindow

    window = EventWindow.for_day(DAY, _settings(spec).ingest)
    texts: dict[str, list[str]] = defaultdict(list)
    for event in valid_events(_day_files(spec), window):
        if isinstance(event, MessageEvent):
            texts[event.conversation_id].append(event.content)
    return texts


def run_scrub(spec: dict) -> dict:
    from transforms.scrub.scrubber import Scrubber

    conversations = day_messages(spec)
    t0 = time.perf_counter()
    scrubber = Scrubber.from_config(_settings(spec, scrub_mode=spec["mode"]).scrub)
    setup = time.perf_counter() - t0
    before = usage()
    t0 = time.perf_counter()
    replaced = 0
    for conversation_id, texts in conversations.items():
        _, counts = scrubber.scrub_conversation(texts, conversation_key=conversation_id)
        replaced += sum(counts.values())
    seconds = time.perf_counter() - t0
    return _result(seconds, before, setup=setup, texts=sum(map(len, conversations.values())), replaced=replaced)


def scrubber_ner_inputs(spec: dict) -> list[str]:
    """Every text the presidio-mode scrubber gives spaCy while it scrubs the day's messages (as a run builds it,
    recorded at its pipeline's `pipe`): the code-masked sentences that may hold a name, each distinct one once
    unless its cached result was evicted. Its own warm-up text is not among them."""
    from transforms.scrub.scrubber import Scrubber

    scrubber = Scrubber.from_config(_settings(spec, scrub_mode="presidio").scrub)
    nlp = scrubber._nlp  # noqa: SLF001 - its spaCy pipeline: `pipe` is wrapped to record the inputs
    pipe, sent = nlp.pipe, []

    def recording_pipe(texts, **options):
        texts = list(texts)
        sent.extend(texts)
        return pipe(texts, **options)

    nlp.pipe = recording_pipe
    for conversation_id, texts in day_messages(spec).items():
        scrubber.scrub_conversation(texts, conversation_key=conversation_id)
    return sent


def run_spacy_ner(spec: dict) -> dict:
    from transforms.scrub.ner import SPACY_BATCH_SIZE
    from transforms.scrub.presidio_adapter import make_ner_engine

    if spec["texts"] == "scrubber":
        texts = scrubber_ner_inputs(spec)
    else:
        texts = [t for conversation in day_messages(spec).values() for t in conversation]
        if spec["texts"] == "distinct":
            texts = list(dict.fromkeys(texts))
    settings = _settings(spec, scrub_mode="presidio")
    t0 = time.perf_counter()
    nlp = make_ner_engine(settings.scrub.spacy_model, include_nrp=False).nlp["en"]
    setup = time.perf_counter() - t0
    before = usage()
    t0 = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=SPACY_BATCH_SIZE))
    seconds = time.perf_counter() - t0
    return _result(seconds, before, setup=setup, texts=len(texts), entities=entities, model=settings.spacy_model,
                   pipes=nlp.pipe_names)


def _result(seconds: float, before: dict, **facts) -> dict:
    after = usage()
    cpu = (after["cpu_self"] - before["cpu_self"]) + (after["cpu_children"] - before["cpu_children"])
    return {"status": "succeeded", "seconds": seconds, "cpu": cpu, "rss_self_mb": after["rss_self_mb"], **facts}


VARIANTS = {"beam_copy": run_beam_copy, "beam_empty": run_beam_empty, "python_copy": run_python_copy,
            "scrub": run_scrub, "spacy_ner": run_spacy_ner}


def child_main(spec_json: str) -> int:
    spec = json.loads(spec_json)
    try:
        result = VARIANTS[spec["kind"]](spec)
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        result = {"status": "crashed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    Path(spec["result_file"]).write_text(json.dumps(result))
    return 0


def run_variant(spec: dict, log_file: Path) -> dict:
    """One variant of this module in a fresh interpreter, as bench_e2e runs its own."""
    return run_child(spec, log_file, module="bench.bench_lower_bounds")


# --------------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------------


def _prepare(out: Path) -> None:
    """An empty working directory: what an earlier run of this benchmark left is removed; a non-empty directory
    this benchmark did not make is refused."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"--out {out} is not empty and was not made by this benchmark: choose another directory")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / MARKER).write_text("working directory of bench.bench_lower_bounds: replaced on every run\n")


def _note(r: dict, events: int) -> str:
    if r.get("status") != "succeeded":
        return f"{r.get('status')}: {r.get('error')}"
    facts = []
    if "rows" in r:
        facts.append(f"{r['rows']:,} rows" + ("" if r["rows"] == events else f" (day: {events:,} events)"))
    if "texts" in r:
        facts.append(f"{r['texts']:,} texts")
    if "replaced" in r:
        facts.append(f"{r['replaced']:,} PII replaced")
    if "entities" in r:
        facts.append(f"{r['entities']:,} entities")
    if "setup" in r:
        facts.append(f"setup {r['setup']:.2f}s apart")
    return ", ".join(facts)


def print_table(rows: list[tuple[str, dict]], events: int, floor_seconds: float) -> None:
    lines = [("variant", "seconds", "x floor", "CPU s", "")]
    for name, r in rows:
        if r.get("status") != "succeeded":
            lines.append((name, "-", "-", "-", _note(r, events)))
            continue
        lines.append((name, f"{r['seconds']:.2f}", f"{r['seconds'] / floor_seconds:.1f}x", f"{r['cpu']:.2f}",
                      _note(r, events)))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for n, line in enumerate(lines):
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))]
        print(("  ".join(cells) + "  " + line[4]).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_lower_bounds",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS,
                    help=f"conversations in the generated day (default {DEFAULT_CONVERSATIONS}, as issue 12)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="working directory (replaced on every run)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED}, as bench_e2e)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child)
    out = args.out.resolve()
    _prepare(out)
    load_start = os.getloadavg()
    gen = generate(out, args.conversations, args.seed)
    events = gen["events"]
    print(f"{args.conversations:,} conversations = {events:,} events + {gen['malformed']:,} malformed lines, "
          f"{gen['gz_mb']:.2f} MB gzip / {gen['raw_mb']:.2f} MB JSONL in {gen['files']} file(s)", flush=True)

    (out / "floor").mkdir()
    glob = str(out / "logs" / DAY.isoformat() / "*.jsonl.gz")
    floors = [run_child({"kind": "floor", "glob": glob, "out_file": str(out / "floor" / "floor.parquet"),
                         "result_file": str(out / "results-floor.json")}, out / "floor.log")
              for _ in range(FLOOR_RUNS)]
    if any(r.get("status") != "succeeded" for r in floors):
        raise SystemExit(f"DuckDB floor failed: see {out / 'floor.log'}")
    floor = sorted(floors, key=lambda r: r["seconds"])[len(floors) // 2]
    floor_seconds = floor["seconds"]

    base = {"out": str(out), "source": str(out / "logs")}
    variants = [("beam copy", {"kind": "beam_copy"}), ("beam empty", {"kind": "beam_empty"}),
                ("python copy", {"kind": "python_copy"}), ("regex scrub only", {"kind": "scrub", "mode": "regex"}),
                ("presidio scrub only", {"kind": "scrub", "mode": "presidio"}),
                ("spacy NER only, every text", {"kind": "spacy_ner", "texts": "every"}),
                ("spacy NER only, distinct texts", {"kind": "spacy_ner", "texts": "distinct"}),
                ("spacy NER only, scrubber's sentences", {"kind": "spacy_ner", "texts": "scrubber"})]
    rows = [(f"duckdb floor (median of {FLOOR_RUNS})", floor)]
    for name, spec in variants:
        print(f"running {name} ...", flush=True)
        tag = "-".join([spec["kind"]] + [spec[k] for k in ("mode", "texts") if k in spec])
        rows.append((name, run_variant({**base, **spec, "result_file": str(out / f"results-{tag}.json")},
                                       out / f"{tag}.log")))
    load_end = os.getloadavg()

    print()
    print(f"{events:,} events; seconds = wall time of the work in a fresh process, imports excluded; CPU s = user+sys")
    print_table(rows, events, floor_seconds)
    print()
    print("targets of issue 12 on this run's floor ({:.3f}s): ".format(floor_seconds)
          + ", ".join(f"{x}x = {x * floor_seconds:.2f}s ({mode})" for mode, x in TARGETS.items()))
    print(f"load average (1/5/15 min) at start {'/'.join(f'{x:.1f}' for x in load_start)}, at end "
          f"{'/'.join(f'{x:.1f}' for x in load_end)}; outputs and logs in {out}")
    # The python copy validates as ingest does: exactly the valid events. The floor and the beam copy only parse
    # JSON, so they also keep the malformed lines that are still objects with the three columns they check.
    problems = [f"{name}: wrote {r['rows']:,} rows, the day has {events:,} valid events"
                for name, r in rows if r.get("status") == "succeeded" and "rows" in r
                and (r["rows"] != events if name == "python copy" else r["rows"] < events)]
    for p in problems:
        print(f"WARNING: {p}")
    return 1 if any(r.get("status") != "succeeded" for _, r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
