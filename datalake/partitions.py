"""Partitions: write a run's rows to staging, then publish and commit all of a date's tables as one unit.

A run writes everything under _staging/<run_id>/. Only after the whole pipeline succeeded does `publish_day`
move each staged file into its live partition under a run-scoped name (so nothing of the current data is
overwritten), write the date's commit record (the one atomic step that switches readers over), and delete
the files the record no longer names. A kill -9 at any point leaves the previous commit or the new one, never
a mix; what it leaves behind is swept by the next run (`datalake.recovery`). Rerunning a date replaces its
partitions whole, so the same input gives the same rows, never duplicates.
The directories and the protocol: `datalake.tables`; commit records: `datalake.commits`.
"""

from __future__ import annotations

import logging
import os
import posixpath
import signal
from datetime import date, datetime, timezone
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel

from datalake.commits import CommitRecord, CommittedPartition, read_commit, write_commit
from datalake.fs import filesystem, is_local, join, open_atomic
from datalake.reader import read_partitions
from datalake.tables import (PART_GLOB, PUBLISHED_TABLES, STAGING_DIR, TABLES, TRASH_DIR, partition_name,
                             published_file_name, run_of_file)
from schemas.arrow import arrow_schema, to_arrow_table

log = logging.getLogger("flywheel")

# Test hook for the kill -9 trials (tests/lake/test_crash_safety.py): a process whose environment names a point
# kills itself there. Nothing sets it outside those tests; unset, `crash_point` does nothing.
CRASH_AT_ENV = "FLYWHEEL_TEST_CRASH_AT"


