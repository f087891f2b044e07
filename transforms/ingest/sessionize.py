"""Sessionize: all events of one conversation -> one Conversation with ordered turns and attached feedback.

Gateway logs repeat the whole history in every call, and the same event can be logged twice (retries,
overlapping exports), so messages are deduplicated by message_id and feedback by event_id. Texts are
still raw here: the scrubber runs next.

The shape of what comes out is bounded whatever the log says:
- parent links point to an earlier turn. A link to the turn itself or to a later turn is dropped (the turn
  is then read like a turn of a log without parent ids) and counted by reason: such links are the only
  way a parent chain can loop, so every walk up a chain ends and no context holds its own target;
- with `max_turns` (IngestConfig.max_turns_per_conversation), the conversation keeps its first
  `max_turns` turns in time order; later turns, and the feedback about them, are cut off and counted.
  Truncation rather than splitting: a conversation that long is almost always a runaway client or a
  loop, its later parts would lose the context they answer, and keeping the first turns is deterministic;
- a conversation with no message at all (only feedback) yields no turns; the step makes no row of it
  and counts its feedback (`Sessionized.feedback_without_conversation`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schemas.conversation import Conversation, FeedbackSignal, Turn
from schemas.events import FeedbackEvent, MessageEvent, Role
from transforms.ids import pseudonym
from transforms.ingest.event_log import feedback_event_id

# Why a parent link was dropped (the manifest count is `parent_links_dropped.<reason>`).
PARENT_IS_SELF = "self"
PARENT_IS_LATER = "later_turn"


@dataclass
class Sessionized:
    """One conversation from its events, and what sessionizing set aside to get it into shape."""

    # Turns may be empty: a conversation of feedback events only.
    conversation: Conversation
    # Feedback events that found no assistant turn to attach to (they stay counted, not on a turn).
    unattached_feedback: int = 0
    # Feedback events of a conversation without a single message (no row is made of it).
    feedback_without_conversation: int = 0
    # The turn cap: turns cut off, and feedback about them (or given after the cut) cut with them.
    turns_dropped_by_cap: int = 0
    feedback_dropped_by_cap: int = 0
    # Parent links dropped, by reason (PARENT_IS_SELF, PARENT_IS_LATER).
    parent_links_dropped: Counter[str] = field(default_factory=Counter)

    @property
    def truncated(self) -> bool:
        return self.turns_dropped_by_cap > 0


def sessionize(
    conversation_id: str,
    events: Iterable[MessageEvent | FeedbackEvent],
    source: str,
    id_hash_key: str | None = None,
) -> tuple[Conversation, int]:
    """One conversation from its events: `(conversation, unattached feedback)`, without a turn cap.

    The shape report of `sessionize_conversation` reduced to what most callers need; a feedback-only
    conversation comes back with no turns and all its feedback unattached.
    """
    result = sessionize_conversation(conversation_id, events, source, id_hash_key)
    return result.conversation, result.unattached_feedback + result.feedback_without_conversation


def sessionize_conversation(
    conversation_id: str,
    events: Iterable[MessageEvent | FeedbackEvent],
    source: str,
    id_hash_key: str | None = None,
    max_turns: int | None = None,
) -> Sessionized:
    """One conversation from its events, and what was set aside to get it into shape.

    In: the conversation id, its message and feedback events in arrival order (ties in timestamp are
    broken by this order, so pass them in source order - file, line - for reruns to match), the
    source name recorded on the row, and the cap on turns (None = no cap).
    Out: `Sessionized` with the Conversation (raw texts, row_id "" and no pii_entities yet) and the
    counts. Turns are the deduplicated messages ordered by (timestamp, arrival), the first `max_turns` of
    them; each kept parent link points to an earlier turn; each feedback event sits on the assistant turn
    it names, or else on the nearest assistant turn before it in time.
    Refuses: no events at all, or an event of another conversation (ValueError: a grouping bug upstream).
    """
    if max_turns is not None and max_turns < 1:
        raise ValueError("max_turns must be at least 1 (None = no cap)")
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
    # Position of every message in time order, the cut-off ones included: a link to one of those is
    # a link to a later turn.
    position = {event.message_id: index for index, (_, _, event) in enumerate(ordered)}
    kept = ordered if max_turns is None else ordered[:max_turns]
    turns_dropped = len(ordered) - len(kept)
    # When the cap cut the conversation: feedback given from the first cut-off turn on is about it.
    cut_at = ordered[len(kept)][0] if turns_dropped else None
    parent_links_dropped: Counter[str] = Counter()

    turns = []
    for index, (_, _, event) in enumerate(kept):
        parent_id = event.parent_id
        parent_at = position.get(parent_id) if parent_id else None
        if parent_at is not None and parent_at >= index:
            # A message cannot answer itself or one said after it: the link is broken, not followed.
            parent_links_dropped[PARENT_IS_SELF if parent_at == index else PARENT_IS_LATER] += 1
            parent_id = None
        turns.append(Turn(
            turn_index=index,
            message_id=event.message_id,
            parent_id=parent_id,
            role=event.role.value,
            content=event.content,
            timestamp=event.timestamp,
            model=event.model or models.get(event.message_id),
        ))
    by_id = {turn.message_id: turn for turn in turns}
    assistant_turns = [turn for turn in turns if turn.role == Role.assistant.value]

    unattached = without_conversation = feedback_dropped = 0
    kept_feedback_stamps = []
    for event_id, (_, _, event) in sorted(feedback.items(), key=lambda item: (item[1][0], item[1][1])):
        if not turns:
            without_conversation += 1
            kept_feedback_stamps.append(event.timestamp)
            continue
        named = by_id.get(event.message_id) if event.message_id else None
        if cut_at is not None and named is None and (
                (event.message_id in position) or event.timestamp >= cut_at):
            # About a turn the cap cut off (named, or the answer the user had last seen then).
            feedback_dropped += 1
            continue
        kept_feedback_stamps.append(event.timestamp)
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

    stamps = [item[0] for item in kept] + kept_feedback_stamps
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
    return Sessionized(conversation, unattached_feedback=unattached, feedback_without_conversation=without_conversation,
                       turns_dropped_by_cap=turns_dropped, feedback_dropped_by_cap=feedback_dropped,
                       parent_links_dropped=parent_links_dropped)


def _nearest_preceding(assistant_turns: list[Turn], when: datetime) -> Turn | None:
    """The last assistant turn at or before `when` (turns are already in time order)."""
    found: Turn | None = None
    for turn in assistant_turns:
        if turn.timestamp > when:
            break
        found = turn
    return found
