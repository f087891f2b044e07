"""Late data for the flows: which neighbouring logs a date's run reads, and re-opening earlier dates.

The model (transforms/ingest/lateness.py, README "Late data"): a conversation belongs to the first log date it
arrived in; the run for X reads the logs of X and of the `late_window_days` dates after it (plus the conversation
ids of the 2 * late_window_days dates before it), so whatever arrived within the window reaches its
conversation. When the run for D finds late events of an earlier date E (`counts["late_events.E"]`) and E's
committed run has not read D's logs as they are now, it re-runs E through the normal `process_day` path (E's
lock, staging, commit record): E is republished whole, atomically, and a rerun of D changes nothing because
E's committed run has then read D's files already.

    log dates:          E=D-1                     D                        D+1
    answer, copied     [23:59:30, 23:59:50]
    thumbs down, report                         [00:00:10]
    run for E (night 1) reads E (+ D: not there yet)  -> answer positive, provisional
    run for D (night 2) reads D: 2 events of E's conversation -> late_events.E = 2 -> re-opens E
    run for E (reopen)  reads E + D                    -> answer negative, republished; D keeps nothing of it
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import fsspec

from datalake.commits import read_commit
from datalake.manifests import read_manifest, write_manifest
from flows.settings import Settings
from schemas.outputs import LateInput, RunManifest
from transforms.ingest.files import list_source_files
from transforms.ingest.lateness import late_events_key, log_dates_to_read

log = logging.getLogger("flywheel")

# The flow name of a run that republishes an earlier date for late events (it never re-opens further dates).
REOPEN_FLOW = "reopen"


@dataclass
class NeighbourLogs:
    """The neighbouring dates' files a run reads, as DayPlan fields, and the later ones as manifest entries."""

    late_window_days: int
    later_files: tuple[tuple[str, date], ...] = ()
    earlier_files: tuple[tuple[str, date], ...] = ()
    late_inputs: list[LateInput] = field(default_factory=list)

    def plan_fields(self) -> dict:
        return {"late_window_days": self.late_window_days, "later_files": self.later_files,
                "earlier_files": self.earlier_files}


def _sized(files: list[str], day: date) -> list[LateInput]:
    entries = []
    for uri in files:
        fs, path = fsspec.core.url_to_fs(uri)
        try:
            size = int(fs.size(path) or 0)
        except OSError:
            size = -1  # unreadable: never equal to a readable file, so a later fix re-opens the date
        entries.append(LateInput(uri=uri, dt=day.isoformat(), bytes=size))
    return entries


def neighbour_logs(settings: Settings, day: date) -> NeighbourLogs:
    """The files of the dates around `day` that its run reads for late data (dates without logs are skipped)."""
    dates = log_dates_to_read(day, settings.late_window_days)
    later: list[tuple[str, date]] = []
    inputs: list[LateInput] = []
    for later_day in dates.later:
        files = list_source_files(settings.source_uri, later_day)
        later += [(uri, later_day) for uri in files]
        inputs += _sized(files, later_day)
    earlier = [(uri, d) for d in dates.earlier for uri in list_source_files(settings.source_uri, d)]
    return NeighbourLogs(settings.late_window_days, tuple(later), tuple(earlier), inputs)


def _seen_by_committed_run(settings: Settings, earlier: date, day: date) -> bool:
    """Whether `earlier`'s committed run read `day`'s log files exactly as they are now."""
    record = read_commit(settings.lake_uri, earlier)
    committed = read_manifest(settings.lake_uri, record.run_id) if record else None
    if committed is None:
        return False
    read = {(entry.uri, entry.bytes) for entry in committed.late_inputs if entry.dt == day.isoformat()}
    now = {(entry.uri, entry.bytes) for entry in _sized(list_source_files(settings.source_uri, day), day)}
    return read == now


def dates_to_reopen(settings: Settings, day: date, manifest: RunManifest) -> list[date]:
    """The earlier dates (within the window) that `day`'s logs hold late events for and that have not seen them.

    A date never committed is left alone: its own run (nightly catch-up, backfill) will read `day`'s logs.
    """
    todo = []
    for k in range(settings.late_window_days, 0, -1):
        earlier = day - timedelta(days=k)
        if not manifest.counts.get(late_events_key(earlier)):
            continue
        if read_commit(settings.lake_uri, earlier) is None:
            continue
        if not _seen_by_committed_run(settings, earlier, day):
            todo.append(earlier)
    return todo


def reopen_dates(settings: Settings, day: date, manifest: RunManifest,
                 process_day: Callable[..., RunManifest]) -> list[date]:
    """Republish the earlier dates whose conversations got late events in `day`'s logs; returns those republished.

    Called at the end of a succeeded run of `day` by flows/day.py, which passes its own `process_day` (so this
    module never imports flows.day back). Each date goes through it (its lock, its commit record); one that
    fails (another run holds it, ...) keeps its previous commit and is named in `manifest.reopen_failed`:
    rerunning `day` retries it. `manifest` is rewritten with what happened.
    """
    if manifest.status != "succeeded" or manifest.flow == REOPEN_FLOW or settings.late_window_days == 0:
        return []
    reopened: list[date] = []
    for earlier in dates_to_reopen(settings, day, manifest):
        log.info("run %s: %s holds %d late event(s) of %s: republishing it", manifest.run_id, day,
                 manifest.counts[late_events_key(earlier)], earlier)
        result = process_day(settings, earlier, flow=REOPEN_FLOW)
        if result.status == "succeeded":
            reopened.append(earlier)
            manifest.reopened_dates.append(earlier.isoformat())
        else:
            manifest.reopen_failed.append(earlier.isoformat())
            log.error("run %s: republishing %s for its late events failed (%s); rerun %s to retry",
                      manifest.run_id, earlier, result.error, day)
    if manifest.reopened_dates or manifest.reopen_failed:
        write_manifest(settings.lake_uri, manifest)
    return reopened

