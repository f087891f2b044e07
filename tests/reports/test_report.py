"""The analysts' report over a generated, processed week: every chart, the bad cases, nothing unscrubbed.

The week runs through the real pipeline first (regex mode, ~10-25 s here, once for the file); Chromium
renders it when `chromium` is on PATH (.ci/run installs it), else that test skips, saying why.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from generated_lake import lake_text
from report_week import DAYS, check_rendered
from report import write_report
from report.html import SECTIONS
from sql.catalog import open_catalog


@pytest.fixture(scope="module")
def report_path(regex_week, tmp_path_factory) -> str:
    path = write_report(str(regex_week.lake), DAYS[0], DAYS[-1], str(tmp_path_factory.mktemp("report")))
    assert path.endswith(f"flywheel-report_{DAYS[0]}_{DAYS[-1]}.html")
    return path


@pytest.fixture(scope="module")
def report_html(report_path) -> str:
    with open(report_path, encoding="utf-8") as page:
        return page.read()


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def test_every_section_has_an_inline_svg_chart_with_marks(report_html):
    for section_id in SECTIONS:
        body = section(report_html, section_id)
        assert "<svg" in body, section_id
        # Data marks (bars, lines, cells), not only an empty frame saying "no data".
        assert "in this range" not in body, f"{section_id} has no data"


def test_the_page_is_self_contained(report_html):
    assert "<script" not in report_html
    assert not re.search(r'(src|href)="(https?:)?//', report_html)
    assert "@import" not in report_html
    assert not re.search(r"url\((?!#)", report_html)  # only the SVG's own clip paths (url(#id))


def test_bad_cases_show_rates_by_category_and_language_and_examples_per_flag(regex_week, report_html):
    body = section(report_html, "bad-cases")
    con = open_catalog(str(regex_week.lake))
    categories = {c for (c,) in con.execute("SELECT DISTINCT category FROM turns WHERE role = 'assistant' "
                                            "AND label = 'negative'").fetchall()}
    con.close()
    assert categories and None not in categories
    rates = re.findall(r'<table class="negative-rates">(.*?)</table>', body, re.S)
    assert len(rates) == 2
    for category in categories:
        assert f"<td>{category}</td>" in rates[0]
    groups = re.findall(r"<h3>(.*?) <span", body)
    assert groups and len(re.findall(r'<table class="bad-cases">', body)) == len(groups)
    assert any(flag.startswith(("explicit.", "behavioural.", "conversational.", "judge.")) for flag in groups)


def test_judge_agreement_shows_cohens_kappa(report_html):
    body = section(report_html, "judge-agreement")
    assert re.search(r"Cohen's kappa (-?\d\.\d\d|is undefined)", body.replace("&#x27;", "'"))
    assert "turns compared" in body


def test_no_value_the_scrubber_removed_reaches_the_report(regex_week, report_html):
    """The report reads only the lake (never the raw quarantine): a planted value that scrubbing kept out of
    the lake must not appear anywhere in the page. (Regex mode leaves names in the lake by design; the slow
    test in test_report_render.py checks every planted value in presidio mode.)"""
    in_lake = lake_text(regex_week.lake)
    scrubbed = {value for value in regex_week.planted if value not in in_lake}
    assert len(scrubbed) > 20
    assert sorted(value for value in scrubbed if value in report_html) == []


def test_an_end_before_the_start_is_refused(regex_week, tmp_path):
    with pytest.raises(ValueError, match="before its start"):
        write_report(str(regex_week.lake), date(2026, 11, 18), date(2026, 11, 16), str(tmp_path))


def test_chromium_renders_every_chart_and_the_bad_cases(report_path, tmp_path):
    check_rendered(report_path, tmp_path)
