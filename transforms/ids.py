"""Deterministic ids: the same inputs give the same id on every run, worker and machine."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object, length: int = 32) -> str:
    """A hex id from the parts' text; None and "" are distinct from each other."""
    digest = hashlib.sha256()
    for part in parts:
        token = "\x00none" if part is None else str(part)
        digest.update(token.encode("utf-8"))
        digest.update(b"\x1f")  # separator: ("ab", "c") and ("a", "bc") must differ
    return digest.hexdigest()[:length]
