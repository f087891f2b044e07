"""Silver layer: a scrubbed conversation, one row per conversation, turns nested.

Every text field here has been through the scrubber: nothing in these models may hold raw PII.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas import SCHEMA_VERSION


class Label(StrEnum):
    positive = "positive"
    negative = "negative"
    neutral = "neutral"
    unknown = "unknown"


class FeedbackSignal(BaseModel):
    """A feedback event attached to the assistant turn it is about (texts scrubbed)."""

    event_id: str
    kind: str
    rating: float | None = None
    edited_text: str | None = None
    comment: str | None = None
    timestamp: datetime
    # How the event found its turn: "message_id" (it named the turn) or "nearest_preceding".
    attached_by: str


class LabelDecision(BaseModel):
    """One rule's verdict on one assistant turn: the provenance of a label."""

    rule_id: str
    rules_version: str
    event_id: str | None = None
    label: Label
    confidence: float


class Turn(BaseModel):
    turn_index: int
    message_id: str
    parent_id: str | None = None
    role: str
    content: str
    timestamp: datetime
    model: str | None = None
    feedback: list[FeedbackSignal] = Field(default_factory=list)
    # Only assistant turns carry a label; the others stay None.
    label: Label | None = None
    decisions: list[LabelDecision] = Field(default_factory=list)


class EntityCount(BaseModel):
    entity_type: str
    count: int


class Conversation(BaseModel):
    schema_version: int = SCHEMA_VERSION
    # Deterministic: hash of the conversation id and its scrubbed content.
    row_id: str
    conversation_id: str
    source: str
    # A one-way hash of the user id: lets analysts count users without storing who they are.
    user_hash: str | None = None
    started_at: datetime
    ended_at: datetime
    n_turns: int
    turns: list[Turn]
    pii_entities: list[EntityCount] = Field(default_factory=list)
