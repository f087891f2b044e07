"""The per-conversation step: events -> a scrubbed conversation labeled by the rules, with the task category
and language of every turn and of the conversation (transforms/conversation_tags.py).

Plain Python: the Beam wrapper in transforms/beam/conversations.py only calls `process_conversation`.
Order matters: everything after `scrub_conversation` (rules, tags, judge, training rows) sees only scrubbed
text.
The scrub step itself (`scrub_conversation`, `safe_identifiers`) lives in transforms/scrub/conversation.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

from schemas.conversation import Conversation
from schemas.events import FeedbackEvent, MessageEvent
from transforms.conversation_tags import tag_conversation
from transforms.ids import stable_id
from transforms.ingest.sessionize import sessionize_conversation
from transforms.label.signals import label_turns
from transforms.scrub.conversation import safe_identifiers, scrub_conversation  # noqa: F401 (re-exported)
from transforms.scrub.scrubber import Scrubber


@dataclass
class ProcessedConversation:
    # None when the events hold no message at all (feedback only): there is no conversation to make a
    # row of, and its feedback is counted in `shape_counts["feedback_without_conversation"]`.
    conversation: Conversation | None
    unattached_feedback: int
    # What sessionizing set aside to get the conversation into shape, as manifest counts (only the
    # non-zero ones): conversations_truncated, turns_dropped_by_cap, feedback_dropped_by_cap,
    # parent_links_dropped.<reason>, feedback_without_conversation.
    shape_counts: dict[str, int] = field(default_factory=dict)


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
    max_turns: int | None = None,
) -> ProcessedConversation:
    """Sessionize, scrub, label (rules) and tag (category, language) one conversation's events; the row id
    comes after the judge.

    `max_turns` is IngestConfig.max_turns_per_conversation (None = no cap): the turns beyond it are cut
    off before scrubbing, so a runaway conversation costs no more than the cap.
    """
    shaped = sessionize_conversation(conversation_id, events, source, id_hash_key, max_turns)
    counts = {
        "conversations_truncated": int(shaped.truncated),
        "turns_dropped_by_cap": shaped.turns_dropped_by_cap,
        "feedback_dropped_by_cap": shaped.feedback_dropped_by_cap,
        "feedback_without_conversation": shaped.feedback_without_conversation,
        **{f"parent_links_dropped.{reason}": n for reason, n in sorted(shaped.parent_links_dropped.items())},
    }
    counts = {name: n for name, n in counts.items() if n}
    if not shaped.conversation.turns:
        return ProcessedConversation(None, shaped.unattached_feedback, counts)
    labeled = label_turns(scrub_conversation(shaped.conversation, scrubber, id_hash_key))
    return ProcessedConversation(tag_conversation(labeled), shaped.unattached_feedback, counts)
