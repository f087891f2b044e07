"""Beam's PipelineOptions and runner for a `RunnerConfig` (transforms.beam.config), checked by Beam at start.

The flags a pipeline runs with, in this order (Beam parses them with argparse: a later flag wins):

    the flywheel's  --runner=NAME (unless the beam args carry it), and for the runners that run on this machine:
                      FnApiRunner     --direct_num_workers=N --direct_running_mode=in_memory (N=1) | multi_processing
                      PortableRunner  --job_endpoint=embed --environment_type=LOOPBACK --direct_num_workers=N
                                      (only when the beam args give no --job_endpoint: then the user's job server
                                      and environment, or Beam's defaults, apply)
    the user's      the beam args: the args file's, then FLYWHEEL_BEAM_ARGS / --beam-arg

So a user flag overrides the flywheel's defaults (e.g. --direct_running_mode=multi_threading), except the two
the flywheel derives from its own settings: --runner (the runner setting) and --direct_num_workers (workers), which
RunnerConfig refuses when they disagree. DirectRunner is refused: since Beam 2.68 it first tries Prism, a binary
downloaded from the internet, and falls back silently when offline; FnApiRunner is the local runner (PrismRunner
can still be named on purpose).

`check_runner_config` runs at start (flows.settings: every Settings whose runner is not the local default or that
has beam args): the runner must be one Beam knows (a name or a PipelineRunner class's dotted path), and Beam's own
option validator must accept the options (Dataflow: project, region, gs:// temp_location, ...). Nothing is
submitted and nothing is downloaded: job servers, jars and containers are only touched when a pipeline runs. (Beam's
Dataflow checks may look at Cloud Storage when apache-beam[gcp] is installed: the temp bucket's soft-delete policy,
or a default bucket when no --temp_location is given.)
"""

from __future__ import annotations

import re

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.options.pipeline_options_validator import PipelineOptionsValidator
from apache_beam.runners.direct.direct_runner import SwitchingDirectRunner
from apache_beam.runners.runner import PipelineRunner, create_runner

from transforms.beam.config import RunnerConfig, flag_value, runner_key

# Values not to print (flywheel runner-options): Beam's S3 and Azure options take keys and secrets as flags.
SECRET_FLAG = re.compile(r"secret|password|token|access_key|connection_string", re.IGNORECASE)


def resolve_runner(name: str) -> tuple[str, PipelineRunner]:
    """(the runner's canonical name, a new instance of it); ValueError for an unknown or refused runner."""
    known = {runner_key(n): n for n in StandardOptions.KNOWN_RUNNER_NAMES}
    canonical = name if "." in name else known.get(runner_key(name))
    if canonical is None:
        usable = [n for n in StandardOptions.KNOWN_RUNNER_NAMES if "Direct" not in n or n.startswith("BundleBased")]
        raise ValueError(f"unknown Beam runner {name!r}: use one of {', '.join(usable)}, or the dotted path of a "
                         "PipelineRunner class")
    try:
        runner = create_runner(canonical)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(f"cannot load Beam runner {name!r}: {exc}") from None
    if not isinstance(runner, PipelineRunner):
        raise ValueError(f"{name!r} is not a Beam PipelineRunner")
    if isinstance(runner, SwitchingDirectRunner):
        raise ValueError(f"{name} first tries Prism, a binary downloaded from the internet (Beam 2.68+), and falls "
                         f"back silently when offline: use {RunnerConfig().runner} (or PrismRunner, on purpose)")
    return canonical, runner


def flywheel_flags(config: RunnerConfig) -> list[str]:
    """The flags the flywheel sets for `config.runner` before the user's (see the module docstring)."""
    # The runner as a flag too, so the options say what runs (unless the beam args say it already: they agree).
    flags = [] if flag_value(config.beam_args, "runner") is not None else [f"--runner={config.runner}"]
    key = runner_key(config.runner)
    if key == "fnapi":
        mode = "multi_processing" if config.workers > 1 else "in_memory"
        flags += [f"--direct_num_workers={config.workers}", f"--direct_running_mode={mode}"]
    elif key == "portable" and flag_value(config.beam_args, "job_endpoint") is None:
        # The embedded job server and loopback workers: the portable job API without Docker or a download.
        flags += ["--job_endpoint=embed", "--environment_type=LOOPBACK", f"--direct_num_workers={config.workers}"]
    return flags


def pipeline_flags(config: RunnerConfig) -> list[str]:
    """Every flag the pipeline runs with: the flywheel's, then the user's (a later one wins)."""
    return flywheel_flags(config) + list(config.beam_args)


def pipeline_options(config: RunnerConfig) -> PipelineOptions:
    return PipelineOptions(pipeline_flags(config))


def make_runner(config: RunnerConfig) -> PipelineRunner:
    """The runner object (always given to beam.Pipeline explicitly: never Beam's default, DirectRunner)."""
    return resolve_runner(config.runner)[1]


def check_runner_config(config: RunnerConfig) -> RunnerConfig:
    """`config` with its runner's canonical name, once Beam knows the runner and its validator accepts the options;
    ValueError listing what Beam objects to. Submits nothing, downloads nothing."""
    canonical, runner = resolve_runner(config.runner)
    config = config.model_copy(update={"runner": canonical})
    problems = PipelineOptionsValidator(pipeline_options(config), runner).validate()
    if problems:
        raise ValueError(f"Beam rejects the options for {canonical}: " + " ".join(p.strip() for p in problems))
    return config


def printable_flags(config: RunnerConfig) -> list[str]:
    """pipeline_flags with the values of secret-looking flags masked, one flag per item (args-file style)."""
    lines: list[str] = []
    for token in pipeline_flags(config):
        if token.startswith("--") or not lines:
            lines.append(token)
        else:  # the value of a `--name value` flag
            lines[-1] += f" {token}"
    names = [line.split("=", 1)[0].split()[0] for line in lines]
    return [f"{name}=***" if SECRET_FLAG.search(name) else line for name, line in zip(names, lines)]
