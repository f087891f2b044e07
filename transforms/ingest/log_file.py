"""One log file, line by line: events for the good lines, a quarantine record for every other one.

This is ingest's unit of work (the Beam layer only spreads files over workers and counts): whatever goes
wrong on one line — a MalformedLine, or any exception from a parser or validator — quarantines that line
with a reason and its location, and the next line is read. Whatever goes wrong with the file itself ends
its reading with a status (`LogFileReader`), which the run manifest records.

Counts reconcile per file: lines_read = lines_accepted + lines_quarantined + lines_blank.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from schemas.events import FeedbackEvent, MessageEvent
from schemas.outputs import InputFileStatus, QuarantinedLine
from transforms.ingest.config import IngestConfig
from transforms.ingest.files import LogFileReader
from transforms.ingest.lines import parse_line
from transforms.ingest.records import MalformedLine
from transforms.ingest.window import EventWindow


class ParsedLine(NamedTuple):
    """A line that became events: its number, the adapter that read it, and the events."""

    number: int
    adapter: str
    events: list[MessageEvent | FeedbackEvent]


def unexpected_reason(exc: BaseException) -> str:
    # Only the exception's type: its message may quote the line (a library echoing its input).
    return f"could not parse: {type(exc).__name__}"


class LogFileParse:
    """Iterate for `ParsedLine`s and `QuarantinedLine`s in line order; then read the counts and the status.

    In: a file URI, the log format, the run's event window and the ingest caps.
    Out: one item per non-blank line. Never raises for a line or for the file (see LogFileReader).
    """

    def __init__(self, uri: str, log_format: str, window: EventWindow | None, config: IngestConfig):
        self.uri = uri
        self._log_format = log_format
        self._window = window
        self._reader = LogFileReader(uri, config.max_line_bytes, config.max_file_bytes)
        self.lines_read = self.lines_blank = self.lines_accepted = self.lines_quarantined = 0
        self.line_number = 0  # the line being handled: for errors raised by whoever consumes the items

    @property
    def status(self) -> InputFileStatus:
        return self._reader.status

    @property
    def error(self) -> str | None:
        return self._reader.error

    def __iter__(self) -> Iterator[ParsedLine | QuarantinedLine]:
        for line in self._reader:
            self.lines_read += 1
            self.line_number = line.number
            if line.problem is not None:
                self.lines_quarantined += 1
                yield self._quarantined(line.number, line.problem, line.text)
                continue
            if not line.text.strip():
                self.lines_blank += 1
                continue
            try:
                adapter, events = parse_line(line.text, self._log_format, self._window)
            except MalformedLine as exc:
                reason = exc.reason
            except Exception as exc:  # noqa: BLE001 - one line must never fail the file, let alone the night
                reason = unexpected_reason(exc)
            else:
                self.lines_accepted += 1
                # Outside the try: an exception raised by the consumer is not this line's parse error.
                yield ParsedLine(line.number, adapter, events)
                continue
            self.lines_quarantined += 1
            yield self._quarantined(line.number, reason, line.text)

    def _quarantined(self, number: int, reason: str, raw: str) -> QuarantinedLine:
        return QuarantinedLine(reason=reason, source_uri=self.uri, line_number=number, raw_line=raw)
