"""The training policy: how labeled conversations become training rows. Owned by the training stage,
composed into the run's settings (`flows.settings.Settings.training`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from transforms.text import LANGUAGE_CODE_PATTERN


class TrainingPolicy(BaseModel):
    """How labeled conversations become training rows: selection, filters, dedup, balance, decontamination.

    From the environment as FLYWHEEL_TRAINING__<NAME> (e.g. FLYWHEEL_TRAINING__LOSS_SCOPE=all); dicts and
    lists as JSON (FLYWHEEL_TRAINING__CATEGORY_CAPS='{"chitchat": 1000}').
    """

    model_config = ConfigDict(extra="forbid")

    # Selection: positive turns always qualify; an undecided turn qualifies when the judge scored it at least
    # this (1-10). Negative turns never do.
    min_judge_quality: int = Field(default=8, ge=1, le=10)
    # A positive label that only the conversational rules gave (no user action, no judge) qualifies when
    # its confidence reaches this; the confidences are the rules' precision measured on real conversations
    # (transforms.label.calibration), at a balanced prior, so no data set's share of happy users inflates
    # them. Specific praise ("that worked") measures ~0.79; bare politeness ("thanks", "ok") never labels
    # on its own (transforms.label.signals: weak rules). Below it, only the judge can select the turn.
    min_rules_positive_confidence: float = Field(default=0.75, ge=0, le=1)
    # Which assistant messages of an example the loss covers: "last" (the target only) or "all".
    loss_scope: Literal["last", "all"] = "last"
    # Context turns one example keeps (SFT messages before the target, a preference row's prompt): its
    # opening system messages plus the last this-many other turns, starting at a user turn. Every example
    # repeats its context, so without a cap one conversation's rows grow with the square of its length
    # (1,000 turns: 500 examples of ~250 messages each); with it they grow linearly. Far above what chat
    # models see of a conversation in practice, and above every generated sample conversation.
    max_context_turns: int = Field(default=64, ge=2)
    # Answer length bounds in characters (after scrubbing).
    min_answer_chars: int = Field(default=2, ge=0)
    max_answer_chars: int = Field(default=20_000, ge=1)
    # Drop answers whose text is mostly placeholders after scrubbing: the larger of the share of characters and
    # the share of lines that are mostly placeholders (filters.placeholder_share).
    max_placeholder_share: float = Field(default=0.5, ge=0, le=1)
    # Keep only these prompt languages: ISO 639-1 codes ("en", "zh", "fr", ...), "mixed" (Chinese and Latin
    # side by side) or "und" (undetermined), as transforms.text.detect_language names them; empty = all.
    languages: list[Annotated[str, StringConstraints(pattern=LANGUAGE_CODE_PATTERN)]] = Field(default_factory=list)
    # Near-duplicate prompts (MinHash Jaccard estimate at or above this) collapse to the best-scored one, and a
    # prompt near one another day published is dropped; preference rows likewise (prompt and answers together).
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    # Per-category caps (max examples per partition) and upsampling weights, e.g. {"chitchat": 500}.
    category_caps: dict[str, int] = Field(default_factory=dict)
    category_weights: dict[str, float] = Field(default_factory=dict)
    # Evaluation sets to decontaminate against: JSONL/text files of prompts; n-gram size of the overlap test.
    eval_sets: list[str] = Field(default_factory=list)
    decontamination_ngram: int = Field(default=8, ge=3, le=50)
