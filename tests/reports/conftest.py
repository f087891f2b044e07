"""The report's fixture: a generated week in regex mode (module-scoped: built once per test file)."""

from __future__ import annotations

import pytest

from report_week import Week, make_week


@pytest.fixture(scope="module")
def regex_week(tmp_path_factory) -> Week:
    return make_week(tmp_path_factory.mktemp("week"), "regex", 30)
