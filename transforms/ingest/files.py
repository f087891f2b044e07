"""A day's log files and their lines: where ingest starts. Any fsspec URI; gzip inferred from the name.

Reading is bounded and never raises for what a file holds: an over-long line becomes one `SourceLine`
with a `problem` ("line too long"), bytes that are not UTF-8 likewise, and a file that cannot be read
to its end (truncated gzip, permission denied, over the byte cap) or is not a regular file (a FIFO, a
socket, a device named *.jsonl) ends its reading with a `status` the run manifest records.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from datetime import date
from typing import IO, NamedTuple

import fsspec
from fsspec.implementations.local import LocalFileSystem

from schemas.errors import FlywheelError
from schemas.outputs import INPUT_FAILURE_STATUSES, InputFile, InputFileStatus
from transforms.ingest.config import IngestConfig

_SUFFIXES = (".jsonl", ".jsonl.gz")


class SourceError(FlywheelError):
    """The log source is not there at all: a configuration mistake, not an empty day."""



def list_source_files(source_uri: str, day: date) -> list[str]:
    """The log files of one day, sorted.

    In: a source root (local path or any fsspec URI) and a day. Both layouts are read:
    `<source>/<YYYY-MM-DD>/**.jsonl[.gz]` and `<source>/dt=<YYYY-MM-DD>/**.jsonl[.gz]`.
    Out: the files' URIs (plain paths for a local source, full URIs otherwise); [] when the day has
    no directory or no files, so the caller can report an empty day. A subdirectory that cannot be
    listed (permission denied) is returned too, as if it were a file: reading it then records it as
    "unreadable" in the manifest and fails the run, instead of the day silently missing its logs.
    Nothing is opened here, so a FIFO among the files cannot block the listing.
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
        if fs.isdir(day_dir):
            found.update(_find_logs(fs, day_dir))
    # A local source keeps plain paths (what users typed); a remote one needs its protocol back.
    local = "://" not in source_uri and not source_uri.startswith("file:")
    return sorted(path if local else fs.unstrip_protocol(path) for path in found)


def _find_logs(fs: fsspec.AbstractFileSystem, top: str) -> list[str]:
    """Log files under `top`, plus every directory that could not be listed (see list_source_files).

    Our own walk: fsspec's `find` drops a directory it cannot list without a word (and its `walk` does
    not pass `on_error` down). A local directory reached twice through symlinks is walked once.
    """
    local = isinstance(fs, LocalFileSystem)
    found: list[str] = []
    seen: set[str] = set()
    pending = [top]
    while pending:
        folder = pending.pop()
        if local:
            real = os.path.realpath(folder)
            if real in seen:
                continue
            seen.add(real)
        try:
            entries = fs.ls(folder, detail=True)
        except OSError:
            found.append(folder)
            continue
        for entry in entries:
            name = entry["name"].rstrip("/")
            if entry["type"] == "directory":
                if name != folder.rstrip("/"):
                    pending.append(name)
            elif name.endswith(_SUFFIXES):
                found.append(name)
    return found


# --------------------------------------------------------------------------- line reading

# How much of a line that cannot be parsed as read (too long, not UTF-8) the quarantine keeps: enough to
# recognise it, never the 512 MiB of a gzip bomb.
QUARANTINE_PREFIX_BYTES = 1024
# Skipping the rest of an over-long line reads this much at a time.
_SKIP_CHUNK = 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"


class SourceLine(NamedTuple):
    """One line of a log file: its 1-based number and text, or the reason it cannot be parsed as read.

    `problem` set: `text` is a safe-to-quarantine rendering (invalid bytes as \\xNN escapes, at most
    QUARANTINE_PREFIX_BYTES of an over-long line), not something to parse.
    """

    number: int
    text: str
    problem: str | None = None


def _quarantine_text(raw: bytes) -> str:
    return raw[:QUARANTINE_PREFIX_BYTES].decode("utf-8", errors="backslashreplace")


