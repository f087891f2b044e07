"""How the turns of a conversation relate: which earlier turns a model saw before it answered.

Shared by the label stage (what the judge is shown) and the training stage (an example's context).
"""

from __future__ import annotations

from schemas.conversation import Conversation, Turn

ASSISTANT = "assistant"


def conversation_context(conversation: Conversation, target: Turn) -> list[Turn]:
    """The turns a model saw before answering `target`, oldest first.

    Follows parent ids when the log has them, so a regenerated sibling answer is not part of the context;
    without parent ids, all earlier turns minus earlier answers to the same prompt.
    """
    by_id = {turn.message_id: turn for turn in conversation.turns}
    if target.parent_id and target.parent_id in by_id:
        chain: list[Turn] = []
        seen: set[str] = set()
        current = by_id.get(target.parent_id)
        while current is not None and current.message_id not in seen:
            seen.add(current.message_id)
            chain.append(current)
            current = by_id.get(current.parent_id) if current.parent_id else None
        chain.reverse()
        # A system prompt logged without a parent link still belongs to the context.
        in_chain = {t.message_id for t in chain}
        leading_system = [t for t in conversation.turns
                          if t.role == "system" and t.message_id not in in_chain and t.turn_index < chain[0].turn_index]
        return leading_system + chain
    earlier = [t for t in conversation.turns if t.turn_index < target.turn_index]
    # Drop trailing assistant answers: they are earlier attempts at the same prompt (regenerations).
    while earlier and earlier[-1].role == ASSISTANT:
        earlier.pop()
    return earlier
