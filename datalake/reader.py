"""The one Arrow reader of the lake's tables: a table's partitions for some dates (or all) as one Arrow table.

Layout and table names: `datalake.tables`. Every row comes back in the table's current schema
(`schemas.arrow.arrow_schema` of its model), whatever schema the partition was written with: columns are
matched by name and cast, and a column an older partition lacks reads as the caller's default or null
(schema evolution, union by name; a column the model no longer has is not read).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from datalake.commits import partition_files, table_partitions
from datalake.fs import filesystem
from datalake.tables import PUBLISHED_TABLES
from schemas.arrow import arrow_schema
from schemas.errors import FlywheelError

class SchemaMismatch(FlywheelError):
    """A partition holds a column whose type cannot be cast to the table's current type. Names the file only."""


@dataclass
class PartitionsRead:
    """What a read found, per partition (for messages and data cards; never content)."""

    table: str
    rows_per_day: dict[str, int] = field(default_factory=dict)
    missing_days: list[str] = field(default_factory=list)  # asked for, but no partition at all

    @property
    def empty_days(self) -> list[str]:
        return [d for d, n in self.rows_per_day.items() if n == 0]

    @property
    def rows(self) -> int:
        return sum(self.rows_per_day.values())


def table_schema(table: str, columns: Iterable[str] | None = None) -> pa.Schema:
    """The current Arrow schema of a table of the registry (only `columns`, in that order, when given)."""
    schema = arrow_schema(PUBLISHED_TABLES[table])
    return schema if columns is None else pa.schema([schema.field(name) for name in columns])


def read_partitions(lake_uri: str, table: str, days: Sequence[date] | None = None, *,
                    columns: Iterable[str] | None = None, defaults: Mapping[str, Any] | None = None,
                    exclude_day: date | None = None) -> tuple[pa.Table, PartitionsRead]:
    """A table's committed rows for `days` (every partition when None, minus `exclude_day`'s), in date then
    file order, cast to the table's current schema (only `columns` when given). Each partition's files are the
    ones its date's commit record names, so a read never mixes two runs of a date.

    A column a partition lacks reads as `defaults[column]`, or null when it has no default there.
    Raises SchemaMismatch when a column cannot be cast to its current type.
    """
    schema = table_schema(table, columns)
    defaults = defaults or {}
    try:
        return _read_committed(lake_uri, table, days, schema, defaults, exclude_day)
    except FileNotFoundError:
        # A rerun of a date committed and deleted the files of the record we had read: read the new record.
        return _read_committed(lake_uri, table, days, schema, defaults, exclude_day)


def _read_committed(lake_uri: str, table: str, days: Sequence[date] | None, schema: pa.Schema,
                    defaults: Mapping[str, Any], exclude_day: date | None) -> tuple[pa.Table, PartitionsRead]:
    """The files each partition's commit record names (`datalake.commits`), never a directory listing."""
    fs, _ = filesystem(lake_uri)
    read = PartitionsRead(table)
    skip = exclude_day.isoformat() if exclude_day else None
    partitions: list[tuple[str, list[str]]] = []  # (dt, files)
    if days is None:
        partitions = [(dt, files) for dt, files in table_partitions(lake_uri, table) if dt != skip]
    else:
        for day in days:
            if day.isoformat() == skip:
                continue
            files = partition_files(lake_uri, table, day)
            if files is None:
                read.missing_days.append(day.isoformat())
                continue
            partitions.append((day.isoformat(), files))
    parts = []
    for dt, files in partitions:
        count = 0
        for path in files:
            with fs.open(path, "rb") as handle:
                parts.append(_read_file(handle, schema, defaults, f"{table}/dt={dt}/{posixpath.basename(path)}"))
            count += parts[-1].num_rows
        read.rows_per_day[dt] = count
    return (pa.concat_tables(parts) if parts else schema.empty_table()), read


def read_table_file(uri: str, table: str) -> pa.Table:
    """One committed file of a table (a path `datalake.commits` names), cast to the table's current schema:
    for readers that spread a table's files over workers (the judge cache: transforms.beam.judge)."""
    fs, path = filesystem(uri)
    with fs.open(path, "rb") as handle:
        return _read_file(handle, table_schema(table), {}, f"{table}/{posixpath.basename(path)}")


def _read_file(handle: Any, schema: pa.Schema, defaults: Mapping[str, Any], where: str) -> pa.Table:
    """One Parquet file's `schema` columns, cast by name; the columns it lacks filled with defaults or nulls."""
    parquet = pq.ParquetFile(handle)
    names = parquet.schema_arrow.names
    data = parquet.read(columns=[c for c in schema.names if c in names])
    columns = []
    for column in schema:
        if column.name in names:
            try:
                columns.append(data[column.name].cast(column.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SchemaMismatch(f"{where}: column {column.name} has type "
                                     f"{data.schema.field(column.name).type}, not {column.type}") from None
        else:
            default = defaults.get(column.name)
            columns.append(pa.nulls(data.num_rows, column.type) if default is None
                           else pa.array([default] * data.num_rows, column.type))
    return pa.Table.from_arrays(columns, schema=schema)
