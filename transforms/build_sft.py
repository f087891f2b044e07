"""Build gold SFT examples from a scrubbed, labeled conversation.

The selection, filters and preference pairs live in transforms/training_rows.py; this module keeps the
v0 names importable for the pipeline and older callers.
"""

from __future__ import annotations

from flywheel.config import TrainingPolicy
from schemas.conversation import Conversation
from schemas.outputs import SFTExample
from transforms.training_rows import build_training_rows, conversation_context

__all__ = ["build_sft_examples", "conversation_context"]


def build_sft_examples(conversation: Conversation, policy: TrainingPolicy | None = None) -> list[SFTExample]:
    """The SFT examples of `build_training_rows` (default policy unless one is given), nothing else.

    In: a labeled, scrubbed conversation. Out: one example per selected target (positive turns, turns the
    judge scored high, user edits, accepted regenerations, judge corrections), each the context plus the
    target as the last message. Refuses negative turns as targets, answers without a user prompt before
    them and answers the quality filters reject. Preference rows and drop counts are discarded here: call
    `build_training_rows` to keep them.
    """
    return build_training_rows(conversation, policy or TrainingPolicy()).sft
