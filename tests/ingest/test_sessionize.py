"""Sessionize: dedup of repeated history, ordering, feedback attachment."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent
from transforms.ids import stable_id
from transforms.ingest.event_log import feedback_event_id
from transforms.ingest.lines import parse_line
from transforms.ingest.sessionize import sessionize

T0 = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def msg(message_id, role, content, seconds, parent_id=None, user_id="u1", model=None):
    return MessageEvent(
        conversation_id="c1",
        user_id=user_id,
        timestamp=_at(seconds),
        message_id=message_id,
        parent_id=parent_id,
        role=role,
        content=content,
        model=model,
    )


def fb(kind, seconds, message_id=None, event_id=None, **extra):
    return FeedbackEvent(
        conversation_id="c1",
        timestamp=_at(seconds),
        message_id=message_id,
        event_id=event_id,
        kind=kind,
        **extra,
    )


def _gateway_line(history, answer, stamp):
    return json.dumps(
        {
            "timestamp": stamp,
            "request": {"model": "m", "messages": history},
            "response": {"model": "m-1", "choices": [{"message": {"role": "assistant", "content": answer}}]},
            "metadata": {"session_id": "c1", "user": "alice"},
        }
    )


def test_repeated_gateway_history_is_deduplicated_and_ordered():
    h1 = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weight?"}]
    h2 = h1 + [{"role": "assistant", "content": "1.6 kg"}, {"role": "user", "content": "In lb?"}]
    events = []
    # The later call arrives first: order must come from timestamps, not arrival.
    for line in (_gateway_line(h2, "3.5 lb", "2024-05-01T10:05:00Z"), _gateway_line(h1, "1.6 kg", "2024-05-01T10:00:00Z")):
        events += parse_line(line)[1]

    conversation, unattached = sessionize("c1", events, source="gateway")

    assert unattached == 0
    assert [(t.role, t.content) for t in conversation.turns] == [
        ("system", "Be brief."),
        ("user", "Weight?"),
        ("assistant", "1.6 kg"),
        ("user", "In lb?"),
        ("assistant", "3.5 lb"),
    ]
    assert [t.turn_index for t in conversation.turns] == [0, 1, 2, 3, 4]
    assert conversation.n_turns == 5
    # The first answer keeps the time it was given (the earliest copy), and its served model.
    first_answer = conversation.turns[2]
    assert first_answer.timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    assert first_answer.model == "m-1"
    assert [t.parent_id for t in conversation.turns[1:]] == [t.message_id for t in conversation.turns[:-1]]
    assert conversation.user_hash == stable_id("user", "alice")
    assert conversation.source == "gateway" and conversation.row_id == "" and conversation.pii_entities == []


def test_dedup_keeps_earliest_timestamp_and_first_content():
    events = [
        msg("m1", "user", "later copy", 5),
        msg("m1", "user", "earliest copy", 1),
        msg("m1", "user", "tie but arrived later", 1),
        msg("m2", "assistant", "answer", 2),
    ]
    conversation, _ = sessionize("c1", events, source="s")
    assert [(t.message_id, t.content, t.timestamp) for t in conversation.turns] == [
        ("m1", "earliest copy", _at(1)),
        ("m2", "answer", _at(2)),
    ]


def test_model_from_any_copy_when_the_winner_has_none():
    events = [msg("a1", "assistant", "x", 1), msg("a1", "assistant", "x", 3, model="gpt")]
    conversation, _ = sessionize("c1", events, source="s")
    assert conversation.turns[0].model == "gpt"


def test_equal_timestamps_keep_arrival_order():
    events = [msg("b", "user", "first", 1), msg("a", "assistant", "second", 1), msg("c", "user", "third", 1)]
    conversation, _ = sessionize("c1", events, source="s")
    assert [t.message_id for t in conversation.turns] == ["b", "a", "c"]


def test_started_and_ended_at_span_all_events():
    events = [msg("m1", "user", "q", 1), msg("m2", "assistant", "a", 2), fb(FeedbackKind.thumbs_up, 30, "m2")]
    conversation, _ = sessionize("c1", events, source="s")
    assert conversation.started_at == _at(1) and conversation.ended_at == _at(30)


def test_user_hash_is_first_non_null_user_and_none_without_users():
    events = [msg("m1", "user", "q", 1, user_id=None), msg("m2", "assistant", "a", 2, user_id="bob")]
    assert sessionize("c1", events, source="s")[0].user_hash == stable_id("user", "bob")
    anonymous = [msg("m1", "user", "q", 1, user_id=None)]
    assert sessionize("c1", anonymous, source="s")[0].user_hash is None


def test_user_hash_is_keyed_when_a_key_is_set():
    events = [msg("m1", "user", "q", 1, user_id="bob")]
    keyed = sessionize("c1", events, source="s", id_hash_key="k" * 16)[0].user_hash
    assert keyed == sessionize("c1", events, source="s", id_hash_key="k" * 16)[0].user_hash  # stable
    assert keyed not in (stable_id("user", "bob"), sessionize("c1", events, "s", id_hash_key="j" * 16)[0].user_hash)
    assert len(keyed) == 32


def _conversation_with_two_answers():
    return [
        msg("u1", "user", "q1", 1),
        msg("a1", "assistant", "ans1", 2),
        msg("u2", "user", "q2", 10),
        msg("a2", "assistant", "ans2", 11),
    ]


def test_feedback_attached_by_message_id():
    events = _conversation_with_two_answers() + [fb(FeedbackKind.thumbs_down, 60, "a1", event_id="e1", comment="wrong")]
    conversation, unattached = sessionize("c1", events, source="s")
    (signal,) = conversation.turns[1].feedback
    assert unattached == 0
    assert signal.event_id == "e1" and signal.kind == "thumbs_down" and signal.comment == "wrong"
    assert signal.attached_by == "message_id"
    assert conversation.turns[3].feedback == []


@pytest.mark.parametrize("named", [None, "no-such-message", "u2"])
def test_feedback_without_a_usable_id_goes_to_nearest_preceding_answer(named):
    events = _conversation_with_two_answers() + [fb(FeedbackKind.thumbs_up, 5, named, event_id="e1")]
    conversation, unattached = sessionize("c1", events, source="s")
    assert unattached == 0
    (signal,) = conversation.turns[1].feedback  # a1 at t=2 is the last answer before t=5
    assert signal.attached_by == "nearest_preceding"
    assert conversation.turns[3].feedback == []


def test_feedback_before_any_answer_is_unattached():
    events = _conversation_with_two_answers() + [fb(FeedbackKind.thumbs_up, 0, None, event_id="e1")]
    conversation, unattached = sessionize("c1", events, source="s")
    assert unattached == 1
    assert all(t.feedback == [] for t in conversation.turns)


def test_feedback_only_conversation_has_no_turns_and_all_unattached():
    conversation, unattached = sessionize("c1", [fb(FeedbackKind.copy, 1, "a1", event_id="e1")], source="s")
    assert conversation.n_turns == 0 and unattached == 1


def test_feedback_deduplicated_by_event_id_including_derived_ids():
    repeated = fb(FeedbackKind.copy, 20, "a2")
    events = _conversation_with_two_answers() + [
        fb(FeedbackKind.thumbs_up, 12, "a2", event_id="e1"),
        fb(FeedbackKind.thumbs_up, 12, "a2", event_id="e1"),
        repeated,
        repeated,
    ]
    conversation, _ = sessionize("c1", events, source="s")
    assert [s.event_id for s in conversation.turns[3].feedback] == ["e1", feedback_event_id(repeated)]


def test_feedback_on_a_turn_is_in_time_order():
    events = _conversation_with_two_answers() + [
        fb(FeedbackKind.copy, 40, "a2", event_id="late"),
        fb(FeedbackKind.thumbs_up, 20, "a2", event_id="early"),
    ]
    conversation, _ = sessionize("c1", events, source="s")
    assert [s.event_id for s in conversation.turns[3].feedback] == ["early", "late"]


def test_events_of_another_conversation_are_refused():
    other = MessageEvent(conversation_id="c2", timestamp=T0, message_id="x", role="user", content="q")
    with pytest.raises(ValueError):
        sessionize("c1", [msg("m1", "user", "q", 1), other], source="s")
    with pytest.raises(ValueError):
        sessionize("c1", [], source="s")


def test_id_hash_key_setting_is_checked_hidden_and_only_flagged_in_the_config_hash(monkeypatch):
    from flows.settings import load_settings
    from schemas.errors import ConfigError

    monkeypatch.setenv("FLYWHEEL_ID_HASH_KEY", "short")
    with pytest.raises(ConfigError, match="FLYWHEEL_ID_HASH_KEY"):
        load_settings()
    monkeypatch.setenv("FLYWHEEL_ID_HASH_KEY", "a-long-enough-secret-key")
    keyed = load_settings()
    assert keyed.id_hash_key == "a-long-enough-secret-key"
    assert "a-long-enough-secret-key" not in repr(keyed)
    other = load_settings(id_hash_key="another-long-secret-key")
    monkeypatch.delenv("FLYWHEEL_ID_HASH_KEY")
    assert keyed.config_hash() == other.config_hash() != load_settings().config_hash()
