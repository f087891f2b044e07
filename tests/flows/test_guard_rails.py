"""Guard rails (issue 9, point 3): bad input for a good day fails the run and leaves the published partition as
it was; --force publishes anyway and the manifest says so; a date with no logs is a visible failure."""

from __future__ import annotations

from datetime import date

import pytest

from datalake.commits import read_commit
from datalake.manifests import read_manifests
from datalake.row_counts import committed_row_counts
from flows.day import process_day
from flows.guards import (
    check_guard_rails, enforce_guard_rails, GuardRailTripped, nothing_accepted_rail, partition_shrink_rails,
    quarantine_share_rail,
)
from flows.nightly import nightly_flow
from flows.settings import SettingsOverrides, load_settings
from flywheel.cli import EXIT_FAILED, EXIT_NO_INPUT, EXIT_OK, main
from flywheel.sample_logs import generate_logs

DAY = date(2026, 11, 5)
TABLES = ("conversations", "sft", "preferences", "_index/sft_keys")


# ----------------------------------------------------------------------------------------------- the rails

def test_quarantine_share_trips_above_the_setting_only():
    assert quarantine_share_rail({"lines_accepted": 50, "lines_quarantined": 50}, 0.5) is None
    tripped = quarantine_share_rail({"lines_accepted": 49, "lines_quarantined": 51}, 0.5)
    assert tripped.rail == "quarantine_share" and "51 of 100" in tripped.message
    assert quarantine_share_rail({"lines_accepted": 0, "lines_quarantined": 0}, 0.5) is None
    assert quarantine_share_rail({"lines_accepted": 0, "lines_quarantined": 9}, 1.0) is None  # 1.0 = off


def test_nothing_accepted_trips_on_a_day_of_blank_or_rejected_lines():
    assert nothing_accepted_rail({"lines_read": 3, "lines_blank": 3}).rail == "nothing_accepted"
    assert nothing_accepted_rail({"lines_accepted": 1}) is None


def test_shrink_compares_each_watched_table_and_an_empty_past_never_blocks():
    assert partition_shrink_rails({"sft": 190, "conversations": 60}, {"sft": 95, "conversations": 60}, 0.5) == []
    tripped = partition_shrink_rails({"sft": 190, "conversations": 60}, {"sft": 0, "conversations": 20}, 0.5)
    assert [t.rail for t in tripped] == ["partition_shrink.conversations", "partition_shrink.sft"]
    assert "190 -> 0" in tripped[1].message
    assert partition_shrink_rails({"sft": 0}, {"sft": 0}, 0.5) == []  # published empty: nothing to protect
    assert partition_shrink_rails({}, {"sft": 0}, 0.5) == []  # never published
    assert partition_shrink_rails({"preferences": 100}, {"preferences": 0}, 0.5) == []  # not watched


def test_enforce_raises_unless_forced():
    tripped = check_guard_rails({"lines_read": 10, "lines_quarantined": 10}, {"sft": 5}, {"sft": 0}, 0.5, 0.5)
    assert [t.rail for t in tripped] == ["quarantine_share", "nothing_accepted", "partition_shrink.sft"]
    with pytest.raises(GuardRailTripped, match="quarantine_share.*nothing_accepted.*partition_shrink.sft"):
        enforce_guard_rails(tripped, force=False)
    enforce_guard_rails(tripped, force=True)
    enforce_guard_rails([], force=False)


# ------------------------------------------------------------------------------------- through process_day

@pytest.fixture
def lake(tmp_path):
    """A date published from good event logs (12 conversations), and a smaller day's logs for the same date."""
    generate_logs(tmp_path / "logs", [DAY], 12, seed=5, gzip=False)
    generate_logs(tmp_path / "small", [DAY], 2, seed=5, gzip=False)
    settings = load_settings(source_uri=str(tmp_path / "logs"), lake_uri=str(tmp_path / "lake"),
                             quarantine_uri=str(tmp_path / "q"), scrub_mode="regex", shards=1)
    first = process_day(settings, DAY)
    assert first.status == "succeeded" and first.counts["rows.sft"] > 0
    return settings


def published(settings) -> tuple:
    record = read_commit(settings.lake_uri, DAY)
    return record.run_id, record.tables, committed_row_counts(settings.lake_uri, DAY, TABLES)


