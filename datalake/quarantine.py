"""The quarantine: raw rejected lines, owner-only (they may hold raw PII), outside the analyst tree.

One JSONL file per run and date (layout in `datalake.tables`), mode 0600 in 0700 directories on local disk.
"""

from __future__ import annotations

import json
import os
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


def stage_quarantine(quarantine_uri: str, run_id: str, day: date, lines: Iterable[QuarantinedLine]) -> int:
    """Write a run's rejected lines as JSONL under <quarantine>/_staging/, owner-only (they may hold raw PII).

    Sorted by source and line number so a rerun writes the same file. Returns the number of lines.
    """
    lines = sorted(lines, key=lambda q: (q.source_uri, q.line_number))
    fs, root = filesystem(quarantine_uri)
    _owner_only_dir(fs, root)
    folder = join(root, STAGING_DIR, run_id)
    _owner_only_dir(fs, join(root, STAGING_DIR))
    _owner_only_dir(fs, folder)
    path = join(folder, f"{partition_name(day)}.jsonl")
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


def publish_quarantine(quarantine_uri: str, run_id: str, day: date) -> str | None:
    """Replace the date's quarantine with this run's (so reruns do not double it). Returns its path."""
    fs, root = filesystem(quarantine_uri)
    staged = join(root, STAGING_DIR, run_id, f"{partition_name(day)}.jsonl")
    folder = join(root, partition_name(day))
    if fs.exists(folder):
        for old in fs.glob(join(folder, "*.jsonl")):
            fs.rm(old)
    published = None
    if fs.exists(staged):
        _owner_only_dir(fs, folder)
        published = join(folder, f"{run_id}.jsonl")
        fs.mv(staged, published)
    discard_quarantine_staging(quarantine_uri, run_id)
    return published
