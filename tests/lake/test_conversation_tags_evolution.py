"""Conversations written before turns and conversations had `category` and `language` still read: through the
Arrow reader (nested struct fields filled with null) and through the DuckDB views (`turns`, `conversations`)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datalake.reader import read_partitions
from datalake.tables import partition_name, shard_file_name
from schemas.arrow import arrow_schema, to_arrow_table
from schemas.conversation import Conversation, Turn
from sql.catalog import open_catalog

OLD_DAY, NEW_DAY = date(2026, 10, 31), date(2026, 11, 1)
NEW_FIELDS = ("category", "language")
T0 = datetime(2026, 10, 31, 9, tzinfo=timezone.utc)


def _conversation(cid: str, category: str | None = None, language: str | None = None) -> Conversation:
    turns = [Turn(turn_index=0, message_id=f"{cid}-u", role="user", content="Write a poem", timestamp=T0,
                  category=category, language=language),
             Turn(turn_index=1, message_id=f"{cid}-a", role="assistant", content="Roses...", timestamp=T0,
                  category=category, language=language)]
    return Conversation(row_id=f"r-{cid}", conversation_id=cid, source="events", started_at=T0, ended_at=T0,
                        n_turns=2, turns=turns, category=category, language=language)


def _old_schema() -> pa.Schema:
    """Conversation's Arrow schema as it was before the tags: no top-level or turn-level category/language."""
    fields = []
    for column in arrow_schema(Conversation):
        if column.name in NEW_FIELDS:
            continue
        if column.name == "turns":
            turn = column.type.value_type
            column = column.with_type(pa.list_(pa.struct([f for f in turn if f.name not in NEW_FIELDS])))
        fields.append(column)
    return pa.schema(fields)


def _write(lake, day: date, conversation: Conversation, schema: pa.Schema) -> None:
    folder = lake / "conversations" / partition_name(day)
    folder.mkdir(parents=True, exist_ok=True)
    table = to_arrow_table(Conversation, [conversation]).select(schema.names).cast(schema)
    pq.write_table(table, folder / shard_file_name(0, 1))


@pytest.fixture
def old_lake(tmp_path):
    lake = tmp_path / "lake"
    _write(lake, OLD_DAY, _conversation("old"), _old_schema())
    return lake


def test_the_old_schema_really_lacks_the_tags(old_lake):
    written = pq.read_schema(next(old_lake.glob("conversations/*/*.parquet")))
    assert "category" not in written.names
    assert "category" not in [f.name for f in written.field("turns").type.value_type]


def test_the_arrow_reader_fills_the_tags_with_null_in_old_partitions(old_lake):
    _write(old_lake, NEW_DAY, _conversation("new", "writing", "en"), arrow_schema(Conversation))
    table, _ = read_partitions(str(old_lake), "conversations")
    assert table.schema == arrow_schema(Conversation)
    rows = {r["conversation_id"]: r for r in table.to_pylist()}
    assert (rows["old"]["category"], rows["old"]["language"]) == (None, None)
    assert [(t["category"], t["language"]) for t in rows["old"]["turns"]] == [(None, None)] * 2
    assert [(t["category"], t["language"]) for t in rows["new"]["turns"]] == [("writing", "en")] * 2


def test_the_views_read_a_lake_with_old_and_new_partitions(old_lake):
    _write(old_lake, NEW_DAY, _conversation("new", "writing", "en"), arrow_schema(Conversation))
    con = open_catalog(str(old_lake))
    turns = con.execute("SELECT conversation_id, category, language FROM turns ORDER BY message_id").fetchall()
    assert turns == [("new", "writing", "en"), ("new", "writing", "en"), ("old", None, None), ("old", None, None)]
    conversations = con.execute("SELECT conversation_id, category, language FROM conversations ORDER BY 1").fetchall()
    assert conversations == [("new", "writing", "en"), ("old", None, None)]


# sql/catalog.py casts a struct column whose files lack the model's newer fields (turns[].category, .language)
# to the model's type, so a lake of only older files still has them, as NULL.
def test_the_views_read_a_lake_with_only_old_partitions(old_lake):
    con = open_catalog(str(old_lake))
    assert con.execute("SELECT category, language FROM turns").fetchall() == [(None, None)] * 2
    assert con.execute("SELECT category, language FROM conversations").fetchall() == [(None, None)]
