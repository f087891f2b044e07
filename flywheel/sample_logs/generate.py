"""The entry point: `generate_logs` writes the days, `GeneratedLogs` says what was written."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from faker import Faker

from flywheel.sample_logs.conversation import Builder
from flywheel.sample_logs.formats import OWN_FILE, Writer, malformed_line
from flywheel.sample_logs.pii import Pii, PlantedPii, Recorder
from flywheel.sample_logs.seeds import DAY_US, EPOCH, US, derive, start_offset_us
from flywheel.sample_logs.talk import Talk

LOG_FORMATS = ("events", "openai", "mixed")


@dataclass
class GeneratedLogs:
    files: list[str] = field(default_factory=list)  # paths written, in order
    planted_pii: list[PlantedPii] = field(default_factory=list)  # deduplicated, in order of first use
    lines: int = 0  # lines written in total
    malformed_lines: int = 0  # of which deliberately malformed
    events: int = 0  # valid lines written (an openai-format line counts as one)


def planted_values(logs: GeneratedLogs) -> set[str]:
    """The set of every PII string planted anywhere in the generated text."""
    return {p.value for p in logs.planted_pii}


def generate_logs(
    out_dir: str | Path,
    days: Iterable[date],
    conversations_per_day: int = 200,
    *,
    seed: int = 7,
    log_format: str = "events",
    malformed_rate: float = 0.01,
    gzip: bool = True,
    lines_per_file: int = 50_000,
) -> GeneratedLogs:
    """Write realistic sample logs for each day under out_dir; see the `flywheel.sample_logs` docstring.

    log_format: "events" (schemas.events lines), "openai" (gateway lines) or "mixed" (each conversation goes
    to one or the other, ~65/35, so every day has both kinds of file).
    Files of our own naming pattern already in a day directory are removed first, so a rerun with other
    arguments leaves no stale files behind.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {LOG_FORMATS}, got {log_format!r}")
    if not 0 <= malformed_rate < 1:
        raise ValueError(f"malformed_rate must be in [0, 1), got {malformed_rate}")
    if conversations_per_day < 0:
        raise ValueError("conversations_per_day must be >= 0")
    if lines_per_file < 1:
        raise ValueError("lines_per_file must be >= 1")
    day_list = [d.date() if isinstance(d, datetime) else d for d in days]
    if len(set(day_list)) != len(day_list):
        raise ValueError("days must not repeat")

    out = Path(out_dir)
    result = GeneratedLogs()
    rec = Recorder()
    fake_en, fake_zh = Faker("en_US"), Faker("zh_CN")
    for day in day_list:
        _generate_day(out, day, conversations_per_day, seed, log_format, malformed_rate, gzip, lines_per_file,
                      fake_en, fake_zh, rec, result)
    result.planted_pii = rec.items
    return result


def _generate_day(out: Path, day: date, n: int, seed: int, log_format: str, malformed_rate: float, gz: bool,
                  lines_per_file: int, fake_en: Faker, fake_zh: Faker, rec: Recorder, result: GeneratedLogs) -> None:
    day_dir = out / day.isoformat()
    day_dir.mkdir(parents=True, exist_ok=True)
    for old in day_dir.iterdir():
        if OWN_FILE.fullmatch(old.name) and old.is_file():
            old.unlink()

    key = day.isoformat()
    rng = random.Random(derive(seed, key, log_format, "content"))
    mrng = random.Random(derive(seed, key, log_format, "malformed"))
    fake_en.seed_instance(derive(seed, key, "faker-en"))
    fake_zh.seed_instance(derive(seed, key, "faker-zh"))
    pii = Pii(rng, fake_en, fake_zh, rec)
    mpii = Pii(mrng, fake_en, fake_zh, rec)
    builder = Builder(rng, Talk(rng, pii), users=max(10, n // 3))
    writers = {f: Writer(day_dir, f, gz, lines_per_file, result.files) for f in ("events", "openai")}

    day_start = int((datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - EPOCH).total_seconds()) * US
    day_end = day_start + DAY_US
    heap: list[tuple[int, int, str, str]] = []
    seq = 0

    def emit(ts: int, fmt: str, line: str) -> None:
        w = writers[fmt]
        w.write(line)
        result.lines += 1
        result.events += 1
        if malformed_rate and mrng.random() < malformed_rate:
            w.write(malformed_line(line, fmt, ts, mrng, mpii))
            result.lines += 1
            result.malformed_lines += 1

    for i in range(n):
        start = day_start + start_offset_us(i, n, rng)
        while heap and heap[0][0] < start:
            ts, _, fmt, line = heapq.heappop(heap)
            emit(ts, fmt, line)
        if log_format == "mixed":
            fmt = "events" if rng.random() < 0.65 else "openai"
        else:
            fmt = log_format
        for ts, line in builder.build(start, day_end, fmt):
            heapq.heappush(heap, (ts, seq, fmt, line))
            seq += 1
    while heap:
        ts, _, fmt, line = heapq.heappop(heap)
        emit(ts, fmt, line)
    for w in writers.values():
        w.close()
