"""What the report shows, read from the lake through the analyst catalog (sql.catalog.open_catalog).

In: a DuckDB connection with the catalog's views and a date range (both ends included). Out: `ReportData`,
plain Python values (counts per day and per key), ready to chart. Everything comes from the lake's views and
the run manifests, which hold scrubbed text and counts only; the quarantine (raw lines) is never read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from report.diversity import distinct_ngram_ratio, near_duplicate_flags
from review.agreement import cohens_kappa
from transforms.training.policy import TrainingPolicy

# Per-day counts: {day: {key: count}}; the days of the range without data are simply missing.
DailyCounts = dict[date, dict[str, int]]

# Manifest counts that say why lines or rows were set aside (counts only: the quarantined lines are raw).
SET_ASIDE_PREFIXES = ("lines_quarantined", "filter.", "dedup.")
EXAMPLES_PER_GROUP = 3
EXAMPLE_GROUPS = 8
PROMPT_CHARS = 160
ANSWER_CHARS = 280


@dataclass
class BadCase:
    """One negative assistant turn, scrubbed text truncated, with what flagged it."""

    dt: date
    category: str
    language: str
    flagged_by: str
    prompt: str
    answer: str


@dataclass
class BadCaseGroup:
    """The negative turns one flag decided: how many, and the first few."""

    flag: str
    turns: int
    examples: list[BadCase]


@dataclass
class Rate:
    """Negative assistant turns out of all labeled ones for one category or language."""

    key: str
    negative: int
    labeled: int

    @property
    def share(self) -> float:
        return self.negative / self.labeled if self.labeled else 0.0


@dataclass
class ReviewCoverage:
    """One kind of row in the range (sft, preference, judgment): how many, how many people reviewed, and the
    items' decisions (the ones exports act on: `review_decisions`)."""

    kind: str
    rows: int
    reviewed: int
    accepted: int
    rejected: int
    fixed: int

    @property
    def share(self) -> float:
        return self.reviewed / self.rows if self.rows else 0.0


@dataclass
class ReviewerPair:
    """Two reviewers (hashes) on the items of one kind both reviewed: Cohen's kappa (`review_agreement`)."""

    kind: str
    reviewer_a: str
    reviewer_b: str
    items: int
    agreed: int
    kappa: float | None


@dataclass
class ReportData:
    start: date
    end: date
    days: list[date]
    labels: DailyCounts
    feedback_kinds: DailyCounts
    signals: list[tuple[str, str, int]]  # (rule_id, label, decisions)
    judge_status: DailyCounts
    agreement: dict[tuple[str, str], int]  # (rules_label, judge_label) -> turns
    kappa: float | None
    pii: DailyCounts
    set_aside: DailyCounts
    training: DailyCounts
    traffic_balance: dict[tuple[str, str], int]  # (category, language) -> assistant turns
    sft_balance: dict[tuple[str, str], int]  # (category, language) -> SFT examples
    diversity: dict[date, dict[str, float | None]]
    negative_by_category: list[Rate]
    negative_by_language: list[Rate]
    bad_cases: list[BadCaseGroup] = field(default_factory=list)  # the most frequent flags first
    # Only when the lake holds reviews (else empty, and the page has no review section).
    review_coverage: list[ReviewCoverage] = field(default_factory=list)
    review_agreement: list[ReviewerPair] = field(default_factory=list)


