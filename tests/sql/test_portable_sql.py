"""The catalog outside the project: `portable_sql` in the stock DuckDB CLI, the saved catalog file's storage
format, the column dictionary, and the README's and sql/queries.sql's examples over a generated lake.

The stock CLI is the `duckdb` of the PyPI package duckdb-cli (a different DuckDB version than the project's
Python package, which is the point); tests that need it skip, saying so, when it is not installed.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schemas.arrow import to_arrow_table
from schemas.conversation import Conversation, Turn
from schemas.outputs import ChatMessage, SFTExample
from sql.catalog import CATALOG_STORAGE_VERSION, VIEWS, named_queries, open_catalog, portable_sql
from sql.columns import NOTES, markdown, meaning, view_columns

REPO = Path(__file__).resolve().parents[2]
DAYS = [date(2026, 11, 20), date(2026, 11, 21)]


def stock_duckdb() -> str:
    """The duckdb CLI: beside this Python (pip install duckdb-cli) or on PATH; skips when there is none."""
    beside = Path(sys.executable).with_name("duckdb")
    found = str(beside) if beside.exists() else shutil.which("duckdb")
    if found is None:
        pytest.skip("no stock duckdb CLI: `pip install duckdb-cli` (or put a duckdb binary on PATH)")
    return found


def cli_rows(cli: str, catalog: Path, sql: str, cwd: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows (as CSV text) of `sql` run by the stock CLI after `.read catalog`."""
    done = subprocess.run([cli, "-csv", "-c", f".read {catalog}", "-c", sql], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr, f"{sql}\n{done.stderr}"
    table = list(csv.reader(io.StringIO(done.stdout)))
    return (table[0], table[1:]) if table else ([], [])


def _small_lake(root: Path) -> Path:
    """A lake from before commit records: one conversation, one SFT example, the other tables without files."""
    lake = root / "lake"
    when = "2024-05-01T09:00:00+00:00"
    turns = [Turn(turn_index=0, message_id="u", role="user", content="hi", timestamp=when),
             Turn(turn_index=1, message_id="a", parent_id="u", role="assistant", content="hello", timestamp=when,
                  label="positive")]
    conversation = Conversation(row_id="r", conversation_id="c", source="events", started_at=when, ended_at=when,
                                n_turns=2, turns=turns)
    example = SFTExample(example_id="x", messages=[ChatMessage(role="user", content="hi"),
                                                   ChatMessage(role="assistant", content="hello", train=True)],
                         conversation_id="c", target_message_id="a", target_turn_index=1, label="positive",
                         source="events")
    for table, model, row in (("conversations", Conversation, conversation), ("sft", SFTExample, example)):
        path = lake / table / "dt=2024-05-01" / "part-00000-of-00001.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(to_arrow_table(model, [row]), path)
    return lake


# --------------------------------------------------------------------------------------------- portable SQL


def test_portable_sql_is_plain_sql_any_connection_runs(tmp_path):
    lake = _small_lake(tmp_path / "odd dir's")  # a quote and a space in the path
    sql = portable_sql(str(lake))
    assert "{table:" not in sql and "{lake}" not in sql
    assert "Tables without files at generation (their views stay empty): judgments, preferences, reviews, runs." in sql
    assert "no commit records" in sql
    # A fresh connection of the project's DuckDB, nothing of the project loaded: every view opens.
    con = duckdb.connect()
    con.execute(sql)
    counts = {view: con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] for view in VIEWS}
    assert counts["conversations"] == 1 and counts["turns"] == 2 and counts["sft"] == 1
    assert counts["label_summary"] == 1 and counts["judgments"] == 0


def test_a_path_with_a_newline_cannot_escape_the_header_comment(tmp_path):
    lake = _small_lake(tmp_path / "a\nDROP VIEW x; --")
    con = duckdb.connect()
    con.execute(portable_sql(str(lake)))
    assert con.execute("SELECT count(*) FROM sft").fetchone() == (1,)


def test_the_stock_cli_opens_every_view(tmp_path):
    cli = stock_duckdb()
    catalog = tmp_path / "catalog.sql"
    catalog.write_text(portable_sql(str(_small_lake(tmp_path))))
    for view in VIEWS:
        header, rows = cli_rows(cli, catalog, f"SELECT count(*) AS n FROM {view}", cwd=Path("/"))
        assert header == ["n"] and len(rows) == 1, view
    assert cli_rows(cli, catalog, "SELECT content FROM turns ORDER BY turn_index", Path("/"))[1] == [["hi"], ["hello"]]


# --------------------------------------------------------------------------------------------- saved catalog file


def test_a_saved_catalog_is_written_in_a_storage_format_older_duckdb_reads(tmp_path):
    lake = _small_lake(tmp_path)
    saved = tmp_path / "catalog.duckdb"
    duckdb.connect(str(saved)).close()  # a catalog file saved in DuckDB's newest format, as before
    open_catalog(str(lake), str(saved)).close()
    con = duckdb.connect()
    con.execute(f"ATTACH '{saved}' AS cat (READ_ONLY)")
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'cat'").fetchone()[0]
    assert tags["storage_version"] == CATALOG_STORAGE_VERSION + "+"
    assert con.execute("SELECT count(*) FROM cat.sft").fetchone() == (1,)
    con.close()
    # A file that holds the analyst's own table is never rebuilt: it keeps its format and its table.
    own = tmp_path / "own.duckdb"
    with duckdb.connect(str(own)) as mine:
        mine.execute("CREATE TABLE notes AS SELECT 1 AS n")
    open_catalog(str(lake), str(own)).close()
    with duckdb.connect(str(own), read_only=True) as mine:
        assert mine.execute("SELECT n FROM notes").fetchone() == (1,)


