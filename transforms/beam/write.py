"""Writes on Beam: a run's tables to the lake's staging area (`WriteTables`, through `StageShardedRows`) and its
rejected lines to the quarantine's (`StageQuarantine`). The flow publishes both after the pipeline succeeds.

Layout and models: datalake.tables. A partition is split into as many files as its size needs
(`LakeConfig.shards_for`: one per `file_mb` MB of rows, or a fixed `shards`), so no file and no writer grows
with the day:

    rows ─batches─▶ Arrow chunks (zstd IPC bytes: compact while the runner holds or shuffles them)
         ─their total size─▶ the number of shards (a side input)
         ─split by a stable hash of each row's shard key─▶ (shard, chunk) ─GroupByKey─▶ one sorted Parquet file
           per shard, written in row groups (datalake.partitions.write_sorted_table)

Rows are sorted by their own id within a file, so a rerun writes the same bytes.
"""

from __future__ import annotations

import zlib
from datetime import date
from typing import Callable, Sequence

import apache_beam as beam
import numpy as np
import pyarrow as pa
from apache_beam.pvalue import AsSingleton
from pydantic import BaseModel

from datalake.config import LakeConfig
from datalake.partitions import staging_partition, write_sorted_table
from datalake.quarantine import stage_quarantine
from datalake.tables import TABLES, shard_file_name
from schemas.arrow import to_arrow_table
from transforms.beam.metrics import count
from transforms.beam.waves import Wave

# Each table's row id: the order of rows within a file.
ROW_IDS = {"conversations": "row_id", "judgments": "judgment_id", "sft": "example_id", "preferences": "pair_id"}
# Rows per Arrow chunk: what a worker converts at once before the shuffle.
CHUNK_ROWS = 1024
_SHARD_HASH = "__shard_hash"
_IPC = pa.ipc.IpcWriteOptions(compression="zstd")


def shard_of(key: str, shards: int) -> int:
    """A stable shard for a key (Python's hash() is salted per process, so it cannot be used)."""
    return zlib.crc32(key.encode("utf-8")) % shards


def _to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_IPC) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


class ArrowChunkDoFn(beam.DoFn):
    """A batch of rows -> (Arrow chunk as IPC bytes, its rows' uncompressed bytes), with each row's shard-key
    hash as an extra column."""

    def __init__(self, model: type[BaseModel], shard_key: Callable[[BaseModel], str]):
        self._model = model
        self._shard_key = shard_key

    def process(self, batch: list):
        table = to_arrow_table(self._model, batch)
        size = table.nbytes
        hashes = pa.array([zlib.crc32(self._shard_key(row).encode("utf-8")) for row in batch], pa.uint32())
        yield _to_ipc(table.append_column(_SHARD_HASH, hashes)), size


def split_chunk(chunk: tuple[bytes, int], shards: int):
    """(chunk, size) -> ((shard, shards), the chunk's rows of that shard as IPC bytes) for each shard it holds."""
    table = _from_ipc(chunk[0])
    if shards == 1:
        yield (0, 1), chunk[0]
        return
    of_row = table.column(_SHARD_HASH).to_numpy() % shards
    for shard in np.unique(of_row):
        yield (int(shard), shards), _to_ipc(table.filter(pa.array(of_row == shard)))


def _chunk_size(chunk) -> int:
    return chunk[1]


def _line_size(line) -> int:
    return len(line.raw_line or "")


class FilesForSizeFn(beam.CombineFn):
    """Elements -> how many files their total size needs (`files_for(total)`; no elements: files_for(0)). One
    Combine instead of a Map, a Combine and a Map: Beam's graph construction costs per step."""

    def __init__(self, files_for: Callable[[int], int], size_of: Callable[[object], int]):
        self._files_for, self._size_of = files_for, size_of

    def create_accumulator(self):
        return 0

    def add_input(self, total, element):
        return total + self._size_of(element)

    def merge_accumulators(self, totals):
        return sum(totals)

    def extract_output(self, total):
        return self._files_for(total)


class WriteShardFileDoFn(beam.DoFn):
    """((shard, shards), chunks) -> one Parquet file `folder`/part-<shard>-of-<shards>.parquet, rows sorted by
    `sort_keys`; yields (counter name, rows)."""

    def __init__(self, folder: str, sort_keys: Sequence[str], counter: str | None, count_rows: bool, name: str):
        self._folder = folder
        self._sort_keys = tuple(sort_keys)
        self._counter = counter
        self._count_rows = count_rows
        self._name = name

    def process(self, keyed):
        (shard, shards), chunks = keyed
        table = pa.concat_tables([_from_ipc(chunk) for chunk in chunks]).drop_columns([_SHARD_HASH])
        size = write_sorted_table(f"{self._folder}/{shard_file_name(shard, shards, self._name)}", table,
                                  self._sort_keys)
        if self._counter:
            if self._count_rows:
                count(f"rows.{self._counter}", table.num_rows)
            count(f"bytes_written.{self._counter}", size)
        yield self._counter, table.num_rows


