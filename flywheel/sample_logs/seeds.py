"""Seeds, random ids and the clock of the sample-log generator.

Everything random in the generator flows from the run seed through `derive` (one seeded `random.Random`
per purpose and day), so the same seed gives byte-identical files. Timestamps are integer microseconds
since the epoch until a line is written.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = 1_000_000
DAY_US = 86_400 * US


def derive(seed: int, *parts: object) -> int:
    """A 64-bit seed from the run seed and a purpose; stable across processes (no hash())."""
    text = ":".join([str(seed), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def to_datetime(ts_us: int) -> datetime:
    return EPOCH + timedelta(microseconds=ts_us)


def iso_ms(ts_us: int) -> str:
    d = to_datetime(ts_us)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def random_hex(rng: random.Random, bits: int = 64) -> str:
    """A random id of bits/4 hex digits, drawn from rng (so it is part of the seeded stream)."""
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


# Relative traffic per UTC hour: Chinese users peak around 01-10 UTC, American users around 14-03 UTC.
_HOURLY = (7, 6, 6, 7, 7, 7, 7, 6, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10, 9, 8, 8, 8, 8, 7)
_HOURLY_CUM = [0]
for _w in _HOURLY:
    _HOURLY_CUM.append(_HOURLY_CUM[-1] + _w)
# Conversations start at least this long before midnight, then get squeezed into the day if needed.
_LAST_START_S = 86_400 - 300


def start_offset_us(i: int, n: int, rng: random.Random) -> int:
    """Start of the i-th of n conversations, nondecreasing in i, following the diurnal curve."""
    u = (i + rng.random()) / n * _HOURLY_CUM[-1]
    h = min(bisect.bisect_right(_HOURLY_CUM, u) - 1, 23)
    hours = h + (u - _HOURLY_CUM[h]) / _HOURLY[h]
    return int(hours * 3600 / 86_400 * _LAST_START_S * US)
