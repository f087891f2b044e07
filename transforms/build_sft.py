"""Build gold SFT examples from a scrubbed, labeled conversation."""

from __future__ import annotations

import json

from schemas.conversation import Conversation, Label, Turn
from schemas.outputs import ChatMessage, SFTExample
from transforms.ids import stable_id


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
    while earlier and earlier[-1].role == "assistant":
        earlier.pop()
    return earlier


def build_sft_examples(conversation: Conversation) -> list[SFTExample]:
    """One SFT example per positively labeled assistant turn: context + that turn as the last message.

    Refuses turns whose context holds no user message (nothing to learn to answer) and empty answers.
    Only positive turns are selected in v0; negative, neutral and unknown ones never are.
    """
    examples = []
    for turn in conversation.turns:
        if turn.role != "assistant" or turn.label != Label.positive or not turn.content.strip():
            continue
        context = conversation_context(conversation, turn)
        if not any(t.role == "user" for t in context):
            continue
        messages = [ChatMessage(role=t.role, content=t.content) for t in context]
        messages.append(ChatMessage(role="assistant", content=turn.content, train=True))
        content_key = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False)
        examples.append(
            SFTExample(
                example_id=stable_id("sft", conversation.conversation_id, turn.message_id, content_key),
                messages=messages,
                conversation_id=conversation.conversation_id,
                target_message_id=turn.message_id,
                target_turn_index=turn.turn_index,
                label=turn.label.value,
                rule_ids=sorted({d.rule_id for d in turn.decisions}),
                source=conversation.source,
                model=turn.model,
            )
        )
    return examples
