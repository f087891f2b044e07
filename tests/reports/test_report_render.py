"""The report as a person sees it: a week scrubbed in presidio mode (the default), rendered by headless Chromium.

Slow (the week runs through Presidio first); the default run renders the regex-mode week (test_report.py).
Skips with a reason when `chromium` is not on PATH.
"""

from __future__ import annotations

import pytest

from report import write_report
from report_week import DAYS, check_rendered, make_week

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def presidio_report(tmp_path_factory):
    week = make_week(tmp_path_factory.mktemp("week"), "presidio", 30)
    path = write_report(str(week.lake), DAYS[0], DAYS[-1], str(week.root / "report"))
    return week, path


def test_no_planted_pii_value_appears_in_the_report(presidio_report):
    week, path = presidio_report
    html = open(path, encoding="utf-8").read()
    assert len(week.planted) > 50
    assert sorted(value for value in week.planted if value in html) == []


def test_chromium_renders_every_chart_and_the_bad_cases(presidio_report, tmp_path):
    _, path = presidio_report
    check_rendered(path, tmp_path)
