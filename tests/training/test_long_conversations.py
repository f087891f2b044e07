"""Long conversations: the context cap per example (TrainingPolicy.max_context_turns) and growth that stays
linear in the conversation's length.

Every training example repeats its context, so without a cap a conversation of n turns makes rows of
~n^2/4 messages (1,000 turns: 250,000 messages, 250 MB). The cap keeps each context to its opening system
messages plus the last `max_context_turns` turns, starting at a user turn.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas.conversation import Conversation, Label, Turn
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows
from transforms.turns import TurnLinks, trim_context

T0 = datetime(2026, 11, 1, 10, tzinfo=timezone.utc)
REPO = Path(__file__).resolve().parents[2]


def _conversation(turns: list[Turn]) -> Conversation:
    return Conversation(row_id="", conversation_id="c1", source="s", user_hash=None, started_at=T0,
                        ended_at=T0 + timedelta(seconds=len(turns)), n_turns=len(turns), turns=turns, pii_entities=[])


def _turn(index: int, role: str, parent_id: str | None, label: Label | None = None) -> Turn:
    return Turn(turn_index=index, message_id=f"m{index}", parent_id=parent_id, role=role,
                content=f"{role} {index}: how do I rotate the keys of the staging cluster safely",
                timestamp=T0 + timedelta(seconds=index), label=label)


def _chat(n_turns: int, system: bool = True) -> Conversation:
    """A linked chat: optional system prompt, then user/assistant alternating, every answer thumbs-up."""
    turns, parent = [], None
    roles = (["system"] if system else []) + ["user" if i % 2 == 0 else "assistant" for i in range(n_turns)]
    for index, role in enumerate(roles):
        turns.append(_turn(index, role, parent, Label.positive if role == "assistant" else None))
        parent = f"m{index}"
    return _conversation(turns)


def test_long_conversation_contexts_are_cut_to_the_cap():
    conversation = _chat(300)
    rows = build_training_rows(conversation, TrainingPolicy(max_context_turns=10))
    assert len(rows.sft) == 150
    for example in rows.sft:
        roles = [m.role for m in example.messages]
        assert roles[0] == "system"  # the opening system prompt is never cut
        assert len(example.messages) <= 1 + 10 + 1
        assert roles[1] == "user"  # the kept part starts at a question
        assert example.messages[-1].content == next(
            t.content for t in conversation.turns if t.message_id == example.target_message_id)
    # Contexts longer than 10 turns (all answers from the sixth on) are cut, in SFT and KTO rows alike.
    assert rows.context_trimmed == 2 * (150 - 5)


def test_context_cap_leaves_short_conversations_as_they_were():
    conversation = _chat(12)
    capped = build_training_rows(conversation, TrainingPolicy())
    uncapped = build_training_rows(conversation, TrainingPolicy(max_context_turns=10 ** 6))
    assert capped.sft == uncapped.sft and capped.preferences == uncapped.preferences
    assert capped.context_trimmed == 0


def test_cut_keeps_the_last_request_even_past_the_cap():
    # One question, then a long run of tool calls and answers before the answer being trained on.
    turns = [_turn(0, "user", None)]
    for index in range(1, 20):
        turns.append(_turn(index, "tool" if index % 2 else "assistant", f"m{index - 1}"))
    target = _turn(20, "assistant", "m19", Label.positive)
    conversation = _conversation(turns + [target])
    context = TurnLinks(conversation).context(target, max_turns=4)
    assert context[0].role == "user" and len(context) == 20  # reached back to the request


@pytest.mark.parametrize("seed", range(40))
def test_bounded_walk_equals_cutting_the_whole_context(seed):
    """`TurnLinks.context(t, k)` walks only as far as the cap keeps; it must give what cutting the
    whole context gives, for any shape of links (branches, regenerations, system turns anywhere)."""
    rng = random.Random(seed)
    turns: list[Turn] = []
    for index in range(rng.randint(1, 60)):
        role = rng.choice(["system", "user", "user", "assistant", "assistant", "tool"])
        if index and rng.random() < 0.85:
            parent = f"m{rng.choice([index - 1, index - 1, rng.randrange(index)])}"
        else:
            parent = None
        turns.append(_turn(index, role, parent))
    links = TurnLinks(_conversation(turns))
    for target in turns:
        whole = links.context(target)
        for cap in (2, 3, 5, 8, 20):
            cut, was_cut = links.cut_context(target, cap)
            assert cut == trim_context(whole, cap)
            assert was_cut == (len(cut) < len(whole))


def test_rows_of_a_labeled_long_conversation_stay_linear_in_messages():
    # Row messages grow with turns x cap, not turns^2.
    sizes = {}
    for n in (200, 400):
        rows = build_training_rows(_chat(n, system=False), TrainingPolicy(max_context_turns=16))  # labelled as thumbs-up
        sizes[n] = sum(len(e.messages) for e in rows.sft) + sum(len(p.prompt) for p in rows.preferences)
    assert sizes[400] < 2.2 * sizes[200]


def _bench_one(turns: int, workdir: Path) -> dict:
    if str(REPO) not in sys.path:  # the bench package lives at the repository root
        sys.path.insert(0, str(REPO))
    from bench.bench_long_conversations import write_conversation

    jsonl = workdir / f"c{turns}.jsonl"
    write_conversation(jsonl, turns)
    done = subprocess.run([sys.executable, "-m", "bench.bench_long_conversations", "--one", str(jsonl),
                           "--max-turns", "0"], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_peak_memory_grows_linearly_with_turns():
    """About 5 s (two fresh processes): not marked slow, so the default run guards it.

    Each size in a fresh process (bench/bench_long_conversations.py), turn cap off so the step itself
    is measured. Linear growth doubles the peak-RSS growth from 1,000 to 2,000 turns; quadratic growth
    (before the context cap: 251 MB -> 1,000 MB) quadruples it. 3x sits between, with room for noise."""
    with tempfile.TemporaryDirectory() as tmp:
        small, large = _bench_one(1000, Path(tmp)), _bench_one(2000, Path(tmp))
    assert large["turns_kept"] == 2000
    assert large["rss_growth_mb"] < 3 * max(small["rss_growth_mb"], 5.0), (small, large)
