"""Run manifests: one JSON file per run (RUNS_DIR, layout in `datalake.tables`), written "running" when the run
starts and rewritten when it ends; and whether a date is complete (its commit record names succeeded runs)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from datalake.fs import filesystem, join, open_atomic
from datalake.commits import read_commit
from datalake.tables import PUBLISHED_TABLES, RUNS_DIR, partition_name
from schemas.outputs import RunManifest


def write_manifest(lake_uri: str, manifest: RunManifest) -> str:
    fs, root = filesystem(lake_uri)
    runs = join(root, RUNS_DIR)
    fs.makedirs(runs, exist_ok=True)
    path = join(runs, f"{manifest.run_id}.json")
    with open_atomic(fs, path, "w") as handle:
        handle.write(manifest.model_dump_json(indent=2))
    return path


def read_manifests(lake_uri: str) -> list[RunManifest]:
    """Every run manifest in the lake, oldest first (run ids sort by time)."""
    fs, root = filesystem(lake_uri)
    runs = join(root, RUNS_DIR)
    if not fs.exists(runs):
        return []
    manifests = []
    for path in sorted(fs.glob(join(runs, "*.json"))):
        with fs.open(path, "r") as handle:
            manifests.append(RunManifest.model_validate_json(handle.read()))
    return manifests


def read_manifest(lake_uri: str, run_id: str) -> RunManifest | None:
    fs, root = filesystem(lake_uri)
    try:
        with fs.open(join(root, RUNS_DIR, f"{run_id}.json"), "r") as handle:
            return RunManifest.model_validate_json(handle.read())
    except FileNotFoundError:
        return None


def day_is_complete(lake_uri: str, day: date) -> bool:
    """True when the date's commit record names, for every table, a run whose manifest says succeeded.

    A run killed before its commit leaves the previous commit (or none: not complete); one killed after it
    leaves a "running" manifest until the next run finalises it, and counts as not complete until then.
    A date without a commit record (a lake from before them) is complete when its latest run succeeded and
    its partitions are in place.
    """
    record = read_commit(lake_uri, day)
    if record is None:
        runs = [m for m in read_manifests(lake_uri) if m.dt == day.isoformat()]
        if not runs or runs[-1].status != "succeeded":
            return False
        fs, root = filesystem(lake_uri)
        return all(fs.exists(join(root, table, partition_name(day))) for table in PUBLISHED_TABLES)
    if set(PUBLISHED_TABLES) - set(record.tables):
        return False
    statuses = {}
    for run_id in {part.run_id for part in record.tables.values()}:
        manifest = read_manifest(lake_uri, run_id)
        statuses[run_id] = manifest.status if manifest else None
    return all(status == "succeeded" for status in statuses.values())


# --- Late data: provisional or final -------------------------------------------------------------------------

# A date's rows are "provisional" while late events may still change them, then "final" (README "Late data").
PROVISIONAL, FINAL = "provisional", "final"


def date_finality(lake_uri: str, day: date, late_window_days: int, today: date) -> str | None:
    """"final" when no later run can change the date any more, "provisional" until then; None: never committed.

    Late events for `day` arrive in the logs of the `late_window_days` dates after it (flows/late.py). The date
    is final when all of those log dates are over (day + window < today) and each of them either has a complete
    run (which re-opened `day` if its logs held events of `day`'s conversations) or had already ended (UTC)
    when `day`'s committed run started (that run then read its logs as they will stay).
    """
    record = read_commit(lake_uri, day)
    if record is None:
        return None
    if day + timedelta(days=late_window_days) >= today:
        return PROVISIONAL
    committed = read_manifest(lake_uri, record.run_id)
    started = committed.started_at if committed else None
    for k in range(1, late_window_days + 1):
        later = day + timedelta(days=k)
        ended = datetime.combine(later + timedelta(days=1), time(0), tzinfo=timezone.utc)
        if not (started is not None and started >= ended) and not day_is_complete(lake_uri, later):
            return PROVISIONAL
    return FINAL


def final_dates(lake_uri: str, days: list[date], late_window_days: int, today: date) -> list[date]:
    """The dates of `days` whose rows are final (see date_finality)."""
    return [d for d in days if date_finality(lake_uri, d, late_window_days, today) == FINAL]
