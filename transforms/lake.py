"""The lake: Hive-partitioned Parquet tables, written to staging and swapped in atomically.

    <lake>/<table>/dt=YYYY-MM-DD/part-00000-of-00002.parquet
    <lake>/_runs/<run_id>.json               one RunManifest per run
    <lake>/_staging/<run_id>/<table>/dt=...  a run's output before it is published
    <quarantine>/dt=YYYY-MM-DD/<run_id>.jsonl  raw rejected lines: owner-only, outside the analyst tree

A reader never sees half a partition: a run writes everything under _staging/ and only after the whole
pipeline succeeded does `publish_partition` move each table's partition into place (a directory rename).
Rerunning a date replaces its partitions whole, so the same input gives the same rows, never duplicates.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
from datetime import date
from typing import Iterable

import fsspec
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from pydantic import BaseModel

from schemas.arrow import to_arrow_table
from schemas.conversation import Conversation
from schemas.outputs import Judgment, PreferencePair, QuarantinedLine, RunManifest, SFTExample

# The one list of lake tables and the model each one's rows follow.
TABLES: dict[str, type[BaseModel]] = {
    "conversations": Conversation,
    "judgments": Judgment,
    "sft": SFTExample,
    "preferences": PreferencePair,
}

RUNS_DIR = "_runs"
STAGING_DIR = "_staging"
TRASH_DIR = "_trash"


def _fs(uri: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = url_to_fs(uri)
    return fs, root.rstrip("/") or "/"


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def _join(*parts: str) -> str:
    return posixpath.join(*parts)


def partition_name(day: date) -> str:
    return f"dt={day.isoformat()}"


def staging_partition(lake_uri: str, run_id: str, table: str, day: date) -> str:
    """The URI a run writes a table's partition to before publishing it."""
    fs, root = _fs(lake_uri)
    path = _join(root, STAGING_DIR, run_id, table, partition_name(day))
    return fs.unstrip_protocol(path) if not _is_local(fs) else path


def shard_file_name(shard: int, shards: int) -> str:
    return f"part-{shard:05d}-of-{shards:05d}.parquet"


def write_rows(uri: str, model: type[BaseModel], rows: list[BaseModel]) -> int:
    """Write rows of `model` as one Parquet file at `uri` (temp name, then rename). Returns bytes written."""
    fs, path = _fs(uri)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    table = to_arrow_table(model, rows)
    tmp = path + ".tmp"
    with fs.open(tmp, "wb") as handle:
        pq.write_table(table, handle, compression="zstd")
    fs.mv(tmp, path)
    return fs.size(path)


def read_rows(lake_uri: str, table: str, exclude_day: date | None = None) -> list[BaseModel]:
    """Every published row of a table (optionally without one date's partition), as its model."""
    fs, root = _fs(lake_uri)
    model = TABLES[table]
    rows: list[BaseModel] = []
    skip = partition_name(exclude_day) if exclude_day else None
    for path in sorted(fs.glob(_join(root, table, "dt=*", "part-*.parquet"))):
        if skip and posixpath.basename(posixpath.dirname(path)) == skip:
            continue
        with fs.open(path, "rb") as handle:
            rows.extend(model.model_validate(r) for r in pq.read_table(handle).to_pylist())
    return rows


def publish_partition(lake_uri: str, run_id: str, table: str, day: date) -> None:
    """Swap a run's staged partition of `table` into place, replacing any earlier one whole.

    The staged directory is moved in with one rename; the old one is moved aside first and deleted
    after. A crash between the two renames leaves the partition absent (the rerun rewrites it), never
    half-written. On object stores a rename is a copy: publish there is all-or-nothing per file only.
    """
    fs, root = _fs(lake_uri)
    staged = _join(root, STAGING_DIR, run_id, table, partition_name(day))
    live = _join(root, table, partition_name(day))
    trash = _join(root, TRASH_DIR, run_id, table, partition_name(day))
    if not fs.exists(staged):
        fs.makedirs(staged, exist_ok=True)  # an empty day still replaces what the date had before
    fs.makedirs(_join(root, table), exist_ok=True)
    if fs.exists(live):
        fs.makedirs(posixpath.dirname(trash), exist_ok=True)
        fs.mv(live, trash, recursive=True)
    fs.mv(staged, live, recursive=True)
    if fs.exists(trash):
        fs.rm(trash, recursive=True)


