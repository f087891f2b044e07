"""Sessionize: all events of one conversation -> one Conversation with ordered turns and attached feedback.

Gateway logs repeat the whole history in every call, and the same event can be logged twice (retries,
overlapping exports), so messages are deduplicated by message_id and feedback by event_id. Texts are
still raw here: the scrubber runs next.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from schemas.conversation import Conversation, FeedbackSignal, Turn
from schemas.events import FeedbackEvent, MessageEvent, Role
from transforms.ids import pseudonym
from transforms.ingest.event_log import feedback_event_id


def sessionize(
    conversation_id: str,
    events: Iterable[MessageEvent | FeedbackEvent],
    source: str,
    id_hash_key: str | None = None,
) -> tuple[Conversation, int]:
    """One conversation from its events.

    In: the conversation id, its message and feedback events in arrival order (ties in timestamp are
    broken by this order, so pass them in source order - file, line - for reruns to match), and the
    source name recorded on the row.
    Out: (Conversation with raw texts, row_id "" and no pii_entities yet, number of feedback events
    that found no assistant turn to attach to). Turns are the deduplicated messages ordered by
    (timestamp, arrival); each feedback event sits on the assistant turn it names, or else on the
    nearest assistant turn before it in time.
    Refuses: no events at all, or an event of another conversation (ValueError: a grouping bug upstream).
    """
    # message_id -> (timestamp, arrival, event) of the copy that wins
    messages: dict[str, tuple[datetime, int, MessageEvent]] = {}
    # message_id -> a model name seen on any copy (history copies of an answer carry none)
    models: dict[str, str] = {}
    feedback: dict[str, tuple[datetime, int, FeedbackEvent]] = {}
    first_user: tuple[datetime, int, str] | None = None
    n_events = 0

    for arrival, event in enumerate(events):
        n_events += 1
        if event.conversation_id != conversation_id:
            raise ValueError("sessionize got an event of another conversation")
        key = (event.timestamp, arrival)
        if event.user_id is not None and (first_user is None or key < first_user[:2]):
            first_user = (event.timestamp, arrival, event.user_id)
        if isinstance(event, MessageEvent):
            if event.model and event.message_id not in models:
                models[event.message_id] = event.model
            held = messages.get(event.message_id)
            # Earliest copy wins: its timestamp is when the message was really said, and if two
            # copies disagree on content the first one is the one the user saw first.
            if held is None or key < held[:2]:
                messages[event.message_id] = (event.timestamp, arrival, event)
        else:
            event_id = event.event_id or feedback_event_id(event)
            held_fb = feedback.get(event_id)
            if held_fb is None or key < held_fb[:2]:
                feedback[event_id] = (event.timestamp, arrival, event)

    if n_events == 0:
        raise ValueError("sessionize needs at least one event")

    ordered = sorted(messages.values(), key=lambda item: (item[0], item[1]))
    turns = [
        Turn(
            turn_index=index,
            message_id=event.message_id,
            parent_id=event.parent_id,
            role=event.role.value,
            content=event.content,
            timestamp=event.timestamp,
            model=event.model or models.get(event.message_id),
        )
        for index, (_, _, event) in enumerate(ordered)
    ]
    by_id = {turn.message_id: turn for turn in turns}
    assistant_turns = [turn for turn in turns if turn.role == Role.assistant.value]

    unattached = 0
    for event_id, (_, _, event) in sorted(feedback.items(), key=lambda item: (item[1][0], item[1][1])):
        named = by_id.get(event.message_id) if event.message_id else None
        if named is not None and named.role == Role.assistant.value:
            target, attached_by = named, "message_id"
        else:
            # No (or an unknown, or a non-assistant) message named: the user reacted to the last
            # answer they had seen when they gave it.
            target = _nearest_preceding(assistant_turns, event.timestamp)
            attached_by = "nearest_preceding"
        if target is None:
            unattached += 1
            continue
        target.feedback.append(
            FeedbackSignal(
                event_id=event_id,
                kind=event.kind.value,
                rating=event.rating,
                edited_text=event.edited_text,
                comment=event.comment,
                timestamp=event.timestamp,
                attached_by=attached_by,
            )
        )

    stamps = [item[0] for item in messages.values()] + [item[0] for item in feedback.values()]
    conversation = Conversation(
        row_id="",
        conversation_id=conversation_id,
        source=source,
        user_hash=pseudonym("user", first_user[2], id_hash_key) if first_user else None,
        started_at=min(stamps),
        ended_at=max(stamps),
        n_turns=len(turns),
        turns=turns,
        pii_entities=[],
    )
    return conversation, unattached


def _nearest_preceding(assistant_turns: list[Turn], when: datetime) -> Turn | None:
    """The last assistant turn at or before `when` (turns are already in time order)."""
    found: Turn | None = None
    for turn in assistant_turns:
        if turn.timestamp > when:
            break
        found = turn
    return found
