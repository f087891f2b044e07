"""The quarantine: raw rejected lines, owner-only (they may hold raw PII), outside the analyst tree.

A run's rejected lines of a date are one JSONL file, or several when there are many (`quarantine_file_name`;
layout in `datalake.tables`), mode 0600 in 0700 directories on local disk.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
from datetime import date
from typing import Iterable

import fsspec

from datalake.fs import filesystem, is_local, join
from datalake.tables import STAGING_DIR, partition_name
from schemas.outputs import QuarantinedLine


def _owner_only_dir(fs: fsspec.AbstractFileSystem, path: str) -> None:
    fs.makedirs(path, exist_ok=True)
    if is_local(fs):
        os.chmod(path, stat.S_IRWXU)


def quarantine_file_name(stem: str, shard: int = 0, shards: int = 1, wave: str = "") -> str:
    """`<stem>.jsonl` for a run's only file of a date, `<stem>.part-00001-of-00004.jsonl` for one of several,
    `<stem>.part-w001of004-00000-of-00001.jsonl` for one of a wave's (transforms.beam.waves)."""
    if wave:
        return f"{stem}.part-{wave}-{shard:05d}-of-{shards:05d}.jsonl"
    return f"{stem}.jsonl" if shards == 1 else f"{stem}.part-{shard:05d}-of-{shards:05d}.jsonl"


def stage_quarantine(quarantine_uri: str, run_id: str, day: date, lines: Iterable[QuarantinedLine],
                     shard: int = 0, shards: int = 1, wave: str = "") -> int:
    """Write a run's rejected lines (its `shard` of `shards` files) as JSONL under <quarantine>/_staging/,
    owner-only (they may hold raw PII).

    Sorted by source and line number so a rerun writes the same file. Returns the number of lines.
    """
    lines = sorted(lines, key=lambda q: (q.source_uri, q.line_number))
    fs, root = filesystem(quarantine_uri)
    _owner_only_dir(fs, root)
    folder = join(root, STAGING_DIR, run_id)
    _owner_only_dir(fs, join(root, STAGING_DIR))
    _owner_only_dir(fs, folder)
    path = join(folder, quarantine_file_name(partition_name(day), shard, shards, wave))
    if is_local(fs):
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
    fs, root = filesystem(quarantine_uri)
    leftover = join(root, STAGING_DIR, run_id)
    if fs.exists(leftover):
        fs.rm(leftover, recursive=True)


def publish_quarantine(quarantine_uri: str, run_id: str, day: date) -> list[str]:
    """Replace the date's quarantine with this run's (so reruns do not double it). Returns the published paths
    (`<run_id>.jsonl`, or `<run_id>.part-*.jsonl` when the run staged several files)."""
    fs, root = filesystem(quarantine_uri)
    stem = partition_name(day)
    staging = join(root, STAGING_DIR, run_id)
    staged = sorted(fs.glob(join(staging, f"{stem}.jsonl")) + fs.glob(join(staging, f"{stem}.part-*.jsonl"))
                    ) if fs.exists(staging) else []
    folder = join(root, stem)
    if fs.exists(folder):
        for old in fs.glob(join(folder, "*.jsonl")):
            fs.rm(old)
    published = []
    for path in staged:
        _owner_only_dir(fs, folder)
        published.append(join(folder, run_id + posixpath.basename(path)[len(stem):]))
        fs.mv(path, published[-1])
    discard_quarantine_staging(quarantine_uri, run_id)
    return published
