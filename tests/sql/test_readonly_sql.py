"""`flywheel query` is read-only: hostile SQL is refused and leaves every file as it was (issue 17, point 6).

Each reproduction of the issue runs through the Python API (sql.readonly.run_query) and the real CLI
(flywheel.cli.main, and once as a subprocess); the whole tmp tree (lake, quarantine, a saved catalog file,
a file outside both) is hashed before and after. Legitimate analyst queries (sql/queries.sql, the README)
must keep working, and what reaches the terminal has its control characters escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flywheel.cli import main
from schemas.arrow import to_arrow_table
from schemas.conversation import Conversation, Label, LabelDecision, Turn
from schemas.outputs import ChatMessage, PreferencePair, RunManifest, SFTExample
from sql.catalog import QueryError, escape_control, format_table, named_queries, open_catalog
from sql.readonly import QuarantineInLake, RefusedStatement, allowed_paths, read_statements, run_query

UTC = dt.timezone.utc
DAY = "2024-05-01"
ESC_ID = "c-\x1b[31mred\x1b[0m-\x9b2J-\u202eevil"  # an id carrying ANSI, a C1 CSI and a bidi override
CANARY = "RAW-PII-CANARY jane.doe@example.com"


def _write(path: Path, model, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow_table(model, rows), path)


def _conversation(cid: str) -> Conversation:
    t0 = dt.datetime(2024, 5, 1, 9, tzinfo=UTC)
    turns = [
        Turn(turn_index=0, message_id=f"{cid}-u", role="user", content="question", timestamp=t0),
        Turn(turn_index=1, message_id=f"{cid}-a", parent_id=f"{cid}-u", role="assistant", content="answer",
             timestamp=t0 + dt.timedelta(seconds=5), model="m-1", label=Label.positive,
             decisions=[LabelDecision(rule_id="explicit.thumbs_up", rules_version="1", label=Label.positive,
                                      confidence=0.9)]),
    ]
    return Conversation(row_id=f"row-{cid}", conversation_id=cid, source="events", user_hash="h", started_at=t0,
                        ended_at=turns[-1].timestamp, n_turns=2, turns=turns)


def _sft(cid: str) -> SFTExample:
    return SFTExample(example_id=f"ex-{cid}", messages=[ChatMessage(role="user", content="question"),
                                                        ChatMessage(role="assistant", content="answer", train=True)],
                      conversation_id=cid, target_message_id=f"{cid}-a", target_turn_index=1, label="positive",
                      source="events")


def _pair(cid: str) -> PreferencePair:
    return PreferencePair(pair_id=f"p-{cid}", kind="dpo", prompt=[ChatMessage(role="user", content="question")],
                          chosen="good", rejected="bad", derivation="thumbs", conversation_id=cid, source="events")


def _manifest(run_id: str, error: str | None = None) -> RunManifest:
    started = dt.datetime(2024, 5, 2, 2, tzinfo=UTC)
    return RunManifest(run_id=run_id, flow="nightly", dt=DAY, status="succeeded", started_at=started,
                       finished_at=started + dt.timedelta(seconds=60), config_hash="cafe", judge_mode="rules-only",
                       counts={"sft_examples": 3}, error=error)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Path]:
    lake = tmp_path / "lake"
    _write(lake / "conversations" / f"dt={DAY}" / "part-00000-of-00001.parquet", Conversation,
           [_conversation("c1"), _conversation(ESC_ID)])
    _write(lake / "sft" / f"dt={DAY}" / "part-00000-of-00002.parquet", SFTExample, [_sft("c1"), _sft("c2")])
    _write(lake / "sft" / f"dt={DAY}" / "part-00001-of-00002.parquet", SFTExample, [_sft("c3"), _sft("c4")])
    _write(lake / "preferences" / f"dt={DAY}" / "part-00000-of-00001.parquet", PreferencePair,
           [_pair("c1"), _pair("c2")])
    (lake / "_runs").mkdir()
    (lake / "_runs" / "20240502T020000_aaaa.json").write_text(_manifest("20240502T020000_aaaa").model_dump_json())
    # The raw quarantine: outside the lake, owner-only, raw lines (PII) inside.
    quarantine = tmp_path / "quarantine"
    (quarantine / f"dt={DAY}").mkdir(parents=True)
    (quarantine / f"dt={DAY}" / "r1.jsonl").write_text('{"raw_line": "%s"}\n' % CANARY)
    (quarantine / f"dt={DAY}" / "r1.jsonl").chmod(0o600)
    quarantine.chmod(0o700)
    # Files that are neither lake nor quarantine: a sibling whose name shares the lake's prefix, and a
    # readable Parquet file (so a refusal is the permission, not a missing or unreadable file).
    (tmp_path / "lake2").mkdir()
    (tmp_path / "lake2" / "secret.txt").write_text("not lake data")
    _write(tmp_path / "outside" / "data.parquet", SFTExample, [_sft("outside")])
    return {"root": tmp_path, "lake": lake, "quarantine": quarantine}


def _tree(root: Path) -> dict[str, str]:
    """sha256 of every file under root (and the set of directories): what must not change."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = "dir"
        for f in filenames:
            path = os.path.join(dirpath, f)
            out[os.path.relpath(path, root)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return out


def _hostile(env: dict[str, Path]) -> list[tuple[str, str]]:
    """(statement, what the refusal must name). {lake}, {root}, {q} are absolute paths."""
    lake, root = env["lake"], env["root"]
    sft_part = lake / "sft" / f"dt={DAY}" / "part-00000-of-00002.parquet"
    return [
        # The reproductions.
        (f"COPY (SELECT * EXCLUDE (dt) FROM sft LIMIT 1) TO '{sft_part}' (FORMAT parquet)", "COPY"),
        (f"COPY (SELECT * FROM preferences WHERE false) TO '{lake / 'preferences'}' "
         f"(FORMAT parquet, PARTITION_BY (dt), OVERWRITE)", "COPY"),
        (f"ATTACH '{lake / 'sft' / 'evil.duckdb'}' AS evil", "ATTACH"),
        (f"ATTACH '{root / 'elsewhere.duckdb'}'", "ATTACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("INSTALL httpfs FROM 'http://127.0.0.1:9'", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        # Other writes and escapes from the sandbox.
        (f"COPY sft FROM '{root / 'outside' / 'data.parquet'}'", "COPY"),
        (f"EXPORT DATABASE '{root / 'export'}'", "EXPORT"),
        (f"IMPORT DATABASE '{root / 'export'}'", "IMPORT"),
        ("CREATE TABLE t AS SELECT 1 AS a", "CREATE"),
        ("CREATE OR REPLACE VIEW sft AS SELECT 1 AS a", "CREATE"),
        ("CREATE TEMP MACRO m(x) AS x", "CREATE"),
        ("CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')", "CREATE"),
        ("INSERT INTO sft SELECT * FROM sft", "INSERT"),
        ("UPDATE sft SET label = 'negative'", "UPDATE"),
        ("DELETE FROM sft", "DELETE"),
        ("DROP VIEW sft", "DROP"),
        ("ALTER VIEW sft RENAME TO sft2", "ALTER"),
        ("COMMENT ON VIEW sft IS 'x'", "COMMENT"),
        ("SET enable_external_access = true", "SET"),
        ("RESET lock_configuration", "RESET"),
        ("SET lock_configuration = false", "SET"),
        ("SET allowed_directories = ['/']", "SET"),
        ("SET VARIABLE v = 1", "SET"),
        ("USE memory", "USE"),
        (f"PRAGMA profile_output = '{root / 'profile.txt'}'", "PRAGMA"),
        ("PRAGMA enable_profiling", "PRAGMA"),
        ("CALL checkpoint()", "CALL"),
        ("CHECKPOINT", "CHECKPOINT"),
        ("VACUUM", "VACUUM"),
        ("BEGIN TRANSACTION", "BEGIN"),
        ("UPDATE EXTENSIONS", "UPDATE"),
        ("PREPARE p AS SELECT 1", "PREPARE"),
        (f"EXPLAIN ANALYZE COPY sft TO '{root / 'x.parquet'}'", "EXPLAIN"),
        # A script is refused whole when any statement in it is not a read; nothing of it runs.
        (f"SELECT count(*) FROM sft; COPY (SELECT 1 AS a) TO '{sft_part}' (FORMAT parquet)", "statement 2 of 2"),
        (f"/* harmless */ SELECT 1;\n-- then\nCOPY sft TO '{root / 'x.csv'}'", "COPY"),
    ]


def _outside_reads(env: dict[str, Path]) -> list[str]:
    lake, root, q = env["lake"], env["root"], env["quarantine"]
    return [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd', sep = ':', header = false)",
        "SELECT * FROM read_blob('/etc/passwd')",
        f"SELECT * FROM read_text('{q}/**/*.jsonl')",
        f"SELECT * FROM read_json('{q}/dt={DAY}/r1.jsonl')",
        f"SELECT * FROM read_csv('{q}/dt={DAY}/r1.jsonl', sep = '\\t', header = false)",
        f"SELECT * FROM glob('{q}/**')",
        f"SELECT * FROM glob('{root}/*')",
        f"SELECT * FROM read_text('{lake}/../quarantine/dt={DAY}/r1.jsonl')",  # traversal out of the lake
        f"SELECT * FROM read_text('{lake}/sft/../../quarantine/dt={DAY}/r1.jsonl')",
        f"SELECT * FROM read_text('{root}/lake2/secret.txt')",  # shares the lake's path prefix
        f"SELECT * FROM read_parquet('{root}/outside/data.parquet')",
        f"SELECT * FROM '{root}/outside/data.parquet'",  # replacement scan of a path
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SELECT * FROM read_text('.tmp/x')",  # DuckDB's default spill directory, allowed by default
    ]


# --------------------------------------------------------------------------------------------- Python API


def test_every_hostile_statement_is_refused_and_no_file_changes(env):
    before = _tree(env["root"])
    for sql, named in _hostile(env):
        with pytest.raises(RefusedStatement) as info:
            run_query(str(env["lake"]), sql, deny=[str(env["quarantine"])])
        assert named in str(info.value), (sql, str(info.value))
        assert "read-only" in str(info.value)
    assert _tree(env["root"]) == before
    assert run_query(str(env["lake"]), "SELECT count(*) FROM sft")[1] == [(4,)]
    assert run_query(str(env["lake"]), "SELECT count(*) FROM preferences")[1] == [(2,)]


def test_refusal_happens_before_the_lake_is_opened(tmp_path):
    # No lake at all: the statement check alone answers, so nothing can have been touched.
    with pytest.raises(RefusedStatement, match="COPY"):
        run_query(str(tmp_path / "no-lake"), "COPY (SELECT 1) TO 'x.csv'")
    assert not (tmp_path / "x.csv").exists()


def test_files_outside_the_lake_are_unreadable(env, monkeypatch):
    monkeypatch.chdir(env["root"])  # also relative paths, resolved by DuckDB against the working directory
    before = _tree(env["root"])
    for sql in _outside_reads(env) + ["SELECT * FROM read_text('quarantine/**')", "SELECT * FROM 'outside/data.parquet'"]:
        with pytest.raises(RefusedStatement, match="inside the lake only") as info:
            run_query("lake", sql, deny=["quarantine"])
        assert CANARY not in str(info.value), sql
    assert _tree(env["root"]) == before


def test_the_quarantine_inside_the_lake_is_still_unreadable(tmp_path, env):
    lake = env["lake"]
    for inside in (lake / "quarantine", lake / "_private" / "raw" / "quarantine"):
        (inside / f"dt={DAY}").mkdir(parents=True)
        (inside / f"dt={DAY}" / "r1.jsonl").write_text(CANARY + "\n")
        (inside.parent / "neighbour.txt").write_text("lake file next to the quarantine\n")
        for sql in (f"SELECT * FROM read_text('{inside}/**')", f"SELECT * FROM glob('{inside}/*')",
                    f"SELECT * FROM read_text('{lake}/**/*.jsonl')"):
            with pytest.raises(RefusedStatement):
                run_query(str(lake), sql, deny=[str(inside)])
        # The rest of the lake stays readable: views, run manifests, a file beside the quarantine.
        assert run_query(str(lake), "SELECT count(*) FROM sft", deny=[str(inside)])[1] == [(4,)]
        assert run_query(str(lake), "SELECT count(*) FROM runs", deny=[str(inside)])[1] == [(1,)]
        _, rows = run_query(str(lake), f"SELECT content FROM read_text('{inside.parent}/neighbour.txt')",
                            deny=[str(inside)])
        assert rows == [("lake file next to the quarantine\n",)]
    with pytest.raises(QuarantineInLake):
        run_query(str(lake), "SELECT 1", deny=[str(lake)])


def test_the_reviewer_name_key_is_never_readable(env):
    # The key behind reviewer hashes lives in the lake (datalake.reviews); with it, guessed names could be
    # checked against the reviews table's hashes. Every query connection carves it out, with no deny given.
    from datalake.reviews import reviewer_hash

    lake = env["lake"]
    reviewer_hash(str(lake), "alice")  # creates the key
    key = lake / "_reviews" / "reviewer.key"
    assert key.exists()
    for sql in (f"SELECT content FROM read_text('{key}')", f"SELECT * FROM read_text('{lake}/_reviews/*')",
                f"SELECT * FROM read_csv('{lake}/**/*.key')"):
        with pytest.raises(RefusedStatement):
            run_query(str(lake), sql)
    assert run_query(str(lake), "SELECT count(*) FROM sft")[1] == [(4,)]


def test_allowed_paths_are_prefix_safe_and_carve_out_the_denied(env):
    lake = str(env["lake"])
    assert allowed_paths(lake) == ([lake + os.sep], [])  # the separator keeps /lake2/ out of /lake
    q = env["lake"] / "quarantine"
    q.mkdir()
    dirs, files = allowed_paths(lake, [str(q)])
    assert str(q) + os.sep not in dirs and lake + os.sep not in dirs
    assert str(env["lake"] / "sft") + os.sep in dirs and str(env["lake"] / "_runs") + os.sep in dirs


def test_the_connection_is_locked_down(env):
    sql = ("SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), "
           "current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions'), "
           "current_setting('allowed_directories')")
    (external, locked, autoinstall, autoload, dirs), = run_query(str(env["lake"]), sql)[1]
    assert (external, locked, autoinstall, autoload) == (False, True, False, False)
    assert str(env["lake"]) + os.sep in dirs
    assert not any(d.startswith(os.getcwd() + os.sep + ".tmp") for d in dirs)


def test_legitimate_analyst_queries_still_work(env, monkeypatch):
    lake = str(env["lake"])
    for name, sql in named_queries().items():
        columns, _ = run_query(lake, sql)
        assert columns, name
    reads = {
        "SELECT label, count(*) FROM turns WHERE role = 'assistant' GROUP BY ALL": [("positive", 2)],
        "FROM sft SELECT count(*)": [(4,)],
        "WITH x AS (SELECT * FROM preferences) SELECT count(*) FROM x": [(2,)],
        "SELECT count(*) FROM sft; SELECT count(*) FROM preferences": [(2,)],  # a script of reads: the last counts
        "VALUES (1)": [(1,)],
        "PIVOT (SELECT label FROM sft) ON label IN ('positive') USING count(*)": [(4,)],
        f"SELECT count(*) FROM read_parquet('{lake}/sft/**/*.parquet', hive_partitioning = true)": [(4,)],
        f"SELECT count(*) FROM read_text('{lake}/_runs/*.json')": [(1,)],
    }
    for sql, expected in reads.items():
        assert run_query(lake, sql)[1] == expected, sql
    for sql in ("DESCRIBE sft", "SHOW TABLES", "SUMMARIZE sft", "EXPLAIN SELECT * FROM sft",
                "EXPLAIN ANALYZE SELECT count(*) FROM sft", "PRAGMA table_info('sft')", "PRAGMA show_tables",
                "SELECT * FROM duckdb_settings() WHERE name = 'threads'"):
        columns, rows = run_query(lake, sql)
        assert columns and rows, sql
    # The README's straight-from-DuckDB query, with the lake relative to the working directory.
    monkeypatch.chdir(env["root"])
    readme = "SELECT * FROM read_parquet('lake/sft/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    assert len(run_query("lake", readme, deny=["quarantine"])[1]) == 4


def test_syntax_errors_stay_query_errors_not_refusals(env):
    with pytest.raises(QueryError) as info:
        run_query(str(env["lake"]), "SELEC 1")
    assert not isinstance(info.value, RefusedStatement)
    with pytest.raises(QueryError, match="no_such_view"):
        run_query(str(env["lake"]), "SELECT * FROM no_such_view")
    with pytest.raises(QueryError, match="empty"):
        read_statements("  ;  ")


def test_a_saved_catalog_file_keeps_working_and_is_not_writable_through_queries(env, tmp_path):
    saved = env["root"] / "catalog.duckdb"
    con = open_catalog(str(env["lake"]), str(saved))
    con.close()
    before = _tree(env["root"])
    for sql in (f"ATTACH '{saved}' AS cat", f"COPY (SELECT 1 AS a) TO '{saved}'",
                f"SELECT * FROM read_blob('{saved}')"):
        with pytest.raises(RefusedStatement):
            run_query(str(env["lake"]), sql)
    assert _tree(env["root"]) == before
    # A trusted client opens the saved file as before, from anywhere.
    con = duckdb.connect(str(saved), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM sft").fetchone() == (4,)
    finally:
        con.close()


# --------------------------------------------------------------------------------------------- terminal


def test_control_characters_are_escaped():
    assert escape_control("a\x1b[31mb\x07\x00\x7f\x9b\u202e\u2028") == "a\\x1b[31mb\\x07\\x00\\x7f\\x9b\\u202e\\u2028"
    assert escape_control("plain 中文 é") == "plain 中文 é"
    text = format_table(["id\x1b[2J"], [(ESC_ID,), (["x\x1b"],)], max_width=200)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "id\\x1b[2J" in text and "c-\\x1b[31mred\\x1b[0m-\\x9b2J-\\u202eevil" in text


def _cli(env, *argv: str) -> list[str]:
    return [*argv, "--lake", str(env["lake"]), "--quarantine", str(env["quarantine"])]


def test_cli_refuses_writes_and_outside_files_with_exit_2(env, capsys):
    before = _tree(env["root"])
    for sql, named in _hostile(env):
        assert main(_cli(env, "query", sql)) == 2, sql
        captured = capsys.readouterr()
        assert named in captured.err and "read-only" in captured.err, captured.err
        assert captured.out == ""
    for sql in _outside_reads(env):
        assert main(_cli(env, "query", sql)) == 2, sql
        captured = capsys.readouterr()
        assert "inside the lake only" in captured.err and CANARY not in captured.err + captured.out
    assert _tree(env["root"]) == before
    # A plain SQL error is still exit 1, a good query exit 0.
    assert main(_cli(env, "query", "SELECT * FROM no_such_view")) == 1
    assert "no_such_view" in capsys.readouterr().err
    assert main(_cli(env, "query", "SELECT count(*) AS n FROM sft")) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "4"


def test_cli_output_escapes_control_characters(env, capsys):
    assert main(_cli(env, "query", "SELECT DISTINCT conversation_id FROM turns ORDER BY 1")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert "c-\\x1b[31mred\\x1b[0m-\\x9b2J-\\u202eevil" in out
    # DuckDB error messages quote values too.
    assert main(_cli(env, "query", "SELECT CAST(conversation_id AS INTEGER) FROM turns WHERE conversation_id LIKE 'c-%'")) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31m" in err, err


def test_runs_output_escapes_control_characters(env, capsys):
    hostile = _manifest("20240503T020000_\x1b]0;pwned\x07\x1b[2J", error="boom \x1b[31mred\x1b[0m")
    (env["lake"] / "_runs" / "20240503T020000_b.json").write_text(hostile.model_dump_json())
    assert main(["runs", "--lake", str(env["lake"]), "--quarantine", str(env["quarantine"])]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out + captured.err
    assert "\\x1b" in captured.out and "\\x1b[31mred" in captured.err


def test_the_installed_command_refuses_a_copy(env):
    """Once through the real entry point, as an analyst's shell runs it."""
    flywheel = Path(sys.executable).with_name("flywheel")
    command = [str(flywheel)] if flywheel.exists() else [sys.executable, "-m", "flywheel.cli"]
    before = _tree(env["root"])
    sft_part = env["lake"] / "sft" / f"dt={DAY}" / "part-00000-of-00002.parquet"
    done = subprocess.run(command + _cli(env, "query", f"COPY (SELECT 1 AS a) TO '{sft_part}' (FORMAT parquet)"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "COPY is not allowed" in done.stderr
    assert _tree(env["root"]) == before


def test_the_stock_duckdb_cli_reads_the_lake_as_the_readme_says(env):
    beside = Path(sys.executable).with_name("duckdb")  # the test extra's duckdb-cli lands beside this Python
    duckdb_cli = str(beside) if beside.exists() else shutil.which("duckdb")
    if duckdb_cli is None:
        pytest.skip("no duckdb CLI installed (pip install duckdb-cli)")
    sql = "SELECT count(*) FROM read_parquet('lake/sft/**/*.parquet', hive_partitioning = true, union_by_name = true);"
    done = subprocess.run([duckdb_cli, "-csv", "-noheader", "-c", sql], cwd=env["root"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "4", done.stderr
