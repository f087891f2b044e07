"""A backfill with concurrency N publishes byte-identical tables to concurrency 1 (issue 9, point 4).

Dedup across days reads the index of the other committed dates, so the order in which dates publish decides
which copy of a repeated example survives. flows/ordering.py makes a concurrent backfill curate and publish in
date order; these tests compare every committed file of two lakes, one backfilled one date at a time and one
two at a time, fresh and then again with --force.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from datalake.commits import read_commits
from datalake.manifests import read_manifests
from flows.backfill import backfill
from flows.ordering import DateOrder, OrderLost
from flows.settings import SettingsOverrides
from flywheel.sample_logs import generate_logs

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(4)]


def repeat_day(logs: Path, source: date, target: date, suffix: str) -> int:
    """Copy `source`'s conversations into `target`'s logs as new conversations (ids suffixed, times shifted):
    the same prompts and answers on another date, which the exact dedup across days must catch."""
    shift = target - source
    lines = []
    for path in sorted((logs / source.isoformat()).glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # the generator's malformed lines
            if not isinstance(event, dict) or not isinstance(event.get("timestamp"), str):
                continue
            for key in ("conversation_id", "message_id", "parent_id", "event_id"):
                if isinstance(event.get(key), str):
                    event[key] += suffix
            try:
                stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")) + shift
            except ValueError:
                continue  # a planted bad timestamp ("yesterday")
            event["timestamp"] = stamp.isoformat().replace("+00:00", "Z")
            lines.append(json.dumps(event))
    (logs / target.isoformat() / f"repeat-{suffix}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def lake_files(lake: str) -> dict[tuple[str, str, str], str]:
    """(table, dt, shard) -> sha256 of every committed file (file names carry run ids: compare content)."""
    files = {}
    for dt, record in read_commits(lake).items():
        for table, part in record.tables.items():
            for name in part.files:
                shard = name.split(".")[0]
                files[(table, dt, shard)] = hashlib.sha256(
                    (Path(lake) / table / f"dt={dt}" / name).read_bytes()).hexdigest()
    return files


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("equivalence") / "logs"
    generate_logs(root, DAYS, 40, seed=11, gzip=False)
    repeat_day(root, DAYS[0], DAYS[2], "r1")  # day 3 repeats day 1: exact duplicates of an earlier date
    repeat_day(root, DAYS[3], DAYS[1], "r4")  # day 2 repeats day 4: of a later date (who wins depends on order)
    return root


def overrides_for(logs: Path, where: Path) -> SettingsOverrides:
    return SettingsOverrides(source_uri=str(logs), lake_uri=str(where / "lake"), quarantine_uri=str(where / "q"),
                             scrub_mode="regex", shards=2)


def test_concurrent_backfill_equals_one_at_a_time_fresh_and_forced(prefect_harness, logs, tmp_path):
    one, two = overrides_for(logs, tmp_path / "one"), overrides_for(logs, tmp_path / "two")
    backfill(DAYS[0], DAYS[-1], concurrency=1, overrides=one)
    backfill(DAYS[0], DAYS[-1], concurrency=2, overrides=two)
    sequential = lake_files(one.lake_uri)
    # conversations, sft, preferences and the index (no judge: judgments has no files); a shard may be empty
    assert {table for table, _, _ in sequential} == {"conversations", "sft", "preferences", "_index/sft_keys"}
    assert lake_files(two.lake_uri) == sequential

    runs = {m.dt: m for m in read_manifests(one.lake_uri)}
    # The repeats really are duplicates across days: the later date drops them against the earlier one.
    assert runs["2026-11-03"].counts.get("dedup.exact_earlier", 0) > 0
    assert runs["2026-11-04"].counts.get("dedup.exact_earlier", 0) > 0
    for lake in (one.lake_uri, two.lake_uri):
        counts = {m.dt: m.counts for m in read_manifests(lake)}
        assert {dt: c.get("rows.sft") for dt, c in counts.items()} == \
               {dt: m.counts.get("rows.sft") for dt, m in runs.items()}

    # --force reruns every date against the index the first backfill left: still equal, still no date lost rows.
    backfill(DAYS[0], DAYS[-1], force=True, concurrency=1, overrides=one)
    backfill(DAYS[0], DAYS[-1], force=True, concurrency=2, overrides=two)
    assert lake_files(one.lake_uri) == lake_files(two.lake_uri)
    forced = {m.dt: m.counts.get("rows.sft") for m in read_manifests(two.lake_uri)}  # the latest run per date
    assert forced == {dt: m.counts.get("rows.sft") for dt, m in runs.items()}


def test_a_date_waits_for_every_earlier_date_of_its_backfill():
    order = DateOrder(DAYS)
    passed: list[date] = []

    def run(day):
        order.wait_for_turn(day)
        passed.append(day)

    threads = [threading.Thread(target=run, args=(d,)) for d in reversed(DAYS)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    assert passed == [DAYS[0]]  # nothing earlier: straight through; the others wait
    for day in DAYS[:-1]:
        order.done(day)
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=5)
    assert passed == DAYS


def test_a_stopped_backfill_releases_its_waiting_dates_with_an_error():
    order = DateOrder(DAYS[:2])
    errors = []
    thread = threading.Thread(target=lambda: _wait(order, DAYS[1], errors))
    thread.start()
    order.close()
    thread.join(timeout=5)
    assert len(errors) == 1 and isinstance(errors[0], OrderLost)


def _wait(order, day, errors):
    try:
        order.wait_for_turn(day)
    except OrderLost as exc:
        errors.append(exc)
