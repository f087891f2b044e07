"""Late data on Beam: read the neighbouring dates' logs and keep the conversations that belong to the run's date.

    ReadNeighbourLogs     later dates' files -> (conversation_id, LogEvents(log date, [(adapter, event), ...]))
                          (of the wave's conversations only, in a day run in waves: transforms.beam.waves);
                          earlier dates' files -> (conversation_id, LogEvents(log date, None)): ids only
                          (transforms.beam.log_events: events travel grouped, pickled once per group)
    PlaceConversations    own + neighbour events, grouped by conversation -> the conversations that belong to
                          the run's date, each as (conversation_id, [(adapter, event), ...]) (the events as
                          ReadAndParseLogs emits them, still grouped: SessionizeScrubLabel needs no shuffle of
                          its own), late-beyond-window events -> quarantine, and counts of where late events went

The decision itself is plain Python (transforms.ingest.lateness.place_conversation). Neighbour files are other
dates' inputs: their bad lines, line counts and file statuses are their own runs' business, so nothing of them
is quarantined or reconciled here (a neighbour file that cannot be read to its end is counted, and its own
date's run fails on it, which re-opens this date once it succeeds).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Iterable

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.events import MessageEvent
from schemas.outputs import QuarantinedLine
from transforms.beam.log_events import EVENTS_PER_HANDOFF, LogEvents, by_conversation
from transforms.beam.metrics import count
from transforms.beam.waves import Wave
from transforms.ingest.config import IngestConfig
from transforms.ingest.lateness import beyond_window_reason, late_arrivals_key, late_events_key, place_conversation
from transforms.ingest.log_file import LogFileParse, ParsedLine
from transforms.ingest.window import EventWindow


class ParseNeighbourFileDoFn(beam.DoFn):
    """(uri, log date, whole) -> (conversation_id, LogEvents of the log date).

    `whole` True (a later date): the events grouped by conversation in runs, as ReadAndParseLogs emits them.
    `whole` False (an earlier date): one id-only marker per conversation, since only "was it there" matters.
    Each file is parsed with its own date's event window, exactly as its own run parses it.
    """

    def __init__(self, log_format: str, ingest: IngestConfig, wave: Wave = Wave()):
        self._log_format = log_format
        self._ingest = ingest
        self._wave = wave

    def process(self, item: tuple[str, date, bool]):
        uri, log_date, whole = item
        parse = LogFileParse(uri, self._log_format, EventWindow.for_day(log_date, self._ingest), self._ingest)
        seen: set[str] = set()
        accepted: list[tuple[str, tuple[str, object]]] = []
        for parsed in parse:
            if not isinstance(parsed, ParsedLine):
                continue  # a bad line of another date: quarantined by that date's run
            for event in parsed.events:
                if not self._wave.holds(event.conversation_id):
                    continue
                if whole:
                    accepted.append((event.conversation_id, (parsed.adapter, event)))
                elif event.conversation_id not in seen:
                    seen.add(event.conversation_id)
                    yield event.conversation_id, LogEvents(log_date, None)
            if len(accepted) >= EVENTS_PER_HANDOFF:
                yield from by_conversation(accepted, log_date)
                accepted = []
        yield from by_conversation(accepted, log_date)
        if parse.status != "read" and self._wave.first:
            count("late.neighbour_files_incomplete")


class ReadNeighbourLogs(beam.PTransform):
    """pipeline -> (conversation_id, LogEvents) from the neighbouring dates' files."""

    def __init__(self, later: Iterable[tuple[str, date]], earlier: Iterable[tuple[str, date]], log_format: str,
                 ingest: IngestConfig, wave: Wave = Wave()):
        super().__init__()
        self._files = sorted([(uri, d, True) for uri, d in later] + [(uri, d, False) for uri, d in earlier])
        self._log_format = log_format
        self._ingest = ingest
        self._wave = wave

    def expand(self, pbegin):
        return (
            pbegin
            | "List neighbour files" >> beam.Create(self._files)
            | "Spread neighbour files" >> beam.Reshuffle()
            | "Parse neighbour lines" >> beam.ParDo(ParseNeighbourFileDoFn(self._log_format, self._ingest, self._wave))
            .with_output_types(tuple[str, LogEvents])
        )


