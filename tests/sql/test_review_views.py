"""The catalog's views over the reviews table: what a review says about an answer beside the rules and the
judge, per category and per rule, each rule's precision from random-sample reviews only (with its Wilson
interval), and the same rows through the stock DuckDB CLI."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datalake.reviews import append_reviews, reviewer_hash
from schemas.arrow import to_arrow_table
from schemas.conversation import Conversation, LabelDecision, Turn
from schemas.outputs import ChatMessage, Judgment, PreferencePair, SFTExample
from schemas.review import Review
from sql.catalog import open_catalog, portable_sql
from test_portable_sql import cli_rows, stock_duckdb

DAY = date(2026, 11, 20)
WHEN = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
REVIEW_VIEWS = ("reviews", "latest_reviews", "review_decisions", "review_agreement", "review_fleiss",
                "review_labels", "review_vs_labels", "review_vs_rules", "rule_precision")


def _decision(rule_id: str, label: str, confidence: float) -> LabelDecision:
    return LabelDecision(rule_id=rule_id, rules_version="1", label=label, confidence=confidence)


def _turns() -> list[Turn]:
    def user(i: int, text: str) -> Turn:
        return Turn(turn_index=i, message_id=f"u{i}", role="user", content=text, timestamp=WHEN, category="qa",
                    language="en")

    def answer(i: int, text: str, label: str, decisions: list[LabelDecision], source: str = "rules") -> Turn:
        return Turn(turn_index=i, message_id=f"a{i}", parent_id=f"u{i - 1}", role="assistant", content=text,
                    timestamp=WHEN, category="qa", language="en", label=label, label_source=source,
                    decisions=decisions)

    return [
        user(0, "what is 2+2"),
        answer(1, "4", "positive", [_decision("explicit.thumbs_up", "positive", 0.9),
                                    _decision("behavioural.copy", "positive", 0.6)]),
        user(2, "and 3+3"),
        answer(3, "7", "negative", [_decision("explicit.thumbs_down", "negative", 0.9)]),
        user(4, "and 4+4"),
        answer(5, "9", "positive", [_decision("conversational.en.thanks", "positive", 0.7),
                                    _decision("judge.v1", "positive", 0.8)], source="rules+judge"),
    ]


def _write(lake: Path, table: str, model, rows) -> None:
    path = lake / table / f"dt={DAY.isoformat()}" / "part-00000-of-00001.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(to_arrow_table(model, rows), path)


def _sft(example_id: str, target: str, answer: str, derivation: str = "original") -> SFTExample:
    return SFTExample(example_id=example_id, messages=[ChatMessage(role="user", content="q"),
                                                       ChatMessage(role="assistant", content=answer, train=True)],
                      conversation_id="c1", target_message_id=target, target_turn_index=int(target[1:]),
                      label="positive", source="events", derivation=derivation, category="math", language="en")


def _review(lake: str, n: int, item: str, kind: str, name: str, verdict: str, strategy: str,
            reason: str | None = None) -> Review:
    return Review(review_id=f"r{n}", item_id=item, item_kind=kind, item_day=DAY, reviewer=reviewer_hash(lake, name),
                  verdict=verdict, reason=reason, fixed_answer="8" if verdict == "fix" else None, strategy=strategy,
                  guideline_version=f"{kind}-1", source="import", reviewed_at=WHEN.replace(hour=10, minute=n))


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> str:
    """One conversation: a1 (thumbs up, copy), a3 (thumbs down), a5 (thanks, and the judge: positive); SFT rows
    on a1 and a5 and a corrected one, a KTO row on a3, a judgment of a5; reviews by alice, bob and carol."""
    root = tmp_path_factory.mktemp("reviewed") / "lake"
    conversation = Conversation(row_id="r", conversation_id="c1", source="events", started_at=WHEN, ended_at=WHEN,
                                n_turns=6, turns=_turns(), category="qa", language="en")
    _write(root, "conversations", Conversation, [conversation])
    _write(root, "sft", SFTExample, [_sft("s1", "a1", "4"), _sft("s5", "a5", "9"),
                                     _sft("s_edit", "a3", "6", derivation="user_edit")])
    _write(root, "preferences", PreferencePair, [PreferencePair(
        pair_id="p3", kind="kto", prompt=[ChatMessage(role="user", content="and 3+3")], completion="7",
        desirable=False, derivation="thumbs", conversation_id="c1", chosen_message_id="a3", source="events",
        category="math", language="en")])
    _write(root, "judgments", Judgment, [Judgment(
        judgment_id="j5", cache_key="k", conversation_id="c1", message_id="a5", turn_index=5, rubric_version="v1",
        model="m", reason="calibration", status="ok", quality=8, satisfaction="satisfied", rules_label="neutral",
        judged_at=WHEN)])
    lake = str(root)
    append_reviews(lake, [
        _review(lake, 1, "s1", "sft", "alice", "accept", "random"),
        _review(lake, 2, "s5", "sft", "alice", "reject", "random", "incorrect"),
        _review(lake, 3, "s_edit", "sft", "alice", "accept", "random"),
        _review(lake, 4, "p3", "preference", "alice", "accept", "random"),
        _review(lake, 5, "p3", "preference", "bob", "accept", "stratified"),
        _review(lake, 8, "p3", "preference", "carol", "fix", "random"),  # three reviewers: a Fleiss row
        _review(lake, 6, "j5", "judgment", "alice", "reject", "disagreement", "too_positive"),
        _review(lake, 7, "s1", "sft", "bob", "fix", "stratified"),  # s1: accept + fix -> fix
    ])
    return lake


def _rows(lake: str, sql: str) -> list[tuple]:
    con = open_catalog(lake)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_review_labels_put_the_review_beside_the_rules_and_the_judge(lake):
    rows = {r[0]: r[1:] for r in _rows(lake, "SELECT item_id, decision, rules_label, judge_label, reviewer_label, "
                                             "len(decisions), random_sample FROM review_labels")}
    assert rows["s1"] == ("fix", "positive", None, "negative", 2, True)  # bob's fix decides; alice drew it at random
    assert rows["s5"] == ("reject", "neutral", "positive", "negative", 2, True)  # judged: the rules' own label
    assert rows["s_edit"] == ("accept", None, None, None, 0, True)  # a corrected answer is no labeled turn
    assert rows["p3"] == ("fix", "negative", None, "negative", 1, True)  # carol's fix: the answer was wrong
    assert rows["j5"] == ("reject", "neutral", "positive", "negative", 2, False)  # too_positive


def test_rule_precision_counts_random_sample_reviews_only(lake):
    got = {(r[0], r[1]): r[2:] for r in _rows(lake, "SELECT rule_id, rule_label, reviewed, right_decisions, "
                                                     "\"precision\", precision_low, precision_high FROM rule_precision")}
    # Random items with a reviewer label: s1 (negative after bob's fix), s5 (negative), p3 (negative). j5 was
    # sampled for disagreement: not counted.
    assert {key: value[:2] for key, value in got.items()} == {
        ("explicit.thumbs_up", "positive"): (1, 0), ("behavioural.copy", "positive"): (1, 0),
        ("conversational.en.thanks", "positive"): (1, 0), ("judge.v1", "positive"): (1, 0),
        ("explicit.thumbs_down", "negative"): (1, 1),
    }
    assert got[("explicit.thumbs_down", "negative")][2:] == pytest.approx((1.0, *_wilson(1, 1)), abs=1e-4)
    assert got[("explicit.thumbs_up", "positive")][2:] == pytest.approx((0.0, *_wilson(0, 1)), abs=1e-4)


def _wilson(right: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_wilson_interval_matches_a_textbook_value():
    # 81 successes in 263 trials (Wilson's interval, Wikipedia "Binomial proportion confidence interval"):
    # 0.2553 .. 0.3662.
    assert _wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-4)


def test_review_vs_labels_and_rules_count_agreement_per_category_and_rule(lake):
    by_category = {(r[0], r[1]): r[2:] for r in _rows(
        lake, "SELECT item_kind, category, items, accepted, rejected, fixed, rules_compared, rules_agreed, "
              "judge_compared, judge_agreed FROM review_vs_labels")}
    # sft/math: s1 (rules positive vs reviewer negative), s5 (rules neutral, judge positive vs negative), s_edit.
    assert by_category[("sft", "math")] == (3, 1, 1, 1, 2, 0, 1, 0)
    assert by_category[("preference", "math")] == (1, 0, 0, 1, 1, 1, 0, 0)
    assert by_category[("judgment", "qa")] == (1, 0, 1, 0, 1, 0, 1, 0)  # category from the judged turn
    by_rule = {(r[0], r[1]): r[2:] for r in _rows(
        lake, "SELECT item_kind, rule_id, items, agreed, judge_compared, judge_agreed FROM review_vs_rules "
              "WHERE rule_label <> 'neutral'")}
    assert by_rule[("judgment", "judge.v1")] == (1, 0, 1, 0)
    assert by_rule[("preference", "explicit.thumbs_down")] == (1, 1, 0, 0)


def test_the_stock_cli_gives_the_review_views_the_same_rows(lake, tmp_path):
    cli = stock_duckdb()
    catalog = tmp_path / "catalog.sql"
    catalog.write_text(portable_sql(lake))
    for view in REVIEW_VIEWS:
        ours = _rows(lake, f"SELECT count(*) FROM {view}")[0][0]
        assert ours > 0, view
        assert cli_rows(cli, catalog, f"SELECT count(*) FROM {view}", Path("/"))[1] == [[str(ours)]], view
    header, rows = cli_rows(cli, catalog, "SELECT rule_id, reviewed, right_decisions, precision_low FROM rule_precision "
                                          "ORDER BY rule_id", Path("/"))
    ours = _rows(lake, "SELECT rule_id, reviewed, right_decisions, precision_low FROM rule_precision ORDER BY rule_id")
    assert [[r[0], int(r[1]), int(r[2]), float(r[3])] for r in rows] == [list(r) for r in ours]


def test_reviewer_names_never_reach_the_views(lake):
    texts = " ".join(str(row) for view in REVIEW_VIEWS for row in _rows(lake, f"SELECT * FROM {view}"))
    assert not any(name in texts for name in ("alice", "bob", "carol"))
    assert reviewer_hash(lake, "alice") in texts


def test_every_reason_code_the_views_read_is_one_the_guidelines_define():
    # review_labels turns reason codes into labels: a code renamed in a guideline must not silently make those
    # rows NULL. The guidelines (review/guidelines/*.md) are the one list of codes; the views only read them.
    import re
    from pathlib import Path

    from review.guidelines import load_guideline

    views = (Path(__file__).resolve().parents[2] / "sql" / "views.sql").read_text()
    used = set()
    for clause in re.findall(r"reason\s*(?:=\s*'[^']+'|IN\s*\([^)]*\))", views):
        used |= set(re.findall(r"'([^']+)'", clause))
    defined = {code for kind in ("sft", "preference", "judgment") for code in load_guideline(kind).reason_codes}
    assert used and used <= defined, sorted(used - defined)
