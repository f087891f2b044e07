"""kill -9 trials: a real day run in a subprocess, killed at a chosen point of publishing, never leaves a mixed date.

Each trial starts from a lake holding an OLD commit of the date (30 generated conversations, seed 1), runs the
date again on NEW logs (seed 2) with FLYWHEEL_TEST_CRASH_AT=<point> (the process SIGKILLs itself there,
`datalake.partitions.crash_point`), then checks through the reader and the DuckDB catalog that every table
shows the rows of one run, the one the commit record names; then reruns the date and checks the lake equals a
clean run's, with no leftovers. Points: after_staging, between_tables (after the first table's files moved
in), before_commit (every table's files in, no record yet), after_commit (record written, old files not yet
deleted). The default run covers two points and a killed first run (~40 s); `-m slow` runs every point
and the CLI's Prefect server check.

    .venv/bin/python -m pytest -q tests/lake/test_crash_safety.py            # default
    .venv/bin/python -m pytest -q -m slow tests/lake/test_crash_safety.py    # the full matrix
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from datalake.commits import partition_files, read_commit
from datalake.manifests import day_is_complete, read_manifests
from datalake.partitions import CRASH_AT_ENV
from datalake.reader import read_partitions
from datalake.tables import PUBLISHED_TABLES, TABLES
from flywheel.sample_logs import generate_logs
from sql.catalog import open_catalog

DAY = date(2026, 11, 28)
REPO = Path(__file__).resolve().parents[2]
# The id that orders each table's rows (the index: its key).
ORDER_BY = {"conversations": "row_id", "judgments": "judgment_id", "sft": "example_id", "preferences": "pair_id",
            "_index/sft_keys": "exact_key"}
# One date through flows.day.process_day, as the flows run it (no Prefect: its server costs ~15 s a start).
RUN_DAY = """
import sys
from datetime import date
from flows.day import process_day
from flows.settings import SettingsOverrides, load_settings
source, lake, quarantine, day = sys.argv[1:5]
settings = load_settings(SettingsOverrides(source_uri=source, lake_uri=lake, quarantine_uri=quarantine,
                                           scrub_mode="regex"))
manifest = process_day(settings, date.fromisoformat(day), flow="crash-trial")
print(manifest.run_id, manifest.status)
"""


def run_day(source: Path, lake: Path, quarantine: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYWHEEL_")}
    if crash_at:
        env[CRASH_AT_ENV] = crash_at
    return subprocess.run([sys.executable, "-c", RUN_DAY, str(source), str(lake), str(quarantine), DAY.isoformat()],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def reader_digests(lake: Path) -> dict[str, str]:
    """Per table, a hash of its rows as the reader returns them, in id order."""
    out = {}
    for table in PUBLISHED_TABLES:
        data, _ = read_partitions(str(lake), table)
        rows = sorted(data.to_pylist(), key=lambda r: r[ORDER_BY[table]])
        out[table] = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    return out


def catalog_digests(lake: Path) -> dict[str, str]:
    """Per analyst table, a hash of its view's rows in id order."""
    con = open_catalog(str(lake))
    try:
        return {table: _hash_rows(con.execute(f'SELECT * FROM "{table}" ORDER BY "{ORDER_BY[table]}"').fetchall())
                for table in TABLES}
    finally:
        con.close()


def adhoc_digests(lake: Path) -> dict[str, str]:
    """What an analyst's plain `read_parquet('lake/<table>/**/*.parquet')` sees (README, "Querying")."""
    con = duckdb.connect()
    out = {}
    for table in TABLES:
        if not list((lake / table).rglob("*.parquet")):
            out[table] = _hash_rows([])
            continue
        rows = con.execute(f"SELECT * EXCLUDE (dt) FROM read_parquet('{lake}/{table}/**/*.parquet', "
                           f"hive_partitioning = true, union_by_name = true) ORDER BY \"{ORDER_BY[table]}\"").fetchall()
        out[table] = _hash_rows(rows)
    return out