def _io_error(exc: BaseException) -> tuple[InputFileStatus, str]:
    """A reading failure as a file status and a safe description (library messages can quote bytes)."""
    if isinstance(exc, EOFError):
        return "truncated", "the compressed stream ends before its end marker (EOFError)"
    if isinstance(exc, gzip.BadGzipFile):
        return "unreadable", "not a valid gzip stream or a failed checksum (BadGzipFile)"
    if isinstance(exc, zlib.error):
        return "unreadable", "corrupt compressed data (zlib.error)"
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        return "unreadable", f"{os.strerror(exc.errno)} ({type(exc).__name__}, {errno.errorcode[exc.errno]})"
    return "unreadable", type(exc).__name__


class LogFileReader:
    """One pass over one .jsonl or .jsonl.gz file, bounded; iterate for `SourceLine`s, then read `status`.

    In: a file URI (local path or fsspec URI; gzip inferred from the name) and the ingest caps
    (`max_line_bytes`, `max_file_bytes` of decompressed data).
    Out: every line, blank ones included, so counts and line numbers match the file (callers skip
    blanks). A line longer than max_line_bytes costs at most that much memory: its start is kept for the
    quarantine, the rest skipped to the next newline. A line that is not UTF-8 is not repaired with U+FFFD
    (two different invalid ids would become one): it comes with a problem.
    After the iteration: `status` ("read", "truncated", "unreadable", "over_cap",
    "skipped_not_regular") and `error`, a safe description naming the line where reading stopped.
    Refuses: nothing; it never raises for the file's content, state or kind.
    """

    def __init__(self, uri: str, max_line_bytes: int | None = None, max_file_bytes: int | None = None):
        defaults = IngestConfig()
        self.uri = uri
        self.max_line_bytes = max_line_bytes or defaults.max_line_bytes
        self.max_file_bytes = max_file_bytes or defaults.max_file_bytes
        self.status: InputFileStatus = "read"
        self.error: str | None = None
        self.bytes_read = 0
        self.lines = 0

    def __iter__(self) -> Iterator[SourceLine]:
        try:
            handle = self._open()
        except Exception as exc:  # noqa: BLE001 - any failure to open is this file's status, not a crash
            self.status, what = _io_error(exc)
            self.error = f"cannot open: {what}"
            return
        if handle is None:
            return
        with handle:
            try:
                yield from self._lines(handle)
            except Exception as exc:  # noqa: BLE001 - whatever the decompressor or filesystem raises
                self.status, what = _io_error(exc)
                self.error = f"{self.status} at line {self.lines + 1}: {what}"

    def _open(self) -> IO[bytes] | None:
        """The decompressed byte stream, or None (status set) when the path is not a regular file."""
        fs, path = fsspec.core.url_to_fs(self.uri)
        if isinstance(fs, LocalFileSystem):
            # Look before opening (a socket cannot be opened at all, a FIFO blocks the open forever)...
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                self._not_regular(path, mode)
                return None
            # ...and again at what was opened, without blocking: the path may have been replaced between.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                os.close(fd)
                self._not_regular(path, mode)
                return None
            raw: IO[bytes] = os.fdopen(fd, "rb")
        else:
            if fs.info(path).get("type") != "file":
                self.status = "skipped_not_regular"
                self.error = "not a regular file"
                return None
            raw = fs.open(path, "rb")
        if path.endswith(".gz"):
            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        return raw

    def _not_regular(self, path: str, mode: int) -> None:
        if stat.S_ISDIR(mode):
            # Only a directory the listing could not enter is ever passed here (list_source_files).
            try:
                os.listdir(path)
            except OSError as exc:
                _, what = _io_error(exc)
                self.status, self.error = "unreadable", f"a directory that cannot be listed: {what}"
            else:
                self.status = "unreadable"
                self.error = "a directory that could not be listed when the day's files were listed"
            return
        kind = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
                else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")
        self.status, self.error = "skipped_not_regular", f"not a regular file: a {kind}"

    def _within_cap(self, raw: bytes, at_line: int) -> bool:
        """Count `raw` against the file's cap; past it, the file is over_cap (reading stops there)."""
        self.bytes_read += len(raw)
        if self.bytes_read <= self.max_file_bytes:
            return True
        self.status = "over_cap"
        self.error = (f"over_cap at line {at_line}: more than {self.max_file_bytes} "
                      "decompressed bytes (FLYWHEEL_INGEST__MAX_FILE_BYTES)")
        return False

    def _lines(self, handle: IO[bytes]) -> Iterator[SourceLine]:
        limit = self.max_line_bytes
        while True:
            raw = handle.readline(limit + 1)
            if not raw:
                return
            if not self._within_cap(raw, at_line=self.lines + 1):
                return
            self.lines += 1
            if self.lines == 1 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM):]  # a UTF-8 byte order mark is not part of the first event
            if raw.endswith(b"\n") or len(raw) <= limit:
                body = raw.rstrip(b"\r\n")
            else:
                # Over-long: keep the start for the quarantine, skip (counting against the file cap)
                # to the next newline without holding it.
                kept = _quarantine_text(raw)
                while not raw.endswith(b"\n"):
                    raw = handle.readline(_SKIP_CHUNK)
                    if not raw:
                        break
                    if not self._within_cap(raw, at_line=self.lines):
                        return
                yield SourceLine(self.lines, kept, f"line too long (> {limit} bytes)")
                continue
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield SourceLine(self.lines, _quarantine_text(body),
                                 f"not valid UTF-8 (byte {exc.start + 1} of the line)")
                continue
            yield SourceLine(self.lines, text)


