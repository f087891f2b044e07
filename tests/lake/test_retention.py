"""Quarantine retention (datalake/retention.py): raw rejected lines go once they are older than the setting."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest

from datalake.recovery import DateLock
from datalake.retention import purge_quarantine, quarantine_dates
from flows.settings import load_settings
from flywheel.cli import main
from schemas.errors import ConfigError

TODAY = date(2026, 11, 30)


def _quarantine_file(root, day: str, written: str) -> str:
    """A published quarantine file of `day`, written by a run on `written` (YYYYMMDD), as flows.day names it."""
    folder = root / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}_{written}T020000Z_abc123.jsonl"
    path.write_text('{"raw": "CANARY-RAW-LINE"}\n')
    return str(path)


def test_files_written_before_the_retention_go_and_recent_ones_stay(tmp_path):
    quarantine, lake = tmp_path / "quarantine", tmp_path / "lake"
    old = _quarantine_file(quarantine, "2026-09-01", "20260902")         # 89 days ago
    edge = _quarantine_file(quarantine, "2026-10-30", "20261031")        # exactly 30 days ago: kept
    backfilled = _quarantine_file(quarantine, "2024-05-01", "20261129")  # an old date, written yesterday
    (quarantine / "_staging").mkdir()                                    # a run's staging: not the purge's
    (quarantine / "notes").mkdir()

    purge = purge_quarantine(str(quarantine), str(lake), retention_days=30, today=TODAY)

    assert purge.purged == ["2026-09-01"] and purge.files == 1 and purge.locked == []
    assert not os.path.exists(old) and not (quarantine / "dt=2026-09-01").exists()
    assert os.path.exists(edge) and os.path.exists(backfilled)
    assert (quarantine / "_staging").exists() and (quarantine / "notes").exists()
    assert quarantine_dates(str(quarantine)) == [date(2024, 5, 1), date(2026, 10, 30)]
    # A second purge finds nothing more to do.
    assert purge_quarantine(str(quarantine), str(lake), 30, today=TODAY).files == 0


def test_a_dry_run_lists_and_deletes_nothing(tmp_path):
    quarantine = tmp_path / "quarantine"
    old = _quarantine_file(quarantine, "2026-01-01", "20260101")
    purge = purge_quarantine(str(quarantine), str(tmp_path / "lake"), 30, today=TODAY, dry_run=True)
    assert purge.purged == ["2026-01-01"] and purge.files == 1
    assert os.path.exists(old)


def test_a_file_without_a_run_time_in_its_name_ages_by_its_modification_time(tmp_path):
    quarantine = tmp_path / "quarantine"
    (quarantine / "dt=2026-01-01").mkdir(parents=True)
    stale, fresh = quarantine / "dt=2026-01-01" / "copied.jsonl", quarantine / "dt=2026-01-01" / "today.jsonl"
    stale.write_text("x\n")
    fresh.write_text("y\n")
    long_ago = time.time() - 400 * 86400
    os.utime(stale, (long_ago, long_ago))
    purge = purge_quarantine(str(quarantine), str(tmp_path / "lake"), 30)  # real today: fresh is fresh
    assert purge.files == 1 and not stale.exists() and fresh.exists()


def test_a_date_a_live_run_holds_is_skipped_and_purged_next_time(tmp_path):
    quarantine, lake = tmp_path / "quarantine", tmp_path / "lake"
    old = _quarantine_file(quarantine, "2026-01-01", "20260101")
    with DateLock(str(lake), date(2026, 1, 1), "2026-01-01_20261130T000000Z_live00"):
        purge = purge_quarantine(str(quarantine), str(lake), 30, today=TODAY)
    assert purge.locked == ["2026-01-01"] and purge.purged == [] and os.path.exists(old)
    assert "being processed now" in purge.summary()
    assert purge_quarantine(str(quarantine), str(lake), 30, today=TODAY).purged == ["2026-01-01"]


def test_the_retention_setting_is_validated_by_name():
    assert load_settings().quarantine_retention_days == 30
    with pytest.raises(ConfigError, match=r"quarantine_retention_days \(FLYWHEEL_QUARANTINE_RETENTION_DAYS\)"):
        load_settings(quarantine_retention_days=0)


def test_the_cli_purges_and_says_what_without_content(tmp_path, capsys):
    quarantine, lake = tmp_path / "quarantine", tmp_path / "lake"
    old = _quarantine_file(quarantine, "2025-01-01", "20250102")
    flags = ["--lake", str(lake), "--quarantine", str(quarantine), "--quarantine-retention-days", "7"]
    assert main(["purge-quarantine", "--dry-run", *flags]) == 0
    assert os.path.exists(old) and "would purge 1 file(s)" in capsys.readouterr().out
    assert main(["purge-quarantine", *flags]) == 0
    out = capsys.readouterr().out
    assert not os.path.exists(old) and "2025-01-01" in out and "CANARY" not in out
    assert main(["purge-quarantine", "--quarantine-retention-days", "0", "--lake", str(lake)]) == 2
