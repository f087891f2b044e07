"""Row counts of a date's partitions, from Parquet footers only (no row is read): what the commit record names
now, and what a run has staged. The guard rails (`flows.guards`) compare the two before a run publishes.

Footers, not manifests: the files the commit record names are the truth readers see, whichever run (or
republish of a late-data run) wrote them.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

import pyarrow.parquet as pq

from datalake.commits import CommitRecord, partition_files, read_commit
from datalake.fs import filesystem, full_uri, join
from datalake.tables import PART_GLOB, STAGING_DIR, partition_name


def _rows_in(fs, paths: Iterable[str]) -> int:
    rows = 0
    for path in paths:
        with fs.open(path, "rb") as handle:
            rows += pq.ParquetFile(handle).metadata.num_rows
    return rows


def committed_row_counts(lake_uri: str, day: date, tables: Iterable[str],
                         record: CommitRecord | None | bool = True) -> dict[str, int]:
    """Rows of each table's committed partition of `day`; a table the date never published is left out
    (nothing to protect), an empty committed partition counts 0."""
    if record is True:
        record = read_commit(lake_uri, day)
    fs, _ = filesystem(lake_uri)
    counts = {}
    for table in tables:
        files = partition_files(lake_uri, table, day, record)
        if files is not None:
            counts[table] = _rows_in(fs, files)
    return counts


def staged_files(lake_uri: str, run_id: str, table: str, day: date) -> list[str]:
    """The shard files a run staged for one table's partition (full URIs, sorted; none: empty list)."""
    fs, root = filesystem(lake_uri)
    folder = join(root, STAGING_DIR, run_id, table, partition_name(day))
    if not fs.exists(folder):
        return []
    return [full_uri(fs, path) for path in sorted(fs.glob(join(folder, PART_GLOB)))]


def staged_row_counts(lake_uri: str, run_id: str, day: date, tables: Iterable[str]) -> dict[str, int]:
    """Rows a run has staged per table for `day` (0 for a table it staged nothing for: publishing it would
    leave an empty partition)."""
    fs, _ = filesystem(lake_uri)
    return {table: _rows_in(fs, [filesystem(uri)[1] for uri in staged_files(lake_uri, run_id, table, day)])
            for table in tables}
