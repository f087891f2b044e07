"""Deterministic ids: the same inputs give the same id on every run, worker and machine."""

from __future__ import annotations

import hashlib
import hmac


def stable_id(*parts: object, length: int = 32) -> str:
    """A hex id from the parts' text; None and "" are distinct from each other."""
    digest = hashlib.sha256()
    for part in parts:
        token = "\x00none" if part is None else str(part)
        digest.update(token.encode("utf-8"))
        digest.update(b"\x1f")  # separator: ("ab", "c") and ("a", "bc") must differ
    return digest.hexdigest()[:length]


def pseudonym(kind: str, value: str, key: str | None = None, length: int = 32) -> str:
    """A one-way id for a value that identifies a person (a user id, an id holding an email).

    With ``key`` (setting ``id_hash_key``) it is an HMAC-SHA256: nobody without the key can confirm a
    guessed value by hashing it. Without a key it is :func:`stable_id`, which anyone can recompute.
    """
    if not key:
        return stable_id(kind, value, length=length)
    message = f"{kind}\x1f{value}".encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:length]
