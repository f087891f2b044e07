"""The input event stream: what an adapter turns a log line into.

Two kinds of event share one stream, told apart by `type`:
- `message`: one chat message (system, user, assistant or tool) in a conversation;
- `feedback`: something the user did about an assistant message (thumbs, rating, regenerate, copy,
  edit with the edited text, report).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter, field_validator, model_validator


class Role(StrEnum):
    system = "system"
    user = "user"
    assistant = "assistant"
    tool = "tool"


class FeedbackKind(StrEnum):
    thumbs_up = "thumbs_up"
    thumbs_down = "thumbs_down"
    rating = "rating"
    regenerate = "regenerate"
    copy = "copy"
    edit = "edit"
    report = "report"


def as_utc(value: datetime) -> datetime:
    # Logs without an offset are taken as UTC: that is what gateways write.
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        # 9999-12-31T23:00-05:00 or 0001-01-01T00:00+05:00: a valid ISO string whose UTC instant falls
        # outside year 1..9999. A ValueError makes it the line's validation error, not a crash.
        raise ValueError("not representable in UTC (outside years 1-9999)") from None


# Unix epoch numbers, one unambiguous rule: seconds if the number falls in [2000-01-01, 2100-01-01) as
# seconds, milliseconds if it falls in that range as milliseconds; anything else is refused. The two ranges
# are more than two hundred times apart, so no number is both, and nothing is silently reinterpreted (pydantic
# alone reads any number above 2e10 as milliseconds: unix seconds of year 10000 became 1978).
EPOCH_SECONDS_RANGE = (946_684_800, 4_102_444_800)
EPOCH_MILLISECONDS_RANGE = (EPOCH_SECONDS_RANGE[0] * 1000, EPOCH_SECONDS_RANGE[1] * 1000)
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")


def epoch_to_datetime(value: int | float) -> datetime:
    """A unix timestamp (seconds or milliseconds, by the rule above) as an aware UTC datetime.

    Refuses (ValueError, message without the value): NaN, infinities and numbers in neither range.
    """
    if not math.isfinite(value):
        raise ValueError("unix timestamp is not a finite number")
    if EPOCH_SECONDS_RANGE[0] <= value < EPOCH_SECONDS_RANGE[1]:
        # timedelta, not float arithmetic: integer seconds and milliseconds stay exact.
        return _UNIX_EPOCH + timedelta(seconds=value)
    if EPOCH_MILLISECONDS_RANGE[0] <= value < EPOCH_MILLISECONDS_RANGE[1]:
        return _UNIX_EPOCH + timedelta(milliseconds=value)
    raise ValueError("unix timestamp is neither seconds nor milliseconds of years 2000-2099")


def timestamp_value(value: Any) -> Any:
    """A log's raw timestamp, with epoch numbers (and numeric strings) converted by the rule above.

    ISO strings and datetimes pass through to pydantic's own parsing; a boolean is refused (JSON `true` is
    not a time). Used by the events schema and by the gateway adapter, so both read numbers the same way.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return epoch_to_datetime(value)
    if isinstance(value, str) and _EPOCH_TEXT.fullmatch(value.strip()):
        return epoch_to_datetime(float(value))
    return value


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    conversation_id: str = Field(min_length=1, max_length=256)
    user_id: str | None = None
    timestamp: datetime

    @field_validator("timestamp", mode="before")
    @classmethod
    def _epoch_numbers(cls, value: Any) -> Any:
        return timestamp_value(value)

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class MessageEvent(_Event):
    type: Literal["message"] = "message"
    message_id: str = Field(min_length=1, max_length=256)
    parent_id: str | None = None
    role: Role
    content: str
    model: str | None = None


class FeedbackEvent(_Event):
    type: Literal["feedback"] = "feedback"
    # Optional in the log; adapters derive a deterministic one when it is missing.
    event_id: str | None = None
    # The assistant message the feedback is about; when missing, sessionize attaches it to the
    # nearest preceding assistant turn.
    message_id: str | None = None
    kind: FeedbackKind
    # Strict: JSON `true` or "4" is not a rating (lax mode read `true` as a 1-star rating); ints are fine.
    rating: Annotated[float, Strict()] | None = Field(default=None, ge=1, le=5, allow_inf_nan=False)
    edited_text: str | None = None
    comment: str | None = None

    @model_validator(mode="after")
    def _kind_needs_its_field(self) -> "FeedbackEvent":
        if self.kind is FeedbackKind.rating and self.rating is None:
            raise ValueError("feedback of kind 'rating' needs a 'rating' between 1 and 5")
        if self.kind is FeedbackKind.edit and not self.edited_text:
            raise ValueError("feedback of kind 'edit' needs 'edited_text'")
        return self


LogEvent = Annotated[Union[MessageEvent, FeedbackEvent], Field(discriminator="type")]
log_event_adapter: TypeAdapter[MessageEvent | FeedbackEvent] = TypeAdapter(LogEvent)
