"""How a partition is split into files and written: the file count follows the rows' size, a file is written
sorted in bounded row groups, and a run's quarantine may be several files that publish and replace together."""

import random
from datetime import date

import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from datalake import partitions, quarantine
from datalake.config import LakeConfig
from schemas.arrow import to_arrow_table
from schemas.outputs import QuarantinedLine, SFTExample
from lake_rows import sft_row

DAY = date(2026, 11, 27)


def lake(**fields) -> LakeConfig:
    return LakeConfig(lake_uri="lake", quarantine_uri="q", **fields)


def test_the_number_of_files_follows_the_size_unless_fixed():
    assert lake().shards_for(0) == 1  # an empty or tiny day: one file
    assert lake(file_mb=64).shards_for(64_000_000) == 1
    assert lake(file_mb=64).shards_for(64_000_001) == 2
    assert lake(file_mb=1).shards_for(10 * 1_000_000) == 10  # 10x the rows: 10x the files, not larger ones
    assert lake(file_mb=1).shards_for(10**15) == 1024  # capped
    assert lake(shards=3, file_mb=1).shards_for(10**9) == 3  # a fixed number wins
    with pytest.raises(ValidationError):
        lake(file_mb=0)


def test_a_sorted_file_is_written_in_row_groups_and_its_bytes_do_not_depend_on_the_input_order(tmp_path):
    rows = [sft_row(i) for i in range(2 * partitions.ROW_GROUP_ROWS + 5)]
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    partitions.write_sorted_table(str(a), to_arrow_table(SFTExample, rows), ["example_id"])
    partitions.write_sorted_table(str(b), to_arrow_table(SFTExample, shuffled), ["example_id"])
    assert a.read_bytes() == b.read_bytes()
    parquet = pq.ParquetFile(a)
    assert parquet.num_row_groups == 3
    ids = parquet.read().column("example_id").to_pylist()
    assert ids == sorted(r.example_id for r in rows)
    assert not list(tmp_path.glob("*.tmp"))


def test_write_rows_keeps_their_order_across_row_groups(tmp_path):
    rows = [sft_row(i) for i in range(partitions.ROW_GROUP_ROWS + 1)]
    path = tmp_path / "rows.parquet"
    partitions.write_rows(str(path), SFTExample, rows)
    assert pq.ParquetFile(path).num_row_groups == 2
    assert pq.read_table(path).column("example_id").to_pylist() == [r.example_id for r in rows]


def test_a_quarantine_of_several_files_publishes_all_of_them_and_replaces_the_last_runs(tmp_path):
    root = str(tmp_path / "q")
    lines = [QuarantinedLine(reason="invalid JSON", source_uri="f.jsonl", line_number=i, raw_line="{")
             for i in range(3)]
    quarantine.stage_quarantine(root, "run1", DAY, lines)
    quarantine.publish_quarantine(root, "run1", DAY)
    quarantine.stage_quarantine(root, "run2", DAY, lines[:2], shard=0, shards=2)
    quarantine.stage_quarantine(root, "run2", DAY, lines[2:], shard=1, shards=2)
    published = quarantine.publish_quarantine(root, "run2", DAY)
    folder = tmp_path / "q" / f"dt={DAY}"
    assert sorted(p.name for p in folder.iterdir()) == ["run2.part-00000-of-00002.jsonl",
                                                         "run2.part-00001-of-00002.jsonl"]
    assert sorted(published) == sorted(str(p) for p in folder.iterdir())
    assert sum(len(p.read_text().splitlines()) for p in folder.iterdir()) == 3
    assert not (tmp_path / "q" / "_staging" / "run2").exists()
