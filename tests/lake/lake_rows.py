"""Rows the lake tests write: one small SFT example per id."""

from __future__ import annotations

from schemas.outputs import ChatMessage, SFTExample


def sft_row(i: int) -> SFTExample:
    return SFTExample(example_id=f"x{i}", messages=[ChatMessage(role="user", content="q"),
                                                     ChatMessage(role="assistant", content=f"a{i}")],
                      conversation_id="c", target_message_id=f"m{i}", target_turn_index=1, label="positive",
                      source="events")
