"""The flywheel's own event log ("events"): one `MessageEvent` or `FeedbackEvent` per line (`schemas.events`)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from schemas.events import FeedbackEvent, MessageEvent, log_event_adapter
from transforms.ids import stable_id
from transforms.ingest.records import MalformedLine, validation_reason


def feedback_event_id(event: FeedbackEvent) -> str:
    """The deterministic id of a feedback event that came without one: same event, same id."""
    return stable_id(
        "feedback",
        event.conversation_id,
        event.message_id,
        event.kind.value,
        event.timestamp.isoformat(),
        event.rating,
        event.edited_text,
        event.comment,
    )


def parse_event_record(record: dict[str, Any]) -> MessageEvent | FeedbackEvent:
    try:
        event = log_event_adapter.validate_python(record)
    except ValidationError as exc:
        raise MalformedLine(validation_reason("invalid event", exc, drop_tag=True)) from None
    if isinstance(event, FeedbackEvent) and not event.event_id:
        event = event.model_copy(update={"event_id": feedback_event_id(event)})
    return event

