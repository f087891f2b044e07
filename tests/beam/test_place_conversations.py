"""The Beam step of late data: what PlaceConversationsDoFn emits, quarantines and counts per placement."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from apache_beam.pvalue import TaggedOutput

from schemas.events import FeedbackEvent, MessageEvent
from transforms.beam import lateness

D = date(2026, 11, 27)


def _message(day: date, mid: str) -> MessageEvent:
    return MessageEvent(conversation_id="c", message_id=mid, role="user", content="hi",
                        timestamp=datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc))


def _feedback(day: date) -> FeedbackEvent:
    return FeedbackEvent(conversation_id="c", message_id="a", kind="thumbs_down",
                         timestamp=datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc))


def _run(monkeypatch, day, tagged):
    counted: dict[str, int] = {}
    monkeypatch.setattr(lateness, "count", lambda name, value=1: counted.__setitem__(name, counted.get(name, 0) + value))
    out = list(lateness.PlaceConversationsDoFn(day, 2).process(("c", tagged)))
    return out, counted


def test_own_conversation_keeps_its_late_events_and_counts_them(monkeypatch):
    nxt = D + timedelta(days=1)
    out, counted = _run(monkeypatch, D, [(D, ("events", _message(D, "q"))), (nxt, ("events", _feedback(nxt))),
                                         (D - timedelta(days=4), None)])
    assert [(key, event.type) for key, (_, event) in out] == [("c", "message"), ("c", "feedback")]
    assert counted == {f"late_arrivals.{nxt}": 1}


def test_events_of_an_earlier_dates_conversation_are_counted_for_it_and_not_kept(monkeypatch):
    earlier = D - timedelta(days=1)
    out, counted = _run(monkeypatch, D, [(earlier, None), (D, ("events", _feedback(D)))])
    assert out == [] and counted == {f"late_events.{earlier}": 1}


def test_feedback_without_its_conversation_is_quarantined_with_the_reason(monkeypatch):
    out, counted = _run(monkeypatch, D, [(D, ("events", _feedback(D)))])
    assert len(out) == 1 and isinstance(out[0], TaggedOutput)
    assert out[0].value.reason.startswith("late beyond the window: feedback")
    assert counted == {"late_beyond_window.events": 1, "late_beyond_window.conversations": 1}


def test_a_conversation_not_in_the_dates_own_logs_is_left_to_its_date(monkeypatch):
    nxt = D + timedelta(days=1)
    out, counted = _run(monkeypatch, D, [(nxt, ("events", _message(nxt, "q")))])
    assert out == [] and counted == {}
