"""Reviewer agreement: Cohen's and Fleiss' kappa against textbook values, and the Python figures
(`review.agreement`, `flywheel review agreement`) equal to the catalog's SQL views over the same reviews."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from datalake.reviews import append_reviews, item_decisions, read_reviews, reviewer_hash
from review.agreement import (agreement_report, cohens_kappa, fleiss_kappa, group_agreement, latest_verdicts,
                              pair_agreements)
from schemas.review import Review
from sql.catalog import open_catalog

DAY = date(2026, 11, 28)
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_cohens_kappa_of_the_textbook_two_by_two_table():
    # Cohen's classic example (Wikipedia "Cohen's kappa"): 50 proposals, both yes 20, both no 15, A yes B no 5,
    # A no B yes 10: observed 0.7, chance 0.5, kappa 0.4.
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohens_kappa(table) == pytest.approx(0.4)


def test_cohens_kappa_over_three_verdicts_by_hand():
    # Rows: reviewer A, columns: reviewer B (accept, reject, fix); 30 items.
    grid = [[10, 2, 3], [1, 6, 1], [2, 1, 4]]
    verdicts = ("accept", "reject", "fix")
    table = {(a, b): grid[i][j] for i, a in enumerate(verdicts) for j, b in enumerate(verdicts)}
    # observed 20/30; chance (15*13 + 8*9 + 7*8) / 900 = 323/900; kappa = (600 - 323) / (900 - 323)
    assert cohens_kappa(table) == pytest.approx(277 / 577)


def test_fleiss_kappa_of_the_textbook_table():
    # Fleiss' kappa example (Wikipedia "Fleiss' kappa"): 10 subjects, 14 raters each, 5 categories: 0.210.
    rows = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    items = [{str(c): n for c, n in enumerate(row) if n} for row in rows]
    assert fleiss_kappa(items) == pytest.approx(0.20993, abs=1e-4)


def test_kappa_is_undefined_without_data_or_with_one_verdict_only():
    assert cohens_kappa({}) is None
    assert cohens_kappa({("accept", "accept"): 5}) is None
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([{"accept": 3}, {"accept": 4}]) is None
    assert fleiss_kappa([{"accept": 1}]) is None  # one rater: no pair to agree


def _review(lake: str, n: int, item: str, name: str, verdict: str, minutes: int, kind: str = "sft") -> Review:
    return Review(review_id=f"r{n:03d}", item_id=item, item_kind=kind, item_day=DAY,
                  reviewer=reviewer_hash(lake, name), verdict=verdict,
                  reason="incorrect" if verdict == "reject" else None,
                  fixed_answer="a better answer" if verdict == "fix" else None, strategy="random",
                  guideline_version="sft-1", source="import", reviewed_at=T0 + timedelta(minutes=minutes))


@pytest.fixture()
def reviewed_lake(tmp_path) -> str:
    """Three reviewers on twelve SFT items (four items by all three), a changed mind, verdicts of one instant."""
    lake = str(tmp_path / "lake")
    (tmp_path / "lake").mkdir()
    plan = {  # item -> verdicts of alice, bob, carol (None: did not review it)
        "i01": ("accept", "accept", "accept"), "i02": ("accept", "reject", "accept"),
        "i03": ("fix", "fix", "reject"), "i04": ("reject", "reject", "reject"),
        "i05": ("accept", "accept", None), "i06": ("reject", "accept", None), "i07": ("fix", "accept", None),
        "i08": ("accept", "fix", None), "i09": ("accept", None, "accept"), "i10": ("reject", None, "fix"),
        "i11": (None, "accept", "accept"), "i12": ("accept", None, None),
    }
    rows, n = [], 0
    for minute, (item, verdicts) in enumerate(sorted(plan.items())):
        for name, verdict in zip(("alice", "bob", "carol"), verdicts):
            if verdict:
                rows.append(_review(lake, n, item, name, verdict, minute))
                n += 1
    append_reviews(lake, rows)
    # Bob changes his mind on i02 later (reject -> accept); alice's two verdicts on i12 in one import, one
    # instant: the later line counts (file order).
    append_reviews(lake, [_review(lake, 100, "i02", "bob", "accept", 60)])
    append_reviews(lake, [_review(lake, 101, "i12", "alice", "reject", 61), _review(lake, 102, "i12", "alice", "fix", 61)])
    # A preference review only: kinds are measured apart.
    append_reviews(lake, [_review(lake, 103, "p1", "alice", "accept", 62, kind="preference")])
    return lake


def test_python_and_sql_give_the_same_agreement(reviewed_lake):
    latest = latest_verdicts(read_reviews(reviewed_lake), "sft")
    assert latest["i02"][reviewer_hash(reviewed_lake, "bob")] == "accept"
    assert latest["i12"] == {reviewer_hash(reviewed_lake, "alice"): "fix"}
    pairs = pair_agreements(latest)
    group = group_agreement(latest)
    con = open_catalog(reviewed_lake)
    try:
        sql_pairs = con.execute("SELECT reviewer_a, reviewer_b, items, agreed, kappa FROM review_agreement "
                                "WHERE item_kind = 'sft' ORDER BY reviewer_a, reviewer_b").fetchall()
        sql_group = con.execute("SELECT items, verdicts, kappa FROM review_fleiss WHERE item_kind = 'sft'").fetchone()
        sql_decisions = dict(con.execute("SELECT item_id, decision FROM review_decisions WHERE item_kind = 'sft'").fetchall())
        kinds = [k for (k,) in con.execute("SELECT DISTINCT item_kind FROM review_agreement ORDER BY 1").fetchall()]
    finally:
        con.close()
    assert len(pairs) == 3 and kinds == ["sft"]  # one preference verdict: no pair
    assert [(p.reviewer_a, p.reviewer_b, p.items, p.agreed) for p in pairs] == [r[:4] for r in sql_pairs]
    assert [p.kappa for p in pairs] == pytest.approx([r[4] for r in sql_pairs], abs=1e-4)
    assert all(p.kappa is not None for p in pairs)
    assert (group.items, group.verdicts) == sql_group[:2] == (4, 12)
    assert group.kappa == pytest.approx(sql_group[2], abs=1e-4)
    assert sql_decisions == {item: d.verdict for item, d in item_decisions(reviewed_lake, "sft").items()}
    assert sql_decisions["i02"] == "accept" and sql_decisions["i03"] == "reject" and sql_decisions["i12"] == "fix"


def test_fleiss_kappa_of_the_lake_by_hand(reviewed_lake):
    # Items with three reviewers: i01 (3 accept), i02 (3 accept after bob's change), i03 (2 fix, 1 reject),
    # i04 (3 reject). Per-item agreement 1, 1, 1/3, 1; pooled shares accept 6/12, reject 4/12, fix 2/12.
    observed = (1 + 1 + 1 / 3 + 1) / 4
    chance = (6 / 12) ** 2 + (4 / 12) ** 2 + (2 / 12) ** 2
    group = group_agreement(latest_verdicts(read_reviews(reviewed_lake), "sft"))
    assert group.kappa == pytest.approx((observed - chance) / (1 - chance))


def test_the_agreement_report_names_pairs_by_hash_and_gives_kappa(reviewed_lake):
    text = agreement_report(reviewed_lake)
    alice, bob = reviewer_hash(reviewed_lake, "alice"), reviewer_hash(reviewed_lake, "bob")
    assert "alice" not in text and alice in text and bob in text
    line = next(row for row in text.splitlines() if row.startswith(min(alice, bob)) and max(alice, bob) in row)
    pair = next(p for p in pair_agreements(latest_verdicts(read_reviews(reviewed_lake), "sft"))
                if {p.reviewer_a, p.reviewer_b} == {alice, bob})
    assert line.split()[-1] == f"{pair.kappa:.3f}"
    assert "Fleiss' kappa over 4 item(s)" in text
    decided = Counter(d.verdict for d in item_decisions(reviewed_lake, "sft").values())
    assert f"items decided accept {decided['accept']}, reject {decided['reject']}, fix {decided['fix']}" in text
    assert "preference: 1 item(s) reviewed by 1 reviewer(s)" in text


def test_a_lake_without_reviews_says_so(tmp_path):
    assert agreement_report(str(tmp_path)).startswith("No reviews in the lake yet")
