"""Signals rules v0: each rule, combination, provenance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.conversation import Conversation, FeedbackSignal, Label, Turn
from transforms.signals import RULES, RULES_VERSION, label_turns

T0 = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def signal(kind, event_id="e1", **extra):
    return FeedbackSignal(event_id=event_id, kind=kind, timestamp=T0, attached_by="message_id", **extra)


def conversation(*feedback_per_answer):
    turns = []
    for n, feedback in enumerate(feedback_per_answer):
        turns.append(Turn(turn_index=2 * n, message_id=f"u{n}", role="user", content="q", timestamp=T0))
        turns.append(
            Turn(
                turn_index=2 * n + 1,
                message_id=f"a{n}",
                parent_id=f"u{n}",
                role="assistant",
                content="a",
                timestamp=T0 + timedelta(seconds=n),
                feedback=list(feedback),
            )
        )
    return Conversation(
        row_id="",
        conversation_id="c1",
        source="s",
        started_at=T0,
        ended_at=T0,
        n_turns=len(turns),
        turns=turns,
    )


def answer(labelled, n=0):
    return [t for t in labelled.turns if t.role == "assistant"][n]


@pytest.mark.parametrize(
    "feedback, rule_id, label, confidence",
    [
        (signal("thumbs_up"), "explicit.thumbs_up", Label.positive, 0.9),
        (signal("thumbs_down"), "explicit.thumbs_down", Label.negative, 0.95),
        (signal("rating", rating=5), "explicit.rating_high", Label.positive, 0.8),
        (signal("rating", rating=4), "explicit.rating_high", Label.positive, 0.8),
        (signal("rating", rating=3), "explicit.rating_mid", Label.neutral, 0.5),
        (signal("rating", rating=3.5), "explicit.rating_mid", Label.neutral, 0.5),
        (signal("rating", rating=2), "explicit.rating_low", Label.negative, 0.85),
        (signal("rating", rating=1), "explicit.rating_low", Label.negative, 0.85),
        (signal("regenerate"), "behavioural.regenerate", Label.negative, 0.6),
        (signal("copy"), "behavioural.copy", Label.positive, 0.6),
        (signal("edit", edited_text="fixed"), "behavioural.edit", Label.negative, 0.7),
        (signal("report"), "explicit.report", Label.negative, 1.0),
    ],
)
def test_each_rule(feedback, rule_id, label, confidence):
    turn = answer(label_turns(conversation([feedback])))
    assert turn.label is label
    (decision,) = turn.decisions
    assert decision.rule_id == rule_id
    assert decision.rules_version == RULES_VERSION == "v0"
    assert decision.event_id == "e1"
    assert decision.label is label and decision.confidence == confidence


def test_rules_are_declared_once_with_unique_ids():
    assert len({rule.rule_id for rule in RULES}) == len(RULES)


def test_no_feedback_is_unknown_and_other_roles_stay_unlabelled():
    labelled = label_turns(conversation([]))
    assert answer(labelled).label is Label.unknown and answer(labelled).decisions == []
    user = labelled.turns[0]
    assert user.label is None and user.decisions == []


def test_feedback_no_rule_covers_makes_no_decision():
    turn = answer(label_turns(conversation([signal("something_new")])))
    assert turn.label is Label.unknown and turn.decisions == []


@pytest.mark.parametrize(
    "positives",
    [
        [signal("thumbs_up", "p1"), signal("copy", "p2"), signal("rating", "p3", rating=5)],
        [signal("copy", "p1")],
    ],
)
def test_explicit_negative_beats_any_positive(positives):
    feedback = positives + [signal("thumbs_down", "n1")]
    turn = answer(label_turns(conversation(feedback)))
    assert turn.label is Label.negative
    # Every decision is kept as provenance, in feedback order.
    assert [d.event_id for d in turn.decisions] == [f.event_id for f in feedback]


def test_positive_beats_neutral():
    turn = answer(label_turns(conversation([signal("rating", "m", rating=3), signal("thumbs_up", "p")])))
    assert turn.label is Label.positive


def test_neutral_alone():
    turn = answer(label_turns(conversation([signal("rating", rating=3)])))
    assert turn.label is Label.neutral


def test_regenerate_labels_the_answer_it_names_not_its_sibling():
    # a0 was regenerated (the feedback sits on a0), a1 is the new answer without feedback.
    labelled = label_turns(conversation([signal("regenerate")], []))
    assert answer(labelled, 0).label is Label.negative
    assert answer(labelled, 1).label is Label.unknown


def test_label_turns_returns_a_copy_and_is_idempotent():
    original = conversation([signal("thumbs_up")])
    once = label_turns(original)
    twice = label_turns(once)
    assert answer(original).label is None and answer(original).decisions == []
    assert once == twice
    assert len(answer(twice).decisions) == 1
