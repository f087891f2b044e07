"""Where the LLM judge meets a conversation: which turns it sees, and how its verdicts become labels.

Plain Python; transforms/label/judge.py talks to the endpoint, the Beam wrapper batches conversations.
The judge only ever sees scrubbed text. Its verdict is one more signal for `signals.combine`, which never
lets it overturn an explicit negative from the user. Calibration verdicts (a sample of turns the rules
had decided) are recorded in `judgments` to measure agreement, and do not change the label.

The judge's corrected answer is untrusted text: a turn keeps it only when the verdict and the user's own
feedback agree the original was bad (`correction_agreed`). The Beam wrapper scrubs it before it gets
here; the training rows filter it like any answer, plus a check for markup and injected instructions.
"""

from __future__ import annotations

from schemas.conversation import Conversation, Label, LabelDecision, Turn
from schemas.outputs import Judgment
from transforms.turns import conversation_context
from transforms.label.dialogue_acts import assistant_act
from transforms.label.judge_prompt import JudgeItem, pick_for_judging
from transforms.label.signals import EVIDENCE_FLOOR, JUDGE_PREFIX, combine, needs_judge, next_user_turn

# judge_status values (see schemas.conversation.Turn)
# The judge_status values (their one definition and meaning: schemas.conversation.JudgeStatus).
NOT_NEEDED, JUDGED, CACHED, CALIBRATION = "not_needed", "judged", "cached", "calibration"
SKIPPED, FAILED, RULES_ONLY = "judge_skipped", "judge_failed", "rules_only"


def judge_item(conversation: Conversation, answer: Turn, reason: str) -> JudgeItem:
    follow_up = next_user_turn(conversation, answer)
    return JudgeItem(
        conversation_id=conversation.conversation_id, message_id=answer.message_id, turn_index=answer.turn_index,
        context=[(t.role, t.content) for t in conversation_context(conversation, answer)],
        answer=answer.content, answer_act=assistant_act(answer.content).value,
        follow_up=follow_up.content if follow_up else None,
        rules_label=answer.label.value if answer.label else None, reason=reason,
    )


def items_to_judge(conversation: Conversation, calibration_rate: float, seed: int = 0) -> list[JudgeItem]:
    """Every assistant turn the rules left undecided, plus a deterministic calibration sample of the rest."""
    answers = [t for t in conversation.turns if t.role == "assistant" and t.content.strip()]
    undecided = [judge_item(conversation, t, "undecided") for t in answers if needs_judge(t)]
    decided = [judge_item(conversation, t, "calibration") for t in answers if not needs_judge(t)]
    return pick_for_judging(undecided, decided, calibration_rate, seed)


# A verdict at or below this quality (1-10), or "dissatisfied", says the answer was bad.
BAD_QUALITY = 4


def verdict_says_bad(judgment: Judgment) -> bool:
    return judgment.satisfaction == "dissatisfied" or (judgment.quality or 0) <= BAD_QUALITY


def user_says_bad(turn: Turn) -> bool:
    """The rules saw the user reject this answer: a negative decision of their own (a correction, a
    complaint, a rephrase, a thumbs down...) with at least the evidence floor's confidence. The judge's
    own decisions do not count: the judge cannot vouch for itself."""
    return any(d.label == Label.negative and d.confidence >= EVIDENCE_FLOOR and not d.rule_id.startswith(JUDGE_PREFIX)
               for d in turn.decisions)


def correction_agreed(turn: Turn, judgment: Judgment) -> bool:
    """Whether the judge's corrected answer may stand for this turn: the verdict says the answer was bad AND
    the user's feedback says so too. A corrected answer under a good verdict, or on a turn no user signal
    rejected, is the judge writing training targets on its own (or text injected into it): dropped."""
    return bool(judgment.corrected_answer) and verdict_says_bad(judgment) and user_says_bad(turn)


def verdict_decision(judgment: Judgment) -> LabelDecision:
    """The judge's verdict as a signal: good quality -> positive, poor or dissatisfied -> negative."""
    quality = judgment.quality or 0
    if verdict_says_bad(judgment):
        label, confidence = Label.negative, round((11 - quality) / 10, 2)
    elif quality >= 7:
        label, confidence = Label.positive, round(quality / 10, 2)
    else:
        label, confidence = Label.neutral, 0.5
    category = judgment.feedback_category if judgment.feedback_category not in (None, "none") else None
    return LabelDecision(rule_id=f"judge.{judgment.rubric_version}", rules_version=judgment.rubric_version,
                         label=label, confidence=confidence, category=category)


def apply_judgments(
    conversation: Conversation,
    judgments: dict[str, Judgment],
    skipped: set[str],
    cached: set[str],
    judge_configured: bool,
) -> Conversation:
    """Fold the judge's outcomes (by message id) into the turns' labels and judge_status.

    judgments: ok or failed Judgment per judged message id; skipped: message ids the budget left out;
    cached: judgment ids that came from the cache. Nothing is dropped: a turn the judge failed on or
    skipped keeps its rules label and says so in judge_status.
    """
    turns = []
    for turn in conversation.turns:
        if turn.role != "assistant":
            turns.append(turn)
            continue
        judgment = judgments.get(turn.message_id)
        update: dict = {}
        if not judge_configured:
            update["judge_status"] = RULES_ONLY if needs_judge(turn) else NOT_NEEDED
        elif turn.message_id in skipped:
            update["judge_status"] = SKIPPED
        elif judgment is None:
            update["judge_status"] = NOT_NEEDED
        elif judgment.status != "ok":
            update["judge_status"] = FAILED
        elif judgment.reason == "calibration":
            update["judge_status"] = CALIBRATION
        else:
            decisions = [*turn.decisions, verdict_decision(judgment)]
            label, quality, source = combine(decisions)
            update.update(
                decisions=decisions, label=label, label_source=source,
                quality_score=quality if label == Label.negative else judgment.quality / 10,
                judge_status=CACHED if judgment.judgment_id in cached else JUDGED,
                corrected_answer=judgment.corrected_answer if correction_agreed(turn, judgment) else None,
            )
        turns.append(turn.model_copy(update=update))
    return conversation.model_copy(update={"turns": turns})
