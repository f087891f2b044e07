"""The Prefect tasks both flows share: one date through `process_day`, plus its run-summary artifact; and the
quarantine purge each flow runs at its end (datalake/retention.py).

Retries: a date that failed for a transient reason (storage I/O, network, judge endpoint down: flows/retry.py)
is rerun up to RETRIES times with exponential backoff; a date that failed on its data or settings is not.
Logs: the `flywheel` logger's records (counts and vetted errors only, never log content) also go to the
Prefect API, so they show in the flow run's logs in the UI, not only on the worker's stdout.
"""

from __future__ import annotations

import logging
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.context import get_run_context
from prefect.exceptions import MissingContextError
from prefect.logging.handlers import APILogHandler
from prefect.tasks import exponential_backoff

from flows.settings import SettingsOverrides, load_settings
from schemas.errors import FlywheelError
from flows.day import process_day
from flows.ordering import turn_waiter
from flows.retry import is_transient
from datalake.retention import purge_quarantine
from schemas.outputs import RunManifest


class DayFailed(FlywheelError):
    """A date did not succeed; the message is the manifest's (vetted, PII-free) error."""


class TransientDayFailure(DayFailed):
    """A date failed for a reason that may pass by itself (manifest.transient): the task retries it."""


# 3 retries, about 30 s, 60 s, 120 s apart (random jitter, at most +20 %, so dates that failed together do not
# retry together).
# A retry reruns the date from scratch under a new run id; the failed attempts stay in `flywheel runs`.
RETRIES = 3
RETRY_DELAYS = exponential_backoff(backoff_factor=30)


def retry_transient_only(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry a transient failure, never bad data or a bad setting."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # noqa: BLE001 - an unreadable result is no reason to retry
        return False
    return isinstance(exc, TransientDayFailure) or (isinstance(exc, BaseException) and is_transient(exc))


class _InARun(logging.Filter):
    """Passes records made inside a Prefect flow or task run. Outside one (plain `process_day` calls, Beam
    worker threads) the API handler has no run to attach them to and would warn on every line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "flow_run_id", None):
            return True
        try:
            get_run_context()
        except MissingContextError:
            return False
        return True


def connect_flywheel_logger() -> None:
    """Send the `flywheel` logger (and its children) to the Prefect API as well as to the console.

    The same as PREFECT_LOGGING_EXTRA_LOGGERS=flywheel, which only works when set before Prefect configures
    logging (at `import prefect`), too early for a worker's flow-run subprocess to be told by us. Idempotent:
    a handler already there (from that setting, or an earlier call) is not added twice. INFO, because a
    worker's root logger is at WARNING and the run's counts would not show."""
    logger = logging.getLogger("flywheel")
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    if not any(isinstance(h, APILogHandler) for h in logger.handlers):
        handler = APILogHandler()
        handler.addFilter(_InARun())
        logger.addHandler(handler)


connect_flywheel_logger()


def manifest_markdown(manifest: RunManifest) -> str:
    """The run summary as Markdown: counts and statuses only, never content."""
    lines = [
        f"### flywheel run `{manifest.run_id}`",
        "",
        f"date **{manifest.dt}** · status **{manifest.status}** · {manifest.judge_mode} · config `{manifest.config_hash}`",
        "",
        # The analysts' HTML report (README "Report"): a command, since no web server hosts the file.
        f"charts: `flywheel report --from {manifest.dt} --to {manifest.dt} --out reports/`",
        "",
    ]
    if manifest.error:
        lines += [f"error: {manifest.error}", ""]
    lines += ["| count | value |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in manifest.counts.items()]
    if manifest.pii_counts:
        lines += ["", "| PII entity scrubbed | count |", "|---|---:|"]
        lines += [f"| {name} | {value:,} |" for name, value in manifest.pii_counts.items()]
    return "\n".join(lines)


@task(name="process-day", task_run_name="process-{day}", retries=RETRIES, retry_delay_seconds=RETRY_DELAYS,
      retry_jitter_factor=0.2, retry_condition_fn=retry_transient_only)
def process_day_task(day: date, overrides: SettingsOverrides, flow_name: str, force: bool = False,
                     ordered_by: str | None = None) -> RunManifest:
    """Settings are rebuilt from the environment inside the task, so no secret travels as a parameter.

    force: publish past tripped guard rails (flows/guards.py). ordered_by: a backfill's date order
    (flows/ordering.py): the date curates and publishes after the earlier dates of that backfill.
    Raises TransientDayFailure (retried) or DayFailed (not) when the date fails, and DayFailed when a date
    outside a backfill has no logs (a night without logs must not look green; a backfill reports them)."""
    logger = get_run_logger()
    settings = load_settings(overrides)
    manifest = process_day(settings, day, flow=flow_name, force=force,
                           before_curation=turn_waiter(ordered_by, day))
    create_markdown_artifact(
        key=f"flywheel-run-{manifest.dt}",
        markdown=manifest_markdown(manifest),
        description=f"flywheel run summary for {manifest.dt}",
    )
    counts = manifest.counts
    logger.info(
        "%s %s: %s lines read, %s quarantined, %s conversations, %s SFT examples",
        manifest.dt, manifest.status, counts.get("lines_read", 0), counts.get("lines_quarantined", 0),
        counts.get("conversations", 0), counts.get("rows.sft", 0),
    )
    if manifest.status == "failed":
        failure = TransientDayFailure if manifest.transient else DayFailed
        raise failure(f"{manifest.dt}: {manifest.error}")
    if manifest.status == "no_input" and flow_name != "backfill":
        raise DayFailed(f"{manifest.dt}: {manifest.error}")
    return manifest


@task(name="purge-quarantine", retries=2, retry_delay_seconds=30)
def purge_quarantine_task(overrides: SettingsOverrides) -> list[str]:
    """Delete the raw quarantined lines of dates past `quarantine_retention_days`; returns the dates purged.

    Retried when storage fails: a purge that keeps failing fails the flow, since raw lines would outlive their
    retention. Logs dates and counts only."""
    logger = get_run_logger()
    settings = load_settings(overrides)
    purge = purge_quarantine(settings.quarantine_uri, settings.lake_uri, settings.quarantine_retention_days)
    if purge.purged or purge.locked:
        logger.info("quarantine retention (%d days): purged %s", settings.quarantine_retention_days,
                    purge.summary())
    return purge.purged
