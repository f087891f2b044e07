"""The lake's configuration: where the analyst tree and the quarantine live and how partitions are split into files.

`flows.settings.Settings` keeps the flat names (lake_uri, quarantine_uri, shards, file_mb: FLYWHEEL_LAKE_URI,
--lake, ...) typed with the aliases here; `Settings.lake` builds a `LakeConfig`.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_SHARDS = 1024
# Parquet files per partition: rows are spread by a hash of the conversation id.
Shards = Annotated[int, Field(ge=1, le=MAX_SHARDS)]
# Target size of one partition file, in MB of its rows as uncompressed Arrow data (the Parquet file is several
# times smaller). It is also about what one writer holds in memory, so a day 10x larger makes 10x the files,
# not a 10x larger writer.
FileMB = Annotated[int, Field(ge=1, le=4096)]


class LakeConfig(BaseModel):
    """Where a run writes: the lake (Parquet partitions, manifests) and the quarantine (raw rejected lines,
    owner-only, outside the lake), and how many files each partition is split into: `shards` when set, else
    as many as the partition's size needs at `file_mb` per file (a small day: one file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lake_uri: str
    quarantine_uri: str
    shards: Shards | None = None
    file_mb: FileMB = 64

    def shards_for(self, data_bytes: int) -> int:
        """Files for a partition of `data_bytes` (uncompressed Arrow bytes of its rows): `shards` when set."""
        return self.shards if self.shards is not None else self.files_for(data_bytes)

    def files_for(self, data_bytes: int) -> int:
        """Files of `file_mb` MB each for `data_bytes` of data, at least one."""
        return min(max(1, math.ceil(data_bytes / (self.file_mb * 1_000_000))), MAX_SHARDS)
