"""Nightly flow: process the day before the run's scheduled date (in the configured timezone), and catch up.

Which date: the flow run's SCHEDULED start time (`prefect.runtime.flow_run.scheduled_start_time`), taken in
`Settings.timezone`, minus one day. A run scheduled for 02:00 on the 27th processes the 26th even when the
worker only starts it on the 29th. A run with no schedule (`flywheel run`, `prefect deployment run`) has
"now" as its scheduled time, so it processes yesterday. An explicit `day` processes that date only.

Catch-up: a run without an explicit `day` also processes every earlier date, at most `catch_up_days` back,
that has logs but no complete run (`datalake.manifests.day_is_complete`), oldest first and before its own
date (dedup decisions follow date order), so a missed night (server down, worker stopped) fills itself on the
next one. A date whose latest run failed on its data is not retried every night: it needs an operator
(`flywheel run --date D`), and stays a failure on record until then.

Retention: at its end the flow deletes the raw quarantined lines of dates older than
`quarantine_retention_days` (datalake/retention.py), whether its dates succeeded or not.

Run once, now:        flywheel run                 (or: python -m flows.nightly [YYYY-MM-DD])
Run on a schedule:    see deploy/README.md — a schedule only fires with a Prefect server and a worker
                      (or `flywheel serve`); the temporary server a plain call starts never fires one.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from datalake.manifests import day_is_complete, read_manifests
from flows.settings import Settings, SettingsOverrides, load_settings
from flows.tasks import DayFailed, TransientDayFailure, process_day_task, purge_quarantine_task
from schemas.errors import ConfigError, FlywheelError
from schemas.outputs import RunManifest
from transforms.ingest.files import list_source_files



def yesterday(timezone_name: str, now: datetime | None = None) -> date:
    now = now or datetime.now(ZoneInfo(timezone_name))
    return now.astimezone(ZoneInfo(timezone_name)).date() - timedelta(days=1)


def scheduled_day(timezone_name: str) -> date:
    """The date a nightly run is for: the day before its scheduled start, in `timezone_name`.

    Prefect gives the flow run's expected start time (the schedule's slot, kept when the run starts late or
    is retried), or now outside a flow run. (Prefect 3.9 refuses PREFECT__RUNTIME__FLOW_RUN__SCHEDULED_START_TIME
    as an override for this attribute: to replay a night, pass `day`, or create a run scheduled for then.)"""
    return yesterday(timezone_name, flow_run.scheduled_start_time)


def dates_to_catch_up(settings: Settings, day: date) -> list[date]:
    """Earlier dates (at most `catch_up_days` before `day`) with logs but no complete run, oldest first.

    Left out: dates whose latest run failed on its data (not transient): rerunning them every night would
    fail the same way; they stay visible failures until an operator reruns them."""
    if settings.catch_up_days == 0:
        return []
    latest: dict[str, RunManifest] = {}
    for manifest in read_manifests(settings.lake_uri):  # oldest first: the last one per date wins
        latest[manifest.dt] = manifest
    todo = []
    for back in range(settings.catch_up_days, 0, -1):
        earlier = day - timedelta(days=back)
        last = latest.get(earlier.isoformat())
        if last is not None and last.status == "failed" and not last.transient:
            continue
        try:
            if not list_source_files(settings.source_uri, earlier):
                continue
        except FlywheelError:  # no source at all: the date's own run reports it, with its message
            return []
        if not day_is_complete(settings.lake_uri, earlier):
            todo.append(earlier)
    return todo


def _overrides_of(value: Any) -> SettingsOverrides:
    if isinstance(value, SettingsOverrides):
        return value
    return SettingsOverrides(**(value or {}))


def nightly_run_name() -> str:
    """Flow runs are named by the date they process: `nightly-2026-11-26`."""
    parameters = flow_run.parameters
    if parameters.get("day"):
        return f"nightly-{parameters['day']}"
    try:
        timezone_name = load_settings(_overrides_of(parameters.get("overrides"))).timezone
    except (ConfigError, ValueError, TypeError):  # the flow itself fails on it, with the message
        timezone_name = "UTC"
    return f"nightly-{scheduled_day(timezone_name)}"


@flow(name="flywheel-nightly", flow_run_name=nightly_run_name, log_prints=False)
def nightly_flow(day: date | None = None, overrides: SettingsOverrides | None = None,
                 force: bool = False) -> RunManifest:
    """Process one date (default: the day before the run's scheduled date in `timezone`, plus catch-up).

    Returns that date's manifest. Fails when it or a caught-up date fails (after the task's retries of a
    transient failure), and when the date has no logs (a night without logs is an incident, not green; the
    CLI exits 3). overrides: settings on top of the worker's environment (Prefect validates a JSON object into
    them). force: publish past tripped guard rails (flows/guards.py), recorded in the manifest.
    """
    logger = get_run_logger()
    overrides = overrides or SettingsOverrides()
    settings = load_settings(overrides)  # a bad setting stops here, before any work
    if day is None:
        day = scheduled_day(settings.timezone)
        earlier = dates_to_catch_up(settings, day)
    else:
        earlier = []  # an explicit date is a rerun of that date, not a night
    if earlier:
        logger.info("catching up %d earlier date(s) with logs but no complete run: %s",
                    len(earlier), ", ".join(d.isoformat() for d in earlier))
    failures: list[DayFailed] = []
    manifest: RunManifest | None = None
    # One date after the other, oldest first: each sees the dedup index of the dates before it.
    for each in [*earlier, day]:
        try:
            manifest = process_day_task(each, overrides, "nightly", force)
        except DayFailed as exc:  # the others still run; the flow fails at the end
            failures.append(exc)
            manifest = None
    # Last, and whatever the dates did: raw quarantined lines past their retention go (datalake/retention.py).
    purge_quarantine_task(overrides)
    if failures:
        if len(failures) == 1:
            raise failures[0]
        kind = TransientDayFailure if all(isinstance(f, TransientDayFailure) for f in failures) else DayFailed
        raise kind("; ".join(str(f) for f in failures))
    assert manifest is not None
    return manifest


if __name__ == "__main__":
    nightly_flow(date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else None)
