"""How the turns of a conversation relate: which earlier turns a model saw before it answered.

Shared by the label stage (what the judge is shown) and the training stage (an example's context).
"""

from __future__ import annotations

from schemas.conversation import Conversation, Turn

ASSISTANT = "assistant"
SYSTEM = "system"
USER = "user"


class TurnLinks:
    """A conversation's turns indexed once, so asking every answer's context costs no rebuilt index.

    A parent link is followed only to a strictly earlier turn: sessionize already drops the others (a
    turn naming itself or a later turn is what makes a chain loop), and stopping there too means no walk
    can loop and no context can hold its own target, whatever built the conversation.

    `context(target, max_turns)` gives what `trim_context(context(target), max_turns)` gives, but walks
    up the chain only as far as the kept turns reach, so every answer's context of a long conversation
    costs the cap, not the conversation's length (time linear in turns, not quadratic).
    """

    def __init__(self, conversation: Conversation):
        self.turns = conversation.turns
        self.by_id = {turn.message_id: turn for turn in conversation.turns}
        self._systems = [t for t in conversation.turns if t.role == SYSTEM]
        # Per turn, in one pass from the oldest (parents come first): the first turn of its chain, and
        # the run of system turns that opens its chain (a tuple shared down the chain, not copied).
        self._root: dict[str, Turn] = {}
        self._system_top: dict[str, tuple[Turn, ...]] = {}
        for turn in sorted(conversation.turns, key=lambda t: t.turn_index):
            parent = self._parent(turn)
            if parent is None:
                self._root[turn.message_id] = turn
                self._system_top[turn.message_id] = (turn,) if turn.role == SYSTEM else ()
                continue
            self._root[turn.message_id] = self._root[parent.message_id]
            top = self._system_top[parent.message_id]
            whole_chain_system = len(top) > 0 and top[-1] is parent
            self._system_top[turn.message_id] = top + (turn,) if whole_chain_system and turn.role == SYSTEM else top
        self._positional = all(t.turn_index == i for i, t in enumerate(conversation.turns))

    def _parent(self, turn: Turn) -> Turn | None:
        up = self.by_id.get(turn.parent_id) if turn.parent_id else None
        return up if up is not None and up.turn_index < turn.turn_index else None

    def context(self, target: Turn, max_turns: int | None = None) -> list[Turn]:
        """The turns a model saw before answering `target`, oldest first, cut to `max_turns` (see
        `trim_context`; None = the whole context).

        Follows parent ids when the log has them, so a regenerated sibling answer is not part of the
        context; without parent ids, all earlier turns minus earlier answers to the same prompt.
        """
        return self.cut_context(target, max_turns)[0]

    def cut_context(self, target: Turn, max_turns: int | None) -> tuple[list[Turn], bool]:
        """`(context(target, max_turns), whether the cap cut turns off it)`."""
        parent = self._parent(target)
        if parent is None:
            if self._positional:
                end = target.turn_index if target.turn_index <= len(self.turns) else len(self.turns)
                earlier = self.turns[:end]
            else:
                earlier = [t for t in self.turns if t.turn_index < target.turn_index]
            # Drop trailing assistant answers: they are earlier attempts at the same prompt (regenerations).
            while earlier and earlier[-1].role == ASSISTANT:
                earlier.pop()
            kept = trim_context(earlier, max_turns)
            return kept, len(kept) < len(earlier)
        # The chain's opening system run and the system prompts logged without a parent link before it
        # form the context's head, which the cap never cuts.
        root = self._root[parent.message_id]
        top = self._system_top[parent.message_id]
        head = [t for t in self._systems if t.turn_index < root.turn_index] + list(top)
        # Walk up the rest (the body), newest first, no further than the cap needs: the newest
        # max_turns turns, and back to the last user turn when there is none among them.
        body: list[Turn] = []
        has_user = False
        current: Turn | None = parent
        at_head = top[-1] if top else None
        while current is not None and current is not at_head:
            if max_turns is not None and len(body) >= max_turns and (has_user or current.role == USER):
                cut = True
                if not has_user:
                    body.append(current)  # reaching back to the request may reach the head: nothing cut
                    above = self._parent(current)
                    cut = above is not None and above is not at_head
                body.reverse()
                return head + _from_first_user(body), cut
            body.append(current)
            has_user = has_user or current.role == USER
            current = self._parent(current)
        body.reverse()
        if max_turns is not None and len(body) > max_turns:
            return head + body[len(body) - max_turns:], True  # no user turn at all: as trim_context keeps it
        return head + body, False


def conversation_context(conversation: Conversation, target: Turn) -> list[Turn]:
    """The turns a model saw before answering `target`, oldest first (see `TurnLinks.context`)."""
    return TurnLinks(conversation).context(target)


def trim_context(context: list[Turn], max_turns: int | None) -> list[Turn]:
    """A context cut to its opening system turns plus its last `max_turns` other turns.

    The kept part starts at a user turn, so an example never opens on an answer without its question;
    the last user turn (the request being answered) is always kept, even when that takes more than
    `max_turns` turns (a run of tool or assistant turns after it). A context within the cap, or
    `max_turns` None, comes back as it is.
    """
    if max_turns is None or len(context) <= max_turns:
        return context
    n_system = 0
    while n_system < len(context) and context[n_system].role == SYSTEM:
        n_system += 1
    head, body = context[:n_system], context[n_system:]
    if len(body) <= max_turns:
        return context
    start = len(body) - max_turns
    while start < len(body) and body[start].role != USER:
        start += 1
    if start == len(body):
        # No user turn in the window: reach back to the last one before it (if there is none at all,
        # keep the window; the training filters drop an example without a prompt).
        users = [i for i in range(len(body) - max_turns) if body[i].role == USER]
        start = users[-1] if users else len(body) - max_turns
    return head + body[start:]


def _from_first_user(turns: list[Turn]) -> list[Turn]:
    """The turns from the first user turn on (all of them when there is none)."""
    for i, turn in enumerate(turns):
        if turn.role == USER:
            return turns[i:]
    return turns
