"""The report's parts on small known inputs: Cohen's kappa, prompt diversity, and escaping on the page."""

from __future__ import annotations

from datetime import date

import pytest

from report import draw_charts
from report.data import BadCase, BadCaseGroup, Rate, ReportData, cohens_kappa
from report.diversity import distinct_ngram_ratio, near_duplicate_flags
from report.html import SECTIONS, render


def test_kappa_matches_the_textbook_example():
    # observed 0.7, chance 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa 0.4
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohens_kappa(table) == pytest.approx(0.4)


def test_kappa_is_one_for_full_agreement_and_undefined_without_variety():
    assert cohens_kappa({("a", "a"): 3, ("b", "b"): 4}) == pytest.approx(1.0)
    assert cohens_kappa({("a", "a"): 5}) is None
    assert cohens_kappa({}) is None


def test_distinct_ngrams_count_repeats_and_chinese_characters_as_words():
    assert distinct_ngram_ratio(["a b a b"], 1) == pytest.approx(0.5)
    assert distinct_ngram_ratio(["a b", "a b"], 2) == pytest.approx(0.5)
    assert distinct_ngram_ratio(["你好你好"], 1) == pytest.approx(0.5)
    assert distinct_ngram_ratio(["one"], 2) is None


def test_near_duplicates_are_flagged_both_ways_and_distinct_prompts_are_not():
    base = "Please write a short poem about the autumn leaves falling in the quiet park at dusk"
    flags = near_duplicate_flags([base, base + "!", "How do I reverse a linked list in Python?"], 0.8)
    assert flags == [True, True, False]


def hostile_data() -> ReportData:
    evil = "<script>alert(1)</script> $x$ & \"q\""
    day = date(2026, 11, 16)
    return ReportData(
        start=day, end=day, days=[day], labels={day: {evil: 1}}, feedback_kinds={day: {evil: 2}},
        signals=[(evil, "negative", 3)], judge_status={day: {evil: 1}}, agreement={(evil, "positive"): 2},
        kappa=None, pii={day: {evil: 1}}, set_aside={day: {evil: 1}}, training={day: {evil: 1}},
        traffic_balance={(evil, "en"): 1}, sft_balance={(evil, "en"): 1},
        diversity={day: {"distinct-1": 0.5}}, negative_by_category=[Rate(evil, 1, 2)],
        negative_by_language=[Rate(evil, 1, 2)],
        bad_cases=[BadCaseGroup(evil, 1, [BadCase(day, evil, evil, evil, evil, evil)])])


def test_every_string_is_escaped_on_the_page_and_in_the_charts():
    data = hostile_data()
    html = render(data, draw_charts(data))
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert all(f'<section id="{section}">' in html for section in SECTIONS)
