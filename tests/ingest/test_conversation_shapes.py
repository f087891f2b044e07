"""Conversations of hostile shape: parent-id cycles, links to later turns, runaway length, feedback only.

Each must come out bounded (finite context walks, at most the cap of turns, no row without a message) and
counted, never silently changed or dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent
from transforms.beam import conversations as beam_conversations
from transforms.conversation_step import process_conversation
from transforms.ingest.sessionize import PARENT_IS_LATER, PARENT_IS_SELF, sessionize, sessionize_conversation
from transforms.label.signals import label_turns
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows
from transforms.turns import conversation_context

T0 = datetime(2026, 11, 1, 10, tzinfo=timezone.utc)


def msg(message_id, role, seconds, parent_id=None, content=None):
    return MessageEvent(conversation_id="c1", user_id="u", timestamp=T0 + timedelta(seconds=seconds),
                        message_id=message_id, parent_id=parent_id, role=role,
                        content=content or f"{role} message {message_id} about the deployment of the service")


def fb(seconds, message_id=None, event_id=None, kind=FeedbackKind.thumbs_up):
    return FeedbackEvent(conversation_id="c1", timestamp=T0 + timedelta(seconds=seconds), message_id=message_id,
                         event_id=event_id, kind=kind)


def _assert_no_context_holds_its_target(conversation):
    for turn in conversation.turns:
        context = conversation_context(conversation, turn)
        assert turn.message_id not in {t.message_id for t in context}
        assert all(t.turn_index < turn.turn_index for t in context)


def _assert_no_row_context_holds_its_target(conversation):
    rows = build_training_rows(label_turns(conversation), TrainingPolicy())
    for example in rows.sft:
        target = next(t for t in conversation.turns if t.message_id == example.target_message_id)
        assert [m.content for m in example.messages].count(target.content) == 1  # the target, once, last
        assert example.messages[-1].content == target.content
    return rows


# --- parent-id cycles ------------------------------------------------------------------------------------


def test_self_parent_is_dropped_and_counted():
    events = [msg("u0", "user", 0), msg("a1", "assistant", 1, parent_id="a1"), fb(2, "a1", "e1")]
    shaped = sessionize_conversation("c1", events, "s")
    a1 = shaped.conversation.turns[1]
    assert a1.parent_id is None
    assert shaped.parent_links_dropped == {PARENT_IS_SELF: 1}
    _assert_no_context_holds_its_target(shaped.conversation)
    rows = _assert_no_row_context_holds_its_target(shaped.conversation)
    # Read like a log without parent ids: the answer's context is the question before it.
    assert [m.content for m in rows.sft[0].messages[:-1]] == [shaped.conversation.turns[0].content]


def test_two_cycle_keeps_the_link_to_the_earlier_turn():
    # u0 names its own answer as parent, a1 names u0: the link from the earlier turn to the later one goes.
    events = [msg("u0", "user", 0, parent_id="a1"), msg("a1", "assistant", 1, parent_id="u0"), fb(2, "a1", "e1")]
    shaped = sessionize_conversation("c1", events, "s")
    u0, a1 = shaped.conversation.turns
    assert (u0.parent_id, a1.parent_id) == (None, "u0")
    assert shaped.parent_links_dropped == {PARENT_IS_LATER: 1}
    _assert_no_context_holds_its_target(shaped.conversation)
    rows = _assert_no_row_context_holds_its_target(shaped.conversation)
    assert [m.role for m in rows.sft[0].messages] == ["user", "assistant"]


def test_long_cycle_is_broken_once_and_every_walk_ends():
    # s0 -> ... -> a5 -> s0: every link points back except the one from the first turn to the last.
    ids = ["s0", "u1", "a2", "u3", "a4", "u5", "a6"]
    roles = ["system", "user", "assistant", "user", "assistant", "user", "assistant"]
    events = [msg(m, r, i, parent_id=ids[i - 1]) for i, (m, r) in enumerate(zip(ids, roles))]
    events.append(fb(10, "a6", "e1"))
    shaped = sessionize_conversation("c1", events, "s")
    assert shaped.parent_links_dropped == {PARENT_IS_LATER: 1}
    assert shaped.conversation.turns[0].parent_id is None
    assert [t.parent_id for t in shaped.conversation.turns[1:]] == ids[:-1]
    _assert_no_context_holds_its_target(shaped.conversation)
    rows = _assert_no_row_context_holds_its_target(shaped.conversation)
    assert [m.role for m in rows.sft[-1].messages] == roles


def test_parent_pointing_to_a_later_turn_without_a_cycle():
    events = [msg("u0", "user", 0), msg("a1", "assistant", 1, parent_id="u2"), msg("u2", "user", 2, parent_id="u0"),
              fb(3, "a1", "e1")]
    shaped = sessionize_conversation("c1", events, "s")
    assert shaped.conversation.turns[1].parent_id is None
    assert shaped.conversation.turns[2].parent_id == "u0"
    assert shaped.parent_links_dropped == {PARENT_IS_LATER: 1}
    _assert_no_context_holds_its_target(shaped.conversation)


def test_context_walk_itself_refuses_loops_in_a_hand_built_conversation():
    # Not through sessionize: the walk must still end and leave the target out.
    events = [msg("u0", "user", 0), msg("a1", "assistant", 1, parent_id="u0")]
    conversation = sessionize("c1", events, "s")[0]
    looped = conversation.model_copy(deep=True)
    looped.turns[0].parent_id = "a1"  # u0 <-> a1
    assert [t.message_id for t in conversation_context(looped, looped.turns[1])] == ["u0"]
    assert conversation_context(looped, looped.turns[0]) == []


def test_good_links_are_kept_and_nothing_counted():
    events = [msg("u0", "user", 0), msg("a1", "assistant", 1, parent_id="u0"), msg("u2", "user", 2, parent_id="a1")]
    shaped = sessionize_conversation("c1", events, "s")
    assert [t.parent_id for t in shaped.conversation.turns] == [None, "u0", "a1"]
    assert not shaped.parent_links_dropped


# --- the turn cap --------------------------------------------------------------------------------------


def _long_events(n_turns):
    events, parent = [], None
    for i in range(n_turns):
        role = "user" if i % 2 == 0 else "assistant"
        events.append(msg(f"m{i:03d}", role, 10 * i, parent_id=parent))
        parent = f"m{i:03d}"
    return events


def test_turn_cap_keeps_the_first_turns_and_counts_what_it_cut():
    events = _long_events(10) + [
        fb(12, "m001", "kept"),          # on a kept answer
        fb(52, "m005", "named-cut"),     # names a cut-off answer
        fb(75, None, "after-cut"),       # no message named, given after the cut: about a cut-off answer
    ]
    shaped = sessionize_conversation("c1", events, "s", max_turns=4)
    conversation = shaped.conversation
    assert [t.message_id for t in conversation.turns] == ["m000", "m001", "m002", "m003"]
    assert conversation.n_turns == 4
    assert shaped.truncated and shaped.turns_dropped_by_cap == 6
    assert shaped.feedback_dropped_by_cap == 2
    assert [s.event_id for s in conversation.turns[1].feedback] == ["kept"]
    assert conversation.ended_at == T0 + timedelta(seconds=30)  # the last kept turn, not the cut material


def test_turn_cap_not_reached_changes_nothing():
    events = _long_events(6) + [fb(12, "m001", "e1")]
    capped = sessionize_conversation("c1", events, "s", max_turns=6)
    assert not capped.truncated and capped.feedback_dropped_by_cap == 0
    assert capped.conversation == sessionize("c1", events, "s")[0]


def test_turn_cap_must_keep_a_turn():
    with pytest.raises(ValueError):
        sessionize_conversation("c1", _long_events(2), "s", max_turns=0)


# --- feedback only ---------------------------------------------------------------------------------------


def test_feedback_only_conversation_makes_no_row_and_counts_its_feedback():
    events = [fb(1, "a1", "e1"), fb(1, "a1", "e1"), fb(2, None, "e2", FeedbackKind.thumbs_down)]
    shaped = sessionize_conversation("c1", events, "s")
    assert shaped.conversation.turns == [] and shaped.feedback_without_conversation == 2
    result = process_conversation("c1", events, "s", scrubber=None)  # never reaches the scrubber
    assert result.conversation is None
    assert result.shape_counts == {"feedback_without_conversation": 2}


def test_beam_step_counts_shapes_and_emits_no_row_for_feedback_only(monkeypatch):
    from transforms.beam import metrics

    counted: dict[str, int] = {}
    monkeypatch.setattr(metrics, "count",
                        lambda name, value=1: counted.__setitem__(name, counted.get(name, 0) + value))
    do_fn = beam_conversations.ProcessConversationDoFn(scrub=None, max_turns=4)
    do_fn._config = type("Config", (), {"id_hash_key": None})()
    do_fn.start_bundle()
    out = list(do_fn.process(("c1", [("events", e) for e in [fb(1, "a1", "e1"), fb(2, "a1", "e2")]])))
    assert counted == {}  # held until the bundle finishes
    do_fn.finish_bundle()
    assert out == []
    assert counted == {"feedback_without_conversation": 2}
    assert "conversations" not in counted


def test_beam_transform_takes_the_cap_from_ingest_config():
    from transforms.ingest.config import IngestConfig
    from transforms.scrub.config import ScrubConfig

    scrub = ScrubConfig(mode="regex", spacy_model="x")
    assert beam_conversations.SessionizeScrubLabel(scrub)._max_turns == IngestConfig().max_turns_per_conversation
    capped = beam_conversations.SessionizeScrubLabel(scrub, IngestConfig(max_turns_per_conversation=50))
    assert capped._max_turns == 50


def test_step_reports_the_cap_and_broken_links_as_manifest_counts(monkeypatch):
    from transforms import conversation_step

    monkeypatch.setattr(conversation_step, "scrub_conversation", lambda conversation, scrubber, key: conversation)
    events = _long_events(10)
    events[0] = msg("m000", "user", 0, parent_id="m000")
    result = process_conversation("c1", events + [fb(95, "m009", "cut")], "s", scrubber=None, max_turns=6)
    assert result.conversation.n_turns == 6
    assert result.shape_counts == {"conversations_truncated": 1, "turns_dropped_by_cap": 4,
                                   "feedback_dropped_by_cap": 1, "parent_links_dropped.self": 1}
