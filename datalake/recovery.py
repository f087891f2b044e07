"""The per-date lock, and the sweep that cleans up after runs that died (kill -9, OOM, a lost machine).

Layout and the commit protocol: `datalake.tables`.

The lock: `<lake>/_locks/dt=D.lock`, held by the run that owns the date. On local disk it is an flock on that
file, so the kernel drops it the moment its process dies, however it dies: there is no stale lock to time out.
The file's content (run id, pid, host, time) only says who holds it. On an object store there is no flock:
the lock is the file itself, advisory, and older than `STALE_LOCK_AFTER` counts as abandoned.

The sweep, at the start of every run, finds dead runs (a `_staging/`, `_trash/` or quarantine `_staging/`
directory, or a manifest still saying "running", of a run that does not hold its date's lock) and, holding
that date's lock so no new run of it starts meanwhile:
  - a run that had written its date's commit record is finished for it: the live files the record does not
    name are deleted, its staged quarantine is published, its manifest says "succeeded";
  - any other run never happened for readers: its run-scoped files in the live tree are deleted and its
    manifest says "failed" (with why);
  - its staging, trash and quarantine staging are removed.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import socket
import time
from datetime import date, datetime, timedelta, timezone

from datalake.commits import read_commit
from datalake.fs import filesystem, is_local, join
from datalake.manifests import read_manifests, write_manifest
from datalake.partitions import discard_staging, retire_superseded, withdraw_uncommitted
from datalake.quarantine import discard_quarantine_staging, publish_quarantine
from datalake.tables import LOCKS_DIR, STAGING_DIR, TRASH_DIR, partition_name
from schemas.errors import FlywheelError

log = logging.getLogger("flywheel")

# Object stores only (no flock there): a lock older than this is taken to be a dead run's.
STALE_LOCK_AFTER = timedelta(hours=6)


class DateLocked(FlywheelError):
    """Another run is processing this date right now; this run did nothing."""


def _lock_path(root: str, day: date) -> str:
    return join(root, LOCKS_DIR, f"{partition_name(day)}.lock")


class DateLock:
    """The run's hold on one date (a context manager); `acquire` raises DateLocked when a live run has it."""

    def __init__(self, lake_uri: str, day: date, run_id: str) -> None:
        self.lake_uri, self.day, self.run_id = lake_uri, day, run_id
        self._fd: int | None = None
        self._remote_path: str | None = None

    def acquire(self, wait_seconds: float = 2.0) -> "DateLock":
        fs, root = filesystem(self.lake_uri)
        path = _lock_path(root, self.day)
        info = json.dumps({"run_id": self.run_id, "pid": os.getpid(), "host": socket.gethostname(),
                           "locked_at": datetime.now(timezone.utc).isoformat()})
        if not is_local(fs):
            holder = lock_holder(self.lake_uri, self.day)
            if holder is not None and holder != self.run_id:
                raise DateLocked(f"{self.day.isoformat()} is being processed by run {holder}")
            fs.pipe(path, info.encode("utf-8"))
            self._remote_path = path
            return self
        import fcntl

        os.makedirs(posixpath.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                # A sweep probing the lock holds it for microseconds; a run holds it for its whole length.
                if time.monotonic() >= deadline:
                    os.close(fd)
                    holder = _read_info(path).get("run_id") or "another run"
                    raise DateLocked(f"{self.day.isoformat()} is being processed by run {holder}") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode("utf-8"), 0)
        self._fd = fd
        return self

    @property
    def held(self) -> bool:
        return self._fd is not None or self._remote_path is not None

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            os.ftruncate(self._fd, 0)  # the file stays (deleting a lock file races with its next opener)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._remote_path is not None:
            fs, _ = filesystem(self.lake_uri)
            fs.rm(self._remote_path)
            self._remote_path = None

    def __enter__(self) -> "DateLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_info(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}


