"""Runner pass-through: any Beam runner and its flags from settings, an args file or the CLI, checked by Beam at
start, never DirectRunner's Prism; every deploy/runners/*.args file builds the options it promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import (
    DirectOptions, FlinkRunnerOptions, GoogleCloudOptions, PortableOptions, SetupOptions, StandardOptions,
    WorkerOptions,
)
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from flows.settings import load_settings
from flywheel.cli import EXIT_CONFIG, EXIT_OK, main
from schemas.errors import ConfigError
from transforms.beam.config import RunnerConfig, parse_beam_args_file
from transforms.beam.options import make_runner, pipeline_flags, pipeline_options

RUNNERS_DIR = Path(__file__).parents[2] / "deploy" / "runners"
IMAGE = "europe-west1-docker.pkg.dev/my-project/flywheel/flywheel-beam-worker:abc1234"
# What a deployment puts in the environment for the ${NAME}s of the args files (deploy/README.md lists them).
DEPLOYMENT_ENV = {
    "GCP_PROJECT": "my-project", "GCP_REGION": "europe-west1", "GCS_BUCKET": "my-flywheel-bucket",
    "DATAFLOW_SERVICE_ACCOUNT": "flywheel-dataflow@my-project.iam.gserviceaccount.com",
    "DATAFLOW_SUBNETWORK": "flywheel-subnet", "BEAM_WORKER_IMAGE": IMAGE, "FLINK_MASTER": "jobmanager:8081",
    "BEAM_JOB_ENDPOINT": "jobserver:8099",
}


@pytest.fixture
def deployment_env(monkeypatch):
    for name, value in DEPLOYMENT_ENV.items():
        monkeypatch.setenv(name, value)


def options_of(args_file: str, **settings):
    config = load_settings(beam_args_file=str(RUNNERS_DIR / args_file), **settings).runner_config
    return config, pipeline_options(config)


def test_dataflow_args_build_dataflow_options_with_the_worker_image(deployment_env):
    config, options = options_of("dataflow.args")
    assert config.runner == "DataflowRunner"
    cloud = options.view_as(GoogleCloudOptions)
    assert (cloud.project, cloud.region) == ("my-project", "europe-west1")
    assert cloud.temp_location == "gs://my-flywheel-bucket/flywheel/tmp"
    assert cloud.staging_location == "gs://my-flywheel-bucket/flywheel/staging"
    assert cloud.job_name is None  # Beam names each job: the dates of a backfill can run at once
    worker = options.view_as(WorkerOptions)
    assert worker.sdk_container_image == IMAGE and worker.use_public_ips is False
    assert worker.subnetwork == "regions/europe-west1/subnetworks/flywheel-subnet"
    # The image holds the project: no sdist built and pip-installed on every worker (the model by name, unhashed).
    assert options.view_as(SetupOptions).setup_file is None
    assert type(make_runner(config)).__name__ == "DataflowRunner"  # loads here, without apache-beam[gcp]


def test_flink_args_build_flink_options_running_python_in_the_worker_image(deployment_env):
    config, options = options_of("flink.args")
    assert config.runner == "FlinkRunner"
    flink = options.view_as(FlinkRunnerOptions)
    assert flink.flink_master == "jobmanager:8081" and flink.flink_submit_uber_jar is True
    assert flink.flink_version in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    portable = options.view_as(PortableOptions)
    assert (portable.environment_type, portable.environment_config) == ("DOCKER", IMAGE)
    assert portable.job_endpoint is None  # FlinkRunner submits the uber jar itself


@pytest.mark.parametrize("args_file", ["flink-job-server.args", "spark.args"])
def test_job_server_args_point_the_portable_runner_at_the_job_server(deployment_env, args_file):
    config, options = options_of(args_file)
    assert config.runner == "PortableRunner"
    portable = options.view_as(PortableOptions)
    # The user's job server replaces the flywheel's local default (embedded job server, LOOPBACK workers).
    assert portable.job_endpoint == "jobserver:8099"
    assert (portable.environment_type, portable.environment_config) == ("DOCKER", IMAGE)
    assert not any(flag.startswith("--job_endpoint=embed") or "LOOPBACK" in flag for flag in pipeline_flags(config))


def test_every_args_file_loads_and_names_the_worker_image(deployment_env):
    files = sorted(RUNNERS_DIR.glob("*.args"))
    assert {f.name for f in files} >= {"dataflow.args", "flink.args", "flink-job-server.args", "spark.args"}
    for path in files:
        config = load_settings(beam_args_file=str(path)).runner_config
        assert config.runner != "FnApiRunner", path.name
        assert IMAGE in " ".join(config.beam_args), f"{path.name} does not run the flywheel's worker image"


def test_an_unset_variable_in_an_args_file_stops_at_start_naming_it_and_the_setting(deployment_env, monkeypatch):
    monkeypatch.delenv("GCS_BUCKET")
    with pytest.raises(ConfigError, match=r"beam_args_file \(FLYWHEEL_BEAM_ARGS_FILE.*GCS_BUCKET is not set"):
        load_settings(beam_args_file=str(RUNNERS_DIR / "dataflow.args"))


def test_args_file_lines_must_be_one_flag_each():
    assert parse_beam_args_file("# c\n\n--a=1\n--b 2\n--switch\n--c='x y'\n--d=$$5\n", {}) == [
        "--a=1", "--b", "2", "--switch", "--c=x y", "--d=$5"]
    for bad, where in [("--a=1\nproject=x\n", "line 2"), ("--a='x\n", "line 1"), ("--a=$\n", "line 1"),
                       ("--a=1 --b=2\n", "line 1"), ("-p x\n", "line 1")]:
        with pytest.raises(ValueError, match=where):
            parse_beam_args_file(bad, {})


def test_an_unreadable_or_unparseable_args_file_is_a_config_error_naming_the_setting(tmp_path):
    with pytest.raises(ConfigError, match=r"beam_args_file .*cannot read"):
        load_settings(beam_args_file=str(tmp_path / "missing.args"))
    bad = tmp_path / "bad.args"
    bad.write_text("--runner=FlinkRunner\nflink_master=host:8081\n")
    with pytest.raises(ConfigError, match=r"beam_args_file .*line 2"):
        load_settings(beam_args_file=str(bad))
    with pytest.raises(ConfigError, match=r"beam_args \(FLYWHEEL_BEAM_ARGS"):
        load_settings(beam_args=["region=europe-west1"])


def test_beam_args_come_from_the_environment_as_a_json_list(monkeypatch):
    monkeypatch.setenv("FLYWHEEL_BEAM_ARGS", '["--runner=PortableRunner", "--job_endpoint=localhost:8099"]')
    settings = load_settings()
    assert settings.runner == "PortableRunner"
    assert pipeline_options(settings.runner_config).view_as(PortableOptions).job_endpoint == "localhost:8099"


def test_a_bad_runner_name_or_direct_runner_stops_at_start_naming_the_setting():
    with pytest.raises(ConfigError, match=r"runner \(FLYWHEEL_RUNNER, --runner\).*unknown Beam runner 'Fnapi2'"):
        load_settings(runner="Fnapi2")
    # DirectRunner tries Prism first (a download since Beam 2.68): refused in every spelling.
    for name in ("DirectRunner", "direct", "apache_beam.runners.direct.direct_runner.DirectRunner"):
        with pytest.raises(ConfigError, match="Prism"):
            load_settings(runner=name)


def test_beam_names_are_accepted_and_settle_on_the_canonical_name():
    assert load_settings(runner="portable").runner == "PortableRunner"
    dotted = load_settings(runner="apache_beam.runners.portability.fn_api_runner.FnApiRunner").runner_config
    assert isinstance(make_runner(dotted), FnApiRunner)
    assert pipeline_options(dotted).view_as(DirectOptions).direct_running_mode == "in_memory"


def test_the_local_default_is_fn_api_runner_in_memory_and_needs_nothing():
    settings = load_settings()
    config = settings.runner_config
    assert (settings.runner, config) == ("FnApiRunner", RunnerConfig())
    assert isinstance(make_runner(config), FnApiRunner)
    direct = pipeline_options(config).view_as(DirectOptions)
    assert (direct.direct_num_workers, direct.direct_running_mode) == (1, "in_memory")
    two = pipeline_options(load_settings(workers=2).runner_config).view_as(DirectOptions)
    assert (two.direct_num_workers, two.direct_running_mode) == (2, "multi_processing")
    portable = pipeline_options(load_settings(runner="PortableRunner").runner_config).view_as(PortableOptions)
    assert (portable.job_endpoint, portable.environment_type) == ("embed", "LOOPBACK")


def test_user_flags_win_over_the_flywheels_defaults_but_not_over_its_settings():
    mode = load_settings(workers=2, beam_args=["--direct_running_mode=multi_threading"]).runner_config
    assert pipeline_options(mode).view_as(DirectOptions).direct_running_mode == "multi_threading"
    docker = load_settings(runner="PortableRunner", beam_args=["--environment_type=DOCKER"]).runner_config
    assert pipeline_options(docker).view_as(PortableOptions).environment_type == "DOCKER"
    # The flags the flywheel derives from its own settings are refused when they disagree with them.
    with pytest.raises(ConfigError, match=r"--direct_num_workers=4 but workers is 2"):
        load_settings(workers=2, beam_args=["--direct_num_workers=4"])
    with pytest.raises(ConfigError, match=r"--runner=SparkRunner but runner is FlinkRunner"):
        load_settings(runner="FlinkRunner", beam_args=["--runner=SparkRunner"])
    # Agreeing is fine, in Beam's spellings too.
    assert load_settings(runner="flink", beam_args=["--runner=FlinkRunner"]).runner == "FlinkRunner"


def test_options_beam_rejects_stop_at_start(deployment_env):
    with pytest.raises(ConfigError, match=r"Beam rejects the options for DataflowRunner: .*project"):
        load_settings(runner="DataflowRunner", beam_args=["--region=europe-west1"])


def test_the_runner_configuration_stays_out_of_the_config_hash(deployment_env):
    plain = load_settings().config_hash()
    assert load_settings(workers=3).config_hash() == plain
    assert load_settings(beam_args_file=str(RUNNERS_DIR / "flink.args"),
                         beam_args=["--parallelism=8"]).config_hash() == plain


def test_cli_builds_dataflow_options_from_the_args_file_without_submitting(deployment_env, capsys):
    code = main(["runner-options", "--runner", "DataflowRunner", "--beam-args-file",
                 str(RUNNERS_DIR / "dataflow.args"), "--beam-arg=--max_num_workers=16",
                 "--beam-arg=--s3_secret_access_key=not-printed"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert "--runner=DataflowRunner" in lines and "--project=my-project" in lines
    assert f"--sdk_container_image={IMAGE}" in lines
    assert lines.index("--max_num_workers=8") < lines.index("--max_num_workers=16")  # the later flag wins
    assert "--s3_secret_access_key=***" in lines and "not-printed" not in out
    assert "nothing was submitted" in err.replace("\n", " ")


def test_cli_refuses_a_bad_runner_before_any_work(capfd, tmp_path):
    assert main(["runner-options", "--runner", "DataflowRunner", "--beam-args-file",
                 str(RUNNERS_DIR / "dataflow.args")]) == EXIT_CONFIG  # its ${GCP_PROJECT} ... are unset here
    assert "GCP_PROJECT is not set" in capfd.readouterr().err.replace("\n", " ")
    assert main(["run", "--date", "2026-11-01", "--runner", "DirectRunner", "--lake", str(tmp_path / "lake")]
                ) == EXIT_CONFIG
    assert "runner (FLYWHEEL_RUNNER, --runner)" in capfd.readouterr().err.replace("\n", " ")
    assert not (tmp_path / "lake").exists()
