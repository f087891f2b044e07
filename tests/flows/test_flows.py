"""Prefect flows (nightly, backfill) and the CLI's answers to bad input, on the session's test harness."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from flows.backfill import backfill, date_range
from flows.nightly import nightly_flow, yesterday
from flows.settings import SettingsOverrides, setting_flags
from flywheel.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_NO_INPUT, _overrides, build_parser, main
from schemas.errors import ConfigError
from flywheel.sample_logs import generate_logs
from datalake.manifests import read_manifests

DAYS = [date(2026, 11, 1), date(2026, 11, 2)]


@pytest.fixture
def settings_for(tmp_path):
    generate_logs(tmp_path / "logs", DAYS, 6, seed=3, gzip=False)
    return SettingsOverrides(source_uri=str(tmp_path / "logs"), lake_uri=str(tmp_path / "lake"),
                             quarantine_uri=str(tmp_path / "quarantine"), scrub_mode="regex", shards=1)


def test_yesterday_is_taken_in_the_configured_timezone():
    late_evening_utc = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)  # already the 28th in Shanghai
    assert yesterday("UTC", late_evening_utc) == date(2026, 11, 26)
    assert yesterday("Asia/Shanghai", late_evening_utc) == date(2026, 11, 27)


def test_date_range_refuses_a_reversed_range():
    assert date_range(DAYS[0], DAYS[1]) == DAYS
    with pytest.raises(ValueError, match="before start"):
        date_range(DAYS[1], DAYS[0])


def test_nightly_flow_processes_one_date(prefect_harness, settings_for):
    manifest = nightly_flow(DAYS[0], settings_for)
    assert manifest.status == "succeeded" and manifest.flow == "nightly"
    assert manifest.counts["conversations"] == 6


def test_nightly_flow_takes_overrides_as_a_json_object_like_a_deployment_parameter(prefect_harness, settings_for):
    manifest = nightly_flow(DAYS[0], settings_for.model_dump(mode="json", exclude_none=True))
    assert manifest.status == "succeeded"


def test_nightly_flow_stops_at_start_on_a_bad_setting(prefect_harness, settings_for):
    with pytest.raises(ConfigError, match="shards"):
        nightly_flow(DAYS[0], settings_for.model_copy(update={"shards": 0}))
    with pytest.raises(ConfigError, match=r"scrub_mode \(FLYWHEEL_SCRUB_MODE\)"):
        nightly_flow(DAYS[0], {**settings_for.given(), "scrub_mode": "none"})


def test_every_override_is_a_cli_flag_and_comes_back_as_itself():
    flags = {f.name: f for f in setting_flags()}
    assert list(flags) == list(SettingsOverrides.model_fields)
    assert flags["scrub_mode"].flag == "--scrub-mode" and flags["scrub_mode"].help == "presidio | regex [scrub_mode]"
    assert flags["workers"].type is int
    args = build_parser().parse_args(["run", "--lake", "L", "--scrub-mode", "regex", "--workers", "2"])
    assert _overrides(args) == SettingsOverrides(lake_uri="L", scrub_mode="regex", workers=2)
    export = build_parser().parse_args(["export", "--from", "2026-11-01", "--to", "2026-11-01", "--format",
                                        "openai-jsonl", "--out", "x", "--lake", "L"])
    assert _overrides(export) == SettingsOverrides(lake_uri="L")


def test_backfill_skips_complete_dates_unless_forced(prefect_harness, settings_for):
    lake = settings_for.lake_uri
    first = backfill(DAYS[0], DAYS[1], overrides=settings_for, concurrency=2)
    assert sorted(m.dt for m in first) == ["2026-11-01", "2026-11-02"]
    assert backfill(DAYS[0], DAYS[1], overrides=settings_for) == []
    forced = backfill(DAYS[0], DAYS[1], force=True, overrides=settings_for)
    assert len(forced) == 2
    assert len(read_manifests(lake)) == 4


def test_cli_answers_bad_input_clearly(prefect_harness, settings_for, tmp_path, capfd):
    flags = ["--lake", settings_for.lake_uri, "--quarantine", settings_for.quarantine_uri, "--scrub-mode", "regex"]

    assert main(["run", "--date", "2026-11-01", "--source", str(tmp_path / "nowhere"), *flags]) == EXIT_FAILED
    assert "source directory not found" in capfd.readouterr().err.replace("\n", " ")

    assert main(["run", "--date", "2026-10-01", "--source", settings_for.source_uri, *flags]) == EXIT_NO_INPUT
    assert "no log files for 2026-10-01" in capfd.readouterr().err.replace("\n", " ")

    assert main(["run", "--date", "2026-11-01", "--workers", "0", *flags]) == EXIT_CONFIG
    assert "workers (FLYWHEEL_WORKERS)" in capfd.readouterr().err

    assert main(["run", "--date", "2026-11-01", "--scrub-mode", "none", *flags[:4]]) == EXIT_CONFIG
    assert "scrub_mode (FLYWHEEL_SCRUB_MODE)" in capfd.readouterr().err

    assert main(["query", "SELECT * FROM nonexistent_table", "--lake", settings_for.lake_uri]) != 0


def test_the_nightly_flow_purges_quarantine_past_its_retention_and_keeps_its_own(prefect_harness, settings_for,
                                                                                 tmp_path):
    quarantine = tmp_path / "quarantine"
    stale = quarantine / "dt=2025-01-01" / "2025-01-01_20250102T020000Z_abc123.jsonl"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"raw": "old"}\n')
    (tmp_path / "logs" / "2026-11-01" / "broken.jsonl").write_text("not json\n")
    manifest = nightly_flow(DAYS[0], settings_for.model_copy(update={"quarantine_retention_days": 30}))
    assert manifest.status == "succeeded" and manifest.counts["lines_quarantined"] == 1
    assert not stale.exists()
    assert list((quarantine / "dt=2026-11-01").glob("*.jsonl"))  # this run's: written today, kept