def discard_staging(lake_uri: str, run_id: str) -> None:
    """Remove what a run staged and the trash it left (after publishing, or after a failure)."""
    fs, root = _fs(lake_uri)
    for leftover in (_join(root, STAGING_DIR, run_id), _join(root, TRASH_DIR, run_id)):
        if fs.exists(leftover):
            fs.rm(leftover, recursive=True)


def write_manifest(lake_uri: str, manifest: RunManifest) -> str:
    fs, root = _fs(lake_uri)
    runs = _join(root, RUNS_DIR)
    fs.makedirs(runs, exist_ok=True)
    path = _join(runs, f"{manifest.run_id}.json")
    tmp = path + ".tmp"
    with fs.open(tmp, "w") as handle:
        handle.write(manifest.model_dump_json(indent=2))
    fs.mv(tmp, path)
    return path


def read_manifests(lake_uri: str) -> list[RunManifest]:
    """Every run manifest in the lake, oldest first (run ids sort by time)."""
    fs, root = _fs(lake_uri)
    runs = _join(root, RUNS_DIR)
    if not fs.exists(runs):
        return []
    manifests = []
    for path in sorted(fs.glob(_join(runs, "*.json"))):
        with fs.open(path, "r") as handle:
            manifests.append(RunManifest.model_validate_json(handle.read()))
    return manifests


def day_is_complete(lake_uri: str, day: date) -> bool:
    """True when the latest run of `day` succeeded and its partitions are in place."""
    runs = [m for m in read_manifests(lake_uri) if m.dt == day.isoformat()]
    if not runs or runs[-1].status != "succeeded":
        return False
    fs, root = _fs(lake_uri)
    return all(fs.exists(_join(root, table, partition_name(day))) for table in TABLES)


def _owner_only_dir(fs: fsspec.AbstractFileSystem, path: str) -> None:
    fs.makedirs(path, exist_ok=True)
    if _is_local(fs):
        os.chmod(path, stat.S_IRWXU)


def stage_quarantine(quarantine_uri: str, run_id: str, day: date, lines: Iterable[QuarantinedLine]) -> int:
    """Write a run's rejected lines as JSONL under <quarantine>/_staging/, owner-only (they may hold raw PII).

    Sorted by source and line number so a rerun writes the same file. Returns the number of lines.
    """
    lines = sorted(lines, key=lambda q: (q.source_uri, q.line_number))
    fs, root = _fs(quarantine_uri)
    _owner_only_dir(fs, root)
    folder = _join(root, STAGING_DIR, run_id)
    _owner_only_dir(fs, _join(root, STAGING_DIR))
    _owner_only_dir(fs, folder)
    path = _join(folder, f"{partition_name(day)}.jsonl")
    if _is_local(fs):
        # Created owner-only from the start: no moment in which raw lines are readable by others.
        handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8")
    else:
        handle = fs.open(path, "w")
    with handle:
        for line in lines:
            handle.write(json.dumps(line.model_dump(), ensure_ascii=False) + "\n")
    return len(lines)


def discard_quarantine_staging(quarantine_uri: str, run_id: str) -> None:
    """Drop what a failed run staged: the date keeps the quarantine of its last good run."""
    fs, root = _fs(quarantine_uri)
    leftover = _join(root, STAGING_DIR, run_id)
    if fs.exists(leftover):
        fs.rm(leftover, recursive=True)


def publish_quarantine(quarantine_uri: str, run_id: str, day: date) -> str | None:
    """Replace the date's quarantine with this run's (so reruns do not double it). Returns its path."""
    fs, root = _fs(quarantine_uri)
    staged = _join(root, STAGING_DIR, run_id, f"{partition_name(day)}.jsonl")
    folder = _join(root, partition_name(day))
    if fs.exists(folder):
        for old in fs.glob(_join(folder, "*.jsonl")):
            fs.rm(old)
    published = None
    if fs.exists(staged):
        _owner_only_dir(fs, folder)
        published = _join(folder, f"{run_id}.jsonl")
        fs.mv(staged, published)
    discard_quarantine_staging(quarantine_uri, run_id)
    return published
