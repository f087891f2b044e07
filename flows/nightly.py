"""Nightly flow: process yesterday's logs (in the configured timezone) into the lake.

Run once, now:        flywheel run                 (or: python -m flows.nightly [YYYY-MM-DD])
Run on a schedule:    see deploy/README.md — a schedule only fires with a Prefect server and a worker
                      (or `flywheel serve`); the temporary server a plain call starts never fires one.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from prefect import flow

from flows.tasks import process_day_task
from flows.settings import SettingsOverrides, load_settings
from schemas.outputs import RunManifest


def yesterday(timezone_name: str, now: datetime | None = None) -> date:
    now = now or datetime.now(ZoneInfo(timezone_name))
    return now.astimezone(ZoneInfo(timezone_name)).date() - timedelta(days=1)


@flow(name="flywheel-nightly", log_prints=False)
def nightly_flow(day: date | None = None, overrides: SettingsOverrides | None = None) -> RunManifest:
    """Process one date (default: yesterday in `timezone`). Fails when the date fails; `no_input` does not.

    overrides: settings on top of the worker's environment (Prefect validates a JSON object into them).
    """
    overrides = overrides or SettingsOverrides()
    settings = load_settings(overrides)  # a bad setting stops here, before any work
    day = day or yesterday(settings.timezone)
    return process_day_task(day, overrides, "nightly")


if __name__ == "__main__":
    nightly_flow(date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else None)
