"""`flywheel report` and `flywheel sql` through the CLI: the wiring of report.write_report and
sql.catalog.portable_sql (tested in depth in their own folders). One small day, processed without Prefect."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pytest

from flywheel.cli import EXIT_CONFIG, EXIT_OK, main
from generated_lake import one_day_lake

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    return one_day_lake(tmp_path_factory.mktemp("report_sql"), DAY, seed=5)


def test_report_prints_the_path_of_the_html_it_wrote(lake, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--out", str(out),
                 "--lake", str(lake / "lake")]) == EXIT_OK
    path = capsys.readouterr().out.strip().splitlines()[-1]
    assert path.endswith(".html") and os.path.isfile(path) and os.path.commonpath([path, str(out)]) == str(out)
    assert "<svg" in open(path, encoding="utf-8").read()


def test_report_refuses_a_range_that_ends_before_it_starts(lake, tmp_path, capsys):
    assert main(["report", "--from", "2026-11-02", "--to", "2026-11-01", "--out", str(tmp_path / "r"),
                 "--lake", str(lake / "lake")]) == EXIT_CONFIG
    assert "--to 2026-11-01 is before --from 2026-11-02" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_sql_prints_plain_duckdb_sql_that_opens_the_views_from_anywhere(lake, tmp_path, capsys, monkeypatch):
    assert main(["sql", "--lake", str(lake / "lake")]) == EXIT_OK
    printed = capsys.readouterr().out
    assert main(["sql", "--lake", str(lake / "lake"), "--out", str(tmp_path / "lake.sql")]) == EXIT_OK
    assert (tmp_path / "lake.sql").read_text() == printed
    monkeypatch.chdir(tmp_path)  # absolute paths: the working directory does not matter
    con = duckdb.connect()
    con.execute(printed)
    assert con.execute("SELECT count(*) FROM sft").fetchone()[0] > 0