def collect(con: duckdb.DuckDBPyConnection, start: date, end: date,
            near_duplicate_threshold: float = TrainingPolicy().near_duplicate_threshold) -> ReportData:
    """Read every figure of the report for [start, end] from the catalog's views."""
    span = [start, end]
    agreement = {(r, j): n for r, j, n in con.execute(
        "SELECT rules_label, judge_label, sum(turns)::BIGINT FROM judge_agreement "
        "WHERE dt BETWEEN ? AND ? GROUP BY ALL", span).fetchall()}
    return ReportData(
        start=start, end=end, days=[start + timedelta(i) for i in range((end - start).days + 1)],
        labels=_daily(con, "SELECT dt, label, assistant_turns FROM label_summary WHERE dt BETWEEN ? AND ?", span),
        feedback_kinds=_daily(con, "SELECT dt, kind, count(*) FROM (SELECT dt, unnest(feedback_kinds) AS kind "
                                   "FROM turns WHERE role = 'assistant' AND dt BETWEEN ? AND ?) GROUP BY ALL", span),
        signals=[tuple(row) for row in con.execute(
            "SELECT rule_id, label, sum(decisions)::BIGINT AS n FROM signal_mix WHERE dt BETWEEN ? AND ? "
            "GROUP BY ALL ORDER BY n DESC, rule_id, label", span).fetchall()],
        judge_status=_daily(con, "SELECT dt, coalesce(judge_status, 'none'), count(*) FROM turns "
                                 "WHERE role = 'assistant' AND dt BETWEEN ? AND ? GROUP BY ALL", span),
        agreement=agreement, kappa=cohens_kappa(agreement),
        pii=_daily(con, "SELECT dt, entity_type, entities FROM pii_summary WHERE dt BETWEEN ? AND ?", span),
        set_aside=_set_aside(con, span),
        training=_daily(con, "SELECT dt, 'SFT examples', count(*) FROM sft WHERE dt BETWEEN ? AND ? GROUP BY ALL "
                             "UNION ALL SELECT dt, 'preference ' || kind, count(*) FROM preferences "
                             "WHERE dt BETWEEN ? AND ? GROUP BY ALL", span + span),
        traffic_balance=_pairs(con, "SELECT coalesce(category, 'unknown'), coalesce(language, 'und'), count(*) "
                                    "FROM turns WHERE role = 'assistant' AND dt BETWEEN ? AND ? GROUP BY ALL", span),
        sft_balance=_pairs(con, "SELECT category, language, sum(examples)::BIGINT FROM sft_mix "
                                "WHERE dt BETWEEN ? AND ? GROUP BY ALL", span),
        diversity=_diversity(con, span, near_duplicate_threshold),
        negative_by_category=_negative_rates(con, "category", span),
        negative_by_language=_negative_rates(con, "language", span),
        bad_cases=_bad_cases(con, span),
        **_reviews(con, span),
    )


# Each reviewable table: (item kind in the reviews table, its id column).
_REVIEWED_TABLES = {"sft": ("sft", "example_id"), "preferences": ("preference", "pair_id"),
                    "judgments": ("judgment", "judgment_id")}


def _reviews(con: duckdb.DuckDBPyConnection, span: list[date]) -> dict[str, Any]:
    """Review coverage of the range's rows per kind, and reviewer agreement (over all the lake's reviews);
    nothing when the lake holds no reviews."""
    if not con.execute("SELECT count(*) FROM reviews").fetchone()[0]:
        return {}
    coverage = []
    for table, (kind, id_column) in _REVIEWED_TABLES.items():
        row = con.execute(
            f"SELECT count(*), count(d.item_id), count(*) FILTER (WHERE d.decision = 'accept'), "
            f"count(*) FILTER (WHERE d.decision = 'reject'), count(*) FILTER (WHERE d.decision = 'fix') "
            f"FROM {table} AS t LEFT JOIN review_decisions AS d "
            f"ON d.item_kind = '{kind}' AND d.item_id = t.{id_column} AND d.item_day = t.dt "
            "WHERE t.dt BETWEEN ? AND ?", span).fetchone()
        coverage.append(ReviewCoverage(kind, *map(int, row)))
    pairs = [ReviewerPair(*row) for row in con.execute(
        "SELECT item_kind, reviewer_a, reviewer_b, items, agreed, kappa FROM review_agreement "
        "ORDER BY item_kind, reviewer_a, reviewer_b").fetchall()]
    return {"review_coverage": coverage, "review_agreement": pairs}


