"""Quarantine retention: raw rejected lines are deleted `quarantine_retention_days` after they were written.

The quarantine keeps rejected lines raw (an operator must be able to see why a line failed), so it may hold raw
PII; keeping it without end would make it the one place in the system where raw PII piles up. A quarantine
file is deleted once it was written more than `retention_days` days before `today` (UTC). Its age counts from
when the run wrote it (the time in its run id, `<date>_<YYYYMMDDTHHMMSS>Z_<hex>.jsonl`; the file's modification
time for a name without one), not from the log date it is about: a backfill of last year's logs keeps its
rejected lines for inspection as long as a night's, and a date rerun today starts its clock again.
The nightly and backfill flows purge at their end; `flywheel purge-quarantine` does it on demand (`--dry-run`
lists what would go).

A purge takes the date's lock (datalake.recovery.DateLock) so it never deletes under a run that is publishing
that date's quarantine; a date locked by a live run is skipped and purged next time. The purge reports dates
and file counts only, never content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from datalake.fs import filesystem, join
from datalake.recovery import DateLock, DateLocked

_DATE_FOLDER = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")
_WRITTEN_AT = re.compile(r"_(\d{8})T\d{6}Z_")  # flows.day.new_run_id


@dataclass
class QuarantinePurge:
    """What a purge did (or, dry, would do): dates and file counts, never content."""

    cutoff: date  # files written before this date were due
    purged: list[str] = field(default_factory=list)
    files: int = 0
    locked: list[str] = field(default_factory=list)  # due, but a live run held the date: purged next time

    def summary(self) -> str:
        text = f"{self.files} file(s) written before {self.cutoff.isoformat()}, of {len(self.purged)} date(s)"
        if self.locked:
            text += f"; {len(self.locked)} skipped, being processed now: {', '.join(self.locked)}"
        return text


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def quarantine_dates(quarantine_uri: str) -> list[date]:
    """The dates that have a published quarantine folder (`dt=YYYY-MM-DD`), oldest first."""
    fs, root = filesystem(quarantine_uri)
    if not fs.exists(root):
        return []
    days = []
    for path in fs.ls(root, detail=False):
        match = _DATE_FOLDER.fullmatch(path.rstrip("/").rsplit("/", 1)[-1])
        if match:
            try:
                days.append(date.fromisoformat(match.group(1)))
            except ValueError:  # dt=2026-02-30: not ours, left alone
                continue
    return sorted(days)


def _written_on(fs, path: str) -> date:
    match = _WRITTEN_AT.search(path.rsplit("/", 1)[-1])
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d").date()
        except ValueError:
            pass
    modified = fs.modified(path)
    if modified.tzinfo is None:  # local files: naive local time
        modified = modified.astimezone()
    return modified.astimezone(timezone.utc).date()


def purge_quarantine(quarantine_uri: str, lake_uri: str, retention_days: int, today: date | None = None,
                     dry_run: bool = False, run_id: str = "quarantine-purge") -> QuarantinePurge:
    """Delete every quarantine file written more than `retention_days` before `today` (default: UTC today);
    a date folder left empty goes too."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (today or utc_today()) - timedelta(days=retention_days)
    result = QuarantinePurge(cutoff=cutoff)
    fs, root = filesystem(quarantine_uri)
    for day in quarantine_dates(quarantine_uri):
        folder = join(root, f"dt={day.isoformat()}")
        due = [path for path in fs.find(folder) if _written_on(fs, path) < cutoff]
        if not due:
            continue
        if not dry_run:
            try:
                with DateLock(lake_uri, day, run_id):
                    for path in due:
                        fs.rm(path)
                    if not fs.find(folder):
                        fs.rm(folder, recursive=True)
            except DateLocked:
                result.locked.append(day.isoformat())
                continue
        result.purged.append(day.isoformat())
        result.files += len(due)
    return result
