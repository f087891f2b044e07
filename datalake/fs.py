"""The one fsspec helper: every lake and quarantine path goes through here (local disk or any URI).

What lives under those paths: `datalake.tables`. Exports write to local disk only (`export`).
"""

from __future__ import annotations

import contextlib
import posixpath
from typing import Iterator, Optional

import fsspec
from fsspec.core import url_to_fs


def filesystem(uri: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """(filesystem, root path without protocol or trailing slash) of a local path or fsspec URI."""
    fs, root = url_to_fs(uri)
    return fs, root.rstrip("/") or "/"


def is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def full_uri(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """A path as callers pass it on: plain for local disk, with its protocol for a remote store."""
    return path if is_local(fs) else fs.unstrip_protocol(path)


def join(*parts: str) -> str:
    return posixpath.join(*parts)


@contextlib.contextmanager
def open_atomic(fs: fsspec.AbstractFileSystem, path: str, mode: str = "wb", tmp: Optional[str] = None,
                **kwargs) -> Iterator:
    """Write `path` through a temporary file renamed into place when the writing ends, so no reader ever sees a
    half-written file (`tmp`: the temporary's path, by default `path` + ".tmp", which no reader's pattern matches).
    Commit records need more (fsync, os.replace, a single put on object stores): `datalake.commits`."""
    tmp = tmp or path + ".tmp"
    with fs.open(tmp, mode, **kwargs) as handle:
        yield handle
    fs.mv(tmp, path)