def _daily(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> DailyCounts:
    out: DailyCounts = {}
    for day, key, count in con.execute(sql, params).fetchall():
        out.setdefault(day, {})[str(key)] = int(count)
    return out


def _pairs(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> dict[tuple[str, str], int]:
    return {(str(a), str(b)): int(n) for a, b, n in con.execute(sql, params).fetchall()}


def _set_aside(con: duckdb.DuckDBPyConnection, span: list[date]) -> DailyCounts:
    """Per day, from the date's latest succeeded run: quarantined lines and rows dropped, by reason."""
    rows = con.execute(
        "SELECT dt, counts FROM runs WHERE status = 'succeeded' AND dt BETWEEN ? AND ? "
        "QUALIFY row_number() OVER (PARTITION BY dt ORDER BY finished_at DESC) = 1", span).fetchall()
    return {day: _reasons(counts or {}) for day, counts in rows}


def _reasons(counts: dict[str, int]) -> dict[str, int]:
    """The set-aside counts of one run; quarantined lines by kind (`lines_quarantined.<kind>`) when the run
    counted kinds, else their total (runs from before kinds were counted)."""
    kept = {key: int(n) for key, n in counts.items() if n and key.startswith(SET_ASIDE_PREFIXES)}
    if any(key.startswith("lines_quarantined.") for key in kept):
        kept.pop("lines_quarantined", None)
    return kept


def _diversity(con: duckdb.DuckDBPyConnection, span: list[date], threshold: float) -> dict[date, dict[str, float | None]]:
    rows = con.execute("SELECT dt, content FROM turns WHERE role = 'user' AND dt BETWEEN ? AND ? "
                       "AND coalesce(content, '') <> '' ORDER BY dt, conversation_id, turn_index", span).fetchall()
    near = near_duplicate_flags([content for _, content in rows], threshold)
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, (day, _) in enumerate(rows):
        by_day[day].append(i)
    return {day: {"distinct-1": distinct_ngram_ratio([rows[i][1] for i in members], 1),
                  "distinct-2": distinct_ngram_ratio([rows[i][1] for i in members], 2),
                  "near-duplicate share": sum(near[i] for i in members) / len(members)}
            for day, members in by_day.items()}


def _negative_rates(con: duckdb.DuckDBPyConnection, column: str, span: list[date]) -> list[Rate]:
    """Negative share of labeled assistant turns per value of `column` (category or language)."""
    rows = con.execute(
        f"SELECT coalesce({column}, 'unknown') AS key, count_if(label = 'negative'), count(*) FROM turns "
        "WHERE role = 'assistant' AND label IN ('positive', 'negative', 'neutral') AND dt BETWEEN ? AND ? "
        "GROUP BY ALL ORDER BY key", span).fetchall()
    return [Rate(str(key), int(negative), int(labeled)) for key, negative, labeled in rows]


def _bad_cases(con: duckdb.DuckDBPyConnection, span: list[date]) -> list[BadCaseGroup]:
    """A few negative turns per flag (the strongest negative decision: a rule id, or the judge's with its
    feedback category), the most frequent flags first. Text is the lake's (scrubbed), cut short here."""
    rows = con.execute(
        """
        SELECT a.dt, coalesce(a.category, 'unknown'), coalesce(a.language, 'und'),
               [d FOR d IN a.decisions IF d.label = 'negative'] AS negatives,
               (SELECT arg_max(u.content, u.turn_index) FROM turns AS u
                 WHERE u.dt = a.dt AND u.conversation_id = a.conversation_id AND u.role = 'user'
                   AND u.turn_index < a.turn_index) AS prompt,
               a.content
        FROM turns AS a
        WHERE a.role = 'assistant' AND a.label = 'negative' AND a.dt BETWEEN ? AND ?
        ORDER BY a.dt, a.conversation_id, a.turn_index
        """, span).fetchall()
    groups: dict[str, list[BadCase]] = defaultdict(list)
    for day, category, language, negatives, prompt, answer in rows:
        flag = _flag(negatives or [])
        groups[flag].append(BadCase(day, category, language, flag, _cut(prompt, PROMPT_CHARS), _cut(answer, ANSWER_CHARS)))
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:EXAMPLE_GROUPS]
    return [BadCaseGroup(flag, len(cases), cases[:EXAMPLES_PER_GROUP]) for flag, cases in ranked]


def _flag(negatives: list[dict]) -> str:
    """The negative decision with the highest confidence (the first of equals, in decision order)."""
    if not negatives:
        return "no negative decision"
    decision = max(negatives, key=lambda d: d.get("confidence") or 0.0)
    category = decision.get("category")
    return f"{decision['rule_id']} · {category}" if category else decision["rule_id"]


def _cut(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
