"""Backfill flow: the same pipeline over a range of dates (new rules, a new judge, a fixed bug).

Open-source Prefect has no backfill feature: this flow is it. Dates already complete (the date's commit
record names succeeded runs: `datalake.manifests.day_is_complete`; a run killed before its commit never
makes a date complete) are skipped unless `force`. Dates run `concurrency` at a time, each under its lock.

Run:  flywheel backfill --start 2026-11-01 --end 2026-11-07 [--force] [--concurrency 2]
      (or: python -m flows.backfill 2026-11-01 2026-11-07)
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks import process_day_task
from flows.settings import SettingsOverrides, load_settings
from schemas.outputs import RunManifest
from datalake.manifests import day_is_complete


def date_range(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"backfill end {end} is before start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@flow(name="flywheel-backfill")
def backfill_flow(start: date, end: date, force: bool = False,
                  overrides: SettingsOverrides | None = None) -> list[RunManifest]:
    """Process every date in [start, end]; returns the manifests of the dates it ran."""
    logger = get_run_logger()
    overrides = overrides or SettingsOverrides()
    settings = load_settings(overrides)
    days = date_range(start, end)
    todo = [d for d in days if force or not day_is_complete(settings.lake_uri, d)]
    if len(todo) < len(days):
        logger.info("skipping %d date(s) already complete (use force to rerun them)", len(days) - len(todo))
    futures = [process_day_task.submit(d, overrides, "backfill") for d in todo]
    # raise_on_failure=False: one failed date must not hide the results of the others.
    results = [f.result(raise_on_failure=False) for f in futures]
    manifests = [r for r in results if isinstance(r, RunManifest)]
    failed = len(results) - len(manifests)
    if failed:
        raise RuntimeError(f"{failed} of {len(todo)} date(s) failed; see `flywheel runs`")
    return manifests


def backfill(start: date, end: date, force: bool = False, concurrency: int = 1,
             overrides: SettingsOverrides | None = None) -> list[RunManifest]:
    """Run the backfill flow with `concurrency` dates at once."""
    runner = ThreadPoolTaskRunner(max_workers=concurrency)
    return backfill_flow.with_options(task_runner=runner)(start, end, force, overrides)


if __name__ == "__main__":
    backfill(date.fromisoformat(sys.argv[1]), date.fromisoformat(sys.argv[2]))
