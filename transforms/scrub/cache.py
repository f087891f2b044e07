"""A bounded, thread-safe least-recently-used map with hit / miss counts.

The scrubber keeps three of these per worker: detections per whole text, spaCy NER entities per
sentence, and jieba POS cuts per run of Chinese characters. Real chat logs repeat at every one of
those levels (system prompts, templated prompts, boilerplate sentences in answers), and each
result depends only on its key, so a hit is exactly what a fresh computation would return.
Texts and sentences are keyed by their digest (:func:`_digest`), not held twice.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Generic, Hashable, Optional, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """At most ``max_entries`` entries (0 disables the cache: every ``get`` misses, ``put`` keeps
    nothing). Values must be treated as immutable by callers: a hit returns the stored object."""

    def __init__(self, max_entries: int):
        if max_entries < 0:
            raise ValueError(f"max_entries must be >= 0, got {max_entries}")
        self.max_entries = int(max_entries)
        self.hits = 0
        self.misses = 0
        self._data: "OrderedDict[Hashable, V]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Optional[V]:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        if self.max_entries == 0 or value is None:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def _digest(text: str) -> bytes:
    """The cache key of a text or sentence: 16 bytes of BLAKE2b (lone surrogates of broken logs kept)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
