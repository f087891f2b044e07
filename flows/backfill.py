"""Backfill flow: the same pipeline over a range of dates (new rules, a new judge, a fixed bug).

Open-source Prefect has no backfill feature: this flow is it. Dates already complete (the date's commit
record names succeeded runs: `datalake.manifests.day_is_complete`; a run killed before its commit never
makes a date complete) are skipped unless `force` (which also publishes past tripped guard rails:
flows/guards.py). Dates with no log files are skipped and reported, not failures. Dates run `concurrency` at
a time (default `backfill_concurrency`), each under its lock; the flow itself bounds them, so a deployment run
is bounded as much as a CLI one. With concurrency > 1 the dates' pipelines run at once, but each curates and
publishes after the earlier ones (flows/ordering.py): the tables equal a one-at-a-time backfill's.

Run:  flywheel backfill --start 2026-11-01 --end 2026-11-07 [--force] [--concurrency 2]
      (or: python -m flows.backfill 2026-11-01 2026-11-07)
"""

from __future__ import annotations

import sys
from collections import deque
from datetime import date, timedelta

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ordering import close_order, mark_done, open_order
from flows.tasks import process_day_task, purge_quarantine_task
from flows.settings import SettingsOverrides, load_settings
from schemas.outputs import RunManifest
from datalake.manifests import day_is_complete


def date_range(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"backfill end {end} is before start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def submit_bounded(days: list[date], overrides: SettingsOverrides, limit: int, force: bool = False,
                   ordered_by: str | None = None) -> list:
    """Submit one process_day_task per date, in order, with at most `limit` of them unfinished at any time.

    The bound lives here rather than in the task runner: a ThreadPoolTaskRunner's size is fixed when the
    flow is decorated, and a deployment runs the flow as decorated (Prefect's default runner starts every
    date at once, each loading its own spaCy pipeline). The next date waits for the oldest one in flight."""
    futures, in_flight = [], deque()
    for day in days:
        if len(in_flight) >= limit:
            in_flight.popleft().wait()
        future = process_day_task.submit(day, overrides, "backfill", force, ordered_by)
        if ordered_by is not None:
            # The date's final state (retries included) ends its turn: the next date may read the index.
            future.add_done_callback(lambda _future, done=day: mark_done(ordered_by, done))
        futures.append(future)
        in_flight.append(future)
    return futures


@flow(name="flywheel-backfill", flow_run_name="backfill-{start}..{end}")
def backfill_flow(start: date, end: date, force: bool = False,
                  overrides: SettingsOverrides | None = None, concurrency: int | None = None) -> list[RunManifest]:
    """Process every date in [start, end]; returns the manifests of the dates it ran.

    concurrency: dates at once (default: the backfill_concurrency setting, FLYWHEEL_BACKFILL_CONCURRENCY)."""
    logger = get_run_logger()
    overrides = overrides or SettingsOverrides()
    settings = load_settings(overrides)
    days = date_range(start, end)
    todo = [d for d in days if force or not day_is_complete(settings.lake_uri, d)]
    if len(todo) < len(days):
        logger.info("skipping %d date(s) already complete (use force to rerun them)", len(days) - len(todo))
    limit = max(1, concurrency or settings.backfill_concurrency)
    # Dedup decisions in date order whatever the concurrency (flows/ordering.py): each date reads the index
    # only after the earlier dates published, so the tables equal a one-at-a-time backfill's byte for byte.
    ordered_by = open_order(todo) if limit > 1 and len(todo) > 1 else None
    try:
        futures = submit_bounded(todo, overrides, limit, force, ordered_by)
        # raise_on_failure=False: one failed date must not hide the results of the others.
        results = [f.result(raise_on_failure=False) for f in futures]
    finally:
        if ordered_by is not None:
            close_order(ordered_by)
    manifests = [r for r in results if isinstance(r, RunManifest)]
    # A backfill of old dates writes their quarantine again: retention applies to it as to a night's.
    purge_quarantine_task(overrides)
    # A date without logs in a range is not a failure of the backfill: skipped, and reported.
    no_logs = [m.dt for m in manifests if m.status == "no_input"]
    if no_logs:
        logger.info("no log files for %d date(s), skipped: %s", len(no_logs), ", ".join(no_logs))
    failed = len(results) - len(manifests)
    if failed:
        raise RuntimeError(f"{failed} of {len(todo)} date(s) failed; see `flywheel runs`")
    return manifests


def backfill(start: date, end: date, force: bool = False, concurrency: int = 1,
             overrides: SettingsOverrides | None = None) -> list[RunManifest]:
    """Run the backfill flow with `concurrency` dates at once (the flow bounds them; the runner's size too)."""
    runner = ThreadPoolTaskRunner(max_workers=concurrency)
    return backfill_flow.with_options(task_runner=runner)(start, end, force, overrides, concurrency)


if __name__ == "__main__":
    backfill(date.fromisoformat(sys.argv[1]), date.fromisoformat(sys.argv[2]))
