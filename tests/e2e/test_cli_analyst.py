"""The CLI as analysts and operators meet it: query outputs, `runs`, unknown variables, errors that say what
is wrong, exit codes, progress. One small day is processed once (flows.day.process_day, no Prefect)."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone

import pyarrow.parquet as pq
import pytest

from datalake.manifests import read_manifests, write_manifest
from flows.settings import unknown_variables, warn_unknown_variables
from flywheel.cli import EXIT_CONFIG, EXIT_OK, build_parser, main
from flywheel.progress import RunProgress
from flywheel.run_listing import latest_runs
from generated_lake import one_day_lake
from rich.console import Console

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    return one_day_lake(tmp_path_factory.mktemp("cli"), DAY, seed=3)


def _query(lake, *argv: str) -> list[str]:
    return ["query", *argv, "--lake", str(lake / "lake"), "--quarantine", str(lake / "quarantine")]


def test_query_writes_csv_json_and_parquet_from_sql_in_a_file(lake, tmp_path, capsys):
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT conversation_id, messages FROM sft ORDER BY conversation_id")
    assert main(_query(lake, "--file", str(sql), "--output", "json")) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert rows and rows[0]["messages"][-1]["role"] == "assistant"

    assert main(_query(lake, "--file", str(sql), "--format", "csv", "--out", str(tmp_path / "r.csv"))) == EXIT_OK
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert lines[0] == "conversation_id,messages" and len(lines) >= len(rows) + 1  # nested: JSON in a cell

    assert main(_query(lake, "--file", str(sql), "--output", "parquet", "--out", str(tmp_path / "r.parquet"))) == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == len(rows) and str(table.schema.field("messages").type).startswith("list<")


def test_query_refuses_parquet_to_the_terminal_and_any_output_inside_the_lake(lake, capsys):
    assert main(_query(lake, "SELECT 1 AS a", "--output", "parquet")) == EXIT_CONFIG
    assert "needs --out" in capsys.readouterr().err
    inside = lake / "lake" / "sft" / "stolen.parquet"
    assert main(_query(lake, "SELECT 1 AS a", "--output", "parquet", "--out", str(inside))) == EXIT_CONFIG
    assert not inside.exists() and "inside the lake" in capsys.readouterr().err.replace("\n", " ")
    assert main(_query(lake, "SELECT 1", "--file", "x.sql")) == EXIT_CONFIG  # the SQL twice


def test_query_help_names_its_own_options_not_the_pipelines(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["query", "--help"])
    help_text = capsys.readouterr().out
    assert "--output" in help_text and "--file" in help_text and "--lake" in help_text
    assert "--runner" not in help_text and "--scrub-mode" not in help_text and "--source" not in help_text


def _manifest_like(template, run_id: str, dt: str, started: datetime, status: str):
    return template.model_copy(update={"run_id": run_id, "dt": dt, "started_at": started, "status": status,
                                       "finished_at": started + timedelta(seconds=90), "flow": "backfill"})


def test_runs_lists_the_latest_started_first_one_row_each_with_filters_and_json(lake, tmp_path, capsys):
    template = read_manifests(str(lake / "lake"))[0]
    other = tmp_path / "lake"
    now = datetime(2026, 11, 20, 3, tzinfo=timezone.utc)
    # A backfill of an OLD date started last: it is the latest run, although its date is the lowest.
    write_manifest(str(other), _manifest_like(template, "2026-11-10_a", "2026-11-10", now, "succeeded"))
    write_manifest(str(other), _manifest_like(template, "2026-10-01_b", "2026-10-01", now + timedelta(hours=1),
                                              "failed"))
    runs = latest_runs(read_manifests(str(other)), limit=10)
    assert [m.run_id for m in runs] == ["2026-10-01_b", "2026-11-10_a"]

    assert main(["runs", "--lake", str(other), "--json"]) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed] == ["2026-10-01_b", "2026-11-10_a"] and listed[0]["duration_s"] == 90.0
    assert main(["runs", "--lake", str(other), "--json", "--status", "failed"]) == EXIT_OK
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["failed"]

    assert main(["runs", "--lake", str(other)]) == EXIT_OK
    table = capsys.readouterr().out
    header = next(line for line in table.splitlines() if "status" in line)
    assert "duration" in header and "flow" in header  # runs are rows, never columns ("sideways")
    assert table.index("2026-10-01") < table.index("2026-11-10") and "1m30s" in table


def test_an_unknown_flywheel_variable_is_named_with_the_closest_setting(monkeypatch, caplog):
    monkeypatch.setenv("FLYWHEEL_LAKE", "/somewhere")
    monkeypatch.setenv("FLYWHEEL_TRAINING__CATEGORY_CAP", "{}")
    found = unknown_variables({"FLYWHEEL_LAKE": "x", "FLYWHEEL_TRAINING__CATEGORY_CAP": "{}",
                               "FLYWHEEL_LAKE_URI": "x", "FLYWHEEL_HOME": "x", "FLYWHEEL_JUDGE__BASE_URL": "x"})
    assert found == {"FLYWHEEL_LAKE": "FLYWHEEL_LAKE_URI",
                     "FLYWHEEL_TRAINING__CATEGORY_CAP": "FLYWHEEL_TRAINING__CATEGORY_CAPS"}
    with caplog.at_level(logging.WARNING, logger="flywheel"):
        warn_unknown_variables({"FLYWHEEL_SCRUBMODE": "regex"})
        warn_unknown_variables({"FLYWHEEL_SCRUBMODE": "regex"})  # once per process
    warnings = [r.getMessage() for r in caplog.records if "FLYWHEEL_SCRUBMODE" in r.getMessage()]
    assert len(warnings) == 1 and "FLYWHEEL_SCRUB_MODE" in warnings[0] and "regex" not in warnings[0]


def test_settings_and_usage_errors_show_their_message_and_exit_2(lake, monkeypatch, capfd):
    monkeypatch.setenv("FLYWHEEL_TRAINING__CATEGORY_CAPS", "chitchat:100")
    assert main(["runs", "--lake", str(lake / "lake")]) == EXIT_CONFIG
    said = capfd.readouterr().err.replace("\n", " ")
    assert "FLYWHEEL_TRAINING__CATEGORY_CAPS" in said and "JSON" in said and "withheld" not in said
    monkeypatch.delenv("FLYWHEEL_TRAINING__CATEGORY_CAPS")

    assert main(["generate", "--start", "2026-11-05", "--end", "2026-11-01", "--out", str(lake / "x")]) == EXIT_CONFIG
    assert "--end 2026-11-01 is before --start 2026-11-05" in capfd.readouterr().err
    assert not (lake / "x").exists()


def test_a_dead_prefect_server_is_named_before_any_work(lake, capfd):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = len(read_manifests(str(lake / "lake")))
    # As PREFECT_API_URL in the environment would; a settings context also wins over a test harness's server.
    with temporary_settings(updates={PREFECT_API_URL: "http://user:secret@127.0.0.1:9/api"}):
        code = main(["run", "--date", DAY.isoformat(), "--source", str(lake / "logs"), "--lake", str(lake / "lake"),
                     "--quarantine", str(lake / "quarantine"), "--scrub-mode", "regex"])
    said = capfd.readouterr().err.replace("\n", " ")
    assert code == EXIT_CONFIG and "does not answer" in said and "127.0.0.1:9" in said
    assert "secret" not in said and "withheld" not in said
    assert len(read_manifests(str(lake / "lake"))) == before  # nothing ran


def test_progress_counts_dates_done_and_names_the_running_dates_stage(lake):
    template = read_manifests(str(lake / "lake"))[0]
    started = datetime(2026, 11, 20, tzinfo=timezone.utc)
    progress = RunProgress(Console(file=None, force_terminal=False), str(lake / "lake"), set(),
                           [date(2026, 11, 1), date(2026, 11, 2)], str(lake / "logs"))
    done_one = _manifest_like(template, "r1", "2026-11-01", started, "succeeded")
    running = _manifest_like(template, "r2", "2026-11-02", started, "running").model_copy(update={"counts": {}})
    assert progress.describe([]) == (0, "starting the flow (Prefect) …")
    assert progress.describe([done_one, running]) == (1, "2026-11-02: pipeline running over 0 file(s)")
    publishing = running.model_copy(update={"counts": {"lines_read": 3}})
    assert progress.describe([done_one, publishing]) == (1, "2026-11-02: publishing")
    assert not progress.enabled  # not a terminal: nothing drawn, the logs are the record
