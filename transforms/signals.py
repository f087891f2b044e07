"""Signals, rules v0: label assistant turns from the feedback the user gave on them.

The rules are declared once, as data, in `RULES`. Every label carries the decisions that made it
(rule id, rules version, the feedback event), so a training row can always say why it was selected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemas.conversation import Conversation, FeedbackSignal, Label, LabelDecision, Turn
from schemas.events import FeedbackKind, Role

RULES_VERSION = "v0"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    kind: FeedbackKind
    label: Label
    confidence: float
    why: str
    # Extra condition on the feedback beyond its kind (ratings are split by value).
    when: Callable[[FeedbackSignal], bool] = lambda feedback: True


def _rating_at_least(low: float) -> Callable[[FeedbackSignal], bool]:
    return lambda feedback: feedback.rating is not None and feedback.rating >= low


def _rating_at_most(high: float) -> Callable[[FeedbackSignal], bool]:
    return lambda feedback: feedback.rating is not None and feedback.rating <= high


def _rating_between(low: float, high: float) -> Callable[[FeedbackSignal], bool]:
    # Open interval: whatever is neither high (>= 4) nor low (<= 2), e.g. 3 or 3.5 on a 1-5 scale.
    return lambda feedback: feedback.rating is not None and low < feedback.rating < high


# First matching rule per feedback event wins; kinds are disjoint except the three rating bands.
RULES: tuple[Rule, ...] = (
    Rule("explicit.thumbs_up", FeedbackKind.thumbs_up, Label.positive, 0.9, "the user said it was good"),
    Rule("explicit.thumbs_down", FeedbackKind.thumbs_down, Label.negative, 0.95, "the user said it was bad"),
    Rule("explicit.rating_high", FeedbackKind.rating, Label.positive, 0.8, "rated 4 or 5", _rating_at_least(4)),
    Rule("explicit.rating_low", FeedbackKind.rating, Label.negative, 0.85, "rated 1 or 2", _rating_at_most(2)),
    Rule("explicit.rating_mid", FeedbackKind.rating, Label.neutral, 0.5, "rated 3", _rating_between(2, 4)),
    Rule(
        "behavioural.regenerate", FeedbackKind.regenerate, Label.negative, 0.6,
        "the user asked for another answer to this one",
    ),
    Rule("behavioural.copy", FeedbackKind.copy, Label.positive, 0.6, "the user copied the answer to use it"),
    Rule("behavioural.edit", FeedbackKind.edit, Label.negative, 0.7, "the user had to fix it"),
    Rule("explicit.report", FeedbackKind.report, Label.negative, 1.0, "the user reported it"),
)

# Combination order: a negative from the user is never outvoted, so it is checked first.
_PRECEDENCE = (Label.negative, Label.positive, Label.neutral)


def rule_for(feedback: FeedbackSignal) -> Rule | None:
    """The rule that decides this feedback event, or None when no v0 rule covers it."""
    for rule in RULES:
        if feedback.kind == rule.kind.value and rule.when(feedback):
            return rule
    return None


def decide(turn: Turn) -> tuple[Label, list[LabelDecision]]:
    """One assistant turn's label and the decisions behind it, from its attached feedback."""
    decisions = []
    for feedback in turn.feedback:
        rule = rule_for(feedback)
        if rule is None:
            continue
        decisions.append(
            LabelDecision(
                rule_id=rule.rule_id,
                rules_version=RULES_VERSION,
                event_id=feedback.event_id,
                label=rule.label,
                confidence=rule.confidence,
            )
        )
    found = {decision.label for decision in decisions}
    for label in _PRECEDENCE:
        if label in found:
            return label, decisions
    return Label.unknown, decisions


def label_turns(conversation: Conversation) -> Conversation:
    """Label every assistant turn with rules v0.

    In: a sessionized (and normally scrubbed) conversation with feedback attached to its turns.
    Out: a copy in which every assistant turn has `label` (negative > positive > neutral, unknown
    when no feedback decides it) and `decisions` (one per feedback event a rule covers, in feedback
    order; replaced, not appended, so relabelling is idempotent). Other turns are left as they are.
    Refuses: nothing; feedback a v0 rule does not cover simply makes no decision.
    """
    labelled = conversation.model_copy(deep=True)  # the caller's conversation stays untouched
    for turn in labelled.turns:
        if turn.role == Role.assistant.value:
            turn.label, turn.decisions = decide(turn)
    return labelled
