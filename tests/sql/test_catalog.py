"""The DuckDB catalog over a tiny lake written with pyarrow from real model instances."""

from __future__ import annotations

import datetime as dt
import importlib.resources
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schemas.arrow import arrow_schema, to_arrow_table
from schemas.conversation import Conversation, EntityCount, FeedbackSignal, Label, LabelDecision, Turn
from schemas.outputs import ChatMessage, InputFile, RunManifest, SFTExample
from sql.catalog import (
    LAKE_TABLES,
    VIEWS,
    CatalogError,
    QueryError,
    format_table,
    named_queries,
    open_catalog,
    recent_runs,
)
from sql.readonly import run_query

UTC = dt.timezone.utc
DAY1, DAY2 = "2024-05-01", "2024-05-02"


def _ts(day: str, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def _conversation(cid: str, day: str, source: str, labels: list[Label | None], pii: dict[str, int]) -> Conversation:
    turns = []
    for i, label in enumerate(labels):
        turns.append(Turn(turn_index=2 * i, message_id=f"{cid}-u{i}", role="user", content=f"question {i}",
                          timestamp=_ts(day, 9, 2 * i)))
        decisions = []
        feedback = []
        if label is not None:
            decisions = [LabelDecision(rule_id=f"rule.{label.value}", rules_version="1", label=label, confidence=0.9)]
        if label is Label.negative:
            feedback = [FeedbackSignal(event_id=f"{cid}-e{i}", kind="thumbs_down", timestamp=_ts(day, 9, 2 * i + 1),
                                       attached_by="message_id")]
            decisions.append(LabelDecision(rule_id="rule.retry", rules_version="1", label=label, confidence=0.6))
        turns.append(Turn(turn_index=2 * i + 1, message_id=f"{cid}-a{i}", parent_id=f"{cid}-u{i}", role="assistant",
                          content=f"answer {i}", timestamp=_ts(day, 9, 2 * i + 1), model="m-1", label=label,
                          decisions=decisions, feedback=feedback))
    return Conversation(row_id=f"row-{cid}", conversation_id=cid, source=source, user_hash=f"h-{cid}",
                        started_at=turns[0].timestamp, ended_at=turns[-1].timestamp, n_turns=len(turns), turns=turns,
                        pii_entities=[EntityCount(entity_type=k, count=v) for k, v in pii.items()])


def _sft(cid: str, label: str = "positive") -> SFTExample:
    return SFTExample(example_id=f"ex-{cid}", messages=[ChatMessage(role="user", content="question 0"),
                                                        ChatMessage(role="assistant", content="answer 0", train=True)],
                      conversation_id=cid, target_message_id=f"{cid}-a0", target_turn_index=1, label=label,
                      rule_ids=["rule.positive"], source="web")


def _manifest(run_id: str, day: str, started: dt.datetime, status: str = "succeeded", **counts: int) -> RunManifest:
    return RunManifest(run_id=run_id, flow="nightly", dt=day, status=status, started_at=started,
                       finished_at=started + dt.timedelta(seconds=90), config_hash="cafe", judge_mode="rules-only",
                       versions={"flywheel": "0.1.0"}, inputs=[InputFile(uri="logs/a.jsonl", lines=7),
                                                               InputFile(uri="logs/b.jsonl", lines=3)],
                       counts=counts, pii_counts={"EMAIL_ADDRESS": 2})


def _write(path: Path, model, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow_table(model, rows), path)


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    c1 = _conversation("c1", DAY1, "web", [Label.positive, Label.negative], {"EMAIL_ADDRESS": 2, "PERSON": 1})
    c2 = _conversation("c2", DAY1, "api", [Label.positive], {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 0})
    c3 = _conversation("c3", DAY2, "web", [Label.unknown, None], {})
    _write(root / "conversations" / f"dt={DAY1}" / "part-00000-of-00002.parquet", Conversation, [c1])
    _write(root / "conversations" / f"dt={DAY1}" / "part-00001-of-00002.parquet", Conversation, [c2])
    _write(root / "conversations" / f"dt={DAY2}" / "part-00000-of-00002.parquet", Conversation, [c3])
    _write(root / "sft" / f"dt={DAY1}" / "part-00000-of-00001.parquet", SFTExample, [_sft("c1"), _sft("c2")])
    _write(root / "sft" / f"dt={DAY2}" / "part-00000-of-00001.parquet", SFTExample, [])
    runs = root / "_runs"
    runs.mkdir()
    (runs / "r-old.json").write_text(_manifest("r-old", DAY1, _ts(DAY2, 2), sft_examples=2).model_dump_json())
    (runs / "r-new.json").write_text(
        _manifest("r-new", DAY2, _ts("2024-05-03", 2), sft_examples=0, conversations=1).model_dump_json(indent=2))

    # What a reader must never see: a run's staging and trash, and files being written.
    ghost = [_conversation("ghost", DAY1, "web", [Label.negative], {"PERSON": 9})]
    _write(root / "_staging" / "r-x" / "conversations" / f"dt={DAY1}" / "part-00000-of-00002.parquet", Conversation, ghost)
    _write(root / "_trash" / "r-x" / "conversations" / f"dt={DAY1}" / "part-00000-of-00002.parquet", Conversation, ghost)
    _write(root / "_staging" / "r-x" / "sft" / f"dt={DAY1}" / "part-00000-of-00001.parquet", SFTExample, [_sft("ghost")])
    _write(root / "conversations" / f"dt={DAY1}" / "part-00002-of-00002.parquet.tmp", Conversation, ghost)
    (runs / "r-ghost.json.tmp").write_text(_manifest("r-ghost", DAY1, _ts(DAY2, 5)).model_dump_json())
    return root


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _describe(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {view}").fetchall()]


def test_views_sql_is_package_data():
    assert importlib.resources.files("sql").joinpath("views.sql").is_file()
    assert "daily_label_mix" in named_queries()


def test_conversations_view_reads_partitions_with_dt_from_the_path(lake):
    con = open_catalog(str(lake))
    rows = _rows(con, "SELECT conversation_id, dt, source, n_turns FROM conversations ORDER BY conversation_id")
    assert rows == [("c1", dt.date(2024, 5, 1), "web", 4), ("c2", dt.date(2024, 5, 1), "api", 2),
                    ("c3", dt.date(2024, 5, 2), "web", 4)]
    columns = [name for name, _ in _describe(con, "conversations")]
    assert columns == arrow_schema(Conversation).names + ["dt"]
    assert dict(_describe(con, "conversations"))["dt"] == "DATE"


def test_turns_view_has_one_row_per_turn_with_label_and_rule_ids(lake):
    con = open_catalog(str(lake))
    assert _rows(con, "SELECT count(*) FROM turns") == [(10,)]
    rows = _rows(con, """SELECT dt, conversation_id, source, turn_index, "role", "label", rule_ids, feedback_kinds,
                                n_feedback, model
                         FROM turns WHERE conversation_id = 'c1' ORDER BY turn_index""")
    day = dt.date(2024, 5, 1)
    assert rows == [
        (day, "c1", "web", 0, "user", None, [], [], 0, None),
        (day, "c1", "web", 1, "assistant", "positive", ["rule.positive"], [], 0, "m-1"),
        (day, "c1", "web", 2, "user", None, [], [], 0, None),
        (day, "c1", "web", 3, "assistant", "negative", ["rule.negative", "rule.retry"], ["thumbs_down"], 1, "m-1"),
    ]
    assert _rows(con, "SELECT content, message_id, parent_id FROM turns WHERE message_id = 'c2-a0'") == [
        ("answer 0", "c2-a0", "c2-u0")]


def test_sft_view(lake):
    con = open_catalog(str(lake))
    rows = _rows(con, "SELECT example_id, dt, messages, rule_ids FROM sft ORDER BY example_id")
    assert [r[0] for r in rows] == ["ex-c1", "ex-c2"]
    assert rows[0][1] == dt.date(2024, 5, 1)
    assert rows[0][2] == [{"role": "user", "content": "question 0", "train": False},
                          {"role": "assistant", "content": "answer 0", "train": True}]
    assert rows[0][3] == ["rule.positive"]


def test_runs_view_and_recent_runs(lake):
    con = open_catalog(str(lake))
    rows = _rows(con, """SELECT run_id, dt, status, duration_s, counts['sft_examples'], n_inputs, input_lines,
                                pii_counts FROM runs ORDER BY run_id""")
    assert rows == [
        ("r-new", dt.date(2024, 5, 2), "succeeded", 90.0, 0, 2, 10, {"EMAIL_ADDRESS": 2}),
        ("r-old", dt.date(2024, 5, 1), "succeeded", 90.0, 2, 2, 10, {"EMAIL_ADDRESS": 2}),
    ]
    runs = recent_runs(str(lake))
    assert [r["run_id"] for r in runs] == ["r-new", "r-old"]
    assert runs[0]["counts"] == {"sft_examples": 0, "conversations": 1}
    assert runs[0]["started_at"] == _ts("2024-05-03", 2)
    assert [r["run_id"] for r in recent_runs(str(lake), limit=1)] == ["r-new"]


def test_a_broken_manifest_shows_up_instead_of_breaking_the_runs_view(lake):
    (lake / "_runs" / "r-broken.json").write_text('{"run_id": "r-br')
    (lake / "_runs" / "r-list.json").write_text('[]')
    con = open_catalog(str(lake))
    assert _rows(con, "SELECT run_id, status FROM runs ORDER BY run_id") == [
        ("r-broken", "invalid-manifest"), ("r-list", "invalid-manifest"), ("r-new", "succeeded"), ("r-old", "succeeded")]


def test_pii_and_label_summaries(lake):
    con = open_catalog(str(lake))
    day1, day2 = dt.date(2024, 5, 1), dt.date(2024, 5, 2)
    assert _rows(con, "SELECT * FROM pii_summary") == [
        (day1, "EMAIL_ADDRESS", 3, 2), (day1, "PERSON", 1, 1)]
    assert _rows(con, "SELECT * FROM label_summary") == [
        (day1, "negative", 1, round(1 / 3, 4)), (day1, "positive", 2, round(2 / 3, 4)),
        (day2, "unknown", 1, 0.5), (day2, "unlabeled", 1, 0.5)]


def test_staging_trash_and_temp_files_are_never_read(lake):
    con = open_catalog(str(lake))
    assert _rows(con, "SELECT count(*) FROM conversations WHERE conversation_id = 'ghost'") == [(0,)]
    assert _rows(con, "SELECT count(*) FROM sft WHERE conversation_id = 'ghost'") == [(0,)]
    assert _rows(con, "SELECT count(*) FROM runs WHERE run_id = 'r-ghost'") == [(0,)]
    assert _rows(con, "SELECT count(*) FROM pii_summary WHERE entities >= 9") == [(0,)]


def test_relative_lake_path_works_from_any_working_directory(lake, tmp_path, monkeypatch):
    monkeypatch.chdir(lake.parent)
    con = open_catalog("lake")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _rows(con, "SELECT count(*) FROM conversations") == [(3,)]
    assert run_query("../lake", "SELECT count(*) AS n FROM turns") == (["n"], [(10,)])
    assert [r["run_id"] for r in recent_runs(f"file://{lake}")] == ["r-new", "r-old"]


def test_a_lake_path_with_glob_characters(lake, tmp_path):
    odd = tmp_path / "odd [1]*?" / "lake"
    odd.parent.mkdir()
    lake.rename(odd)
    con = open_catalog(str(odd))
    assert _rows(con, "SELECT count(*) FROM conversations") == [(3,)]
    assert _rows(con, "SELECT count(*) FROM runs") == [(2,)]


def test_a_saved_catalog_file_keeps_absolute_paths(lake, tmp_path, monkeypatch):
    monkeypatch.chdir(lake.parent)
    open_catalog("lake", database=str(tmp_path / "catalog.duckdb")).close()
    monkeypatch.chdir(tmp_path / "lake" / "_runs")
    con = duckdb.connect(str(tmp_path / "catalog.duckdb"))
    assert _rows(con, "SELECT count(*) FROM sft") == [(2,)]
    assert _rows(con, "SELECT count(*) FROM label_summary") == [(4,)]


def test_empty_lake_gives_empty_views_with_the_same_columns(lake, tmp_path):
    empty = tmp_path / "empty-lake"
    (empty / "_staging").mkdir(parents=True)  # only internal leftovers: still no data
    full, bare = open_catalog(str(lake)), open_catalog(str(empty))
    for view in VIEWS:
        assert _rows(bare, f"SELECT count(*) FROM {view}") == [(0,)], view
        assert _describe(bare, view) == _describe(full, view), view
    assert {t.name for t in LAKE_TABLES} <= set(VIEWS)


def test_a_table_with_no_files_yet_is_an_empty_view(lake):
    for path in (lake / "sft").rglob("*.parquet"):
        path.unlink()
    con = open_catalog(str(lake))
    assert _rows(con, "SELECT count(*) FROM sft") == [(0,)]
    assert _rows(con, "SELECT count(*) FROM conversations") == [(3,)]


def test_files_missing_a_newer_model_column_still_have_it(tmp_path):
    root = tmp_path / "lake"
    table = to_arrow_table(Conversation, [_conversation("old", DAY1, "web", [Label.positive], {})]).drop_columns(["user_hash"])
    (root / "conversations" / f"dt={DAY1}").mkdir(parents=True)
    pq.write_table(table, root / "conversations" / f"dt={DAY1}" / "part-00000-of-00001.parquet")
    con = open_catalog(str(root))
    assert _rows(con, "SELECT conversation_id, user_hash FROM conversations") == [("old", None)]
    assert _rows(con, "SELECT count(*) FROM turns WHERE user_hash IS NULL") == [(2,)]


def test_missing_lake_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="has no data yet .*flywheel run"):
        open_catalog(str(tmp_path / "nowhere"))
    with pytest.raises(CatalogError, match=str(tmp_path / "nowhere")):
        run_query(str(tmp_path / "nowhere"), "SELECT 1")
    with pytest.raises(CatalogError):
        recent_runs(str(tmp_path / "nowhere"))


def test_bad_sql_is_a_query_error(lake):
    with pytest.raises(QueryError, match="no_such_view"):
        run_query(str(lake), "SELECT * FROM no_such_view")
    with pytest.raises(QueryError):
        run_query(str(lake), "  ")


def test_named_queries_run(lake):
    for name, sql in named_queries().items():
        columns, _ = run_query(str(lake), sql)
        assert columns, name
    columns, rows = run_query(str(lake), named_queries()["daily_label_mix"])
    assert rows[0][:4] == (dt.date(2024, 5, 1), 3, 2, 1)


def test_format_table():
    text = format_table(["name", "n", "note"], [("a", 1, None), ("bbbb", 22, "x" * 100), ("中文", 3.5, "line\nbreak")],
                        max_width=20)
    lines = text.splitlines()
    assert lines[0].split() == ["name", "n", "note"]
    assert lines[1].startswith("----  ---  ")
    assert lines[2] == "a       1  NULL"
    assert lines[3].endswith("x" * 19 + "…")
    assert lines[4] == "中文  3.5  line\\nbreak"  # wide characters count double
    assert lines[-1] == "(3 rows)"
    many = format_table(["i"], [(i,) for i in range(60)], max_rows=5)
    assert many.splitlines()[-1] == "(5 of 60 rows shown)"
    assert len(many.splitlines()) == 2 + 5 + 1
    assert format_table([], []) == "(no result)"
