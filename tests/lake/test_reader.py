"""The one Arrow reader: partitions by date, cast to the table's current schema, older partitions filled."""

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.arrow import arrow_schema, to_arrow_table
from schemas.outputs import ChatMessage, SFTExample
from datalake import partitions
from datalake.reader import SchemaMismatch, read_partitions
from datalake.tables import partition_name, shard_file_name

DAY1, DAY2, DAY3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def sft_row(i: int) -> SFTExample:
    return SFTExample(example_id=f"x{i}", messages=[ChatMessage(role="user", content="q"),
                                                     ChatMessage(role="assistant", content=f"a{i}")],
                      conversation_id="c", target_message_id=f"m{i}", target_turn_index=1, label="positive",
                      source="events", derivation="augmented", sample_weight=2.0)


def write(lake, day, name, table):
    folder = lake / "sft" / partition_name(day)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name)


@pytest.fixture
def lake(tmp_path):
    lake = tmp_path / "lake"
    # DAY1 written before derivation and sample_weight existed; DAY2 in today's schema, in two shards.
    old = to_arrow_table(SFTExample, [sft_row(1)]).drop_columns(["derivation", "sample_weight"])
    write(lake, DAY1, shard_file_name(0, 1), old)
    write(lake, DAY2, shard_file_name(1, 2), to_arrow_table(SFTExample, [sft_row(3)]))
    write(lake, DAY2, shard_file_name(0, 2), to_arrow_table(SFTExample, [sft_row(2)]))
    # Neither a temporary file nor a file outside the shard names is ever read.
    write(lake, DAY2, "part-00002-of-00002.parquet.tmp", to_arrow_table(SFTExample, [sft_row(9)]))
    write(lake, DAY2, "stray.parquet", to_arrow_table(SFTExample, [sft_row(8)]))
    return lake


def test_reads_in_date_then_file_order_in_the_current_schema(lake):
    table, read = read_partitions(str(lake), "sft", [DAY1, DAY2, DAY3])
    assert table.schema == arrow_schema(SFTExample)
    assert table["example_id"].to_pylist() == ["x1", "x2", "x3"]
    # Columns the older partition lacks read as null unless the caller gives a default.
    assert table["derivation"].to_pylist() == [None, "augmented", "augmented"]
    assert read.rows_per_day == {"2026-11-01": 1, "2026-11-02": 2} and read.missing_days == ["2026-11-03"]


def test_columns_defaults_all_dates_and_exclude_day(lake):
    table, read = read_partitions(str(lake), "sft", columns=["example_id", "sample_weight"],
                                  defaults={"sample_weight": 1.0}, exclude_day=DAY2)
    assert table.column_names == ["example_id", "sample_weight"]
    assert table.to_pylist() == [{"example_id": "x1", "sample_weight": 1.0}]
    assert read.rows_per_day == {"2026-11-01": 1} and read.missing_days == []


def test_read_rows_gives_the_models_defaults_for_columns_an_older_partition_lacks(lake):
    rows = partitions.read_rows(str(lake), "sft")
    assert [(r.example_id, r.derivation, r.sample_weight) for r in rows] == [
        ("x1", "original", 1.0), ("x2", "augmented", 2.0), ("x3", "augmented", 2.0)]
    assert [r.example_id for r in partitions.read_rows(str(lake), "sft", exclude_day=DAY1)] == ["x2", "x3"]


def test_a_column_that_cannot_be_cast_names_the_file(lake):
    bad = to_arrow_table(SFTExample, [sft_row(4)])
    bad = bad.set_column(bad.schema.get_field_index("sample_weight"), "sample_weight", pa.array(["heavy"]))
    write(lake, DAY3, shard_file_name(0, 1), bad)
    with pytest.raises(SchemaMismatch, match=r"sft/dt=2026-11-03/part-00000-of-00001.parquet: column sample_weight"):
        read_partitions(str(lake), "sft", [DAY3])
