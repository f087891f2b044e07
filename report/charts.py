"""The report's charts: matplotlib figures rendered to inline SVG markup (no files, no network).

In: the plain values of report.data. Out: one `<svg>` string per chart. Figures are built on
`matplotlib.figure.Figure` with the SVG backend, never through pyplot, so nothing global (GUI backends,
open figures) is touched. Text stays text in the SVG (`svg.fonttype: none`): the browser draws it, and it is
XML-escaped by matplotlib's SVG writer. Mathtext is switched off for every string that comes from the lake.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Sequence

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from report.data import DailyCounts, Rate

# One colour per label everywhere in the report; other keys take the tab20 palette in order.
LABEL_COLOURS = {"positive": "#2e7d32", "negative": "#c62828", "neutral": "#9e9e9e", "unknown": "#cfd8dc",
                 "unlabeled": "#eceff1"}
_PALETTE = matplotlib.colormaps["tab20"].colors
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "flywheel-report", "font.size": 9}
WIDTH = 9.0  # inches; the page scales the SVG to its column


def _plain(text: object) -> str:
    """A lake string as literal text: a '$' would otherwise start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


def _colour(key: str, index: int) -> str | tuple:
    return LABEL_COLOURS.get(key) or _PALETTE[index % len(_PALETTE)]


def to_svg(figure: Figure) -> str:
    """The figure as an `<svg>` element (XML declaration and DOCTYPE dropped, for inlining in HTML)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _figure(height: float, columns: int = 1) -> tuple[Figure, list]:
    with matplotlib.rc_context(_SVG_RC):
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        axes = figure.subplots(1, columns, squeeze=False)[0]
    return figure, list(axes)


def _no_data(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this range", ha="center", va="center", transform=ax.transAxes, color="#777")
    ax.set_xticks([])
    ax.set_yticks([])


def daily_bars(days: Sequence[date], daily: DailyCounts, ylabel: str, *, stacked: bool = True,
               share: bool = False) -> str:
    """One bar (or group of bars) per day, one colour per key. share: each day's bar shows shares of 1."""
    with matplotlib.rc_context(_SVG_RC):
        figure, (ax,) = _figure(3.0)
        keys = sorted({key for counts in daily.values() for key in counts})
        if not keys:
            _no_data(ax, ylabel)
            return to_svg(figure)
        positions = range(len(days))
        width = 0.8 if stacked else 0.8 / len(keys)
        bottom = [0.0] * len(days)
        for index, key in enumerate(keys):
            values = []
            for day in days:
                counts = daily.get(day, {})
                total = sum(counts.values()) or 1
                values.append(counts.get(key, 0) / (total if share else 1))
            if stacked:
                ax.bar(positions, values, width, bottom=bottom, label=_plain(key), color=_colour(key, index))
                bottom = [b + v for b, v in zip(bottom, values)]
            else:
                ax.bar([p - 0.4 + width * (index + 0.5) for p in positions], values, width, label=_plain(key),
                       color=_colour(key, index))
        ax.set_xticks(list(positions), labels=[day.strftime("%a %m-%d") for day in days],
                      rotation=45 if len(days) > 10 else 0)
        ax.set_ylabel(_plain(ylabel))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return to_svg(figure)