def read_lines(uri: str, max_line_bytes: int | None = None, max_file_bytes: int | None = None
               ) -> Iterator[SourceLine]:
    """The lines of one log file (see LogFileReader); raises SourceReadError if it could not be read
    to its end, after the lines it could read. For callers that want an exception, not a status."""
    reader = LogFileReader(uri, max_line_bytes, max_file_bytes)
    yield from reader
    if reader.status != "read":
        raise SourceReadError(f"{uri}: {reader.error}", reader.status)


class SourceReadError(FlywheelError):
    """A log file could not be read to its end; the message names the file and the line."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class IncompleteInput(FlywheelError):
    """An input file was not read to its end: the day would be published partial, so nothing is."""


def check_inputs_complete(inputs: list[InputFile]) -> None:
    """Refuse (IncompleteInput, naming each file and where it broke) a day with a truncated, unreadable or
    over-cap input. Files skipped as not regular (FIFOs, sockets, devices) are recorded, not refused."""
    broken = [f"{item.uri}: {item.error or item.status}" for item in inputs if item.status in INPUT_FAILURE_STATUSES]
    if broken:
        raise IncompleteInput(f"{len(broken)} input file(s) not read to the end, nothing published: "
                              + "; ".join(broken))


# --------------------------------------------------------------------------- sizes

def input_bytes(uris: list[str]) -> int:
    """About how many bytes the files hold uncompressed: the size on disk, and for gzip its trailer's length
    field (the last member's size mod 2**32: an estimate, as this is used, never a limit).

    Never opens what is not a regular file (a FIFO would block) and never raises: a file whose size cannot be
    read counts 0 here, and reading it reports why (LogFileReader)."""
    total = 0
    for uri in uris:
        try:
            fs, path = fsspec.core.url_to_fs(uri)
            info = fs.info(path)
            if info.get("type") != "file":
                continue
            if isinstance(fs, LocalFileSystem) and not stat.S_ISREG(os.stat(path).st_mode):
                continue
            size = int(info.get("size") or 0)
            if uri.endswith(".gz") and size >= 18:  # header (10) + trailer (8)
                with fs.open(path, "rb") as handle:
                    handle.seek(-4, os.SEEK_END)
                    size = max(size, int.from_bytes(handle.read(4), "little"))
            total += size
        except (OSError, ValueError):
            continue
    return total
