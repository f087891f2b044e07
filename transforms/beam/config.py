"""The Beam runner's configuration: which runner and how many workers (`RunnerConfig`).

Performance knobs only: they never change the rows written (so `Settings.config_hash` leaves them out).
`flows.settings.Settings` keeps the flat names (runner, workers: FLYWHEEL_RUNNER, --workers, ...) typed with
the aliases here; `Settings.runner_config` builds the object. No apache_beam import: settings load without it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# FnApiRunner runs on this machine without downloading anything; PortableRunner with an embedded job server
# exercises the same portable path Flink/Spark/Dataflow use.
BeamRunner = Literal["FnApiRunner", "PortableRunner"]
# 1 worker runs in memory; more run as that many processes (multi_processing mode).
Workers = Annotated[int, Field(ge=1, le=64)]


class RunnerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    runner: BeamRunner = "FnApiRunner"
    workers: Workers = 1
