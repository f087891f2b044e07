"""Bounded fuzzing of ingest: lines of a generated day, mutated (seeded), through the real Beam ingest step.

Default: 2,000 mutated lines through `ReadAndParseLogs` on FnApiRunner; nothing may escape the DoFn, counts
reconcile, and every accepted event serialises as valid UTF-8 (what crashed later stages before). Slow mode
(`-m slow`): 20,000 mutated lines through the whole night (`process_day`), which must publish.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from flows.day import process_day
from flows.settings import load_settings
from transforms.beam.ingest import ReadAndParseLogs
from transforms.beam.pipeline import read_counts
from transforms.ingest.config import IngestConfig
from transforms.ingest.log_file import LogFileParse, ParsedLine
from transforms.ingest.window import EventWindow

from hostile_lines import CORPUS, DAY, MAX_LINE_BYTES

SEED = 17
CONFIG = IngestConfig(max_line_bytes=MAX_LINE_BYTES)
# JSON values a mutation splices in: the corpus's tricks at value level.
HOSTILE_VALUES = (
    '"\\ud800"', '"a\\udfff"', "NaN", "-Infinity", "1e999", "-1", "0", "true", "false", "null", "[]", "{}",
    "9" * 5000, "253402300800", "1795000000000000", '"9999-12-31T23:00:00-05:00"', '"0001-01-01T00:00:00+05:00"',
    '"0001-01-01T00:00:00Z"', '"2019-01-01T00:00:00Z"', '"\\u0000"', '"' + "x" * 300 + '"', '"rating"', '"edit"',
    '"message"', '"feedback"', '"assistant"', "[" * 3000 + "]" * 3000, '"\\ud83d\\ude00"', '"\u202e\u200b"',
)
HOSTILE_BYTES = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x00", b"\r", b'"', b"\\", b"{", b"}", b",")


def _replace_a_value(rng: random.Random, line: bytes) -> bytes:
    """Parse the line, put a hostile JSON value at a random place in it (any depth), write it back."""
    record = json.loads(line)
    marker = f"__fuzz_{rng.getrandbits(32):08x}__"
    places: list[tuple[object, object]] = []
    stack = [record]
    while stack:
        node = stack.pop()
        keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
        for key in keys:
            places.append((node, key))
            stack.append(node[key])
    if not places:
        return line
    node, key = rng.choice(places)
    node[key] = marker  # type: ignore[index]
    return json.dumps(record, ensure_ascii=rng.random() < 0.5).replace(
        f'"{marker}"', rng.choice(HOSTILE_VALUES)).encode("utf-8")


def mutate(rng: random.Random, line: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.45:
        return _replace_a_value(rng, line)
    if roll < 0.6:  # flip bytes
        data = bytearray(line)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data).replace(b"\n", b" ")
    if roll < 0.75:  # splice in hostile bytes
        at = rng.randrange(len(line))
        return line[:at] + rng.choice(HOSTILE_BYTES) + line[at:]
    if roll < 0.85:  # cut
        return line[: rng.randrange(1, len(line))]
    if roll < 0.9:  # drop a key
        record = json.loads(line)
        record.pop(rng.choice(list(record)), None)
        return json.dumps(record).encode()
    if roll < 0.95:  # a corpus line as is
        return rng.choice(CORPUS).line
    return line  # unchanged: the day stays mostly normal


def fuzzed_day(root: Path, n_lines: int, seed: int = SEED) -> Path:
    """A generated day's lines, `n_lines` of them mutated, written to one file; returns the file."""
    from flywheel.sample_logs.generate import generate_logs

    generated = generate_logs(root / "generated", [DAY], max(40, n_lines // 6), seed=seed, log_format="mixed",
                              malformed_rate=0.0, gzip=False)
    lines = [line for uri in generated.files for line in Path(uri).read_bytes().splitlines() if line.strip()]
    rng = random.Random(seed)
    day_dir = root / "logs" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    path = day_dir / "fuzzed.jsonl"
    with path.open("wb") as out:
        for _ in range(n_lines):
            out.write(mutate(rng, rng.choice(lines)).replace(b"\n", b" ") + b"\n")
    return path


def test_fuzzed_lines_never_escape_the_ingest_dofn_and_counts_reconcile(tmp_path):
    n = 2000
    path = fuzzed_day(tmp_path, n)

    pipeline = beam.Pipeline(runner=FnApiRunner())
    pipeline | ReadAndParseLogs([str(path)], "auto", DAY, CONFIG)
    result = pipeline.run()
    result.wait_until_finish()
    counts = read_counts(result)

    c = counts.counts
    assert c["lines_read"] == n
    assert c["lines_read"] == c["lines_accepted"] + c["lines_quarantined"] + c.get("lines_blank", 0)
    assert 0 < c["lines_quarantined"] < n and c["lines_accepted"] > n // 10
    assert {v["status"] for v in counts.input_files.values()} == {"read"}

    # The same file in plain Python: what was accepted is safe to serialise (no lone surrogates, no NaN).
    parse = LogFileParse(str(path), "auto", EventWindow.for_day(DAY, CONFIG), CONFIG)
    window = EventWindow.for_day(DAY, CONFIG)
    for item in parse:
        if isinstance(item, ParsedLine):
            for event in item.events:
                event.model_dump_json().encode("utf-8")
                assert window.start <= event.timestamp < window.end
        else:
            # Every rejection has a named reason: none fell through to the catch-all.
            assert not item.reason.startswith("could not parse"), item.reason
    assert (parse.lines_accepted, parse.lines_quarantined) == (c["lines_accepted"], c["lines_quarantined"])


@pytest.mark.slow
def test_twenty_thousand_fuzzed_lines_through_the_whole_night(tmp_path):
    fuzzed_day(tmp_path, 20_000, seed=SEED + 1)
    settings = load_settings(source_uri=str(tmp_path / "logs"), lake_uri=str(tmp_path / "lake"),
                             quarantine_uri=str(tmp_path / "quarantine"), scrub_mode="regex", shards=1,
                             ingest=CONFIG)
    manifest = process_day(settings, DAY)
    assert manifest.status == "succeeded", manifest.error
    c = manifest.counts
    assert c["lines_read"] == 20_000
    assert c["lines_read"] == c["lines_accepted"] + c["lines_quarantined"] + c.get("lines_blank", 0)
