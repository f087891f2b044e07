"""How parsed events travel from the log readers to the conversation step: grouped, and pickled once per group.

`ReadAndParseLogs` and `ReadNeighbourLogs` emit `(conversation_id, LogEvents)`: the events of one conversation
from one run of one log file (at most EVENTS_PER_HANDOFF events are held before they are handed on, so memory
stays bounded), with the date of the log they came from. `PlaceConversations` groups them by conversation.

Why not one element per event: every element costs the runner a call per step and a shuffle write and read, and
Beam's default coder pickles each pydantic event on its own, on every hop (the events cross a Flatten and a
GroupByKey). `LogEventsCoder` pickles a group in one go (about three times cheaper per event, measured with
bench/profile_day.py), and the hops in between only copy its bytes.
"""

from __future__ import annotations

import pickle
from datetime import date
from typing import Iterable

import apache_beam as beam

# How many events a log reader holds before it hands them on, grouped by conversation. A conversation's events
# sit close together in a log, so most of them leave in one element.
EVENTS_PER_HANDOFF = 4096


class LogEvents:
    """Events of one conversation from the log of `log_date`, as (adapter, event) pairs in file order; `events`
    None when only the conversation's id matters (an earlier date's log: "was it there")."""

    __slots__ = ("log_date", "events")

    def __init__(self, log_date: date, events: list[tuple[str, object]] | None):
        self.log_date = log_date
        self.events = events

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogEvents) and (self.log_date, self.events) == (other.log_date, other.events)

    def __repr__(self) -> str:
        return f"LogEvents({self.log_date!r}, {self.events!r})"


class LogEventsCoder(beam.coders.Coder):
    """A LogEvents as one pickle (the events' classes and field names written once per group, not per event)."""

    def encode(self, value: LogEvents) -> bytes:
        return pickle.dumps((value.log_date, value.events), protocol=pickle.HIGHEST_PROTOCOL)

    def decode(self, encoded: bytes) -> LogEvents:
        return LogEvents(*pickle.loads(encoded))

    def is_deterministic(self) -> bool:
        return False  # a value coder only: conversation ids are the keys

    def to_type_hint(self):
        return LogEvents


beam.coders.registry.register_coder(LogEvents, LogEventsCoder)


def by_conversation(tagged_events: Iterable[tuple[str, tuple[str, object]]], log_date: date):
    """(conversation_id, (adapter, event)) pairs -> (conversation_id, LogEvents) per conversation, in the
    order the conversations were first seen."""
    groups: dict[str, list] = {}
    for conversation_id, item in tagged_events:
        groups.setdefault(conversation_id, []).append(item)
    for conversation_id, events in groups.items():
        yield conversation_id, LogEvents(log_date, events)
