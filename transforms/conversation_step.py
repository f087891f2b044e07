"""The per-conversation step: events -> a scrubbed conversation labeled by the rules.

Plain Python: the Beam wrapper in transforms/beam/pipeline.py only calls `process_conversation`.
Order matters: everything after `scrub_conversation` (rules, judge, training rows) sees only scrubbed text.
The scrub step itself (`scrub_conversation`, `safe_identifiers`) lives in transforms/scrub/conversation.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from schemas.conversation import Conversation
from schemas.events import FeedbackEvent, MessageEvent
from transforms.ids import stable_id
from transforms.ingest.sessionize import sessionize
from transforms.label.signals import label_turns
from transforms.scrub.conversation import safe_identifiers, scrub_conversation  # noqa: F401 (re-exported)
from transforms.scrub.scrubber import Scrubber


@dataclass
class ProcessedConversation:
    conversation: Conversation
    unattached_feedback: int


def with_row_id(conversation: Conversation) -> Conversation:
    """Set the deterministic row id: the conversation id plus its (scrubbed) content and labels."""
    payload = json.dumps([t.model_dump(mode="json") for t in conversation.turns], sort_keys=True, ensure_ascii=False)
    return conversation.model_copy(update={"row_id": stable_id("conversation", conversation.conversation_id, payload)})


def process_conversation(
    conversation_id: str,
    events: Iterable[MessageEvent | FeedbackEvent],
    source: str,
    scrubber: Scrubber,
    id_hash_key: str | None = None,
) -> ProcessedConversation:
    """Sessionize, scrub and label one conversation's events with the rules (row id comes after the judge)."""
    raw, unattached = sessionize(conversation_id, events, source, id_hash_key)
    return ProcessedConversation(label_turns(scrub_conversation(raw, scrubber, id_hash_key)), unattached)
