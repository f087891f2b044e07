"""The lake's configuration: where the analyst tree and the quarantine live and how partitions are sharded.

`flows.settings.Settings` keeps the flat names (lake_uri, quarantine_uri, shards: FLYWHEEL_LAKE_URI, --lake,
...) typed with the aliases here; `Settings.lake` builds a `LakeConfig`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Parquet files per partition: rows are spread by a hash of the conversation id.
Shards = Annotated[int, Field(ge=1, le=1024)]


class LakeConfig(BaseModel):
    """Where a run writes: the lake (Parquet partitions, manifests) and the quarantine (raw rejected lines,
    owner-only, outside the lake), and how many files each partition is split into."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lake_uri: str
    quarantine_uri: str
    shards: Shards = 2
