"""Ingest on Beam: `ReadAndParseLogs`, log file URIs -> events keyed by conversation, and quarantined lines.

The parsing itself is plain Python in transforms.ingest (`LogFileParse`: per-line parsing, validation and the
event window; `LogFileReader`: bounded reading and the file's status); this only spreads files over workers,
emits the events grouped by conversation in bounded runs (transforms.beam.log_events: fewer, larger elements
for the runner to move, pickled once per group), and counts: lines (lines_read = lines_accepted + lines_quarantined + lines_blank, checked by the flow)
and how each file's reading ended (the manifest's `inputs`; a truncated, unreadable or over-cap file fails
the run there). In a day run in waves (transforms.beam.waves), a wave keeps only its own conversations' events,
and only the first wave counts lines and keeps bad lines.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.errors import FlywheelError
from schemas.outputs import QuarantinedLine, scrub_source_uri
from transforms.beam.log_events import EVENTS_PER_HANDOFF, LogEvents, by_conversation
from transforms.beam.metrics import count, count_input_lines, report_input_file
from transforms.beam.waves import Wave
from transforms.ingest.config import IngestConfig
from transforms.ingest.log_file import LogFileParse
from transforms.ingest.records import reason_kind
from transforms.ingest.window import EventWindow


class IngestFailed(FlywheelError):
    """Ingest itself failed on a line (a bug, not a bad line: those are quarantined); names file and line."""


class ParseLogFileDoFn(beam.DoFn):
    """A log file's URI -> (conversation_id, LogEvents) per conversation in each run of EVENTS_PER_HANDOFF
    events of the file (transforms.beam.log_events); rejected lines -> 'quarantine'."""

    QUARANTINE = "quarantine"

    def __init__(self, log_format: str, day: date, ingest: IngestConfig, wave: Wave = Wave()):
        self._log_format = log_format
        self._day = day
        self._window = EventWindow.for_day(day, ingest)
        self._ingest = ingest
        self._wave = wave

    def process(self, uri: str):
        parse = LogFileParse(uri, self._log_format, self._window, self._ingest)
        accepted: list[tuple[str, tuple[str, object]]] = []
        events_accepted = 0
        wave = self._wave
        try:
            for item in parse:
                if isinstance(item, QuarantinedLine):
                    if wave.first:  # a bad line is the first wave's (transforms.beam.waves)
                        # by kind too (lines_quarantined.<kind>: the report's "quarantine reasons"), never the line
                        count(f"lines_quarantined.{reason_kind(item.reason)}")
                        yield TaggedOutput(self.QUARANTINE, item)
                    continue
                events = [event for event in item.events if wave.holds(event.conversation_id)]
                events_accepted += len(events)
                accepted.extend((event.conversation_id, (item.adapter, event)) for event in events)
                if len(accepted) >= EVENTS_PER_HANDOFF:
                    yield from by_conversation(accepted, self._day)
                    accepted = []
            yield from by_conversation(accepted, self._day)
        except Exception as exc:
            # LogFileParse is built never to raise for a line or a file; should it anyway, the run's error
            # says where, without the message (it may quote the line).
            raise IngestFailed(f"{scrub_source_uri(uri)}: line {parse.line_number}: {type(exc).__name__}") from exc
        count("events_accepted", events_accepted)  # this wave's: the waves' counts add up to the day's
        if wave.first:  # the file's lines and status are counted once, by the first wave
            count("files_read")
            count("lines_read", parse.lines_read)
            count("lines_blank", parse.lines_blank)
            count("lines_accepted", parse.lines_accepted)
            count("lines_quarantined", parse.lines_quarantined)
            count_input_lines(uri, parse.lines_read)
            report_input_file(uri, parse.status, parse.error)


class ReadAndParseLogs(beam.PTransform):
    """pipeline -> {"events": (conversation_id, LogEvents of the day), "quarantine": QuarantinedLine}.

    A conversation's events may come in several elements (one per file and run of EVENTS_PER_HANDOFF
    events): group by conversation_id for all of them (PlaceConversations does)."""

    EVENTS = "events"
    QUARANTINE = "quarantine"

    def __init__(self, files: Iterable[str], log_format: str, day: date, ingest: IngestConfig | None = None,
                 wave: Wave = Wave()):
        super().__init__()
        self._files = sorted(files)
        self._log_format = log_format
        self._day = day
        self._ingest = ingest or IngestConfig()
        self._wave = wave

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "List files" >> beam.Create(self._files)
            # Files are independent units of work: let the runner spread them over workers.
            | "Spread files" >> beam.Reshuffle()
            # The output type said outright: it picks LogEventsCoder (and inferring it would walk the DoFn's code
            # at graph construction).
            | "Parse lines" >> beam.ParDo(ParseLogFileDoFn(self._log_format, self._day, self._ingest, self._wave))
            .with_output_types(tuple[str, LogEvents]).with_outputs(ParseLogFileDoFn.QUARANTINE, main="events")
        )
        return {self.EVENTS: parsed.events, self.QUARANTINE: parsed[ParseLogFileDoFn.QUARANTINE]}
