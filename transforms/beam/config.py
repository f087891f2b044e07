"""The Beam runner's configuration: which runner, how many local workers, the runner's own flags (`RunnerConfig`).

Performance knobs only: they never change the rows written (so `Settings.config_hash` leaves them out).
`flows.settings.Settings` keeps the flat names (runner, workers, beam_args_file, beam_args, wave_mb:
FLYWHEEL_RUNNER, --workers, --beam-args-file, --beam-arg, --wave-mb, ...), reads the args file with
`read_beam_args_file` and builds the object (`Settings.runner_config`). No apache_beam import: settings load
without it. `transforms.beam.options` turns a RunnerConfig into Beam's PipelineOptions and runner, and checks it
against Beam.

Beam flags ("beam args") are written as on Beam's own command line, one flag per line in a file or per item in a
list: `--name=value`, `--name value` or a bare `--switch`. In a file, `#` starts a comment line and `${NAME}` is
replaced by the environment variable NAME (`$$` is a literal `$`), so one file serves every deployment.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from string import Template
from typing import Annotated, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

# FnApiRunner runs on this machine without downloading anything (never DirectRunner: since Beam 2.68 it tries
# Prism first, a binary fetched from the internet).
LOCAL_RUNNER = "FnApiRunner"
# A Beam runner's name (FnApiRunner, PortableRunner, DataflowRunner, FlinkRunner, SparkRunner, ...; Beam also
# takes "dataflow", "flink", ...) or the dotted path of a PipelineRunner class: transforms.beam.options checks it.
BeamRunner = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")]
# 1 worker runs in memory; more run as that many processes (multi_processing mode) on the local runners. On a
# cluster the runner's own flags size it (--max_num_workers, --parallelism); `workers` still splits the judge's
# budget, so set it to the cluster's worker count there.
Workers = Annotated[int, Field(ge=1, le=64)]
# A day whose own input is larger than this many MB (uncompressed) runs in waves (transforms.beam.waves): one
# pipeline per hash bucket of its conversations, so the local runner, which holds every shuffle in memory, needs
# about as much memory for a day 10x larger. 0 = one pipeline whatever the size. Unset: DEFAULT_LOCAL_WAVE_MB on
# the local runner, 0 on any other (Dataflow, Flink and Spark spill their shuffles to disk: waves would only
# repeat the job's start-up).
WaveMB = Annotated[float, Field(ge=0, le=1_000_000)]
DEFAULT_LOCAL_WAVE_MB = 8


class RunnerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    runner: BeamRunner = LOCAL_RUNNER
    workers: Workers = 1
    # The runner's own flags, in order: a later flag wins over an earlier one (and over the flywheel's defaults).
    beam_args: tuple[str, ...] = ()
    wave_mb: WaveMB | None = None

    @property
    def effective_wave_mb(self) -> float:
        if self.wave_mb is not None:
            return self.wave_mb
        return DEFAULT_LOCAL_WAVE_MB if runner_key(self.runner) == runner_key(LOCAL_RUNNER) else 0

    @model_validator(mode="after")
    def _flags_agree_with_settings(self) -> RunnerConfig:
        # A flag that the flywheel derives from one of its own settings must not silently say something else.
        named = flag_value(self.beam_args, "runner")
        if named is not None and runner_key(named) != runner_key(self.runner):
            raise ValueError(f"the beam args say --runner={named} but runner is {self.runner}: give the runner once"
                             " (the runner setting, or --runner in the beam args), or make them agree")
        processes = flag_value(self.beam_args, "direct_num_workers")
        if processes is not None and processes != str(self.workers):
            raise ValueError(f"the beam args say --direct_num_workers={processes} but workers is {self.workers}: "
                             "set the workers setting (FLYWHEEL_WORKERS, --workers) instead")
        return self


def runner_key(name: str) -> str:
    """How Beam matches runner names: case-insensitive, "Runner" optional (dataflow = DataflowRunner)."""
    return name.rsplit(".", 1)[-1].lower().removesuffix("runner")


def flag_value(beam_args: Sequence[str], name: str) -> str | None:
    """The value the last `--name` in `beam_args` gives (Beam parses flags with argparse: the last one wins);
    None when absent. `--name=value` and `--name value` alike; a bare switch gives ""."""
    value = None
    for i, token in enumerate(beam_args):
        if token == f"--{name}":
            following = beam_args[i + 1] if i + 1 < len(beam_args) else ""
            value = "" if following.startswith("--") else following
        elif token.startswith(f"--{name}="):
            value = token.split("=", 1)[1]
    return value


ONE_FLAG = "expected one flag: '--name=value', '--name value' or '--switch'"


def parse_beam_arg(text: str) -> list[str]:
    """One flag as written on a line (or a list item) -> its tokens; ValueError saying what is expected (without
    quoting the text: the caller says where it was)."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:  # an unclosed quote
        raise ValueError(f"{ONE_FLAG} ({exc})") from None
    if not tokens or not tokens[0].startswith("--") or len(tokens[0]) < 3 or len(tokens) > 2 or (
            len(tokens) == 2 and "=" in tokens[0]):
        raise ValueError(ONE_FLAG)
    return tokens


def parse_beam_args_file(text: str, environ: Mapping[str, str]) -> list[str]:
    """The flags of an args file's text (one per line, `#` comment lines, `${NAME}` from `environ`) as tokens.
    ValueError naming the line: a line that is not one flag, an unset variable, a stray `$`."""
    tokens: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            tokens += parse_beam_arg(Template(line).substitute(environ))
        except KeyError as exc:
            raise ValueError(f"line {number}: environment variable {exc.args[0]} is not set") from None
        except ValueError as exc:  # Template: a `$` not followed by a name; parse_beam_arg: not one flag
            raise ValueError(f"line {number} ({line!r}): {exc}") from None
    return tokens


def read_beam_args_file(path: str, environ: Mapping[str, str]) -> list[str]:
    """The flags of the args file at `path` (a local file): see parse_beam_args_file. ValueError when unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_beam_args_file(text, environ)
