"""How parsed events travel to the conversation step on Beam (transforms/beam/log_events.py, ingest.py,
lateness.py, conversations.py): grouped by conversation in bounded runs, pickled once per group, grouped
once by PlaceConversations, and put in the same order whatever order the shuffle delivered them in."""

from __future__ import annotations

import gzip
import json
import random
from datetime import date, datetime, timedelta, timezone

import apache_beam as beam
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from schemas.events import FeedbackEvent, MessageEvent
from transforms.beam import log_events
from transforms.beam.conversations import _event_order, _full_event_order, in_arrival_order
from transforms.beam.ingest import ReadAndParseLogs
from transforms.beam.lateness import KeepOwnConversationsDoFn, PlaceConversations
from transforms.beam.log_events import LogEvents, LogEventsCoder, by_conversation
from transforms.ingest.config import IngestConfig

D = date(2026, 11, 27)
T0 = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


def _message(cid: str, mid: str, seconds: int = 0, content: str = "hi", day: date = D) -> MessageEvent:
    at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return MessageEvent(conversation_id=cid, message_id=mid, role="user", content=content, timestamp=at)


def _feedback(cid: str, day: date = D) -> FeedbackEvent:
    return FeedbackEvent(conversation_id=cid, message_id="a", kind="thumbs_down",
                         timestamp=datetime(day.year, day.month, day.day, 13, tzinfo=timezone.utc))


def test_the_coder_gives_back_equal_events_with_their_date():
    group = LogEvents(D, [("events", _message("c", "m1")), ("openai", _feedback("c"))])
    coder = LogEventsCoder()
    back = coder.decode(coder.encode(group))
    assert back == group and back.log_date == D
    assert [e.model_dump_json() for _, e in back.events] == [e.model_dump_json() for _, e in group.events]
    assert coder.decode(coder.encode(LogEvents(D, None))) == LogEvents(D, None)


def test_events_are_grouped_by_conversation_in_the_order_first_seen():
    pairs = [("b", ("events", 1)), ("a", ("events", 2)), ("b", ("events", 3))]
    assert list(by_conversation(pairs, D)) == [("b", LogEvents(D, [("events", 1), ("events", 3)])),
                                               ("a", LogEvents(D, [("events", 2)]))]


def test_arrival_order_is_the_full_key_order_whatever_order_the_events_came_in():
    # Ties on (timestamp, type, ids) are common (a message logged twice, history copies): the JSON decides.
    events = [("events", _message("c", "m1", 0, "first")), ("events", _message("c", "m1", 0, "second")),
              ("openai", _message("c", "m1", 0, "first")), ("events", _message("c", "m2", 0)),
              ("events", _feedback("c")), ("events", _message("c", "m0", 5))]
    expected = sorted(events, key=lambda tagged: (*_event_order(tagged), _full_event_order(tagged)))
    rng = random.Random(3)
    for _ in range(20):
        shuffled = events[:]
        rng.shuffle(shuffled)
        got = in_arrival_order(shuffled)
        # (Two identical events from different adapters stay in the order they came: the old sort's too.)
        assert [e.model_dump_json() for _, e in got] == [e.model_dump_json() for _, e in expected]


def test_a_kept_conversation_leaves_in_one_element_with_all_its_groups(monkeypatch):
    from transforms.beam import lateness

    monkeypatch.setattr(lateness, "count", lambda name, value=1: None)
    nxt = D + timedelta(days=1)
    groups = [LogEvents(D, [("events", _message("c", "m1"))]), LogEvents(D - timedelta(days=4), None),
              LogEvents(nxt, [("events", _feedback("c", nxt))]), LogEvents(D, [("events", _message("c", "m2", 1))])]
    out = list(KeepOwnConversationsDoFn(D, 2).process(("c", groups)))
    assert len(out) == 1
    key, events = out[0]
    assert key == "c" and sorted(e.message_id for _, e in events) == ["a", "m1", "m2"]


def _write_log(path, events):
    with gzip.open(path, "wt") as handle:
        for event in events:
            handle.write(json.dumps(event.model_dump(mode="json")) + "\n")


def test_the_day_s_events_reach_the_conversation_step_grouped_once(tmp_path, monkeypatch):
    # Small runs, so one conversation's events come in several groups that PlaceConversations must join.
    monkeypatch.setattr(log_events, "EVENTS_PER_HANDOFF", 3)
    monkeypatch.setattr("transforms.beam.ingest.EVENTS_PER_HANDOFF", 3)
    events = [_message(f"c{i % 4}", f"m{i}", i) for i in range(22)]
    _write_log(tmp_path / "a.jsonl.gz", events[:11])
    _write_log(tmp_path / "b.jsonl.gz", events[11:])
    files = [str(tmp_path / "a.jsonl.gz"), str(tmp_path / "b.jsonl.gz")]
    with beam.Pipeline(runner=FnApiRunner()) as p:
        parsed = p | ReadAndParseLogs(files, "events", D, IngestConfig())
        neighbours = p | "No neighbours" >> beam.Create([]).with_output_types(tuple[str, LogEvents])
        placed = (parsed[ReadAndParseLogs.EVENTS], neighbours) | PlaceConversations(D, 2)
        ids = placed[PlaceConversations.EVENTS] | beam.MapTuple(
            lambda cid, tagged: (cid, sorted(e.message_id for _, e in tagged)))
        assert_that(ids, equal_to([(f"c{k}", sorted(f"m{i}" for i in range(22) if i % 4 == k)) for k in range(4)]))