def signal_bars(signals: Sequence[tuple[str, str, int]], limit: int = 20) -> str:
    """Decisions per rule (the `limit` most frequent), coloured by the label they gave."""
    rows = list(signals)[:limit]
    with matplotlib.rc_context(_SVG_RC):
        figure, (ax,) = _figure(0.8 + 0.25 * max(len(rows), 3))
        if not rows:
            _no_data(ax, "decisions")
            return to_svg(figure)
        names = [_plain(f"{rule} → {label}") for rule, label, _ in rows]
        ax.barh(range(len(rows)), [n for _, _, n in rows],
                color=[_colour(label, i) for i, (_, label, _) in enumerate(rows)])
        ax.set_yticks(range(len(rows)), labels=names)
        ax.invert_yaxis()
        ax.set_xlabel("decisions")
        ax.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def _heatmap(ax, table: dict[tuple[str, str], int], xlabel: str, ylabel: str, title: str) -> None:
    rows = sorted({a for a, _ in table})
    columns = sorted({b for _, b in table})
    if not rows:
        _no_data(ax, title)
        return
    grid = [[table.get((r, c), 0) for c in columns] for r in rows]
    ax.imshow(grid, cmap="Blues", aspect="auto")
    peak = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "#222")
    ax.set_xticks(range(len(columns)), labels=[_plain(c) for c in columns])
    ax.set_yticks(range(len(rows)), labels=[_plain(r) for r in rows])
    ax.set_xlabel(_plain(xlabel))
    ax.set_ylabel(_plain(ylabel))
    ax.set_title(_plain(title))


def agreement_matrix(agreement: dict[tuple[str, str], int], kappa: float | None) -> str:
    """Rules' label (rows) against the judge's (columns) on the turns both labeled, titled with kappa."""
    with matplotlib.rc_context(_SVG_RC):
        figure, (ax,) = _figure(3.0)
        verdict = "kappa undefined (too little or one-sided data)" if kappa is None else f"Cohen's kappa = {kappa:.2f}"
        _heatmap(ax, agreement, "judge's label", "rules' label", verdict)
    return to_svg(figure)


def balance_heatmaps(traffic: dict[tuple[str, str], int], sft: dict[tuple[str, str], int]) -> str:
    """Task category x language: the assistant turns served, and the SFT examples kept."""
    with matplotlib.rc_context(_SVG_RC):
        figure, (left, right) = _figure(3.4, columns=2)
        _heatmap(left, traffic, "language", "category", "assistant turns")
        _heatmap(right, sft, "language", "category", "SFT examples")
    return to_svg(figure)


def diversity_lines(days: Sequence[date], diversity: dict[date, dict[str, float | None]]) -> str:
    """Distinct-1, distinct-2 and near-duplicate share of the users' prompts, per day (0 to 1)."""
    with matplotlib.rc_context(_SVG_RC):
        figure, (ax,) = _figure(2.8)
        metrics = sorted({name for values in diversity.values() for name in values})
        if not metrics:
            _no_data(ax, "prompts")
            return to_svg(figure)
        for index, name in enumerate(metrics):
            points = [(i, diversity[day][name]) for i, day in enumerate(days)
                      if day in diversity and diversity[day][name] is not None]
            ax.plot([i for i, _ in points], [v for _, v in points], marker="o", label=_plain(name),
                    color=_PALETTE[2 * index])
        ax.set_xticks(range(len(days)), labels=[day.strftime("%a %m-%d") for day in days])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("ratio")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return to_svg(figure)


def negative_rates(by_category: Sequence[Rate], by_language: Sequence[Rate]) -> str:
    """Negative share of labeled assistant turns, by task category and by language, with n on each bar."""
    with matplotlib.rc_context(_SVG_RC):
        rows = max(len(by_category), len(by_language), 3)
        figure, axes = _figure(0.9 + 0.3 * rows, columns=2)
        for ax, rates, what in ((axes[0], by_category, "task category"), (axes[1], by_language, "language")):
            if not rates:
                _no_data(ax, "labeled turns")
                continue
            ax.barh(range(len(rates)), [r.share for r in rates], color=LABEL_COLOURS["negative"])
            for i, rate in enumerate(rates):
                ax.text(rate.share, i, f" {rate.negative}/{rate.labeled}", va="center", fontsize=8)
            ax.set_yticks(range(len(rates)), labels=[_plain(r.key) for r in rates])
            ax.invert_yaxis()
            ax.set_xlim(0, min(1.0, max(r.share for r in rates) * 1.3 + 0.05))
            ax.set_xlabel("negative share")
            ax.set_title(f"by {what}")
            ax.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)
