"""The report page: one self-contained HTML document (inline CSS and SVG, no script, no network asset).

In: report.data.ReportData and the charts' SVG. Out: the HTML text. Every string that comes from the lake
(labels, rule ids, categories, example text) goes through `html.escape`; the SVG comes from matplotlib's
writer, which escapes its own text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from report.data import BadCaseGroup, Rate, ReportData, ReviewCoverage, ReviewerPair

_STYLE = """
body { font: 14px/1.45 system-ui, "DejaVu Sans", "Noto Sans CJK SC", sans-serif; color: #222; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .3rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.lead, .note { color: #555; } nav a { margin-right: .8rem; }
figure { margin: .5rem 0; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .4rem 0 1rem; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f5f5f5; }
.figures { display: flex; gap: 2rem; flex-wrap: wrap; } .figure-note { font-size: 13px; color: #555; }
.kpi { display: inline-block; margin-right: 2rem; } .kpi b { font-size: 1.3rem; display: block; }
"""

# Section id -> (title, what the chart answers). The ids are the report's contract with its test.
SECTIONS = {
    "labels": ("Labels over days", "Share of assistant turns per label: is feedback getting worse?"),
    "feedback": ("Feedback kinds over days", "What users did: thumbs, ratings, regenerations, edits, copies."),
    "signals": ("Signal and rule mix", "How often each rule (or the judge) decided a label, over the range."),
    "judge-status": ("Judge status", "Per day: which assistant turns the LLM judge saw, and why."),
    "judge-agreement": ("Judge agreement with the rules",
                        "On the turns both labeled (calibration samples, weakly labeled turns)."),
    "pii": ("PII entities scrubbed", "Entities found and replaced per day, by type. Counts only."),
    "set-aside": ("Quarantine and filter reasons",
                  "Lines quarantined (count only: the lines are raw) and rows dropped by filters and dedup."),
    "training": ("SFT and preference volume", "Rows published per day."),
    "balance": ("Category × language balance", "What users asked for, and what the training set keeps."),
    "diversity": ("Prompt diversity",
                  "Distinct word n-grams / all n-grams of the users' prompts, and the share of prompts with a "
                  "near-duplicate in the range (the training stage's MinHash and threshold)."),
    "bad-cases": ("Bad cases", "Negative share of labeled assistant turns by task category and language, "
                               "and scrubbed examples grouped by the rule or judge category that flagged them."),
}
# Sections shown only when their data exists (a lake without reviews gets the page it always got).
OPTIONAL_SECTIONS = {
    "reviews": ("Human review", "How much of the range's rows people reviewed, their decisions (what exports act "
                                "on), and how far reviewers agree."),
}
_HAS_DATA = {"reviews": lambda data: bool(data.review_coverage)}


def render(data: ReportData, charts: dict[str, str]) -> str:
    """The whole page; `charts` maps a section id of SECTIONS to its SVG (bad-cases' chart included)."""
    sections = shown_sections(data)
    body = [_header(data, sections)]
    for section, (title, lead) in sections.items():
        parts = [f'<section id="{section}"><h2>{escape(title)}</h2><p class="lead">{escape(lead)}</p>']
        if section in charts:
            parts.append(f"<figure>{charts[section]}</figure>")
        if section == "judge-agreement":
            parts.append(_kappa_note(data.kappa, sum(data.agreement.values())))
        if section == "bad-cases":
            parts.append(_rates_table("Task category", data.negative_by_category))
            parts.append(_rates_table("Language", data.negative_by_language))
            parts.append(_bad_case_groups(data.bad_cases))
        if section == "reviews":
            parts.append(_review_coverage(data.review_coverage))
            parts.append(_reviewer_pairs(data.review_agreement))
        parts.append("</section>")
        body.append("".join(parts))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>flywheel report {data.start} to {data.end}</title><style>{_STYLE}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def shown_sections(data: ReportData) -> dict[str, tuple[str, str]]:
    """SECTIONS, then the OPTIONAL_SECTIONS that have something to show."""
    return {**SECTIONS, **{section: text for section, text in OPTIONAL_SECTIONS.items() if _HAS_DATA[section](data)}}


def _header(data: ReportData, sections: dict[str, tuple[str, str]]) -> str:
    turns = sum(sum(counts.values()) for counts in data.labels.values())
    negative = sum(counts.get("negative", 0) for counts in data.labels.values())
    sft = sum(counts.get("SFT examples", 0) for counts in data.training.values())
    pii = sum(sum(counts.values()) for counts in data.pii.values())
    kpis = [("assistant turns", f"{turns:,}"), ("negative", f"{negative:,}"), ("SFT examples", f"{sft:,}"),
            ("PII entities scrubbed", f"{pii:,}"),
            ("judge vs rules kappa", "n/a" if data.kappa is None else f"{data.kappa:.2f}")]
    nav = " ".join(f'<a href="#{section}">{escape(title)}</a>' for section, (title, _) in sections.items())
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<h1>Flywheel report: {data.start} to {data.end}</h1>"
            f'<p class="note">From the lake\'s views (scrubbed text, counts); generated {generated}.</p>'
            + "".join(f'<span class="kpi"><b>{value}</b>{escape(name)}</span>' for name, value in kpis)
            + f"<nav><p>{nav}</p></nav>")


def _kappa_note(kappa: float | None, turns: int) -> str:
    if kappa is None:
        return (f'<p class="figure-note">{turns} turns compared: Cohen\'s kappa is undefined (no turns, or both '
                "always gave the same single label).</p>")
    return (f'<p class="figure-note">{turns} turns compared. Cohen\'s kappa {kappa:.2f}: agreement beyond chance '
            "(1 = always agree, 0 = as often as chance would, below 0 = less).</p>")


def _rates_table(what: str, rates: list[Rate]) -> str:
    rows = "".join(f"<tr><td>{escape(r.key)}</td><td class=\"n\">{r.negative}</td><td class=\"n\">{r.labeled}</td>"
                   f"<td class=\"n\">{r.share:.1%}</td></tr>" for r in rates)
    return (f'<table class="negative-rates"><tr><th>{escape(what)}</th><th class="n">negative</th><th class="n">labeled</th>'
            f"<th class=\"n\">negative share</th></tr>{rows or '<tr><td colspan=4>no labeled turns</td></tr>'}</table>")


def _bad_case_groups(groups: list[BadCaseGroup]) -> str:
    if not groups:
        return '<p class="figure-note">No negative turns in this range.</p>'
    parts = []
    for group in groups:
        rows = "".join(
            f"<tr><td>{escape(str(case.dt))}</td><td>{escape(case.category)}</td><td>{escape(case.language)}</td>"
            f"<td>{escape(case.prompt)}</td><td>{escape(case.answer)}</td></tr>" for case in group.examples)
        parts.append(f"<h3>{escape(group.flag)} <span class=\"note\">({group.turns} negative turns)</span></h3>"
                     '<table class="bad-cases"><tr><th>date</th><th>category</th><th>language</th>'
                     f"<th>user asked</th><th>assistant answered</th></tr>{rows}</table>")
    return "".join(parts)


def _review_coverage(coverage: list[ReviewCoverage]) -> str:
    rows = "".join(
        f"<tr><td>{escape(c.kind)}</td><td class=\"n\">{c.rows}</td><td class=\"n\">{c.reviewed}</td>"
        f"<td class=\"n\">{c.share:.1%}</td><td class=\"n\">{c.accepted}</td><td class=\"n\">{c.rejected}</td>"
        f"<td class=\"n\">{c.fixed}</td></tr>" for c in coverage)
    return ('<table class="review-coverage"><tr><th>kind</th><th class="n">rows in range</th>'
            '<th class="n">reviewed</th><th class="n">coverage</th><th class="n">accepted</th>'
            f'<th class="n">rejected</th><th class="n">fixed</th></tr>{rows}</table>')


def _reviewer_pairs(pairs: list[ReviewerPair]) -> str:
    if not pairs:
        return '<p class="figure-note">No item was reviewed by two reviewers: no agreement to measure yet.</p>'
    rows = "".join(
        f"<tr><td>{escape(p.kind)}</td><td>{escape(p.reviewer_a)}</td><td>{escape(p.reviewer_b)}</td>"
        f"<td class=\"n\">{p.items}</td><td class=\"n\">{p.agreed}</td>"
        f"<td class=\"n\">{'n/a' if p.kappa is None else f'{p.kappa:.2f}'}</td></tr>" for p in pairs)
    return ('<p class="figure-note">Reviewer agreement over all the lake\'s reviews (each reviewer\'s latest '
            "verdict; accept / reject / fix): Cohen's kappa per pair on the items both reviewed. Reviewers are "
            "shown by their hash.</p>"
            '<table class="review-agreement"><tr><th>kind</th><th>reviewer</th><th>reviewer</th>'
            f'<th class="n">items</th><th class="n">agreed</th><th class="n">kappa</th></tr>{rows}</table>')
