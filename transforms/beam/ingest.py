"""Ingest on Beam: `ReadAndParseLogs`, log file URIs -> events keyed by conversation, and quarantined lines.

The parsing itself is transforms.ingest (one adapter per log format); this only spreads files over workers
and counts lines (lines_read = lines_accepted + lines_quarantined + lines_blank, checked by the flow).
"""

from __future__ import annotations

from typing import Iterable

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.outputs import QuarantinedLine
from transforms.beam.metrics import count, count_input_lines
from transforms.ingest.files import read_lines
from transforms.ingest.lines import parse_line
from transforms.ingest.records import MalformedLine


class ParseLogFileDoFn(beam.DoFn):
    """A log file's URI -> (conversation_id, (adapter, event)) per event; rejected lines -> 'quarantine'."""

    QUARANTINE = "quarantine"

    def __init__(self, log_format: str):
        self._log_format = log_format

    def process(self, uri: str):
        read = blank = accepted = rejected = 0
        line_number = 0
        try:
            for line_number, line in read_lines(uri):
                read += 1
                if not line.strip():
                    blank += 1
                    continue
                try:
                    adapter, events = parse_line(line, self._log_format)
                except MalformedLine as exc:
                    rejected += 1
                    yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                        reason=exc.reason, source_uri=uri, line_number=line_number, raw_line=line))
                    continue
                accepted += 1
                count("events_accepted", len(events))
                for event in events:
                    yield event.conversation_id, (adapter, event)
        except (OSError, EOFError, ValueError) as exc:
            # A truncated gzip or unreadable file: keep what was read, record where it broke.
            read += 1
            rejected += 1
            yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                reason=f"unreadable file after line {line_number}: {type(exc).__name__}",
                source_uri=uri, line_number=line_number + 1, raw_line=""))
        count("files_read")
        count("lines_read", read)
        count("lines_blank", blank)
        count("lines_accepted", accepted)
        count("lines_quarantined", rejected)
        count_input_lines(uri, read)


class ReadAndParseLogs(beam.PTransform):
    """pipeline -> {"events": (conversation_id, (adapter, event)), "quarantine": QuarantinedLine}."""

    EVENTS = "events"
    QUARANTINE = "quarantine"

    def __init__(self, files: Iterable[str], log_format: str):
        super().__init__()
        self._files = sorted(files)
        self._log_format = log_format

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "List files" >> beam.Create(self._files)
            # Files are independent units of work: let the runner spread them over workers.
            | "Spread files" >> beam.Reshuffle()
            | "Parse lines" >> beam.ParDo(ParseLogFileDoFn(self._log_format)).with_outputs(
                ParseLogFileDoFn.QUARANTINE, main="events")
        )
        return {self.EVENTS: parsed.events, self.QUARANTINE: parsed[ParseLogFileDoFn.QUARANTINE]}
