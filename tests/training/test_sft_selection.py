from datetime import datetime, timedelta, timezone

from transforms.training.policy import TrainingPolicy
from schemas.conversation import Conversation, Label, LabelDecision, Turn
from transforms.training.rows import build_training_rows
from transforms.turns import conversation_context

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


def turn(i, role, content, parent=None, label=None, rule="explicit.thumbs_up"):
    decisions = [LabelDecision(rule_id=rule, rules_version="v0", event_id=f"e{i}", label=label, confidence=0.9)] if label else []
    return Turn(turn_index=i, message_id=f"m{i}", parent_id=parent, role=role, content=content,
                timestamp=T0 + timedelta(seconds=i), label=label, decisions=decisions)


def conversation(turns):
    return Conversation(row_id="", conversation_id="c1", source="events", started_at=T0, ended_at=T0,
                        n_turns=len(turns), turns=turns)


def sft_examples(conv):
    return build_training_rows(conv, TrainingPolicy()).sft


def test_only_positive_assistant_turns_become_examples():
    conv = conversation([
        turn(0, "system", "You are helpful."),
        turn(1, "user", "What is 2+2?", parent="m0"),
        turn(2, "assistant", "It is 5.", parent="m1", label=Label.negative, rule="explicit.thumbs_down"),
        turn(3, "assistant", "It is 4.", parent="m1", label=Label.positive),
        turn(4, "user", "thanks, and 3+3?", parent="m3"),
        turn(5, "assistant", "It is 6.", parent="m4", label=Label.unknown),
    ])
    examples = sft_examples(conv)
    assert [e.target_message_id for e in examples] == ["m3"]
    # The regenerated sibling "5" is not in the context: the chain follows parent ids.
    assert [(m.role, m.content) for m in examples[0].messages] == [
        ("system", "You are helpful."), ("user", "What is 2+2?"), ("assistant", "It is 4.")]
    # The accepted regeneration after the thumbs-down sibling: provenance names both signals.
    assert examples[0].derivation == "regenerated_accepted"
    assert examples[0].rule_ids == ["explicit.thumbs_down", "explicit.thumbs_up"]


def test_example_ids_are_deterministic_and_content_sensitive():
    turns = [turn(0, "user", "capital of France?"), turn(1, "assistant", "Paris", parent="m0", label=Label.positive)]
    first = sft_examples(conversation(turns))[0].example_id
    assert first == sft_examples(conversation(turns))[0].example_id
    turns[1] = turn(1, "assistant", "Paris.", parent="m0", label=Label.positive)
    assert sft_examples(conversation(turns))[0].example_id != first


def test_without_parent_ids_earlier_answers_to_the_same_prompt_are_dropped():
    conv = conversation([
        turn(0, "user", "q"), turn(1, "assistant", "bad"), turn(2, "assistant", "good", label=Label.positive)])
    assert [t.content for t in conversation_context(conv, conv.turns[2])] == ["q"]


def test_no_example_without_a_user_prompt_or_with_an_empty_answer():
    assert sft_examples(conversation([turn(0, "assistant", "hello", label=Label.positive)])) == []
    assert sft_examples(conversation([turn(0, "user", "q"), turn(1, "assistant", "  ", parent="m0",
                                                                         label=Label.positive)])) == []


def test_the_policy_applies_when_given():
    turns = [turn(0, "user", "capital of France?"), turn(1, "assistant", "Paris", parent="m0", label=Label.positive)]
    assert len(sft_examples(conversation(turns))) == 1
    assert build_training_rows(conversation(turns), TrainingPolicy(min_answer_chars=10)).sft == []
