"""What the format writers share: JSON text, rows as dicts a batch at a time, train flags, JSON-array files.

The formats themselves: `hf_parquet`, `openai_jsonl`, `llamafactory`, `trl_jsonl`; their registry: `formats`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

import pyarrow as pa

from export.common import TEXT_ROLES

BATCH_ROWS = 8192


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is: the same bytes on every run."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def python_rows(table: pa.Table, columns: list[str]) -> Iterator[dict[str, Any]]:
    """The rows as dicts, a batch at a time (only the batch is held as Python objects)."""
    for batch in table.select(columns).to_batches(max_chunksize=BATCH_ROWS):
        yield from batch.to_pylist()


def train_flags(messages: list[dict[str, Any]]) -> list[bool]:
    """Per message, whether the loss covers it: the lake's `train` flag, and always the target (last)."""
    flags = [bool(m.get("train")) for m in messages]
    flags[-1] = True
    return flags


def text_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Messages in the roles the text formats know (system/user/assistant: `TEXT_ROLES`)."""
    return [{"role": TEXT_ROLES[m["role"]], "content": m["content"]} for m in messages]


def _digest(text: str) -> bytes:
    # A 16-byte digest, not the text: a million exported lines stay a few megabytes of "seen" keys.
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _UniqueRecordFile:
    """A file of records opened on the first one (no file for no records); a record whose key was written
    before is counted in `repeats` and not written again."""

    def __init__(self, path: str):
        self.path, self.handle, self.count, self.repeats = path, None, 0, 0
        self._seen: set[bytes] = set()

    def _is_new(self, key: str | None) -> bool:
        if key is None:
            return True
        digest = _digest(key)
        if digest in self._seen:
            self.repeats += 1
            return False
        self._seen.add(digest)
        return True

    def _open(self) -> bool:
        """Open the file if this is the first record; True when it was."""
        if self.handle is not None:
            return False
        self.handle = open(self.path, "w", encoding="utf-8", newline="\n")
        return True


class JsonArrayWriter(_UniqueRecordFile):
    """A JSON array written one record a line; `key` (optional) deduplicates records."""

    def add(self, record: dict[str, Any], key: str | None = None) -> None:
        if not self._is_new(key):
            return
        opener = "[\n" if self._open() else ",\n"
        self.handle.write(opener)
        self.handle.write(dumps(record))
        self.count += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.write("\n]\n")
            self.handle.close()


class JsonLinesWriter(_UniqueRecordFile):
    """A JSONL file of unique lines (a line written before is counted in `repeats`)."""

    def add(self, line: str) -> None:
        if not self._is_new(line):
            return
        self._open()
        self.handle.write(line + "\n")
        self.count += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