def _hash_rows(rows: list) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def leftovers(lake: Path, quarantine: Path) -> list[str]:
    """Staging, trash and quarantine staging left behind, and live files the commit record does not name."""
    found = [str(p) for base in (lake / "_staging", lake / "_trash", quarantine / "_staging")
             if base.exists() for p in base.iterdir()]
    for table in PUBLISHED_TABLES:
        committed = set(partition_files(str(lake), table, DAY) or [])
        found += [str(p) for p in (lake / table).rglob("*.parquet") if str(p) not in committed]
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Old and new logs of the date, and the lakes a clean run of each gives (the references)."""
    root = tmp_path_factory.mktemp("crash")
    old_logs, new_logs = root / "old_logs", root / "new_logs"
    generate_logs(old_logs, [DAY], 30, seed=1)
    generate_logs(new_logs, [DAY], 30, seed=2)
    refs = {}
    for name, logs in (("old", old_logs), ("new", new_logs)):
        lake, quarantine = root / f"{name}_lake", root / f"{name}_quarantine"
        done = run_day(logs, lake, quarantine)
        assert done.returncode == 0 and done.stdout.split()[-1] == "succeeded", done.stderr[-2000:]
        refs[name] = {"lake": lake, "quarantine": quarantine, "run_id": done.stdout.split()[-2],
                      "reader": reader_digests(lake), "catalog": catalog_digests(lake), "adhoc": adhoc_digests(lake)}
    for table in ("conversations", "sft", "preferences", "_index/sft_keys"):
        assert refs["old"]["reader"][table] != refs["new"]["reader"][table], f"{table}: old and new logs must differ"
    return {"root": root, "old_logs": old_logs, "new_logs": new_logs, **refs}


def shows_one_run(lake: Path, world: dict) -> str:
    """Which reference ("old"/"new") every table of the lake shows, through the reader and the catalog; fails
    on a mix."""
    reader, catalog = reader_digests(lake), catalog_digests(lake)
    seen = set()
    for table in PUBLISHED_TABLES:
        matches = {name for name in ("old", "new") if world[name]["reader"][table] == reader[table]}
        assert matches, f"{table}: the reader shows rows of neither run"
        seen.add(frozenset(matches))
    for table in TABLES:
        matches = {name for name in ("old", "new") if world[name]["catalog"][table] == catalog[table]}
        assert matches, f"{table}: the catalog shows rows of neither run"
        seen.add(frozenset(matches))
    common = frozenset.intersection(*seen)
    assert len(common) == 1, f"a mixed date: tables match {sorted(map(sorted, seen))}"
    return next(iter(common))


# point -> which run the date belongs to after a kill there
POINTS = {
    "after_staging": "old",
    "between_tables": "old",
    "before_commit": "old",
    "after_commit": "new",
}
DEFAULT_POINTS = ("between_tables", "after_commit")


@pytest.mark.parametrize("point", [
    pytest.param(point, marks=() if point in DEFAULT_POINTS else pytest.mark.slow) for point in POINTS
])
def test_kill_9_while_publishing_never_leaves_a_mixed_date(world, tmp_path, point):
    lake, quarantine = tmp_path / "lake", tmp_path / "quarantine"
    shutil.copytree(world["old"]["lake"], lake)
    shutil.copytree(world["old"]["quarantine"], quarantine)

    killed = run_day(world["new_logs"], lake, quarantine, crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    expected = POINTS[point]
    assert shows_one_run(lake, world) == expected
    record = read_commit(str(lake), DAY)
    committed_runs = {part.run_id for part in record.tables.values()}
    assert len(committed_runs) == 1
    killed_run = next(m for m in read_manifests(str(lake)) if m.run_id != world["old"]["run_id"])
    assert killed_run.status == "running"  # on record from the start
    assert committed_runs == {world["old"]["run_id"] if expected == "old" else killed_run.run_id}
    # Complete while the old commit stands; after a kill past the commit, not until a run finalises it.
    assert day_is_complete(str(lake), DAY) is (expected == "old")

    rerun = run_day(world["new_logs"], lake, quarantine)
    assert rerun.returncode == 0 and rerun.stdout.split()[-1] == "succeeded", rerun.stderr[-2000:]
    assert shows_one_run(lake, world) == "new"
    assert reader_digests(lake) == world["new"]["reader"]
    assert catalog_digests(lake) == world["new"]["catalog"]
    assert leftovers(lake, quarantine) == []
    # With only committed files left, even an analyst's plain glob sees the clean run's rows.
    assert adhoc_digests(lake) == world["new"]["adhoc"]
    assert [p.name for p in (quarantine / f"dt={DAY}").iterdir()] == [f"{rerun.stdout.split()[-2]}.jsonl"]
    swept = next(m for m in read_manifests(str(lake)) if m.run_id == killed_run.run_id)
    assert swept.status == ("succeeded" if expected == "new" else "failed")
    assert day_is_complete(str(lake), DAY)


def test_a_killed_first_run_leaves_the_date_incomplete_and_invisible(world, tmp_path):
    lake, quarantine = tmp_path / "lake", tmp_path / "quarantine"
    killed = run_day(world["new_logs"], lake, quarantine, crash_at="between_tables")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    assert read_commit(str(lake), DAY) is None
    assert not day_is_complete(str(lake), DAY)  # `flywheel backfill` runs it again
    assert [m.status for m in read_manifests(str(lake))] == ["running"]
    for table in PUBLISHED_TABLES:
        data, read = read_partitions(str(lake), table, [DAY])
        assert data.num_rows == 0 and read.missing_days == [DAY.isoformat()], table
    con = open_catalog(str(lake))
    try:
        assert {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES} == dict.fromkeys(TABLES, 0)
    finally:
        con.close()

    rerun = run_day(world["new_logs"], lake, quarantine)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert reader_digests(lake) == world["new"]["reader"]
    assert catalog_digests(lake) == world["new"]["catalog"]
    assert leftovers(lake, quarantine) == []
    assert [m.status for m in read_manifests(str(lake))] == ["failed", "succeeded"]


def test_a_second_run_of_a_date_being_processed_changes_nothing(world, tmp_path):
    from datalake.recovery import DateLock

    lake, quarantine = tmp_path / "lake", tmp_path / "quarantine"
    shutil.copytree(world["old"]["lake"], lake)
    shutil.copytree(world["old"]["quarantine"], quarantine)
    with DateLock(str(lake), DAY, "2026-11-28_someone-else"):
        refused = run_day(world["new_logs"], lake, quarantine)
    assert refused.returncode == 0 and refused.stdout.split()[-1] == "failed"
    assert "being processed by run 2026-11-28_someone-else" in read_manifests(str(lake))[-1].error
    assert shows_one_run(lake, world) == "old"


# --- the CLI and Prefect's temporary server ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the death signal is Linux's")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_cli_stops_prefects_temporary_server(world, tmp_path, how):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWHEEL_", "PREFECT_API_URL"))}
    env.update(FLYWHEEL_SOURCE_URI=str(world["new_logs"]), FLYWHEEL_LAKE_URI=str(tmp_path / "lake"),
               FLYWHEEL_QUARANTINE_URI=str(tmp_path / "quarantine"), FLYWHEEL_SCRUB_MODE="regex",
               PREFECT_HOME=str(tmp_path / "prefect"))
    cli = subprocess.Popen([sys.executable, "-m", "flywheel.cli", "run", "--date", DAY.isoformat()], cwd=REPO,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        server = []
        while not server and time.monotonic() < deadline and cli.poll() is None:
            server = [p for p in _children(cli.pid) if b"uvicorn" in Path(f"/proc/{p}/cmdline").read_bytes()]
            time.sleep(0.2)
        assert server, "the CLI never started Prefect's temporary server"
        os.kill(cli.pid, how)
        cli.wait(timeout=60)
        deadline = time.monotonic() + 20
        while _alive(server[0]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(server[0]), f"Prefect's temporary server outlived the CLI ({how.name})"
    finally:
        if cli.poll() is None:
            cli.kill()
