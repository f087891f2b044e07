"""Shared fixtures. One Prefect test harness per session: its temporary server takes ~15 s to start."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")



@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def regex_scrubber():
    from transforms.scrub import Scrubber

    return Scrubber(mode="regex")