def test_wrong_format_fails_and_leaves_the_partition_as_it_was(lake):
    before = published(lake)
    manifest = process_day(lake.model_copy(update={"source_format": "openai"}), DAY)
    assert manifest.status == "failed" and not manifest.forced
    assert manifest.error.startswith("guard rail: quarantine_share")
    assert set(manifest.guard_rails) == {"quarantine_share", "nothing_accepted", "partition_shrink.conversations",
                                         "partition_shrink.sft"}
    assert published(lake) == before
    assert read_manifests(lake.lake_uri)[-1].guard_rails == manifest.guard_rails  # on record


def test_force_publishes_past_the_rails_and_the_manifest_says_which(lake):
    manifest = process_day(lake.model_copy(update={"source_format": "openai"}), DAY, force=True)
    assert manifest.status == "succeeded" and manifest.forced and manifest.error is None
    assert "quarantine_share" in manifest.guard_rails and "partition_shrink.sft" in manifest.guard_rails
    assert committed_row_counts(lake.lake_uri, DAY, ("sft", "conversations")) == {"sft": 0, "conversations": 0}


def test_a_partition_that_would_shrink_by_more_than_the_setting_is_kept(lake):
    before = published(lake)
    small = lake.model_copy(update={"source_uri": lake.source_uri.replace("logs", "small")})
    manifest = process_day(small, DAY)
    assert manifest.status == "failed" and "partition_shrink.conversations" in manifest.guard_rails
    assert "12 -> 2" in manifest.guard_rails["partition_shrink.conversations"]
    assert published(lake) == before
    # The setting decides (1.0: the rail is off): the same run goes through, unforced.
    assert process_day(small.model_copy(update={"max_partition_shrink": 1.0}), DAY).status == "succeeded"


# -------------------------------------------------------------------------------------- through the CLI

def test_cli_exits_1_on_a_tripped_rail_and_force_publishes(prefect_harness, lake, capfd):
    before = published(lake)
    flags = ["--date", DAY.isoformat(), "--source", lake.source_uri, "--lake", lake.lake_uri,
             "--quarantine", lake.quarantine_uri, "--scrub-mode", "regex", "--shards", "1", "--format", "openai"]
    assert main(["run", *flags]) == EXIT_FAILED
    assert "guard rail" in capfd.readouterr().err
    assert published(lake) == before
    assert main(["run", *flags, "--force"]) == EXIT_OK
    latest = read_manifests(lake.lake_uri)[-1]
    assert latest.forced and latest.status == "succeeded" and "nothing_accepted" in latest.guard_rails
    assert read_commit(lake.lake_uri, DAY).run_id == latest.run_id


def test_a_date_without_logs_fails_the_nightly_flow_and_exits_3(prefect_harness, lake, capfd):
    overrides = SettingsOverrides(source_uri=lake.source_uri, lake_uri=lake.lake_uri,
                                  quarantine_uri=lake.quarantine_uri, scrub_mode="regex", shards=1)
    state = nightly_flow(date(2026, 11, 4), overrides, return_state=True)
    assert state.is_failed()
    assert main(["run", "--date", "2026-11-04", "--source", lake.source_uri, "--lake", lake.lake_uri,
                 "--quarantine", lake.quarantine_uri, "--scrub-mode", "regex"]) == EXIT_NO_INPUT
    assert "no log files for 2026-11-04" in capfd.readouterr().err.replace("\n", " ")


def test_a_backfill_skips_and_reports_dates_without_logs(prefect_harness, lake, tmp_path, capfd):
    flags = ["--source", lake.source_uri, "--lake", str(tmp_path / "other"), "--quarantine", str(tmp_path / "oq"),
             "--scrub-mode", "regex", "--shards", "1"]
    assert main(["backfill", "--start", "2026-11-04", "--end", "2026-11-05", *flags]) == EXIT_OK
    statuses = {m.dt: m.status for m in read_manifests(str(tmp_path / "other"))}
    assert statuses == {"2026-11-04": "no_input", "2026-11-05": "succeeded"}
    # No date of the range has logs: most likely a wrong --source, so exit 3.
    assert main(["backfill", "--start", "2026-11-01", "--end", "2026-11-02", *flags]) == EXIT_NO_INPUT
