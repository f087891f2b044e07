"""The event-time window of a day's run: which event timestamps a partition date accepts.

A run for date D reads D's log directory, but logs are late and clocks skew (../shared/DESIGN.md, "Time,
lateness and trust"): an answer rated a few days later, a gateway whose clock runs ahead. The window is
[D - event_window_days_before, D + 1 day + event_window_days_after), in UTC. A timestamp outside it is not a
late event but a broken one (year 1, year 9999, a unit mistake, a replayed file) and is quarantined as
"timestamp outside the window", so it can neither crash date arithmetic downstream nor land in the
wrong partition's conversations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from schemas.events import FeedbackEvent, MessageEvent
from transforms.ingest.config import IngestConfig
from transforms.ingest.records import MalformedLine


@dataclass(frozen=True)
class EventWindow:
    """The partition date and the half-open UTC interval of event times its run accepts."""

    day: date
    start: datetime
    end: datetime

    @classmethod
    def for_day(cls, day: date, config: IngestConfig | None = None) -> "EventWindow":
        config = config or IngestConfig()
        midnight = datetime.combine(day, time(0), tzinfo=timezone.utc)
        return cls(
            day=day,
            start=midnight - timedelta(days=config.event_window_days_before),
            end=midnight + timedelta(days=1 + config.event_window_days_after),
        )

    def check(self, events: list[MessageEvent | FeedbackEvent]) -> None:
        """Refuse (MalformedLine) a line any of whose events falls outside the window.

        The reason names the window (from the settings), never the line's timestamp.
        """
        for event in events:
            if not self.start <= event.timestamp < self.end:
                raise MalformedLine(
                    f"timestamp outside the window [{self.start:%Y-%m-%dT%H:%MZ}, {self.end:%Y-%m-%dT%H:%MZ})"
                    f" of {self.day.isoformat()} (FLYWHEEL_INGEST__EVENT_WINDOW_DAYS_BEFORE/_AFTER)"
                )
