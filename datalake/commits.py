"""Commit records: which run's files are a date's current data, per table (layout and protocol: `datalake.tables`).

`<lake>/_commits/dt=D.json` is written last when a run publishes a date, in one atomic step, and names for
every table the run and the file names that are current. Readers take a partition's files from here and never
from a directory listing, so a half-published date (a run killed between moving files in and committing) is
invisible to them.
"""

from __future__ import annotations

import os
import posixpath
from datetime import date, datetime
from typing import Iterator

from pydantic import BaseModel, Field

from datalake.fs import filesystem, is_local, join
from datalake.tables import COMMITS_DIR, PART_GLOB, partition_name, run_of_file


class CommittedPartition(BaseModel):
    """One table's partition of the date: the run that wrote it and its file names in <table>/dt=D/."""

    run_id: str
    files: list[str] = Field(default_factory=list)


class CommitRecord(BaseModel):
    """The date's commit record. `run_id` wrote it; `tables` may name older runs for tables it did not publish."""

    dt: str
    run_id: str
    committed_at: datetime
    tables: dict[str, CommittedPartition] = Field(default_factory=dict)


def commit_path(root: str, day: date | str) -> str:
    stamp = day if isinstance(day, str) else day.isoformat()
    return join(root, COMMITS_DIR, f"dt={stamp}.json")


def read_commit(lake_uri: str, day: date) -> CommitRecord | None:
    """The date's commit record, or None when the date was never committed (or predates commit records)."""
    fs, root = filesystem(lake_uri)
    try:
        with fs.open(commit_path(root, day), "r") as handle:
            return CommitRecord.model_validate_json(handle.read())
    except FileNotFoundError:
        return None


def read_commits(lake_uri: str) -> dict[str, CommitRecord]:
    """Every date's commit record, by date (YYYY-MM-DD)."""
    fs, root = filesystem(lake_uri)
    records = {}
    for path in sorted(fs.glob(join(root, COMMITS_DIR, "dt=*.json"))):
        try:
            with fs.open(path, "r") as handle:
                record = CommitRecord.model_validate_json(handle.read())
        except FileNotFoundError:  # replaced between the listing and the read: the glob's name is gone
            record = read_commit(lake_uri, date.fromisoformat(posixpath.basename(path)[3:-5]))
        if record is not None:
            records[record.dt] = record
    return records


def write_commit(lake_uri: str, record: CommitRecord) -> str:
    """Write the record in one atomic step: a temp file renamed over the old record (a single put remotely)."""
    fs, root = filesystem(lake_uri)
    path = commit_path(root, record.dt)
    body = record.model_dump_json(indent=2)
    if not is_local(fs):
        fs.pipe(path, body.encode("utf-8"))  # object stores: one put is all-or-nothing
        return path
    os.makedirs(posixpath.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def partition_files(lake_uri: str, table: str, day: date,
                    record: CommitRecord | None | bool = True) -> list[str] | None:
    """The current files of one table's partition (full paths, sorted), or None when it has none at all.

    `record`: the date's commit record when the caller has it (None: the date has none); True reads it.
    A date with no record for the table reads the files without a run id in their name (a lake written before
    commit records); run-scoped files without a record are a run that died before committing: never read.
    """
    if record is True:
        record = read_commit(lake_uri, day)
    fs, root = filesystem(lake_uri)
    folder = join(root, table, partition_name(day))
    committed = record.tables.get(table) if isinstance(record, CommitRecord) else None
    if committed is not None:
        return [join(folder, name) for name in sorted(committed.files)]
    if not fs.isdir(folder):
        return None
    names = [posixpath.basename(p) for p in fs.glob(join(folder, PART_GLOB))]
    runs = {name: run_of_file(name) for name in names}
    legacy = [join(folder, name) for name in sorted(names) if runs[name] == ""]
    if not legacy and any(runs.values()):
        return None  # only run-scoped files and no commit: a run that died before committing its first one
    return legacy


def table_partitions(lake_uri: str, table: str) -> Iterator[tuple[str, list[str]]]:
    """Every partition of a table that has current files: (dt, full paths), in date order."""
    fs, root = filesystem(lake_uri)
    records = read_commits(lake_uri)
    days = {dt for dt, record in records.items() if table in record.tables}
    for folder in fs.glob(join(root, table, "dt=*")):
        name = posixpath.basename(folder)
        if fs.isdir(folder):
            days.add(name[len("dt="):])
    for dt in sorted(days):
        try:
            day = date.fromisoformat(dt)
        except ValueError:
            continue  # not a partition of ours
        files = partition_files(lake_uri, table, day, records.get(dt))
        if files is not None:
            yield dt, files

