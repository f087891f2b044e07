"""Fixtures of the scrub tests: one scrubber of each mode for the whole session.

Loading the Presidio scrubber (spaCy + jieba) takes seconds, and the tests only read from it (a test
that changes a setting does so through ``monkeypatch``), so every test file shares the same two.
"""

from __future__ import annotations

import pytest
from faker import Faker

from transforms.scrub.scrubber import Scrubber


@pytest.fixture(scope="session")
def presidio() -> Scrubber:
    return Scrubber("presidio")


@pytest.fixture(scope="session")
def regex() -> Scrubber:
    return Scrubber("regex")


@pytest.fixture(scope="session")
def cn_ids() -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(20240501)
    return [fake.ssn() for _ in range(20)]

