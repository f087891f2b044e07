"""Partitions: write a run's rows to staging (temp name, then rename) and swap them into place atomically.

A reader never sees half a partition: a run writes everything under _staging/ and only after the whole
pipeline succeeded does `publish_partition` move each table's partition into place (a directory rename).
Rerunning a date replaces its partitions whole, so the same input gives the same rows, never duplicates.
The directories involved (_staging/, _trash/, dt= partitions): `datalake.tables`.
"""

from __future__ import annotations

import posixpath
from datetime import date

import pyarrow.parquet as pq
from pydantic import BaseModel

from datalake.fs import filesystem, is_local, join
from datalake.reader import read_partitions
from datalake.tables import STAGING_DIR, TABLES, TRASH_DIR, partition_name
from schemas.arrow import to_arrow_table


def staging_partition(lake_uri: str, run_id: str, table: str, day: date) -> str:
    """The URI a run writes a table's partition to before publishing it."""
    fs, root = filesystem(lake_uri)
    path = join(root, STAGING_DIR, run_id, table, partition_name(day))
    return fs.unstrip_protocol(path) if not is_local(fs) else path


def write_rows(uri: str, model: type[BaseModel], rows: list[BaseModel]) -> int:
    """Write rows of `model` as one Parquet file at `uri` (temp name, then rename). Returns bytes written."""
    fs, path = filesystem(uri)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    table = to_arrow_table(model, rows)
    tmp = path + ".tmp"
    with fs.open(tmp, "wb") as handle:
        pq.write_table(table, handle, compression="zstd")
    fs.mv(tmp, path)
    return fs.size(path)


def read_rows(lake_uri: str, table: str, exclude_day: date | None = None) -> list[BaseModel]:
    """Every published row of a table (optionally without one date's partition), as its model."""
    model = TABLES[table]
    data, _ = read_partitions(lake_uri, table, exclude_day=exclude_day)
    # The reader fills a column an older partition lacks with null; for a column the model does not allow
    # to be null that can only be such a column, so leave it out and let the model's default apply.
    required = {f.name for f in data.schema if not f.nullable}
    return [model.model_validate({k: v for k, v in r.items() if v is not None or k not in required})
            for r in data.to_pylist()]


def publish_partition(lake_uri: str, run_id: str, table: str, day: date) -> None:
    """Swap a run's staged partition of `table` into place, replacing any earlier one whole.

    The staged directory is moved in with one rename; the old one is moved aside first and deleted
    after. A crash between the two renames leaves the partition absent (the rerun rewrites it), never
    half-written. On object stores a rename is a copy: publish there is all-or-nothing per file only.
    """
    fs, root = filesystem(lake_uri)
    staged = join(root, STAGING_DIR, run_id, table, partition_name(day))
    live = join(root, table, partition_name(day))
    trash = join(root, TRASH_DIR, run_id, table, partition_name(day))
    if not fs.exists(staged):
        fs.makedirs(staged, exist_ok=True)  # an empty day still replaces what the date had before
    fs.makedirs(join(root, table), exist_ok=True)
    if fs.exists(live):
        fs.makedirs(posixpath.dirname(trash), exist_ok=True)
        fs.mv(live, trash, recursive=True)
    fs.mv(staged, live, recursive=True)
    if fs.exists(trash):
        fs.rm(trash, recursive=True)


def discard_staging(lake_uri: str, run_id: str) -> None:
    """Remove what a run staged and the trash it left (after publishing, or after a failure)."""
    fs, root = filesystem(lake_uri)
    for leftover in (join(root, STAGING_DIR, run_id), join(root, TRASH_DIR, run_id)):
        if fs.exists(leftover):
            fs.rm(leftover, recursive=True)
