"""The input event stream: what an adapter turns a log line into.

Two kinds of event share one stream, told apart by `type`:
- `message`: one chat message (system, user, assistant or tool) in a conversation;
- `feedback`: something the user did about an assistant message (thumbs, rating, regenerate, copy,
  edit with the edited text, report).
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator


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


def _as_utc(value: datetime) -> datetime:
    # Logs without an offset are taken as UTC: that is what gateways write.
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    conversation_id: str = Field(min_length=1, max_length=256)
    user_id: str | None = None
    timestamp: datetime

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _as_utc(value)


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
    rating: float | None = Field(default=None, ge=1, le=5)
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
