"""Issue 9, the operator's side of Prefect: scheduled dates and catch-up, retries, logs in the API, bounded
backfills, `flywheel serve`. On the session's Prefect test harness (a real, temporary Prefect server)."""

from __future__ import annotations

import gzip
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import uuid4

import pytest
import yaml

from datalake.manifests import read_manifests, write_manifest
from flows import tasks as flow_tasks
from flows.backfill import backfill, backfill_flow
from flows.day import process_day
from flows.nightly import dates_to_catch_up, nightly_flow, scheduled_day
from flows.retry import is_transient
from flows.settings import SettingsOverrides, load_settings
from flows.tasks import DayFailed, process_day_task
from flywheel.cli import EXIT_CONFIG, main
from flywheel.sample_logs import generate_logs
from schemas.errors import FlywheelError
from schemas.outputs import RunManifest
from transforms.beam.judge import JudgeOutage

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
D = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]


@pytest.fixture
def lake(tmp_path):
    """Logs for D (6 conversations a day, events format), an empty lake, regex scrubbing (fast)."""
    logs = generate_logs(tmp_path / "logs", D, 6, seed=11, gzip=False)
    overrides = SettingsOverrides(source_uri=str(tmp_path / "logs"), lake_uri=str(tmp_path / "lake"),
                                  quarantine_uri=str(tmp_path / "quarantine"), scrub_mode="regex", shards=1)
    return overrides, logs


@pytest.fixture
def no_retry_wait(monkeypatch):
    """Retries at once: the backoff is what production wants, not what a test should sleep through."""
    monkeypatch.setattr(process_day_task, "retry_delay_seconds", [0, 0, 0])
    monkeypatch.setattr(process_day_task, "retry_jitter_factor", None)


def _manifest(day: date, status: str = "succeeded", transient: bool = False) -> RunManifest:
    return RunManifest(run_id=f"{day}_{uuid4().hex[:8]}", flow="test", dt=day.isoformat(), status=status,
                       started_at=datetime.now(timezone.utc), config_hash="test", judge_mode="rules-only",
                       error="boom" if status == "failed" else None, transient=transient)


# ------------------------------------------------------------------ the scheduled time decides the date; catch-up

