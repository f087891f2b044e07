"""Run manifests: one JSON file per run (RUNS_DIR, layout in `datalake.tables`), and what they say about a date."""

from __future__ import annotations

from datetime import date

from datalake.fs import filesystem, join
from datalake.tables import RUNS_DIR, TABLES, partition_name
from schemas.outputs import RunManifest


def write_manifest(lake_uri: str, manifest: RunManifest) -> str:
    fs, root = filesystem(lake_uri)
    runs = join(root, RUNS_DIR)
    fs.makedirs(runs, exist_ok=True)
    path = join(runs, f"{manifest.run_id}.json")
    tmp = path + ".tmp"
    with fs.open(tmp, "w") as handle:
        handle.write(manifest.model_dump_json(indent=2))
    fs.mv(tmp, path)
    return path


def read_manifests(lake_uri: str) -> list[RunManifest]:
    """Every run manifest in the lake, oldest first (run ids sort by time)."""
    fs, root = filesystem(lake_uri)
    runs = join(root, RUNS_DIR)
    if not fs.exists(runs):
        return []
    manifests = []
    for path in sorted(fs.glob(join(runs, "*.json"))):
        with fs.open(path, "r") as handle:
            manifests.append(RunManifest.model_validate_json(handle.read()))
    return manifests


def day_is_complete(lake_uri: str, day: date) -> bool:
    """True when the latest run of `day` succeeded and its partitions are in place."""
    runs = [m for m in read_manifests(lake_uri) if m.dt == day.isoformat()]
    if not runs or runs[-1].status != "succeeded":
        return False
    fs, root = filesystem(lake_uri)
    return all(fs.exists(join(root, table, partition_name(day))) for table in TABLES)
