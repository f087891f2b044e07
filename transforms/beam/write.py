"""Writes on Beam: a run's tables to the lake's staging area (`WriteTables`) and its rejected lines to the
quarantine's (`StageQuarantine`). The flow publishes both after the pipeline succeeds.

Layout and models: datalake.tables. Rows are spread over `shards` files by a stable hash of their conversation
id and sorted by their own id within a file, so a rerun writes the same bytes.
"""

from __future__ import annotations

import zlib
from datetime import date

import apache_beam as beam

from datalake.config import LakeConfig
from datalake.partitions import staging_partition, write_rows
from datalake.quarantine import stage_quarantine
from datalake.tables import TABLES, shard_file_name
from transforms.beam.metrics import count

# Each table's row id: the order of rows within a shard file.
ROW_IDS = {"conversations": "row_id", "judgments": "judgment_id", "sft": "example_id", "preferences": "pair_id"}


def shard_of(key: str, shards: int) -> int:
    """A stable shard for a key (Python's hash() is salted per process, so it cannot be used)."""
    return zlib.crc32(key.encode("utf-8")) % shards


class WriteShardDoFn(beam.DoFn):
    """(shard, rows) -> one Parquet file in the run's staging partition, rows sorted by id."""

    def __init__(self, table: str, lake: LakeConfig, run_id: str, day: date):
        self._table = table
        self._model = TABLES[table]
        self._id_field = ROW_IDS[table]
        self._lake = lake
        self._run_id = run_id
        self._day = day

    def process(self, keyed):
        shard, rows = keyed
        rows = sorted(rows, key=lambda row: getattr(row, self._id_field))
        folder = staging_partition(self._lake.lake_uri, self._run_id, self._table, self._day)
        size = write_rows(f"{folder}/{shard_file_name(shard, self._lake.shards)}", self._model, rows)
        count(f"rows.{self._table}", len(rows))
        count(f"bytes_written.{self._table}", size)
        yield self._table, len(rows)


class WriteTables(beam.PTransform):
    """{table name: PCollection of its rows} -> Parquet shards in the run's staging partitions (every table
    in datalake.tables.TABLES that is given; rows are sharded by conversation id)."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date):
        super().__init__()
        self._lake = lake
        self._run_id = run_id
        self._day = day

    def expand(self, tables):
        shards = self._lake.shards
        written = []
        for table, rows in tables.items():
            written.append(
                rows
                | f"Shard {table}" >> beam.Map(lambda row: (shard_of(row.conversation_id, shards), row))
                | f"Group {table} by shard" >> beam.GroupByKey()
                | f"Write {table}" >> beam.ParDo(WriteShardDoFn(table, self._lake, self._run_id, self._day))
            )
        return written | "Files written" >> beam.Flatten()


class StageQuarantineDoFn(beam.DoFn):
    def __init__(self, lake: LakeConfig, run_id: str, day: date):
        self._lake, self._run_id, self._day = lake, run_id, day

    def process(self, keyed):
        _, lines = keyed
        stage_quarantine(self._lake.quarantine_uri, self._run_id, self._day, list(lines))


class StageQuarantine(beam.PTransform):
    """QuarantinedLine -> one JSONL file in the quarantine's staging for the run (owner-only: raw lines)."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date):
        super().__init__()
        self._args = (lake, run_id, day)

    def expand(self, lines):
        return (
            lines
            | "One quarantine file" >> beam.Map(lambda line: (0, line))
            | "Group quarantine" >> beam.GroupByKey()
            | "Stage quarantine" >> beam.ParDo(StageQuarantineDoFn(*self._args))
        )
