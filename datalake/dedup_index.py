"""The dedup index in the lake (`INDEX_TABLE` of `datalake.tables`): the keys of every published SFT and
preference row, one partition per date, rows DedupKey(exact_key, example_id, group, near_signature).

Staged, published and committed with the day's other tables (same run, same commit record), so the index
always describes exactly what is committed. What a key is and how duplicates are resolved: `transforms.training.dedup`.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from datalake.commits import table_partitions
from datalake.fs import filesystem, full_uri
from datalake.partitions import staging_partition, write_rows
from datalake.reader import read_partitions
from datalake.tables import INDEX_TABLE, shard_file_name
from schemas.arrow import arrow_schema
from schemas.outputs import DedupKey


def dedup_index_files(lake_uri: str, exclude_day: date | None, only_earlier: bool = False) -> list[tuple[str, str]]:
    """The index's Parquet files as (uri, dt), sorted; without `exclude_day`'s (and later days' if only_earlier).

    By default every other day counts, earlier and later: a backfill of an old date then never republishes
    an example a later day already holds, so the lake never holds the same example twice (as long as days
    publish one after the other; concurrent backfill runs do not see each other's keys).
    """
    fs, _ = filesystem(lake_uri)
    excluded = exclude_day.isoformat() if exclude_day else None
    files = []
    # The files each date's commit record names: a run that died before committing adds no keys.
    for dt, paths in table_partitions(lake_uri, INDEX_TABLE):
        if dt == excluded or (only_earlier and excluded is not None and dt > excluded):
            continue
        files += [(full_uri(fs, path), dt) for path in paths]
    return files


def read_index_file(uri: str, columns: Sequence[str] = ("exact_key", "example_id")) -> pa.Table:
    """One index file's rows (only `columns`). A column the file predates is filled in: `group` with "sft"
    (older files hold SFT keys only), anything else with nulls."""
    fs, path = filesystem(uri)
    with fs.open(path, "rb") as handle:
        present = set(pq.read_schema(handle).names)
        handle.seek(0)
        table = pq.read_table(handle, columns=[c for c in columns if c in present])
    for name in columns:
        if name not in present:
            field = arrow_schema(DedupKey).field(name)
            fill = pa.array(["sft"] * table.num_rows if name == "group" else [None] * table.num_rows, field.type)
            table = table.append_column(name, fill)
    return table.select(list(columns))


def read_index_keys(uri: str) -> list[DedupKey]:
    """One index file's rows as DedupKey (what the pipeline joins against)."""
    names = ("exact_key", "example_id", "group", "near_signature")
    return [DedupKey(**row) for row in read_index_file(uri, columns=names).to_pylist()]


_INDEX_SCHEMA = pa.schema([("exact_key", pa.string()), ("example_id", pa.string()), ("dt", pa.string())])


def read_dedup_index(lake_uri: str, exclude_day: date | None, only_earlier: bool = False) -> pa.Table:
    """Every published key except `exclude_day`'s -> Arrow table (exact_key, example_id, dt).

    In one process: fine for a lake of tens of millions of keys (~50 bytes per key in Arrow). Beyond that,
    read it inside the pipeline (transforms.beam.dedup.ReadDedupIndex) and join there.
    """
    days = sorted({date.fromisoformat(dt) for _, dt in dedup_index_files(lake_uri, exclude_day, only_earlier)})
    if not days:
        return _INDEX_SCHEMA.empty_table()
    keys, read = read_partitions(lake_uri, INDEX_TABLE, days, columns=("exact_key", "example_id"))
    # The reader returns rows in date order, so each date's row count gives the dt column.
    dts = pa.array([dt for dt, rows in read.rows_per_day.items() for _ in range(rows)], pa.string())
    return keys.append_column("dt", dts).select(_INDEX_SCHEMA.names).cast(_INDEX_SCHEMA)


def prior_key_set(index: pa.Table) -> frozenset[str]:
    """The exact keys of an index table as a set, for `dedup_exact`."""
    return frozenset(index.column("exact_key").to_pylist())


def stage_dedup_index(lake_uri: str, run_id: str, day: date, rows: Iterable[DedupKey],
                      shard: int = 0, shards: int = 1) -> int:
    """Write index rows as one shard of the run's staged `_index/sft_keys` partition, in one process (the
    pipeline stages its index through transforms.beam.dedup.StageDedupIndex); returns bytes written.

    `datalake.partitions.publish_day` then publishes and commits it with the day's tables.
    """
    rows = sorted(rows, key=lambda r: (r.exact_key, r.example_id))
    folder = staging_partition(lake_uri, run_id, INDEX_TABLE, day)
    return write_rows(f"{folder}/{shard_file_name(shard, shards)}", DedupKey, rows)