def test_the_scheduled_time_decides_the_date_and_a_missed_night_is_caught_up(prefect_harness, lake):
    """A deployment run scheduled for 02:00 on 3 Nov (and started now, weeks later) processes 2 Nov, and first
    1 Nov, which has logs but no complete run; 31 Oct is complete and left alone."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.deployments import run_deployment
    from prefect.flow_engine import run_flow
    from prefect.logging.handlers import APILogHandler

    overrides, logs = lake
    settings = load_settings(overrides)
    assert process_day(settings, D[0]).status == "succeeded"  # 31 Oct: a night that ran

    nightly_flow.to_deployment(name="schedule-test").apply()
    scheduled = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)
    flow_run = run_deployment("flywheel-nightly/schedule-test", scheduled_time=scheduled, timeout=0,
                              as_subflow=False, parameters={"overrides": overrides.model_dump(exclude_none=True)})
    assert flow_run.state.is_scheduled()
    # What a worker does with the run once it is due: execute it (here in this process).
    result = run_flow(nightly_flow, flow_run=flow_run, parameters=flow_run.parameters)

    assert result.dt == "2026-11-02" and result.status == "succeeded"
    nightly = [m for m in read_manifests(overrides.lake_uri) if m.flow == "nightly"]
    assert [m.dt for m in nightly] == ["2026-11-01", "2026-11-02"]  # oldest first, 31 Oct not rerun

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run.id)
        assert run.name == "nightly-2026-11-02" and run.state.is_completed()
        assert run.expected_start_time == scheduled
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])))
        names = sorted(t.name for t in task_runs)
        assert [n for n in names if n.startswith("process-")] == ["process-2026-11-01", "process-2026-11-02"]
        assert [n for n in names if n.startswith("purge-quarantine")]  # retention runs every night too

        # The flywheel logger's lines are in the run's logs in the API (what the UI shows) ...
        APILogHandler().flush()  # the batch of logs the worker thread still holds
        deadline = time.monotonic() + 10
        while True:
            records = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
            flywheel_lines = [r.message for r in records if r.name == "flywheel"]
            if any("committed 2026-11-02" in m for m in flywheel_lines) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert any("committed 2026-11-01" in m for m in flywheel_lines), flywheel_lines
    assert any("committed 2026-11-02" in m for m in flywheel_lines), flywheel_lines
    # ... and, like everything the flywheel logs, hold counts, never log content.
    for pii in logs.planted_pii:
        assert not any(pii.value in r.message for r in records)


def test_scheduled_day_is_taken_in_the_configured_timezone(monkeypatch):
    import prefect.runtime.flow_run

    # Stands in for a flow run scheduled then (Prefect 3.9 has no env override for this attribute).
    monkeypatch.setattr(prefect.runtime.flow_run, "scheduled_start_time",
                        datetime(2026, 11, 2, 20, 0, tzinfo=timezone.utc), raising=False)
    assert scheduled_day("UTC") == date(2026, 11, 1)
    assert scheduled_day("Asia/Shanghai") == date(2026, 11, 2)  # 04:00 on 3 Nov there


def test_catch_up_is_bounded_and_skips_dates_that_failed_on_their_data(lake, monkeypatch):
    overrides, _ = lake
    settings = load_settings(overrides)
    today = date(2026, 11, 3)
    assert dates_to_catch_up(settings, today) == D  # logs, no run: all of them, oldest first

    write_manifest(settings.lake_uri, _manifest(D[0], "failed", transient=False))  # bad data: needs an operator
    write_manifest(settings.lake_uri, _manifest(D[1], "failed", transient=True))  # storage hiccup: try again
    assert dates_to_catch_up(settings, today) == D[1:]

    monkeypatch.setenv("FLYWHEEL_CATCH_UP_DAYS", "1")
    assert dates_to_catch_up(load_settings(overrides), today) == [D[2]]
    monkeypatch.setenv("FLYWHEEL_CATCH_UP_DAYS", "0")
    assert dates_to_catch_up(load_settings(overrides), today) == []


# ------------------------------------------------------------------------------------------------------ retries

def test_a_transient_failure_is_retried_and_bad_data_is_not(prefect_harness, lake, monkeypatch, no_retry_wait):
    import flows.day

    overrides, _ = lake
    real_pipeline = flows.day.run_day
    calls: list[str] = []

    def storage_times_out_once(plan, **kwargs):
        calls.append("call")
        if len(calls) == 1:
            raise TimeoutError("object store timed out")
        return real_pipeline(plan, **kwargs)

    monkeypatch.setattr(flows.day, "run_day", storage_times_out_once)
    manifest = nightly_flow(D[1], overrides)
    assert manifest.status == "succeeded" and len(calls) == 2
    runs = sorted((m for m in read_manifests(overrides.lake_uri) if m.dt == "2026-11-01"), key=lambda m: m.started_at)
    assert [(m.status, m.error_type, m.transient) for m in runs] == [("failed", "TimeoutError", True),
                                                                      ("succeeded", None, False)]

    class BadData(FlywheelError):
        """A vetted data problem (a guard rail, a truncated file): the same input fails the same way."""

    def bad_data(plan, **kwargs):
        calls.append("call")
        raise BadData("every line quarantined")

    calls.clear()
    monkeypatch.setattr(flows.day, "run_day", bad_data)
    with pytest.raises(DayFailed, match="every line quarantined") as failed:
        nightly_flow(D[2], overrides)
    assert type(failed.value) is DayFailed and len(calls) == 1  # not retried
    (last,) = [m for m in read_manifests(overrides.lake_uri) if m.dt == "2026-11-02"]
    assert (last.status, last.error_type, last.transient) == ("failed", "BadData", False)


def test_which_errors_are_transient():
    assert is_transient(ConnectionResetError()) and is_transient(TimeoutError()) and is_transient(OSError(5, "EIO"))
    assert is_transient(JudgeOutage("judge endpoint down"))
    wrapped = RuntimeError("beam wrapped it")
    wrapped.__cause__ = ConnectionError()
    assert is_transient(wrapped)
    for permanent in (FileNotFoundError(), PermissionError(), gzip.BadGzipFile(), EOFError(), ValueError(),
                      FlywheelError("bad data"), KeyError("x")):
        assert not is_transient(permanent), permanent


# ---------------------------------------------------------------------------------------- bounded backfill

def _count_concurrency(monkeypatch) -> dict[str, int]:
    """Replace process_day by a slow stand-in that records how many dates ran at once."""
    state = {"now": 0, "max": 0, "calls": 0}
    lock = threading.Lock()

    def slow_day(settings, day, flow="manual", **options):
        with lock:
            state["now"] += 1
            state["calls"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.4)
        with lock:
            state["now"] -= 1
        return _manifest(day)

    monkeypatch.setattr(flow_tasks, "process_day", slow_day)
    return state


def test_the_backfill_deployment_honours_backfill_concurrency(prefect_harness, lake, monkeypatch):
    overrides, _ = lake
    state = _count_concurrency(monkeypatch)
    monkeypatch.setenv("FLYWHEEL_BACKFILL_CONCURRENCY", "2")
    # The deployment's entrypoint as decorated (Prefect's default task runner), as a worker runs it.
    manifests = backfill_flow(date(2026, 11, 1), date(2026, 11, 6), overrides=overrides)
    assert len(manifests) == 6 and state["calls"] == 6 and state["max"] == 2

    state.update(now=0, max=0, calls=0)
    backfill(date(2026, 11, 1), date(2026, 11, 4), concurrency=1, overrides=overrides)  # the CLI's path
    assert state["calls"] == 4 and state["max"] == 1


# ---------------------------------------------------------------------------------------------------- serve

def test_serve_honours_tz_and_never_replaces_a_prefect_deploy_deployment(prefect_harness, lake, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    overrides, _ = lake
    served: dict = {}
    monkeypatch.setattr(nightly_flow, "serve", lambda **kwargs: served.update(kwargs))  # serve blocks forever

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name="flywheel-pool", type="process"))
        except ObjectAlreadyExists:
            pass
    # What `prefect deploy` leaves: the nightly deployment on the work pool.
    nightly_flow.to_deployment(name="nightly", work_pool_name="flywheel-pool").apply()

    flags = ["--lake", overrides.lake_uri, "--scrub-mode", "regex"]
    assert main(["serve", "--name", "nightly", *flags]) == EXIT_CONFIG and not served
    with get_client(sync_client=True) as client:
        assert client.read_deployment_by_name("flywheel-nightly/nightly").work_pool_name == "flywheel-pool"

    assert main(["serve", "--tz", "Europe/Berlin", "--cron", "30 1 * * *", *flags]) == 0
    assert served["name"] == "nightly-served"
    (schedule,) = served["schedules"]
    assert (schedule.cron, schedule.timezone) == ("30 1 * * *", "Europe/Berlin")
    assert served["parameters"] == {"overrides": {"lake_uri": overrides.lake_uri, "scrub_mode": "regex"}}

    served.clear()
    assert main(["serve", "--timezone", "Asia/Shanghai", *flags]) == 0  # no --tz: the dates' timezone
    assert served["schedules"][0].timezone == "Asia/Shanghai"


# ------------------------------------------------------------------------------------------------ deploy files

def test_the_failure_automation_is_a_valid_prefect_automation(prefect_harness):
    from prefect.automations import Automation

    text = (DEPLOY / "automations" / "notify-on-failure.yaml").read_text()
    spec = yaml.safe_load(text.replace("<notification-block-id>", str(uuid4())))
    automation = Automation.model_validate(spec).create()  # what `prefect automation create -f` sends
    assert automation.id and automation.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert automation.actions[0].type == "send-notification"
    automation.delete()