class PlaceConversationsDoFn(beam.DoFn):
    """(conversation_id, [(log date, (adapter, event) | None)]) -> the run's own conversations' events."""

    QUARANTINE = "quarantine"

    def __init__(self, day: date, late_window_days: int):
        self._day = day
        self._window = late_window_days

    def process(self, keyed):
        conversation_id, tagged = keyed
        tagged = list(tagged)
        place = place_conversation(self._day, self._window, (log_date for log_date, _ in tagged))
        if place.placement == "elsewhere":
            return
        own_date = [event for log_date, event in tagged if log_date == self._day]
        if place.placement == "moved":
            count(late_events_key(place.belongs_to), len(own_date))
            return
        kept = [(log_date, event) for log_date, event in tagged if event is not None and log_date >= self._day]
        if place.placement == "own" and any(isinstance(e, MessageEvent) for _, (_, e) in kept):
            for log_date, (adapter, event) in kept:
                if log_date != self._day:
                    count(late_arrivals_key(log_date))
                yield conversation_id, (adapter, event)
            return
        # Too late to reach its conversation, or feedback whose conversation is in none of the logs read:
        # kept aside with the reason (raw, like every quarantined line) and counted.
        feedback_only = place.placement == "own"
        aside = [event for _, (_, event) in kept] if feedback_only else [event for _, event in own_date]
        count("late_beyond_window.events", len(aside))
        count("late_beyond_window.conversations")
        yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
            reason=beyond_window_reason(self._day, self._window, feedback_only=feedback_only),
            source_uri=f"conversation:{conversation_id}", line_number=0,
            raw_line=json.dumps([event.model_dump(mode="json") for event in aside], ensure_ascii=False)))


class KeepOwnConversationsDoFn(PlaceConversationsDoFn):
    """As PlaceConversationsDoFn, on events that come as LogEvents (as ReadAndParseLogs and ReadNeighbourLogs
    emit them), and a kept conversation's events leave together, in one element: (conversation_id,
    [(adapter, event), ...]). Grouped once here, they reach the conversation step without a second shuffle
    of every event (its encoding and decoding was a good part of the Beam layer's cost)."""

    def process(self, keyed):
        conversation_id, groups = keyed
        tagged = [(group.log_date, event) for group in groups
                  for event in (group.events if group.events is not None else (None,))]
        events = []
        for placed in super().process((conversation_id, tagged)):
            if isinstance(placed, TaggedOutput):
                yield placed
            else:
                events.append(placed[1])
        if events:
            yield conversation_id, events


class PlaceConversations(beam.PTransform):
    """Own events (as ReadAndParseLogs emits them) + neighbour events -> {"events": (conversation_id,
    [(adapter, event), ...]) per conversation of the run's date, "quarantine": QuarantinedLine}."""

    EVENTS = "events"
    QUARANTINE = "quarantine"

    def __init__(self, day: date, late_window_days: int):
        super().__init__()
        self._day = day
        self._window = late_window_days

    def expand(self, inputs):
        own_events, neighbour_events = inputs
        placed = (
            (own_events, neighbour_events)
            | "Own and neighbour events" >> beam.Flatten()
            | "Group by conversation" >> beam.GroupByKey()
            # Said outright: a keyed pair. (Inferring it walks the DoFn's code at graph construction, for nothing.)
            | "Keep own conversations" >> beam.ParDo(KeepOwnConversationsDoFn(self._day, self._window))
            .with_output_types(tuple[str, list]).with_outputs(PlaceConversationsDoFn.QUARANTINE, main=self.EVENTS)
        )
        return {self.EVENTS: placed[self.EVENTS], self.QUARANTINE: placed[PlaceConversationsDoFn.QUARANTINE]}
