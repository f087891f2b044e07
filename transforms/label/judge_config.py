"""The LLM judge's settings (`JudgeConfig`), owned by the label stage.

The flywheel settings (flows/settings.py) carry a `JudgeConfig` as their `judge` field; the client
(`judge.py`) and the prompt (`judge_prompt.py`) read it. Plain pydantic, no I/O.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_RUBRIC = "judge_v1"
# What a packaged rubric's name may look like (anything else must be a path to a .md file).
RUBRIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class JudgeConfig(BaseModel):
    """The judge's settings (built from the flywheel settings by the caller)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    model: str
    # Local servers (vLLM, Ollama, llama.cpp) accept any key; the SDK insists on one.
    api_key: str | None = Field(default=None, repr=False)
    # A rubric name under transforms/label/rubrics/ ("judge_v1"), or a path to a .md file. The file's stem is
    # the rubric version: change the rubric by adding a new file, never by editing one (it keys the cache).
    rubric: str = DEFAULT_RUBRIC
    max_concurrency: int = Field(default=4, ge=1, le=256)
    max_calls: int | None = Field(default=1000, ge=0)
    max_tokens: int | None = Field(default=2_000_000, ge=0)
    timeout_s: float = Field(default=30, gt=0)
    max_retries: int = Field(default=4, ge=0)
    backoff_base_s: float = Field(default=0.5, ge=0)
    # Longest wait a Retry-After header may impose, and the cap on exponential backoff.
    max_backoff_s: float = Field(default=30.0, ge=0)
    calibration_rate: float = Field(default=0.05, ge=0, le=1)
    seed: int = 0
    # Sent with every request when not None (some reasoning models only accept their default).
    temperature: float | None = 0.0
    # Completion cap per request (sent as `max_tokens`); None = the server's default.
    max_output_tokens: int | None = Field(default=1024, ge=1)

    # Circuit breaker: after this many turns in a row failed because the endpoint was unreachable
    # (connection refused, timeouts, 429/5xx after all retries, 401/403/404), the Judge stops calling for
    # the rest of the run and marks the remaining turns judge_failed (rules labels kept). The count is per
    # Judge, i.e. per worker. None = never stop (every turn pays its full retries).
    max_consecutive_failures: int | None = Field(default=5, ge=1)
    # A run whose breaker opened fails (nothing published, old partitions kept) instead of publishing a
    # rules-only day. Off by default: a judge outage degrades to rules only, and the summary says so.
    fail_run_on_outage: bool = False

    # The judge's free text is untrusted input. A rationale longer than this is cut (it is provenance, never
    # trained on); a corrected answer longer than this is discarded, not cut (a cut answer would teach the
    # model to stop mid-sentence). Both stay within JudgeVerdict's schema ceilings (500 / 20,000).
    max_rationale_chars: int = Field(default=500, ge=1, le=500)
    max_corrected_answer_chars: int = Field(default=4000, ge=1, le=20_000)

    @field_validator("base_url", "model")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value or not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("rubric")
    @classmethod
    def _rubric_name(cls, value: str) -> str:
        if not value.endswith(".md") and not RUBRIC_NAME.match(value):
            raise ValueError("a rubric name (letters, digits, _ . -) or a path to a .md file")
        return value

    @property
    def rubric_version(self) -> str:
        return Path(self.rubric).stem if self.rubric.endswith(".md") else self.rubric
