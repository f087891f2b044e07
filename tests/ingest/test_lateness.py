"""Late data, plain Python: which dates a run reads and where each conversation's events go
(transforms/ingest/lateness.py). End to end: tests/flows/test_late_data.py."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from transforms.ingest.lateness import log_dates_to_read, place_conversation

D = date(2026, 11, 27)


def test_the_dates_a_run_reads():
    dates = log_dates_to_read(D, 2)
    assert dates.earlier == (D - timedelta(days=4), D - timedelta(days=3), D - timedelta(days=2), D - timedelta(days=1))
    assert dates.later == (D + timedelta(days=1), D + timedelta(days=2))
    assert log_dates_to_read(D, 0).earlier == () and log_dates_to_read(D, 0).later == ()


@pytest.mark.parametrize("seen, placement, belongs_to", [
    ([0], "own", None),                  # only today's logs
    ([0, 1, 2], "own", None),            # began today, late events after: today's
    ([-1, 0], "moved", -1),              # began yesterday: its run takes today's events
    ([-2, 0, 1], "moved", -2),           # within the window
    ([-3, -1, 0], "beyond_window", None),  # began before yesterday's own window: too late for it
    ([-4, -2, 0], "beyond_window", None),
    ([-4, 0], "own", None),              # nothing within the window: a new start today (a resumed chat)
    ([-1, 1], "elsewhere", None),        # not in today's logs: not today's decision
])
def test_place_conversation(seen, placement, belongs_to):
    place = place_conversation(D, 2, [D + timedelta(days=k) for k in seen])
    assert place.placement == placement
    assert place.belongs_to == (D + timedelta(days=belongs_to) if belongs_to is not None else None)


def test_every_event_is_decided_by_exactly_one_run():
    """Whatever log dates a conversation arrived on, each of its events is kept by one run or set aside once."""
    w = 2
    for pattern in itertools.product([0, 1], repeat=7):
        seen = [D + timedelta(days=k) for k, on in enumerate(pattern) if on]
        for arrival in seen:
            keepers = []
            for run_day in (arrival + timedelta(days=k) for k in range(-w, w + 1)):
                visible = [d for d in seen if run_day - timedelta(days=2 * w) <= d <= run_day + timedelta(days=w)]
                place = place_conversation(run_day, w, visible)
                if place.placement == "own" and run_day <= arrival <= run_day + timedelta(days=w):
                    keepers.append(("kept", run_day))
            own = place_conversation(arrival, w, [d for d in seen if arrival - timedelta(days=2 * w) <= d
                                                  <= arrival + timedelta(days=w)])
            if own.placement == "moved":
                assert keepers == [("kept", own.belongs_to)], (pattern, arrival)
            elif own.placement == "own":
                assert keepers == [("kept", arrival)], (pattern, arrival)
            else:
                assert keepers == [], (pattern, arrival)
