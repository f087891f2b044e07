"""The split by near-duplicate prompt cluster (export/split.py)."""

from __future__ import annotations

import random

import pyarrow as pa

from export.split import prompt_texts, split_components, split_of, validation_conversations

BASE = "how do I convert a list of dictionaries into a pandas dataframe and sort it by the date column"


def test_near_duplicate_prompts_join_their_conversations_and_the_smallest_id_decides():
    conversations = ["c3", "c1", "c2", "c4"]
    texts = [BASE, BASE.replace("the date column", "the date field"), "what is the capital of france", BASE + "?"]
    representative, links = split_components(conversations, texts, 0.8)
    assert representative == {"c1": "c1", "c2": "c2", "c3": "c1", "c4": "c1"}
    assert links == 2
    # Row order does not matter.
    order = list(range(4))
    random.Random(3).shuffle(order)
    again, _ = split_components([conversations[i] for i in order], [texts[i] for i in order], 0.8)
    assert again == representative


def test_every_member_of_a_cluster_gets_its_representatives_split():
    conversations = [f"conv-{i:03d}" for i in range(200)]
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()
    texts = [f"{BASE} (asked by user {i % 3})" if i % 10 == 0 else " ".join(random.Random(i).choices(words, k=12))
             for i in range(200)]
    validation, _ = validation_conversations(conversations, texts, 0.8, "seed", 0.3)
    cluster = {c for i, c in enumerate(conversations) if i % 10 == 0}
    assert cluster <= validation or not cluster & validation
    assert (min(cluster) in validation) == (split_of(min(cluster), "seed", 0.3) == "validation")
    # Conversations with no near-duplicate keep the by-conversation split.
    alone = [c for i, c in enumerate(conversations) if i % 10]
    assert {c for c in alone if c in validation} == {c for c in alone if split_of(c, "seed", 0.3) == "validation"}


def test_prompt_texts_leave_out_system_messages_and_the_target():
    struct = pa.struct([("role", pa.string()), ("content", pa.string())])
    column = pa.array([
        [{"role": "system", "content": "sys"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
        [{"role": "system", "content": "only system"}, {"role": "assistant", "content": "a"}],
        [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"},
         {"role": "assistant", "content": "a2"}],
    ], pa.list_(struct))
    assert prompt_texts(column, context_only=True) == ["q", "only system", "q1\na1\nq2"]
    assert prompt_texts(column, context_only=False) == ["q\na", "a", "q1\na1\nq2\na2"]