def lock_holder(lake_uri: str, day: date) -> str | None:
    """The run id holding the date's lock now ("" when it cannot be read yet), or None when nobody does."""
    fs, root = filesystem(lake_uri)
    path = _lock_path(root, day)
    if not is_local(fs):
        try:
            info = json.loads(fs.cat(path) or b"{}")
        except (FileNotFoundError, ValueError):
            return None
        locked_at = datetime.fromisoformat(info.get("locked_at", "1970-01-01T00:00:00+00:00"))
        return info.get("run_id", "") if datetime.now(timezone.utc) - locked_at < STALE_LOCK_AFTER else None
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_info(path).get("run_id", "")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _day_of_run(run_id: str) -> date | None:
    # Run ids start with their date (flows.day.new_run_id); a leftover named otherwise is not a day's run.
    try:
        return date.fromisoformat(run_id[:10])
    except ValueError:
        return None


def sweep_dead_runs(lake_uri: str, quarantine_uri: str, current_run_id: str) -> list[str]:
    """Clean up after every dead run (see the module docstring). Returns the run ids swept.

    The current run must hold its own date's lock already; dates another live run holds are left to it.
    """
    fs, root = filesystem(lake_uri)
    qfs, qroot = filesystem(quarantine_uri)
    found: dict[str, date | None] = {}
    for base_fs, base in ((fs, join(root, STAGING_DIR)), (fs, join(root, TRASH_DIR)), (qfs, join(qroot, STAGING_DIR))):
        if base_fs.exists(base):
            for path in base_fs.ls(base, detail=False):
                found[posixpath.basename(path.rstrip("/"))] = None
    manifests = {m.run_id: m for m in read_manifests(lake_uri)}
    found.update({run_id: None for run_id, m in manifests.items() if m.status == "running"})
    found.pop(current_run_id, None)
    swept = []
    for run_id in sorted(found):
        manifest = manifests.get(run_id)
        day = date.fromisoformat(manifest.dt) if manifest else _day_of_run(run_id)
        if day is None:
            log.warning("sweep: leftover %r is no run of a date; left alone", run_id)
            continue
        holder = lock_holder(lake_uri, day)
        if holder == current_run_id:
            _sweep_run(lake_uri, quarantine_uri, run_id, day, current_run_id, manifest)
        elif holder is None:
            lock = DateLock(lake_uri, day, current_run_id)
            try:
                lock.acquire(wait_seconds=0)
            except DateLocked:
                continue  # a run of that date just started: it sweeps for itself
            try:
                _sweep_run(lake_uri, quarantine_uri, run_id, day, current_run_id, manifest)
            finally:
                lock.release()
        else:
            continue  # a live run owns that date (maybe this very run id): not ours to touch
        swept.append(run_id)
    if swept:
        log.info("run %s: cleaned up after %d dead run(s): %s", current_run_id, len(swept), ", ".join(swept))
    return swept


def _sweep_run(lake_uri: str, quarantine_uri: str, run_id: str, day: date, by_run: str, manifest) -> None:
    record = read_commit(lake_uri, day)
    committed = record is not None and any(part.run_id == run_id for part in record.tables.values())
    if committed:
        retire_superseded(lake_uri, day, record)  # the previous run's files it had not deleted yet
        publish_quarantine(quarantine_uri, run_id, day)
    else:
        withdraw_uncommitted(lake_uri, run_id, day)
    discard_staging(lake_uri, run_id)
    discard_quarantine_staging(quarantine_uri, run_id)
    if manifest is not None and manifest.status == "running":
        if committed:
            manifest.status = "succeeded"  # its data is the date's: only its own clean-up was cut short
        else:
            manifest.status = "failed"
            manifest.error = f"the run stopped before it committed its date (killed?); cleaned up by run {by_run}"
        write_manifest(lake_uri, manifest)



def run_notes(lake_uri: str, manifests: list) -> list[str]:
    """For `flywheel runs`: which run each shown date's commit record names, and which "running" runs are dead
    (no lock held: killed; the next run of any date finalises their manifests and cleans up after them)."""
    notes = []
    for dt in sorted({m.dt for m in manifests}):
        day = date.fromisoformat(dt)
        record = read_commit(lake_uri, day)
        if record is not None:
            runs = sorted({part.run_id for part in record.tables.values()})
            notes.append(f"{dt}: committed run {', '.join(runs)}")
        holder = lock_holder(lake_uri, day)
        for m in manifests:
            if m.dt == dt and m.status == "running" and holder != m.run_id:
                notes.append(f"{dt}: run {m.run_id} says running but holds no lock: it died; the next run cleans up")
    return notes
