"""Late data: which date a conversation belongs to, and where a run's late events go.

Logs arrive by date directory (`<source>/<YYYY-MM-DD>/`), and a conversation's events can arrive over several of
them: an answer at 23:59 on D rated at 00:01 on D+1, a chat that spans midnight, feedback hours later. The model
(README "Late data"; ../shared/DESIGN.md "Time, lateness and trust"):

- A conversation **belongs to the first log date it arrived in** (the earliest directory holding any of its
  events). It is one conversation, published once, in that date's partitions.
- Its events that arrive within `late_window_days` after that date reach it: the run for date X reads the logs of
  X and of the `late_window_days` dates after it, and keeps every event of the conversations that belong to X.
- Events that arrive later than that are **late beyond the window**: set aside (quarantined with that reason) and
  counted, never silently dropped, never turned into a second, partial copy of the conversation.

Arrival (the directory), not the event's own timestamp, decides, because that is what a run can know for sure and
what makes every run agree: timestamps only order the turns inside a conversation (and the ingest event window
still refuses broken ones). To tell "the first date" apart from "late beyond the window" the run for X also
looks at which conversations appear in the `2 * late_window_days` dates before X (conversation ids only):

    dates read by the run for X (window w):   [X-2w ........ X-1]  X  [X+1 ...... X+w]
                                               ids only              full events
    X's own events of conversation c:
      no c in [X-w, X)                       -> c belongs to X: X keeps all of c's events in [X, X+w]
      first c in [X-w, X) is E, none in [E-w, E) -> c belongs to E: moved there (E's run reads X's logs)
      first c in [X-w, X) is E, some in [E-w, E)  -> c began more than w days before: late beyond the window

Each event is thereby decided by exactly one run, the same way whichever order the dates run in. Plain Python:
the Beam wrapper is transforms/beam/lateness.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Literal

# How a run treats the events of one conversation (see `place_conversation`).
Placement = Literal["own", "moved", "beyond_window", "elsewhere"]

LATE_BEYOND_WINDOW = "late beyond the window"


@dataclass(frozen=True)
class LogDates:
    """The log dates the run for `day` reads besides its own: ids only before it, full events after it."""

    day: date
    earlier: tuple[date, ...]
    later: tuple[date, ...]


def log_dates_to_read(day: date, late_window_days: int) -> LogDates:
    """The dates whose logs the run for `day` reads: [day - 2w, day) for conversation ids, (day, day + w] whole."""
    if late_window_days < 0:
        raise ValueError("late_window_days must be >= 0")
    w = late_window_days
    return LogDates(
        day=day,
        earlier=tuple(day - timedelta(days=k) for k in range(2 * w, 0, -1)),
        later=tuple(day + timedelta(days=k) for k in range(1, w + 1)),
    )


@dataclass(frozen=True)
class ConversationPlace:
    placement: Placement
    # "moved": the date the conversation belongs to (its run reads this run's logs); None otherwise.
    belongs_to: date | None = None


def place_conversation(day: date, late_window_days: int, seen_on: Iterable[date]) -> ConversationPlace:
    """Where the run for `day` sends one conversation's events.

    In: the run's date, the window, and the log dates (within [day - 2w, day + w]) holding any of the
    conversation's events.
    Out: "own" (it belongs to `day`: keep all its events), "moved" (its events in `day`'s logs belong to the
    earlier date `belongs_to`, whose run takes them), "beyond_window" (its events in `day`'s logs came more than
    the window after the conversation's first date: set them aside, counted) or "elsewhere" (none of its events
    is in `day`'s logs: another date's run decides about them).
    """
    dates = set(seen_on)
    if day not in dates:
        return ConversationPlace("elsewhere")
    w = timedelta(days=late_window_days)
    within = sorted(d for d in dates if day - w <= d < day)
    if not within:
        return ConversationPlace("own")
    first = within[0]
    if any(first - w <= d < first for d in dates):
        return ConversationPlace("beyond_window")
    return ConversationPlace("moved", first)


def late_events_key(belongs_to: date) -> str:
    """Manifest count of a run's own events that went to an earlier date's conversation."""
    return f"late_events.{belongs_to.isoformat()}"


def late_arrivals_key(arrived_on: date) -> str:
    """Manifest count of events from a later date's logs that reached this date's conversations."""
    return f"late_arrivals.{arrived_on.isoformat()}"


def beyond_window_reason(day: date, late_window_days: int, feedback_only: bool = False) -> str:
    """The quarantine reason for events a run sets aside as too late (names the window, never the content)."""
    first = (day - timedelta(days=late_window_days)).isoformat()
    if feedback_only:
        return (f"{LATE_BEYOND_WINDOW}: feedback whose conversation is not in the logs of {first}..{day.isoformat()}"
                f" (FLYWHEEL_LATE_WINDOW_DAYS={late_window_days}; or it was never logged)")
    return (f"{LATE_BEYOND_WINDOW}: its conversation began before {first} "
            f"(FLYWHEEL_LATE_WINDOW_DAYS={late_window_days})")
