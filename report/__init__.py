"""The analysts' report: one self-contained HTML page of charts over a range of dates of the lake.

    write_report(lake_uri, start, end, out_dir) -> path of <out_dir>/flywheel-report_<start>_<end>.html

What it shows (report.html.SECTIONS): labels and feedback kinds per day, the signal/rule mix, the judge's
status and its agreement with the rules (Cohen's kappa), PII entities scrubbed per day, quarantine and filter
counts, SFT and preference volume, category x language balance, prompt diversity, and bad cases: negative
share by task category and language with a few scrubbed examples per flagging rule or judge category; and, only
when the lake holds reviews, human review: the share of the range's sft / preference / judgment rows people
reviewed, their decisions, and Cohen's kappa per reviewer pair.

Modules: data.py reads the figures through the analyst catalog (sql.catalog.open_catalog), diversity.py
measures the prompts, charts.py draws matplotlib figures as inline SVG, html.py lays out the page.
It reads only the lake's views (scrubbed text, counts) and never the quarantine, whose lines are raw; every
string is escaped on the page. Refuses an end date before the start date (ValueError).
"""

from __future__ import annotations

import os
from datetime import date

from report import charts
from report.data import ReportData, collect
from report.html import render
from sql.catalog import open_catalog


def write_report(lake_uri: str, start: date, end: date, out_dir: str) -> str:
    """Write the report over [start, end] (both included) to out_dir and return the HTML file's path."""
    if end < start:
        raise ValueError(f"the report's end date {end} is before its start date {start}")
    con = open_catalog(lake_uri)
    try:
        data = collect(con, start, end)
    finally:
        con.close()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"flywheel-report_{start.isoformat()}_{end.isoformat()}.html")
    with open(path, "w", encoding="utf-8") as out:
        out.write(render(data, draw_charts(data)))
    return path


def draw_charts(data: ReportData) -> dict[str, str]:
    """Section id -> SVG of its chart."""
    days = data.days
    return {
        "labels": charts.daily_bars(days, data.labels, "share of assistant turns", share=True),
        "feedback": charts.daily_bars(days, data.feedback_kinds, "feedback events"),
        "signals": charts.signal_bars(data.signals),
        "judge-status": charts.daily_bars(days, data.judge_status, "assistant turns"),
        "judge-agreement": charts.agreement_matrix(data.agreement, data.kappa),
        "pii": charts.daily_bars(days, data.pii, "entities scrubbed"),
        "set-aside": charts.daily_bars(days, data.set_aside, "lines or rows", stacked=False),
        "training": charts.daily_bars(days, data.training, "rows", stacked=False),
        "balance": charts.balance_heatmaps(data.traffic_balance, data.sft_balance),
        "diversity": charts.diversity_lines(days, data.diversity),
        "bad-cases": charts.negative_rates(data.negative_by_category, data.negative_by_language),
    }
