"""Silver layer: a scrubbed conversation, one row per conversation, turns nested.

Every text field here has been through the scrubber: nothing in these models may hold raw PII.
Fields added later are optional (None), so partitions written before them still read (schema evolution in
datalake/reader.py and the catalog's views): `category` and `language` of turns and conversations are such.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from schemas import SCHEMA_VERSION


# What a turn's final label rests on: "rules", "judge", "rules+judge", or "none" (no signal at all).
LabelSource = Literal["rules", "judge", "rules+judge", "none"]
# What happened with the LLM judge for a turn: "not_needed" (rules decided), "judged", "cached", "calibration"
# (a decided turn sampled to measure agreement), "judge_skipped" (budget spent), "judge_failed" (endpoint
# errors / invalid answers), "rules_only" (no judge configured).
JudgeStatus = Literal["not_needed", "judged", "cached", "calibration", "judge_skipped", "judge_failed", "rules_only"]


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
    """One signal's verdict on one assistant turn: the provenance of a label.

    A rule's decision names the rule (`explicit.thumbs_down`, `conversational.en.correction`, ...); the
    judge's decision has rule_id `judge.<rubric_version>`.
    """

    rule_id: str
    rules_version: str
    event_id: str | None = None
    label: Label
    confidence: float
    # The (scrubbed) text that triggered a conversational rule, e.g. "that's wrong" in the next user turn.
    evidence: str | None = None
    # Feedback taxonomy category when the signal has one (Don-Yehiya et al. 2024): UR1 rephrase,
    # UR2 correction, UR3 aware-without-correction, UR4 clarification, UR5 positive.
    category: str | None = None


class Turn(BaseModel):
    turn_index: int
    message_id: str
    parent_id: str | None = None
    role: str
    content: str
    timestamp: datetime
    model: str | None = None
    # Task category of the request (transforms.task_category.CATEGORIES): a user turn's own; an assistant
    # turn's is its request's, read with the answer as evidence (as its SFT row is). None on other roles.
    category: str | None = None
    # Language of this message's own text (transforms.text.detect_language): an ISO 639-1 code, "mixed" or
    # "und" (undetermined: too short or no letters).
    language: str | None = None
    feedback: list[FeedbackSignal] = Field(default_factory=list)
    # Only assistant turns carry a label; the others stay None.
    label: Label | None = None
    decisions: list[LabelDecision] = Field(default_factory=list)
    # 0..1, from the combination of signals (and the judge's 1-10 quality when it ran).
    quality_score: float | None = None
    label_source: LabelSource | None = None
    judge_status: JudgeStatus | None = None
    # The corrected answer the judge derived from the user's follow-up correction (scrubbed), if any.
    corrected_answer: str | None = None


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
    # The conversation's task category (the most common of its answers', "other" only when nothing else) and
    # language (that of most of its users' letters): transforms/conversation_tags.py.
    category: str | None = None
    language: str | None = None
    turns: list[Turn]
    pii_entities: list[EntityCount] = Field(default_factory=list)
