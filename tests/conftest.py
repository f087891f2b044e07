"""Shared fixtures and the suite's markers.

Tests mirror the code: tests/<stage>/ holds the tests of transforms/<stage>/ (ingest, scrub, label, training),
tests/beam/ the Beam layer, tests/lake/, tests/export/ and tests/sql/ the lake package, the exports and the catalog, tests/flows/ the
Prefect flows, tests/e2e/ whole runs through the CLI. Each test gets the marker of its layer from its folder,
so `pytest -m unit` runs the plain-Python stage tests alone in seconds; `make test` still runs everything.

One Prefect test harness per session: its temporary server takes ~15 s to start.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")



# Folder under tests/ -> the layer marker its tests carry (declared in pyproject.toml).
LAYER_OF_FOLDER = {
    "ingest": "unit", "scrub": "unit", "label": "unit", "training": "unit", "sample_logs": "unit",
    "beam": "pipeline", "lake": "lake", "sql": "lake", "export": "lake", "reports": "lake", "reviews": "lake",
    "flows": "flow", "e2e": "e2e",
}
TESTS_ROOT = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(item.fspath).relative_to(TESTS_ROOT).parts[0]
        item.add_marker(LAYER_OF_FOLDER.get(folder, "unit"))


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def regex_scrubber():
    from transforms.scrub.scrubber import Scrubber

    return Scrubber(mode="regex")
