"""Commit records, the date lock, the sweep of dead runs, and file names kept out of manifests (no pipeline)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pyarrow.parquet as pq
import pytest

from datalake import partitions, quarantine, tables
from datalake.commits import partition_files, read_commit
from datalake.manifests import read_manifests, write_manifest
from datalake.reader import read_partitions
from datalake.recovery import DateLock, DateLocked, lock_holder, sweep_dead_runs
from schemas.arrow import to_arrow_table
from schemas.outputs import InputFile, QuarantinedLine, RunManifest, SFTExample, scrub_source_uri
from sql.catalog import open_catalog
from lake_rows import sft_row

DAY = date(2026, 11, 27)
DAY2 = date(2026, 11, 28)


def stage(lake, run_id, ids, day=DAY):
    folder = partitions.staging_partition(str(lake), run_id, "sft", day)
    partitions.write_rows(f"{folder}/{tables.shard_file_name(0, 1)}", SFTExample, [sft_row(i) for i in ids])


def manifest(run_id, status="running", day=DAY, inputs=()):
    return RunManifest(run_id=run_id, flow="test", dt=day.isoformat(), status=status, inputs=list(inputs),
                       started_at=datetime.now(timezone.utc), config_hash="h", judge_mode="rules-only")


def visible(lake, day=DAY):
    data, _ = read_partitions(str(lake), "sft", [day])
    return sorted(data.column("example_id").to_pylist())


def view(lake):
    con = open_catalog(str(lake))
    try:
        return sorted(r[0] for r in con.execute("SELECT example_id FROM sft").fetchall())
    finally:
        con.close()


def test_files_moved_in_but_not_committed_are_invisible(tmp_path):
    stage(tmp_path, "2026-11-27_a", [1, 2])
    partitions.publish_day(str(tmp_path), "2026-11-27_a", DAY, ["sft"])
    # A second run moves its files in (as publish_day does before committing) and dies there.
    stage(tmp_path, "2026-11-27_b", [3])
    staged = tmp_path / "_staging" / "2026-11-27_b" / "sft" / f"dt={DAY}" / tables.shard_file_name(0, 1)
    staged.rename(tmp_path / "sft" / f"dt={DAY}" / tables.published_file_name(staged.name, "2026-11-27_b"))
    assert visible(tmp_path) == view(tmp_path) == ["x1", "x2"]
    assert read_commit(str(tmp_path), DAY).tables["sft"].run_id == "2026-11-27_a"


def test_a_lake_from_before_commit_records_reads_as_it_did(tmp_path):
    folder = tmp_path / "sft" / f"dt={DAY}"
    folder.mkdir(parents=True)
    pq.write_table(to_arrow_table(SFTExample, [sft_row(1)]), folder / tables.shard_file_name(0, 1))
    # ... even with a dead new run's uncommitted file next to it
    pq.write_table(to_arrow_table(SFTExample, [sft_row(9)]), folder / "part-00000-of-00001.2026-11-27_dead.parquet")
    assert visible(tmp_path) == view(tmp_path) == ["x1"]
    # Its first new run commits the date and removes the old files.
    stage(tmp_path, "2026-11-27_new", [2])
    partitions.publish_day(str(tmp_path), "2026-11-27_new", DAY, ["sft"])
    assert visible(tmp_path) == view(tmp_path) == ["x2"]
    assert [p.name for p in folder.iterdir()] == ["part-00000-of-00001.2026-11-27_new.parquet"]


def test_a_date_only_a_dead_run_wrote_to_has_no_partition(tmp_path):
    folder = tmp_path / "sft" / f"dt={DAY}"
    folder.mkdir(parents=True)
    pq.write_table(to_arrow_table(SFTExample, [sft_row(9)]), folder / "part-00000-of-00001.2026-11-27_dead.parquet")
    assert partition_files(str(tmp_path), "sft", DAY) is None
    assert read_partitions(str(tmp_path), "sft", [DAY])[1].missing_days == [DAY.isoformat()]
    assert view(tmp_path) == []


def test_the_date_lock_is_one_run_at_a_time_and_dies_with_its_holder(tmp_path):
    with DateLock(str(tmp_path), DAY, "2026-11-27_a"):
        assert lock_holder(str(tmp_path), DAY) == "2026-11-27_a"
        with pytest.raises(DateLocked, match="2026-11-27_a"):
            DateLock(str(tmp_path), DAY, "2026-11-27_b").acquire(wait_seconds=0.1)
        DateLock(str(tmp_path), DAY2, "2026-11-28_c").acquire().release()  # other dates are free
    assert lock_holder(str(tmp_path), DAY) is None  # (a killed holder's flock goes with its process)


def test_the_sweep_finishes_or_withdraws_each_dead_run(tmp_path):
    lake, qroot = tmp_path / "lake", tmp_path / "quarantine"
    bad = QuarantinedLine(reason="invalid JSON", source_uri="f.jsonl", line_number=1, raw_line="{")
    # DAY: run a committed, b died after moving its file in; DAY2: c died after its commit record.
    stage(lake, "2026-11-27_a", [1])
    partitions.publish_day(str(lake), "2026-11-27_a", DAY, ["sft"])
    write_manifest(str(lake), manifest("2026-11-27_a", "succeeded"))
    write_manifest(str(lake), manifest("2026-11-27_b"))
    stage(lake, "2026-11-27_b", [2])
    staged = lake / "_staging" / "2026-11-27_b" / "sft" / f"dt={DAY}" / tables.shard_file_name(0, 1)
    staged.rename(lake / "sft" / f"dt={DAY}" / tables.published_file_name(staged.name, "2026-11-27_b"))
    quarantine.stage_quarantine(str(qroot), "2026-11-27_b", DAY, [bad])
    (lake / "_trash" / "2026-11-27_old" / "sft").mkdir(parents=True)  # left by the directory-swapping publish
    write_manifest(str(lake), manifest("2026-11-28_c", day=DAY2))
    stage(lake, "2026-11-28_c", [3], day=DAY2)
    quarantine.stage_quarantine(str(qroot), "2026-11-28_c", DAY2, [bad])
    partitions.publish_day(str(lake), "2026-11-28_c", DAY2, ["sft"])  # ... and c was killed right here

    with DateLock(str(lake), DAY, "2026-11-27_d"):
        swept = sweep_dead_runs(str(lake), str(qroot), "2026-11-27_d")
    # (a: its empty staging directory, which process_day would have removed)
    assert swept == ["2026-11-27_a", "2026-11-27_b", "2026-11-27_old", "2026-11-28_c"]
    statuses = {m.run_id: (m.status, m.error) for m in read_manifests(str(lake))}
    assert statuses["2026-11-27_b"][0] == "failed" and "before it committed" in statuses["2026-11-27_b"][1]
    assert statuses["2026-11-28_c"] == ("succeeded", None)
    assert [p.name for p in (lake / "sft" / f"dt={DAY}").iterdir()] == ["part-00000-of-00001.2026-11-27_a.parquet"]
    assert visible(lake, DAY2) == ["x3"]
    assert [p.name for p in (qroot / f"dt={DAY2}").iterdir()] == ["2026-11-28_c.jsonl"]
    assert not list((lake / "_staging").iterdir()) and not list((lake / "_trash").iterdir())
    assert not list((qroot / "_staging").iterdir())


def test_the_sweep_leaves_a_live_run_of_another_date_alone(tmp_path):
    stage(tmp_path, "2026-11-28_live", [1], day=DAY2)
    write_manifest(str(tmp_path), manifest("2026-11-28_live", day=DAY2))
    with DateLock(str(tmp_path), DAY2, "2026-11-28_live"), DateLock(str(tmp_path), DAY, "2026-11-27_me"):
        assert sweep_dead_runs(str(tmp_path), str(tmp_path / "q"), "2026-11-27_me") == []
    assert (tmp_path / "_staging" / "2026-11-28_live").exists()


def test_manifests_name_source_files_by_a_hash(tmp_path):
    raw = "/logs/2026-11-27/alice.smith@example.com/export.jsonl.gz"
    entry = InputFile(uri=raw, lines=3)
    assert "alice" not in entry.uri and entry.uri.startswith("/logs/2026-11-27/file-")
    assert entry.uri.endswith(".jsonl.gz") and scrub_source_uri(entry.uri) == entry.uri == scrub_source_uri(raw)
    write_manifest(str(tmp_path), manifest("2026-11-27_a", "succeeded", inputs=[entry]))
    # A manifest written before the hashing still shows none in the runs view.
    old = json.loads(manifest("2026-11-27_b", "succeeded").model_dump_json())
    old["inputs"] = [{"uri": raw, "lines": 3}]
    (tmp_path / "_runs" / "2026-11-27_b.json").write_text(json.dumps(old))
    assert "alice" not in (tmp_path / "_runs" / "2026-11-27_a.json").read_text()
    con = open_catalog(str(tmp_path))
    try:
        uris = [r[0] for r in con.execute("SELECT unnest(inputs).uri FROM runs ORDER BY run_id").fetchall()]
    finally:
        con.close()
    assert uris == [entry.uri, entry.uri]
