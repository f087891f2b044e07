"""The scrub step of one conversation: every free text and every id, in one pass.

Plain Python, called by :func:`transforms.conversation_step.process_conversation`: everything after
:func:`scrub_conversation` (rules, judge, training rows) sees only scrubbed text.
"""

from __future__ import annotations

import re
from typing import Iterable

from schemas.conversation import Conversation, EntityCount
from transforms.ids import pseudonym
from transforms.scrub.scrubber import Scrubber

_ID_SEPARATORS = re.compile(r"[-_:/|#]+")


def safe_identifiers(values: Iterable[str | None], scrubber: Scrubber,
                     id_hash_key: str | None = None) -> dict[str, str]:
    """Each distinct id as logged, unless it holds PII (some products use the user's email as session id):
    then a stable one-way hash of it (keyed by ``id_hash_key`` when set, see :func:`transforms.ids.pseudonym`),
    the same everywhere it appears, so links between turns and events still hold."""
    distinct = list(dict.fromkeys(v for v in values if v))
    # Ids glue values to counters ("ann@x.org-1"): look at the parts between separators, which hides
    # nothing the joined form shows ("ann_lee@x.org" still holds "lee@x.org"). All of a conversation's
    # ids go to the scrubber in one batch.
    found = scrubber.find_spans_many([_ID_SEPARATORS.sub(" ", v) for v in distinct])
    return {v: ("anon-" + pseudonym("identifier", v, id_hash_key, length=24) if spans else v)
            for v, spans in zip(distinct, found)}


def scrub_conversation(conversation: Conversation, scrubber: Scrubber,
                       id_hash_key: str | None = None) -> Conversation:
    """Scrub every free text of a conversation (turns, edited answers, report comments) in one pass,
    so a value gets the same placeholder in every turn, and every id that would carry PII.
    Returns a copy with entity counts filled in."""
    texts: list[str | None] = []
    ids: list[str | None] = [conversation.conversation_id]
    for turn in conversation.turns:
        texts.append(turn.content)
        ids.extend([turn.message_id, turn.parent_id, turn.model])
        for signal in turn.feedback:
            texts.extend([signal.edited_text, signal.comment])
            ids.append(signal.event_id)
    # The conversation id seeds surrogates (when configured), so a rerun draws the same fakes.
    scrubbed, counts = scrubber.scrub_conversation(texts, conversation_key=conversation.conversation_id)
    safe = safe_identifiers(ids, scrubber, id_hash_key)

    def safe_id(value: str | None) -> str | None:
        return safe[value] if value else value

    it = iter(scrubbed)
    turns = []
    for turn in conversation.turns:
        content = next(it)
        feedback = [s.model_copy(update={"edited_text": next(it), "comment": next(it),
                                         "event_id": safe_id(s.event_id)})
                    for s in turn.feedback]
        turns.append(turn.model_copy(update={
            "content": content, "feedback": feedback,
            "message_id": safe_id(turn.message_id),
            "parent_id": safe_id(turn.parent_id),
            "model": safe_id(turn.model),
        }))
    entities = [EntityCount(entity_type=k, count=v) for k, v in sorted(counts.items()) if v]
    return conversation.model_copy(update={
        "conversation_id": safe_id(conversation.conversation_id),
        "turns": turns, "pii_entities": entities})
