"""Human review: a queue item a reviewer reads, a verdict line from elsewhere, and a row of the `reviews` table.

Reviewer input is untrusted: every string a reviewer types is bounded here, unknown keys are refused, and the
`reviews` table never holds a reviewer's name (only its keyed hash, `datalake.reviews.reviewer_hash`) nor an
unscrubbed answer (`review.verdicts` scrubs fixed answers before they are stored).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas import SCHEMA_VERSION

# What can be reviewed: an SFT example, a preference row (DPO or KTO), an LLM judgment.
ReviewKind = Literal["sft", "preference", "judgment"]
VerdictKind = Literal["accept", "reject", "fix"]
# How an item came into a queue; "unsampled": a verdict imported for an item that was in no queue.
SampleStrategy = Literal["stratified", "disagreement", "random"]
ReviewStrategy = Literal["stratified", "disagreement", "random", "unsampled"]
ReviewSource = Literal["web", "import"]

# Bounds on reviewer-typed text: a fixed answer is an assistant answer (long ones exist, books do not).
MAX_ITEM_ID_CHARS = 128
MAX_REVIEWER_CHARS = 200
MAX_REASON_CHARS = 64
MAX_FIXED_ANSWER_CHARS = 20_000
# Scrubbing may lengthen an answer (a two-letter name becomes "<PERSON>"): the stored bound leaves room for it.
MAX_STORED_ANSWER_CHARS = 2 * MAX_FIXED_ANSWER_CHARS


class ReviewItem(BaseModel):
    """One line of a review queue: an item of the lake, its scrubbed content, and why it was sampled.

    `content` holds only text read from the lake (already scrubbed): sft `messages` (the context) + `answer`;
    preference `prompt` + `chosen`/`rejected` (DPO) or `completion`/`desirable` (KTO); judgment `messages`,
    `answer`, `rules_label`, `judge_label`, `rationale`. `labels`: how the pipeline labelled it (label,
    rule_ids, category, language, derivation, confidence...).
    """

    model_config = ConfigDict(extra="forbid")

    item_id: str = Field(max_length=MAX_ITEM_ID_CHARS)
    kind: ReviewKind
    day: date
    strategy: SampleStrategy
    why: str
    content: dict[str, Any]
    labels: dict[str, Any] = Field(default_factory=dict)


class VerdictLine(BaseModel):
    """One line of a `flywheel review import` file: a verdict made outside the web app."""

    model_config = ConfigDict(extra="forbid")

    item_id: str = Field(min_length=1, max_length=MAX_ITEM_ID_CHARS)
    reviewer: str = Field(min_length=1, max_length=MAX_REVIEWER_CHARS)
    verdict: VerdictKind
    fixed_answer: str | None = Field(default=None, max_length=MAX_FIXED_ANSWER_CHARS)
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)


class Review(BaseModel):
    """One row of the lake's `reviews` table: one verdict of one reviewer on one item (append-only).

    Two reviewers disagreeing are two rows; a reviewer changing their mind is a later row (the latest counts:
    `datalake.reviews.item_decisions`).
    """

    schema_version: int = SCHEMA_VERSION
    review_id: str
    item_id: str = Field(max_length=MAX_ITEM_ID_CHARS)
    item_kind: ReviewKind
    # The partition date the item was read from.
    item_day: date
    # Keyed hash of the reviewer's name (datalake.reviews.reviewer_hash), never the name.
    reviewer: str
    verdict: VerdictKind
    # A reason code of the item kind's guideline (required for reject, optional otherwise).
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)
    # The reviewer's corrected answer, scrubbed; only for verdict "fix".
    fixed_answer: str | None = Field(default=None, max_length=MAX_STORED_ANSWER_CHARS)
    strategy: ReviewStrategy
    # The guideline version the reviewer judged against (review/guidelines/<kind>.md).
    guideline_version: str
    source: ReviewSource
    reviewed_at: datetime
