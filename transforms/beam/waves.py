"""Waves: a large day run as several pipelines, each over one hash bucket of its conversations.

FnApiRunner (the local runner) holds every shuffle of a pipeline in memory, so one pipeline over a whole
day needs memory in proportion to the day. A day whose own input is larger than `RunnerConfig.wave_mb`
therefore runs in `count` waves: wave `index` keeps the conversations whose id hashes to it
(`wave_of`), so each pipeline holds about 1/count of the day; then the SFT and preference candidates every
wave staged are curated together, in passes that never hold the whole day either
(transforms.beam.curation_waves: dedup needs the whole day's rows, but only their keys at once). Every conversation lands in exactly one wave, and nothing a
conversation becomes depends on the others until curation, so the rows are those of one pipeline; only
their split into files differs (each wave writes its own files: `datalake.tables.shard_file_name`).

Every wave reads every file of the day (its events are filtered, not pre-split): the first wave alone
counts the files' lines, keeps their bad lines and reports how each file's reading ended, so the run's
counts reconcile as for one pipeline.

Runners that spill shuffles to disk (Dataflow, Flink, Spark) need none of this: there `wave_mb` is off
unless set.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Wave:
    """Wave `index` of `count` (0 of 1: the whole day in one pipeline)."""

    index: int = 0
    count: int = 1

    def __post_init__(self):
        if not 0 <= self.index < self.count:
            raise ValueError(f"wave {self.index} of {self.count}")

    @property
    def first(self) -> bool:
        """The wave that counts the files' lines and keeps their bad lines (see the module docstring)."""
        return self.index == 0

    def holds(self, conversation_id: str) -> bool:
        return self.count == 1 or wave_of(conversation_id, self.count) == self.index

    @property
    def name(self) -> str:
        """How this wave's files are told apart from the other waves' ("" for a day in one wave)."""
        return "" if self.count == 1 else f"w{self.index:03d}of{self.count:03d}"


def wave_of(conversation_id: str, count: int) -> int:
    """A conversation's wave: a stable hash (Python's hash() is salted per process), the same on every worker."""
    return zlib.crc32(conversation_id.encode("utf-8")) % count


def waves_for(input_bytes: int, wave_mb: float) -> int:
    """How many waves a day of `input_bytes` (uncompressed) needs: one per `wave_mb` MB; 0 = always one."""
    if wave_mb <= 0 or input_bytes <= 0:
        return 1
    return max(1, math.ceil(input_bytes / (wave_mb * 1024 * 1024)))
