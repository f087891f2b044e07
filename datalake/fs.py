"""The one fsspec helper: every lake and quarantine path goes through here (local disk or any URI).

What lives under those paths: `datalake.tables`. Exports write to local disk only (`export`).
"""

from __future__ import annotations

import posixpath

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
