"""OpenAssistant adapter: tree -> events, votes -> feedback, ingest registration, malformed trees."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flows.settings import load_settings
from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent, Role
from transforms.ids import stable_id
from transforms.ingest.lines import parse_line
from transforms.ingest.records import MalformedLine
from transforms.ingest.oasst import oasst_labels, oasst_ranks, parse_oasst_tree
from transforms.ingest.sessionize import sessionize

# The shared data sits next to the project: <project>/../shared/data (CI has the same layout).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CANARY = "canary-secret@example.com"
BASE = datetime(2023, 4, 12, 12, 0, tzinfo=timezone.utc)
TREE_ID = "tree-1"
CONV = "oasst-tree-1"


def _msg(message_id, role, text, replies=(), **extra):
    return {"message_id": message_id, "role": role, "text": text, "lang": "en", "deleted": False,
            "review_result": True, "synthetic": False, "replies": list(replies), **extra}


def _tree():
    """Two levels of replies with assistant siblings (ranked), a deleted follow-up and a deleted answer.

    p0 (prompter, +1 x2: a vote on a prompt, dropped)
      a1 (assistant, rank 0, +1 x3, -1 x1, _skip_reply)
        p2 (prompter)
          a3 (assistant, unranked, model_name)
        p3 (prompter, DELETED)
          a4 (assistant: gone with its parent)
      a2 (assistant, rank 1, -1 x2, red_flag)
      a5 (assistant, rank 2, DELETED)
    """
    a3 = _msg("a3", "assistant", "Answer three", parent_id="p2", synthetic=True, model_name="chip20b")
    a4 = _msg("a4", "assistant", "Answer four", parent_id="p3", emojis={"+1": 5})
    p2 = _msg("p2", "prompter", "Follow-up", [a3], parent_id="a1")
    p3 = _msg("p3", "prompter", "Deleted follow-up", [a4], parent_id="a1")
    p3["deleted"] = True
    a1 = _msg("a1", "assistant", "Answer one", [p2, p3], parent_id="p0", rank=0,
              emojis={"+1": 3, "-1": 1, "_skip_reply": 2})
    a2 = _msg("a2", "assistant", "Answer two", parent_id="p0", rank=1, emojis={"-1": 2, "red_flag": 1})
    a5 = _msg("a5", "assistant", "Deleted answer", parent_id="p0", rank=2, emojis={"+1": 9})
    a5["deleted"] = True
    p0 = _msg("p0", "prompter", "Question?", [a1, a2, a5], emojis={"+1": 2})
    return {"message_tree_id": TREE_ID, "tree_state": "ready_for_export", "prompt": p0}


def _line(tree=None) -> str:
    return json.dumps(tree if tree is not None else _tree())


def _messages(events):
    return [e for e in events if isinstance(e, MessageEvent)]


def _feedback(events, message_id=None):
    return [
        e for e in events
        if isinstance(e, FeedbackEvent) and (message_id is None or e.message_id == message_id)
    ]


# --------------------------------------------------------------------------- messages


def test_messages_depth_first_parent_before_child_worst_ranked_sibling_first():
    events = parse_oasst_tree(_line())
    messages = _messages(events)

    # a2 (rank 1) before a1 (rank 0): the regenerated answer comes first, the best one last; a1's
    # subtree follows a1; deleted p3/a4/a5 are gone.
    assert [m.message_id for m in messages] == ["p0", "a2", "a1", "p2", "a3"]
    assert [m.parent_id for m in messages] == [None, "p0", "p0", "a1", "p2"]
    assert [m.role for m in messages] == [Role.user, Role.assistant, Role.assistant, Role.user, Role.assistant]
    assert [m.content for m in messages] == ["Question?", "Answer two", "Answer one", "Follow-up", "Answer three"]
    assert [m.timestamp for m in messages] == [BASE + timedelta(seconds=i) for i in range(5)]
    assert {m.conversation_id for m in events} == {CONV}
    assert {m.user_id for m in events} == {"oasst-user"}
    assert [m.model for m in messages] == [None, None, None, None, "chip20b"]


def test_parsing_is_deterministic_and_the_day_moves_the_clock():
    first, second = parse_oasst_tree(_line()), parse_oasst_tree(_line())
    assert first == second

    shifted = parse_oasst_tree(_line(), day=date(2024, 5, 1))
    assert _messages(shifted)[0].timestamp == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert [e.event_id for e in _feedback(shifted)] == [e.event_id for e in _feedback(first)]


# --------------------------------------------------------------------------- feedback


def test_votes_become_thumbs_with_deterministic_ids():
    events = parse_oasst_tree(_line())

    a1 = _feedback(events, "a1")
    assert [f.kind for f in a1] == [FeedbackKind.thumbs_up] * 3 + [FeedbackKind.thumbs_down]
    a1_stamp = BASE + timedelta(seconds=2, milliseconds=500)
    assert {f.timestamp for f in a1} == {a1_stamp}
    assert [f.event_id for f in a1] == [
        stable_id("oasst", TREE_ID, "a1", "thumbs_up", 0),
        stable_id("oasst", TREE_ID, "a1", "thumbs_up", 1),
        stable_id("oasst", TREE_ID, "a1", "thumbs_up", 2),
        stable_id("oasst", TREE_ID, "a1", "thumbs_down", 0),
    ]
    all_ids = [f.event_id for f in _feedback(events)]
    assert len(all_ids) == len(set(all_ids))


def test_red_flag_is_a_report_and_ranks_add_no_clicks_by_default():
    kinds = [f.kind for f in _feedback(parse_oasst_tree(_line()), "a2")]
    assert kinds == [FeedbackKind.thumbs_down, FeedbackKind.thumbs_down, FeedbackKind.report]


def test_worse_ranked_sibling_is_regenerated_when_asked():
    events = parse_oasst_tree(_line(), rank_as_regenerate=True)

    assert [f.kind for f in _feedback(events, "a2")] == [
        FeedbackKind.thumbs_down, FeedbackKind.thumbs_down, FeedbackKind.report, FeedbackKind.regenerate,
    ]
    # The best-ranked answer and the unranked only child are not regenerated.
    assert FeedbackKind.regenerate not in {f.kind for f in _feedback(events, "a1")}
    assert _feedback(events, "a3") == []


def test_prompt_votes_and_deleted_messages_make_no_feedback():
    events = parse_oasst_tree(_line())

    assert {f.message_id for f in _feedback(events)} == {"a1", "a2"}
    assert len(_feedback(events)) == 4 + 3  # a1: 4 up-votes; a2: 2 down-votes and a red flag


def test_feedback_sessionizes_onto_the_named_turns():
    conversation, unattached = sessionize(CONV, parse_oasst_tree(_line()), "oasst")

    assert unattached == 0
    assert [t.message_id for t in conversation.turns] == ["p0", "a2", "a1", "p2", "a3"]
    by_id = {t.message_id: t for t in conversation.turns}
    assert len(by_id["a1"].feedback) == 4 and len(by_id["a2"].feedback) == 3
    assert {f.attached_by for t in conversation.turns for f in t.feedback} == {"message_id"}


def test_labels_and_ranks_for_evaluation():
    tree = _tree()
    tree["prompt"]["replies"][0]["replies"][0]["replies"][0]["emojis"] = {"+1": 1, "-1": 1}  # a3: a tie

    assert oasst_labels(_line(tree)) == {"a1": "positive", "a2": "negative", "a3": None}
    assert oasst_labels(tree) == oasst_labels(_line(tree))
    assert oasst_ranks(tree) == {"a1": 0, "a2": 1, "a3": None}


# --------------------------------------------------------------------------- ingest registration


def test_auto_detection_through_parse_line():
    adapter, events = parse_line(_line())

    assert adapter == "oasst"
    assert events == parse_oasst_tree(_line())
    assert parse_line(_line(), "oasst") == ("oasst", events)


def test_settings_accept_the_oasst_format():
    assert load_settings(source_format="oasst").source_format == "oasst"


def _broken(edit):
    tree = _tree()
    edit(tree)
    return json.dumps(tree)


def _set(path, value):
    def edit(tree):
        node = tree
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


A1 = ("prompt", "replies", 0)


@pytest.mark.parametrize(
    "line, reason",
    [
        (_broken(_set(("message_tree_id",), 7)),
         "invalid oasst tree: message_tree_id: must be a non-empty string"),
        (_broken(_set(("prompt",), CANARY)), "invalid oasst tree: prompt is a JSON string, not an object"),
        (_broken(_set((*A1, "role"), CANARY)),
         "invalid oasst tree: prompt.replies[0].role is not one of prompter, assistant"),
        (_broken(_set((*A1, "text"), [CANARY])), "invalid oasst tree: prompt.replies[0].text: must be a string"),
        (_broken(_set((*A1, "replies"), {CANARY: 1})),
         "invalid oasst tree: prompt.replies[0].replies is a JSON object, not an array"),
        (_broken(_set((*A1, "emojis"), {"+1": CANARY})),
         "invalid oasst tree: prompt.replies[0].emojis: vote count is a JSON string, not an integer"),
        (_broken(_set((*A1, "emojis"), {"-1": 10**9})),
         "invalid oasst tree: prompt.replies[0].emojis: vote count out of range (0..10000)"),
        (_broken(_set((*A1, "rank"), CANARY)),
         "invalid oasst tree: prompt.replies[0].rank: must be an integer or null"),
        (_broken(_set(("prompt", "replies", 1, "message_id"), "a1")),
         "invalid oasst tree: prompt.replies[0].message_id: duplicate id in the tree"),
        (_broken(_set(("prompt", "deleted"), True)), "invalid oasst tree: prompt is deleted: no messages"),
        (_broken(_set(("message_tree_id",), CANARY * 20)),
         "invalid oasst tree: conversation_id: String should have at most 256 characters"),
    ],
)
def test_malformed_tree_is_refused_with_a_safe_reason(line, reason):
    for log_format in ("auto", "oasst"):
        with pytest.raises(MalformedLine) as caught:
            parse_line(line, log_format)
        assert caught.value.reason == reason
        assert CANARY not in caught.value.reason and "canary" not in caught.value.reason
    with pytest.raises(MalformedLine):
        parse_oasst_tree(line)


def test_duplicate_reason_names_the_later_copy_not_the_id():
    tree = _tree()
    tree["prompt"]["replies"][1]["message_id"] = CANARY
    tree["prompt"]["replies"][0]["message_id"] = CANARY
    with pytest.raises(MalformedLine) as caught:
        parse_oasst_tree(json.dumps(tree))
    assert CANARY not in caught.value.reason


def test_not_a_tree_is_not_detected_as_oasst():
    with pytest.raises(MalformedLine) as caught:
        parse_line(json.dumps({"message_tree_id": "x"}))
    assert caught.value.reason.startswith("unknown format")
    with pytest.raises(MalformedLine) as caught:
        parse_oasst_tree("[1]")
    assert caught.value.reason == "unknown format: a JSON array, not an object"


# --------------------------------------------------------------------------- the real sample


def _count_live(message) -> int:
    if message.get("deleted"):
        return 0
    return 1 + sum(_count_live(reply) for reply in message.get("replies") or [])


def test_every_tree_of_the_shared_sample_parses():
    path = SHARED_DATA / "oasst_en_100_tree.jsonl"
    if not path.exists():
        pytest.skip(f"shared data not found: {path}")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = n_messages = 0
    conversations = set()
    for line in lines:
        adapter, events = parse_line(line)
        assert adapter == "oasst"
        messages = _messages(events)
        n_messages += len(messages)
        expected += _count_live(json.loads(line)["prompt"])
        conversations |= {e.conversation_id for e in events}
        stamps = [m.timestamp for m in messages]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        ids = {m.message_id for m in messages}
        assert all(m.parent_id in ids for m in messages[1:]) and messages[0].parent_id is None
    assert n_messages == expected
    assert len(conversations) == len(lines)
