"""The report's human-review section: coverage of the range's rows by kind and reviewer agreement when the
lake holds reviews; no section, no link, when it holds none."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta, timezone

import pytest

from datalake.reviews import append_reviews, read_reviews, reviewer_hash
from generated_lake import one_day_lake
from report import write_report
from review.agreement import latest_verdicts, pair_agreements
from schemas.review import Review
from sql.catalog import open_catalog

DAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def lakes(tmp_path_factory):
    """A generated day without reviews, and a copy where alice and bob reviewed six SFT rows and two
    preference rows (disagreeing on some)."""
    root = tmp_path_factory.mktemp("report-reviews")
    one_day_lake(root / "base", DAY, conversations=20)
    plain, reviewed = root / "base" / "lake", root / "reviewed"
    shutil.copytree(plain, reviewed)
    lake = str(reviewed)
    con = open_catalog(lake)
    sft = [r[0] for r in con.execute("SELECT example_id FROM sft ORDER BY example_id LIMIT 6").fetchall()]
    prefs = [r[0] for r in con.execute("SELECT pair_id FROM preferences ORDER BY pair_id LIMIT 2").fetchall()]
    con.close()
    at = datetime(2026, 11, 30, tzinfo=timezone.utc)
    rows = []
    verdicts = {"alice": ["accept", "accept", "reject", "fix", "accept", "reject"],
                "bob": ["accept", "reject", "reject", "accept", "accept", "accept"]}
    for name, said in verdicts.items():
        for i, (item, verdict) in enumerate(zip(sft, said)):
            rows.append(_review(lake, f"{name}-{i}", item, "sft", name, verdict, at + timedelta(minutes=i)))
    for i, item in enumerate(prefs):
        rows.append(_review(lake, f"p-{i}", item, "preference", "alice", "accept", at))
    append_reviews(lake, rows)
    return str(plain), lake


def _review(lake: str, review_id: str, item: str, kind: str, name: str, verdict: str, at: datetime) -> Review:
    return Review(review_id=review_id, item_id=item, item_kind=kind, item_day=DAY, reviewer=reviewer_hash(lake, name),
                  verdict=verdict, reason="incorrect" if verdict == "reject" else None,
                  fixed_answer="a fixed answer" if verdict == "fix" else None, strategy="random",
                  guideline_version=f"{kind}-1", source="import", reviewed_at=at)


def _section(html: str) -> str:
    return re.search(r'<section id="reviews">(.*?)</section>', html, re.S).group(1)


def test_the_report_shows_review_coverage_and_agreement(lakes, tmp_path):
    _, lake = lakes
    html = open(write_report(lake, DAY, DAY, str(tmp_path)), encoding="utf-8").read()
    assert '<a href="#reviews">' in html
    section = _section(html)
    con = open_catalog(lake)
    sft_rows, pref_rows = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sft", "preferences"))
    con.close()
    # sft: 6 reviewed; decisions: any reject rejects (items 2, 3, 6), item 4 fixed, items 1 and 5 accepted.
    share = f"{6 / sft_rows:.1%}"
    assert (f'<tr><td>sft</td><td class="n">{sft_rows}</td><td class="n">6</td><td class="n">{share}</td>'
            '<td class="n">2</td><td class="n">3</td><td class="n">1</td></tr>') in section
    assert f'<tr><td>preference</td><td class="n">{pref_rows}</td><td class="n">2</td>' in section
    (pair,) = pair_agreements(latest_verdicts(read_reviews(lake), "sft"))
    assert pair.items == 6 and pair.agreed == 3
    assert (f"<td>{pair.reviewer_a}</td><td>{pair.reviewer_b}</td><td class=\"n\">6</td><td class=\"n\">3</td>"
            f"<td class=\"n\">{pair.kappa:.2f}</td>") in section
    assert "alice" not in html and "bob" not in html


def test_a_lake_without_reviews_gets_no_review_section(lakes, tmp_path):
    plain, _ = lakes
    html = open(write_report(plain, DAY, DAY, str(tmp_path)), encoding="utf-8").read()
    assert 'id="reviews"' not in html and "#reviews" not in html and "Human review" not in html
