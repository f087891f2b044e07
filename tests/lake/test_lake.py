import os
import stat
from datetime import date, datetime, timezone

import pyarrow.parquet as pq

from schemas.outputs import QuarantinedLine, RunManifest, SFTExample
from datalake import manifests
from datalake import partitions
from datalake import quarantine
from datalake import tables
from lake_rows import sft_row

DAY = date(2026, 11, 27)


def stage(lake_root, run_id, rows):
    folder = partitions.staging_partition(str(lake_root), run_id, "sft", DAY)
    partitions.write_rows(f"{folder}/{tables.shard_file_name(0, 1)}", SFTExample, rows)


def live_ids(lake_root):
    files = sorted((lake_root / "sft" / "dt=2026-11-27").glob("*.parquet"))
    return [i for f in files for i in pq.read_table(f).column("example_id").to_pylist()]


def test_publish_replaces_the_partition_whole(tmp_path):
    stage(tmp_path, "run1", [sft_row(1), sft_row(2)])
    partitions.publish_partition(str(tmp_path), "run1", "sft", DAY)
    assert live_ids(tmp_path) == ["x1", "x2"]

    stage(tmp_path, "run2", [sft_row(3)])
    # Until publish, readers still see the old partition: the new rows are only in staging.
    assert live_ids(tmp_path) == ["x1", "x2"]
    partitions.publish_partition(str(tmp_path), "run2", "sft", DAY)
    partitions.discard_staging(str(tmp_path), "run2")
    assert live_ids(tmp_path) == ["x3"]
    assert not (tmp_path / "_staging" / "run2").exists()
    assert not list(tmp_path.glob("**/*.tmp"))


def test_an_empty_run_empties_the_partition(tmp_path):
    stage(tmp_path, "run1", [sft_row(1)])
    partitions.publish_partition(str(tmp_path), "run1", "sft", DAY)
    partitions.publish_partition(str(tmp_path), "run2", "sft", DAY)  # nothing staged
    assert live_ids(tmp_path) == []
    assert (tmp_path / "sft" / "dt=2026-11-27").is_dir()


def test_parquet_schema_is_derived_from_the_model(tmp_path):
    stage(tmp_path, "run1", [sft_row(1)])
    partitions.publish_partition(str(tmp_path), "run1", "sft", DAY)
    table = pq.read_table(next((tmp_path / "sft").rglob("*.parquet")))
    assert table.schema.field("messages").type.value_type.names == ["role", "content", "train"]
    assert table.to_pylist()[0]["messages"][1] == {"role": "assistant", "content": "a1", "train": False}


def test_quarantine_is_owner_only_and_replaced_on_rerun(tmp_path):
    root = tmp_path / "quarantine"
    bad = QuarantinedLine(reason="invalid JSON", source_uri="f.jsonl", line_number=3, raw_line="{oops")
    assert quarantine.stage_quarantine(str(root), "run1", DAY, [bad]) == 1
    (published,) = quarantine.publish_quarantine(str(root), "run1", DAY)
    assert stat.S_IMODE(os.stat(published).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.dirname(published)).st_mode) == 0o700

    quarantine.stage_quarantine(str(root), "run2", DAY, [bad])
    quarantine.publish_quarantine(str(root), "run2", DAY)
    files = list((root / "dt=2026-11-27").glob("*.jsonl"))
    assert [f.name for f in files] == ["run2.jsonl"]
    assert not (root / "_staging" / "run2").exists()


def test_day_is_complete_when_its_commit_record_names_a_succeeded_run(tmp_path):
    def manifest(run_id, status):
        return RunManifest(run_id=run_id, flow="test", dt=DAY.isoformat(), status=status,
                           started_at=datetime.now(timezone.utc), config_hash="h", judge_mode="rules-only")

    lake = str(tmp_path)
    assert not manifests.day_is_complete(lake, DAY)
    manifests.write_manifest(lake, manifest("2026-11-27_a", "running"))
    partitions.publish_day(lake, "2026-11-27_a", DAY)
    assert not manifests.day_is_complete(lake, DAY)  # committed, but its run never said it succeeded
    manifests.write_manifest(lake, manifest("2026-11-27_a", "succeeded"))
    assert manifests.day_is_complete(lake, DAY)
    # A later run that failed (or was killed) before committing leaves the date as it was: complete.
    manifests.write_manifest(lake, manifest("2026-11-27_b", "failed"))
    assert manifests.day_is_complete(lake, DAY)
    assert [m.run_id for m in manifests.read_manifests(lake)] == ["2026-11-27_a", "2026-11-27_b"]


def test_day_is_complete_on_a_lake_from_before_commit_records(tmp_path):
    def manifest(run_id, status):
        return RunManifest(run_id=run_id, flow="test", dt=DAY.isoformat(), status=status,
                           started_at=datetime.now(timezone.utc), config_hash="h", judge_mode="rules-only")

    lake = str(tmp_path)
    manifests.write_manifest(lake, manifest("2026-11-27_a", "succeeded"))
    assert not manifests.day_is_complete(lake, DAY)  # manifest but no partitions
    for table in tables.PUBLISHED_TABLES:
        (tmp_path / table / "dt=2026-11-27").mkdir(parents=True)
    assert manifests.day_is_complete(lake, DAY)
    manifests.write_manifest(lake, manifest("2026-11-27_b", "failed"))
    assert not manifests.day_is_complete(lake, DAY)
