"""Date order for concurrent backfills: dedup decisions are made in date order, whatever the concurrency.

Why: a date's curation drops the SFT rows whose exact key another committed date holds (the dedup index,
`datalake.dedup_index`). Run one after the other, each date sees the dates before it as this backfill
republished them and the dates after it as they were; run at once, two dates see each other's old keys (or
none), so duplicates got published (fresh lake) or both copies dropped (`--force`).

How: `process_day` runs the expensive half of a date (read, scrub, label, judge, training rows) at once with
the other dates, then waits for its turn: every earlier date of the backfill has finished (published, failed
or had no logs), and only then reads the index, curates and publishes. So each date reads exactly the index
`--concurrency 1` would have shown it, and the tables come out byte-identical (tests/flows/test_backfill_equivalence.py).

"Finished" is the task's final state (retries included), set by the flow from each future's done callback, so
a date whose first attempt failed on a transient error still publishes before the dates after it. The orders
live in this process: the backfill's tasks run on the flow's thread pool. Dates must start in date order
(the backfill submits them so), or a later date could hold the last slot an earlier one needs.
"""

from __future__ import annotations

import secrets
import threading
from datetime import date
from typing import Callable, Iterable

from schemas.errors import FlywheelError


class OrderLost(FlywheelError):
    """The date's backfill order is not known in this process, or the backfill stopped while the date waited."""


class DateOrder:
    """The dates of one backfill still running; a date's turn comes when no earlier one is."""

    def __init__(self, days: Iterable[date]):
        self._pending = set(days)
        self._closed = False
        self._changed = threading.Condition()

    def done(self, day: date) -> None:
        with self._changed:
            self._pending.discard(day)
            self._changed.notify_all()

    def close(self) -> None:
        """The backfill ended (or broke): nobody waits any longer."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for_turn(self, day: date) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._closed or not any(d < day for d in self._pending))
            if self._closed and any(d < day for d in self._pending):
                raise OrderLost(f"{day.isoformat()}: the backfill stopped before the earlier dates finished")


_ORDERS: dict[str, DateOrder] = {}
_ORDERS_LOCK = threading.Lock()


def open_order(days: Iterable[date]) -> str:
    """Register a backfill's dates; returns the id its tasks are given (a plain string: a task parameter)."""
    order_id = secrets.token_hex(8)
    with _ORDERS_LOCK:
        _ORDERS[order_id] = DateOrder(days)
    return order_id


def close_order(order_id: str) -> None:
    with _ORDERS_LOCK:
        order = _ORDERS.pop(order_id, None)
    if order is not None:
        order.close()


def mark_done(order_id: str, day: date) -> None:
    with _ORDERS_LOCK:
        order = _ORDERS.get(order_id)
    if order is not None:
        order.done(day)


def turn_waiter(order_id: str | None, day: date) -> Callable[[], None] | None:
    """What `process_day` calls before it reads the dedup index (None: no order, run straight through)."""
    if order_id is None:
        return None
    with _ORDERS_LOCK:
        order = _ORDERS.get(order_id)
    if order is None:
        raise OrderLost(f"{day.isoformat()}: backfill order {order_id} is not known in this process "
                        "(ordered backfills run their dates on the flow's own thread pool)")
    return lambda: order.wait_for_turn(day)
