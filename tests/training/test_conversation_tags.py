"""Category and language on every turn and on the conversation, and the training rows agreeing with them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schemas.conversation import Conversation, Label, LabelDecision, Turn
from transforms.conversation_tags import conversation_category, conversation_language, tag_conversation
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows

T0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)


def _conversation(*messages: tuple[str, str], thumbs_up: bool = True) -> Conversation:
    turns = []
    for i, (role, content) in enumerate(messages):
        decisions, label = [], None
        if role == "assistant":
            label = Label.positive if thumbs_up else Label.negative
            decisions = [LabelDecision(rule_id="explicit.thumbs_up" if thumbs_up else "explicit.thumbs_down",
                                       rules_version="2", label=label, confidence=1.0)]
        turns.append(Turn(turn_index=i, message_id=f"m{i}", parent_id=f"m{i - 1}" if i else None, role=role,
                          content=content, timestamp=T0 + timedelta(seconds=i), label=label, decisions=decisions))
    return Conversation(row_id="", conversation_id="c1", source="events", started_at=T0, ended_at=T0,
                        n_turns=len(turns), turns=turns)


CHINESE_THEN_TLDR = _conversation(
    ("user", "请帮我总结一下这篇关于气候变化的文章的主要观点，文章很长，我需要一个简短的概要。"),
    ("assistant", "这篇文章的主要观点是：全球气温持续上升，极端天气更加频繁，各国需要尽快减少碳排放。"),
    ("user", "TL;DR?"),
    ("assistant", "气温上升，需要减排。"),
)


def test_a_short_latin_request_does_not_make_a_chinese_conversation_english():
    tagged = tag_conversation(CHINESE_THEN_TLDR)
    assert [t.language for t in tagged.turns] == ["zh", "zh", "und", "zh"]
    assert tagged.language == "zh"
    # Its training rows carry the conversation's language for the request that alone says nothing.
    rows = build_training_rows(tagged, TrainingPolicy())
    assert {e.target_message_id: e.language for e in rows.sft} == {"m1": "zh", "m3": "zh"}
    assert build_training_rows(tagged, TrainingPolicy(languages=["zh"])).sft == rows.sft


def test_each_turn_has_its_own_language_and_the_users_letters_decide_the_conversation():
    tagged = tag_conversation(_conversation(
        ("user", "Peux-tu m'expliquer la différence entre une liste et un tuple en Python ?"),
        ("assistant", "Sure: a list is mutable, a tuple is not, so a tuple can be a dictionary key."),
        ("user", "Merci, et comment convertir une liste en tuple sans tout recopier à la main ?"),
        ("assistant", "Call tuple() on the list and you get a new tuple with the same items."),
    ))
    assert [t.language for t in tagged.turns] == ["fr", "en", "fr", "en"]
    assert tagged.language == "fr"


def test_an_answer_has_its_requests_category_with_the_answer_as_evidence():
    tagged = tag_conversation(_conversation(
        ("system", "You are a helpful assistant."),
        ("user", "reverse a linked list"),
        ("assistant", "```python\ndef reverse(head):\n    ...\n```"),
        ("user", "thanks!"),
        ("assistant", "You're welcome!"),
    ))
    assert [t.category for t in tagged.turns] == [None, "other", "coding", "chitchat", "chitchat"]
    # Answers vote: coding and chitchat tie, the more specific task wins.
    assert tagged.category == "coding"
    rows = build_training_rows(tagged, TrainingPolicy())
    by_target = {e.target_message_id: e.category for e in rows.sft}
    assert by_target == {t.message_id: t.category for t in tagged.turns if t.message_id in by_target}


def test_conversation_category_votes_and_other_only_when_nothing_else():
    tagged = tag_conversation(_conversation(
        ("user", "asdf"), ("assistant", "qwerty"),
        ("user", "What is 15% of 80?"), ("assistant", "12."),
        ("user", "zxcv"), ("assistant", "uiop"),
    ))
    assert [t.category for t in tagged.turns if t.role == "assistant"] == ["other", "math", "other"]
    assert tagged.category == "math"
    assert conversation_category(_conversation(("user", "asdf"), ("assistant", "qwerty")).turns) is None  # untagged
    assert tag_conversation(_conversation(("user", "asdf"), ("assistant", "qwerty"))).category == "other"
    # Nothing answered: the requests vote.
    assert tag_conversation(_conversation(("user", "Write a poem about autumn"))).category == "writing"


def test_no_language_anywhere_is_undetermined():
    tagged = tag_conversation(_conversation(("user", "ok"), ("assistant", "42")))
    assert [t.language for t in tagged.turns] == ["und", "und"]
    assert tagged.language == "und"
    # Without a user language the answers vote.
    assert conversation_language(_conversation(("user", "?"), ("assistant", "Bien sûr, voici la réponse complète.")).turns) == "fr"