class StageShardedRows(beam.PTransform):
    """PCollection of rows of `model` -> Parquet files in the staging `folder`, as many as `lake.shards_for`
    the rows' size; a row's file is a stable hash of `shard_key(row)`, rows sorted by `sort_keys` in a file.

    counter: given, the writer counts bytes_written.<counter>, and rows.<counter> unless count_rows is False.
    name: given, in the files' names, which then never collide with files other pipelines of the run stage in
    the same folder (a wave's: transforms.beam.waves; datalake.tables.shard_file_name)."""

    def __init__(self, model: type[BaseModel], folder: str, sort_keys: Sequence[str],
                 shard_key: Callable[[BaseModel], str], lake: LakeConfig, counter: str | None = None,
                 count_rows: bool = True, name: str = ""):
        super().__init__()
        self._model, self._folder, self._sort_keys = model, folder, tuple(sort_keys)
        self._shard_key, self._lake, self._counter, self._count_rows = shard_key, lake, counter, count_rows
        self._name = name

    def expand(self, rows):
        lake = self._lake
        chunks = (
            rows
            | "Batch rows" >> beam.BatchElements(min_batch_size=CHUNK_ROWS // 4, max_batch_size=CHUNK_ROWS)
            | "To Arrow chunks" >> beam.ParDo(ArrowChunkDoFn(self._model, self._shard_key))
        )
        shards = chunks | "Files for the size" >> beam.CombineGlobally(FilesForSizeFn(lake.shards_for, _chunk_size))
        return (
            chunks
            | "Split by shard" >> beam.FlatMap(split_chunk, AsSingleton(shards))
            | "Group by shard" >> beam.GroupByKey()
            | "Write shard files" >> beam.ParDo(WriteShardFileDoFn(self._folder, self._sort_keys, self._counter,
                                                                    self._count_rows, self._name))
        )


def _conversation_id(row) -> str:
    return row.conversation_id


class WriteTables(beam.PTransform):
    """{table name: PCollection of its rows} -> Parquet files in the run's staging partitions (every table
    in datalake.tables.TABLES that is given; rows are sharded by conversation id; a wave's files are its own)."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date, wave: Wave = Wave()):
        super().__init__()
        self._lake = lake
        self._run_id = run_id
        self._day = day
        self._wave = wave

    def expand(self, tables):
        written = []
        for table, rows in tables.items():
            folder = staging_partition(self._lake.lake_uri, self._run_id, table, self._day)
            written.append(rows | f"Write {table}" >> StageShardedRows(
                TABLES[table], folder, [ROW_IDS[table]], _conversation_id, self._lake, counter=table,
                name=self._wave.name))
        return written | "Files written" >> beam.Flatten()


# ------------------------------------------------------------------------------------------- quarantine

def _quarantine_key(line) -> str:
    return f"{line.source_uri}\n{line.line_number}"


class StageQuarantineDoFn(beam.DoFn):
    def __init__(self, lake: LakeConfig, run_id: str, day: date, wave: str):
        self._lake, self._run_id, self._day, self._wave = lake, run_id, day, wave

    def process(self, keyed):
        (shard, shards), lines = keyed
        stage_quarantine(self._lake.quarantine_uri, self._run_id, self._day, list(lines), shard, shards, self._wave)


class StageQuarantine(beam.PTransform):
    """QuarantinedLine -> JSONL files in the quarantine's staging for the run (owner-only: raw lines), as many
    as the lines' size needs (`LakeConfig.files_for` of the raw lines' length); a line's file is a stable
    hash of its source and line number (a wave's files are its own: transforms.beam.waves)."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date, wave: Wave = Wave()):
        super().__init__()
        self._args = (lake, run_id, day, wave.name)

    def expand(self, lines):
        lake = self._args[0]
        shards = lines | "Files for the size" >> beam.CombineGlobally(FilesForSizeFn(lake.files_for, _line_size))

        def keyed(line, shards: int):
            return (shard_of(_quarantine_key(line), shards), shards), line

        return (
            lines
            | "Key by file" >> beam.Map(keyed, AsSingleton(shards))
            | "Group quarantine" >> beam.GroupByKey()
            | "Stage quarantine" >> beam.ParDo(StageQuarantineDoFn(*self._args))
        )