def test_the_stock_cli_opens_a_saved_catalog_file(tmp_path):
    cli = stock_duckdb()
    saved = tmp_path / "catalog.duckdb"
    open_catalog(str(_small_lake(tmp_path)), str(saved)).close()
    done = subprocess.run([cli, "-readonly", "-csv", "-noheader", str(saved), "-c", "SELECT count(*) FROM turns"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr


# --------------------------------------------------------------------------------------------- column dictionary


def test_every_view_column_has_a_meaning_and_every_note_is_used():
    columns = view_columns()
    assert set(columns) == set(VIEWS)
    undocumented = [f"{view}.{name}" for view, cols in columns.items() for name, _ in cols if not meaning(view, name)]
    assert undocumented == [], f"add a field comment in schemas/ or a NOTES entry in sql/columns.py: {undocumented}"
    names = {name for cols in columns.values() for name, _ in cols}
    qualified = {f"{view}.{name}" for view, cols in columns.items() for name, _ in cols}
    stale = [key for key in NOTES if key not in (qualified if "." in key else names)]
    assert stale == [], f"NOTES for columns no view has: {stale}"


def test_docs_columns_md_is_current():
    committed = (REPO / "docs" / "COLUMNS.md").read_text(encoding="utf-8")
    assert committed == markdown(), "docs/COLUMNS.md is stale: python -m sql.columns > docs/COLUMNS.md"


# --------------------------------------------------------------------------------------------- a generated lake


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Two days through the real pipeline (regex scrubbing, the LLM judge on the local stub), the catalog SQL
    generated after the first day: the second must show up in it without regenerating."""
    from openai_stub import OpenAIStub

    from flows.day import process_day
    from flows.settings import Settings
    from flywheel.sample_logs import generate_logs
    from transforms.label.judge_config import JudgeConfig

    root = tmp_path_factory.mktemp("portable")
    generate_logs(root / "logs", DAYS, 20, seed=3, log_format="mixed", malformed_rate=0.05)
    catalog = root / "catalog.sql"
    with OpenAIStub([], latency_s=0.0) as stub:
        settings = Settings(source_uri=str(root / "logs"), lake_uri=str(root / "lake"),
                            quarantine_uri=str(root / "quarantine"), scrub_mode="regex", shards=1,
                            judge=JudgeConfig(base_url=stub.base_url, model="stub", api_key="x",
                                              calibration_rate=0.5))
        for day in DAYS:
            assert process_day(settings, day).status == "succeeded"
            if day == DAYS[0]:
                catalog.write_text(portable_sql(str(root / "lake")))
    return root, catalog


@pytest.mark.slow
def test_the_stock_cli_opens_every_view_of_a_generated_lake_with_rows(generated):
    root, catalog = generated
    cli = stock_duckdb()
    # A pipeline lake holds no reviews: the views over them are checked with rows in test_review_views.py.
    review_views = {"reviews", "latest_reviews", "review_decisions", "review_agreement", "review_fleiss",
                    "review_labels", "review_vs_labels", "review_vs_rules", "rule_precision"}
    for view in (v for v in VIEWS if v not in review_views):
        assert int(cli_rows(cli, catalog, f"SELECT count(*) FROM {view}", Path("/"))[1][0][0]) > 0, view
    # Generated after day 1, it still sees day 2 (commit records are read when queried), and the same rows
    # as the project's own catalog.
    days = cli_rows(cli, catalog, "SELECT DISTINCT dt FROM conversations ORDER BY dt", Path("/"))[1]
    assert days == [[d.isoformat()] for d in DAYS]
    con = open_catalog(str(root / "lake"))
    for view in ("conversations", "turns", "sft", "preferences", "judgments", "runs"):
        ours = con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
        assert cli_rows(cli, catalog, f"SELECT count(*) FROM {view}", Path("/"))[1] == [[str(ours)]], view


def _readme_examples() -> list[str]:
    """The SQL of README.md: ```sql blocks and `flywheel query "..."` commands."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, re.DOTALL)
    commands = re.findall(r'flywheel query "([^"]+)"', text)
    return [sql.strip() for sql in blocks + commands if sql.strip() != "SQL"]


@pytest.mark.slow
def test_readme_and_named_queries_return_what_they_say(generated):
    root, catalog = generated
    cli = stock_duckdb()
    examples = {f"README: {sql[:40]}": sql for sql in _readme_examples()}
    examples.update({f"queries.sql: {name}": sql for name, sql in named_queries().items()})
    assert len(examples) >= 9
    for where, sql in examples.items():
        header, rows = cli_rows(cli, catalog, sql, cwd=root)  # cwd: README's relative 'lake/...' paths
        assert rows, f"{where} returned no rows"
        empty = [name for i, name in enumerate(header) if all(row[i] == "" for row in rows)]
        assert empty == [], f"{where}: columns always NULL: {empty}"


@pytest.mark.slow
def test_every_counts_key_the_docs_name_is_a_key_a_run_writes(generated):
    root, catalog = generated
    docs = "".join((REPO / name).read_text(encoding="utf-8") for name in ("README.md", "sql/views.sql"))
    docs += markdown()
    named = set(re.findall(r"(?<!pii_)counts\['([^'<]+)'\]", docs))
    assert "rows.sft" in named
    con = open_catalog(str(root / "lake"))
    keys = {key for (ks,) in con.execute("SELECT map_keys(counts) FROM runs").fetchall() for key in ks}
    assert named - keys == set(), f"documented counts keys no run writes: {named - keys}"
