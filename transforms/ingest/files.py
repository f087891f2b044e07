"""A day's log files and their lines: where ingest starts. Any fsspec URI; gzip inferred from the name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import fsspec

from schemas.errors import FlywheelError

_SUFFIXES = (".jsonl", ".jsonl.gz")


class SourceError(FlywheelError):
    """The log source is not there at all: a configuration mistake, not an empty day."""



def list_source_files(source_uri: str, day: date) -> list[str]:
    """The log files of one day, sorted.

    In: a source root (local path or any fsspec URI) and a day. Both layouts are read:
    `<source>/<YYYY-MM-DD>/**.jsonl[.gz]` and `<source>/dt=<YYYY-MM-DD>/**.jsonl[.gz]`.
    Out: the files' URIs (plain paths for a local source, full URIs otherwise); [] when the day has
    no directory or no files, so the caller can report an empty day.
    Refuses: a source root that does not exist (SourceError), since that is a configuration mistake,
    not an empty day.
    """
    fs, root = fsspec.core.url_to_fs(source_uri)
    root = root.rstrip("/") or root
    if not fs.exists(root) or not fs.isdir(root):
        raise SourceError(
            f"source directory not found: {source_uri} (set FLYWHEEL_SOURCE_URI or --source)"
        )
    stamp = day.isoformat()
    found: set[str] = set()
    for day_dir in (f"{root}/{stamp}", f"{root}/dt={stamp}"):
        if not fs.isdir(day_dir):
            continue
        for path in fs.find(day_dir):
            if path.endswith(_SUFFIXES):
                found.add(path)
    # A local source keeps plain paths (what users typed); a remote one needs its protocol back.
    local = "://" not in source_uri and not source_uri.startswith("file:")
    return sorted(path if local else fs.unstrip_protocol(path) for path in found)


# --------------------------------------------------------------------------- line reading


def read_lines(uri: str) -> Iterator[tuple[int, str]]:
    """The lines of one .jsonl or .jsonl.gz file.

    In: a file URI (local path or fsspec URI); gzip is inferred from the name.
    Out: (1-based line number, text without its newline) for every line, blank ones included, so
    counts and line numbers match the file (callers skip blanks; `parse_line` rejects them). Bytes
    that are not valid UTF-8 are replaced (U+FFFD) rather than failing the file: one bad line must
    not lose a day.
    Refuses: nothing itself; a file that cannot be opened or decompressed (missing, truncated .gz)
    raises the filesystem's or decompressor's OSError/EOFError, after the lines read before it.
    """
    with fsspec.open(uri, "rb", compression="infer") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte order mark is not part of the first event
            yield number, raw.decode("utf-8", errors="replace").rstrip("\r\n")