def crash_point(point: str) -> None:
    """Kill this process with SIGKILL when FLYWHEEL_TEST_CRASH_AT names `point` (tests only)."""
    if os.environ.get(CRASH_AT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_partition(lake_uri: str, run_id: str, table: str, day: date) -> str:
    """The URI a run writes a table's partition to before publishing it."""
    fs, root = filesystem(lake_uri)
    path = join(root, STAGING_DIR, run_id, table, partition_name(day))
    return fs.unstrip_protocol(path) if not is_local(fs) else path


# Rows per Parquet row group: a writer converts and holds one group at a time on top of the file's sorted rows.
ROW_GROUP_ROWS = 4096


def write_rows(uri: str, model: type[BaseModel], rows: Sequence[BaseModel]) -> int:
    """Write rows of `model` as one Parquet file at `uri`, in their order (temp name, then rename), converted
    to Arrow one row group at a time. Returns bytes written."""
    return _write_row_groups(uri, arrow_schema(model), (to_arrow_table(model, list(rows[start:start + ROW_GROUP_ROWS]))
                                           for start in range(0, len(rows), ROW_GROUP_ROWS)))


def write_sorted_table(uri: str, table: pa.Table, sort_keys: Sequence[str]) -> int:
    """Write an Arrow table as one Parquet file at `uri` with its rows sorted by `sort_keys` (a stable sort,
    so the same rows give the same bytes whatever order they came in), streamed in row groups of
    ROW_GROUP_ROWS (temp name, then rename). Returns bytes written."""
    order = pc.sort_indices(table, sort_keys=[(key, "ascending") for key in sort_keys])
    return _write_row_groups(uri, table.schema, (table.take(order.slice(start, ROW_GROUP_ROWS))
                                                 for start in range(0, len(order), ROW_GROUP_ROWS)))


def _write_row_groups(uri: str, schema: pa.Schema, groups: Iterable[pa.Table]) -> int:
    fs, path = filesystem(uri)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    with open_atomic(fs, path) as handle, pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        for group in groups:
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
    return fs.size(path)


def rows_of(model: type[BaseModel], data: pa.Table) -> list[BaseModel]:
    """An Arrow table of the lake (read through datalake.reader) as rows of `model`."""
    # The reader fills a column an older partition lacks with null; for a column the model does not allow
    # to be null that can only be such a column, so leave it out and let the model's default apply.
    required = {f.name for f in data.schema if not f.nullable}
    return [model.model_validate({k: v for k, v in r.items() if v is not None or k not in required})
            for r in data.to_pylist()]


def read_rows(lake_uri: str, table: str, exclude_day: date | None = None) -> list[BaseModel]:
    """Every committed row of a table (optionally without one date's partition), as its model."""
    data, _ = read_partitions(lake_uri, table, exclude_day=exclude_day)
    return rows_of(TABLES[table], data)


def publish_day(lake_uri: str, run_id: str, day: date, tables: Iterable[str] = PUBLISHED_TABLES) -> CommitRecord:
    """Publish a run's staged partitions of `tables` for `day` and commit them as one unit.

    A table with nothing staged publishes an empty partition (an empty day still replaces what the date had).
    Tables not in `tables` keep what the previous commit record said. Returns the new record.
    """
    fs, root = filesystem(lake_uri)
    previous = read_commit(lake_uri, day)
    record = CommitRecord(dt=day.isoformat(), run_id=run_id, committed_at=datetime.now(timezone.utc),
                          tables=dict(previous.tables) if previous else {})
    for index, table in enumerate(tables):
        if index:
            crash_point("between_tables")
        record.tables[table] = _move_in(fs, root, run_id, table, day)
    crash_point("before_commit")
    write_commit(lake_uri, record)
    crash_point("after_commit")
    try:
        retire_superseded(lake_uri, day, record)
    except OSError as exc:  # committed already: readers no longer see those files, and the next run sweeps them
        log.warning("%s: committed, but deleting the replaced files failed (%s); the next run retries",
                    day.isoformat(), type(exc).__name__)
    return record


def publish_partition(lake_uri: str, run_id: str, table: str, day: date) -> CommitRecord:
    """Publish and commit one table's staged partition (the date's other tables stay as committed)."""
    return publish_day(lake_uri, run_id, day, [table])


def _move_in(fs, root: str, run_id: str, table: str, day: date) -> CommittedPartition:
    """Move a run's staged files of one partition into the live one, under run-scoped names (renames only)."""
    staged = join(root, STAGING_DIR, run_id, table, partition_name(day))
    live = join(root, table, partition_name(day))
    fs.makedirs(live, exist_ok=True)
    names = []
    for path in sorted(fs.glob(join(staged, PART_GLOB))) if fs.exists(staged) else []:
        name = published_file_name(posixpath.basename(path), run_id)
        fs.mv(path, join(live, name))
        names.append(name)
    return CommittedPartition(run_id=run_id, files=names)


def retire_superseded(lake_uri: str, day: date, record: CommitRecord) -> list[str]:
    """Delete the date's live shard files its commit record does not name (the previous run's, or a dead
    run's that never committed). Partitions the record does not cover (written before commit records) stay.
    Returns the deleted paths."""
    fs, root = filesystem(lake_uri)
    deleted = []
    for table, committed in record.tables.items():
        folder = join(root, table, partition_name(day))
        current = set(committed.files)
        for path in fs.glob(join(folder, PART_GLOB)) if fs.isdir(folder) else []:
            name = posixpath.basename(path)
            if name not in current and run_of_file(name) is not None:
                fs.rm(path)
                deleted.append(path)
    return deleted


def withdraw_uncommitted(lake_uri: str, run_id: str, day: date) -> list[str]:
    """Delete a run's files in the date's live partitions that its commit record does not name (a run that
    failed or died between moving its files in and committing). Returns the deleted paths."""
    fs, root = filesystem(lake_uri)
    record = read_commit(lake_uri, day)
    deleted = []
    for table in PUBLISHED_TABLES:
        committed = record.tables.get(table) if record else None
        keep = set(committed.files) if committed else set()
        folder = join(root, table, partition_name(day))
        for path in fs.glob(join(folder, PART_GLOB)) if fs.isdir(folder) else []:
            name = posixpath.basename(path)
            if run_of_file(name) == run_id and name not in keep:
                fs.rm(path)
                deleted.append(path)
    return deleted


def discard_staging(lake_uri: str, run_id: str) -> None:
    """Remove what a run staged and any trash it left (after publishing, after a failure, or when it died)."""
    fs, root = filesystem(lake_uri)
    for leftover in (join(root, STAGING_DIR, run_id), join(root, TRASH_DIR, run_id)):
        if fs.exists(leftover):
            fs.rm(leftover, recursive=True)
