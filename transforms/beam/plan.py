"""`DayPlan`: everything one day's pipeline needs, as the stages' own configuration objects.

It is pickled to every worker, so it holds plain values and pydantic models only (no clients, no models
loaded); each DoFn builds what it needs from its stage's config in `setup`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from datalake.config import LakeConfig
from transforms.beam.config import RunnerConfig
from transforms.beam.waves import Wave
from transforms.ingest.config import IngestConfig
from transforms.ingest.lines import LogFormat
from transforms.label.judge_config import JudgeConfig
from transforms.scrub.config import ScrubConfig
from transforms.training.policy import TrainingPolicy


@dataclass(frozen=True)
class DayPlan:
    """One date's run: which files, and how each stage is configured."""

    day: date
    run_id: str
    files: tuple[str, ...]
    log_format: LogFormat
    scrub: ScrubConfig
    lake: LakeConfig
    # None = rules only. The judge's call/token budget is split evenly over the runner's workers.
    judge: JudgeConfig | None = None
    policy: TrainingPolicy = field(default_factory=TrainingPolicy)
    runner: RunnerConfig = field(default_factory=RunnerConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    # Late data (transforms.ingest.lateness): the window, the files of the `late_window_days` dates after `day`
    # (read whole: their events may belong to this date's conversations) and of the 2 * late_window_days dates
    # before it (conversation ids only), each as (uri, its log date). Empty: the date's own files only.
    late_window_days: int = 0
    later_files: tuple[tuple[str, date], ...] = ()
    earlier_files: tuple[tuple[str, date], ...] = ()
    # Which of the day's conversations this pipeline processes (transforms.beam.waves): all of them by default.
    wave: Wave = field(default_factory=Wave)
