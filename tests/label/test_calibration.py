"""Calibrated confidences: smoothing, minimum support, abstaining rules, and what reaches SFT."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.conversation import Conversation, Label, Turn
from transforms.label import calibration
from transforms.label.calibration import MIN_PRECISION, MIN_SUPPORT, PRIOR_WEIGHT, Measurement, kind_of, measure, smoothed
from transforms.label.judge_prompt import build_messages
from transforms.label.signals import CUE_RULES, RULES, _decision, label_turns, needs_judge
from transforms.label.verdicts import judge_item
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows

T0 = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_the_measurement_does_not_depend_on_the_base_rate():
    # The same rule (fires on 10% of negative turns, 1% of positive ones) on a set with 5x more positives
    # and on a balanced one: raw precision moves with the base rate, the balanced one does not.
    skewed = measure("negative", (10, 0, 5), (100, 0, 500))
    balanced = measure("negative", (10, 0, 1), (100, 0, 100))
    assert skewed.balanced == pytest.approx(balanced.balanced) == pytest.approx(0.1 / 0.11)
    assert skewed.raw == pytest.approx(10 / 15) and balanced.raw == pytest.approx(10 / 11)
    # Neutral gold neither confirms nor refutes a verdict rule.
    assert measure("negative", (10, 999, 5), (100, 5000, 500)).balanced == pytest.approx(skewed.balanced)


def test_a_neutral_rule_is_measured_by_the_complaints_it_would_hide():
    hides_none = measure("neutral", (0, 90, 10), (100, 900, 100))
    hides_many = measure("neutral", (50, 40, 10), (100, 900, 100))
    assert hides_none.balanced == 1.0 and hides_many.balanced < MIN_PRECISION


def test_smoothing_pulls_a_small_sample_towards_the_declared_confidence():
    assert smoothed(Measurement(None, None, 0), 0.7) == 0.7
    small = Measurement(1.0, 1.0, 10)
    assert smoothed(small, 0.5) == pytest.approx((10 * 1.0 + PRIOR_WEIGHT * 0.5) / (10 + PRIOR_WEIGHT), abs=1e-3)
    assert smoothed(Measurement(0.9, 0.9, 1000), 0.5) == pytest.approx(0.9, abs=0.01)  # much data speaks


def test_a_rule_with_too_little_data_keeps_its_declared_confidence(monkeypatch):
    import transforms.label.calibrated_confidences as measured

    monkeypatch.setattr(measured, "GOLD_TURNS", (100, 1000, 100))
    monkeypatch.setattr(measured, "MEASURED", {"conversational.doubt": (MIN_SUPPORT - 1, 50, 0),
                                               "conversational.thanks": (20, 300, 20)})
    assert calibration.calibrated_confidence("conversational.en.doubt", "negative", 0.5) == 0.5
    low = calibration.calibrated_confidence("conversational.zh.thanks", "positive", 0.6)
    assert low == smoothed(Measurement(0.5, 0.5, 40), 0.6) and low < MIN_PRECISION


def test_kinds_are_language_free():
    assert kind_of("conversational.en.complaint") == kind_of("conversational.zh.complaint") == "conversational.complaint"
    assert kind_of("conversational.repeat") == "conversational.repeat"


def test_an_abstaining_rule_keeps_its_provenance_but_does_not_label():
    abstaining = [r for r in RULES if r.abstains]
    assert abstaining, "expected at least one conversational rule measured under the threshold"
    decision = _decision(abstaining[0], evidence="x")
    assert decision.label is Label.unknown and decision.rule_id == abstaining[0].rule_id


def test_explicit_and_behavioural_rules_are_not_calibrated():
    for rule in RULES:
        assert rule.calibrated == rule.rule_id.startswith("conversational."), rule.rule_id
    assert {c.name for c in CUE_RULES} >= {"confusion", "irony", "answered", "no_more", "closing"}


def _exchange(follow_up: str, answer: str = "Boil the eggs for nine minutes, then cool them in cold water."):
    turns = [
        Turn(turn_index=0, message_id="u0", role="user", content="How long do I boil eggs?", timestamp=T0),
        Turn(turn_index=1, message_id="a0", parent_id="u0", role="assistant", content=answer,
             timestamp=T0 + timedelta(seconds=5)),
        Turn(turn_index=2, message_id="u1", parent_id="a0", role="user", content=follow_up,
             timestamp=T0 + timedelta(seconds=90)),
    ]
    return Conversation(row_id="", conversation_id="c", source="s", started_at=T0, ended_at=T0, n_turns=3,
                        turns=turns)


@pytest.mark.parametrize("follow_up", ["thanks", "ok thanks", "Great.", "谢谢", "好的"])
def test_bare_politeness_alone_is_no_sft_target(follow_up):
    labelled = label_turns(_exchange(follow_up))
    assert labelled.turns[1].label is not Label.negative
    assert build_training_rows(labelled, TrainingPolicy()).sft == []
    assert needs_judge(labelled.turns[1])  # weak: the judge decides


@pytest.mark.parametrize("follow_up", ["Perfect, that worked!", "Exactly what I needed.", "Great explanation.",
                                       "这个方法有效", "谢谢，解决了"])
def test_specific_praise_makes_an_sft_target(follow_up):
    labelled = label_turns(_exchange(follow_up))
    assert [e.target_message_id for e in build_training_rows(labelled, TrainingPolicy()).sft] == ["a0"]


@pytest.mark.parametrize("follow_up", ["Thanks, but that is not what I asked.", "Nice try.", "谢谢，但是还是不行"])
def test_praise_with_a_but_or_irony_is_no_sft_target(follow_up):
    labelled = label_turns(_exchange(follow_up))
    assert labelled.turns[1].label is not Label.positive
    assert build_training_rows(labelled, TrainingPolicy()).sft == []


def test_a_rules_positive_is_an_sft_target_only_at_the_calibrated_confidence():
    labelled = label_turns(_exchange("Perfect, that worked!"))
    assert labelled.turns[1].label is Label.positive
    confidence = labelled.turns[1].decisions[0].confidence
    below = TrainingPolicy(min_rules_positive_confidence=min(1.0, confidence + 0.01))
    at = TrainingPolicy(min_rules_positive_confidence=confidence)
    assert [e.target_message_id for e in build_training_rows(labelled, at).sft] == ["a0"]
    assert build_training_rows(labelled, below).sft == []


def test_the_judge_sees_the_dialogue_act_of_the_answer():
    conversation = _exchange("no thanks", answer="Done. Anything else I can help with?")
    item = judge_item(conversation, conversation.turns[1], "undecided")
    assert item.answer_act == "closing"
    assert '"answer_act": "closing"' in build_messages(item, "SYS")[1]["content"]
