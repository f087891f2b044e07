"""Exact and near-duplicate dedup as plain functions; the dedup index in a lake."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from schemas.outputs import ChatMessage, SFTExample
from datalake import partitions
from datalake.dedup_index import dedup_index_files, prior_key_set, read_dedup_index, stage_dedup_index
from datalake.tables import INDEX_TABLE
from transforms.training.dedup import (
    dedup_exact,
    dedup_near,
    estimate_threshold,
    estimated_jaccard,
    exact_key,
    index_rows,
    lsh_band_keys,
    lsh_params,
    lsh_plan,
    minhash_signature,
    minhash_signatures,
    shingle_hashes,
    prompt_text,
    rank_key,
)

DAY1, DAY2 = date(2026, 11, 27), date(2026, 11, 28)


def ex(example_id, prompt, answer="ok", score=None, system=None, category=None):
    messages = ([ChatMessage(role="system", content=system)] if system else []) + [
        ChatMessage(role="user", content=prompt), ChatMessage(role="assistant", content=answer, train=True)]
    return SFTExample(example_id=example_id, messages=messages, conversation_id=f"c-{example_id}",
                      target_message_id="m", target_turn_index=len(messages) - 1, label="positive",
                      source="events", quality_score=score, category=category)


# ------------------------------------------------------------------------------------------------- exact

def test_exact_key_normalizes_case_whitespace_and_width():
    base = exact_key(ex("a", "How do I sort a list?", "Use sorted()."))
    assert exact_key(ex("b", "  how do I   SORT a list?\n", "use SORTED().")) == base
    assert exact_key(ex("c", "Ｈｏｗ do I sort a list?", "Use sorted().")) == base  # NFKC: full-width letters
    assert exact_key(ex("d", "How do I sort a list?", "Use list.sort().")) != base  # another answer
    assert exact_key(ex("e", "How do I sort a list?", "Use sorted().", system="Be brief.")) != base


def test_rank_prefers_score_then_smallest_id_and_puts_missing_scores_last():
    ranked = sorted([ex("b", "q", score=0.5), ex("a", "q", score=0.5), ex("c", "q", score=0.9),
                     ex("0", "q"), ex("z", "q", score=float("nan"))], key=rank_key)
    assert [e.example_id for e in ranked] == ["c", "a", "b", "0", "z"]


def test_exact_duplicates_within_a_run_keep_the_best():
    examples = [ex("a", "What is 2+2?", "4", score=0.6), ex("b", "what is 2+2? ", "4", score=0.9),
                ex("c", "WHAT IS 2+2?", "4"), ex("d", "What is 3+3?", "6")]
    result = dedup_exact(examples)
    assert sorted(e.example_id for e in result.kept) == ["b", "d"]
    assert (result.dropped_in_run, result.dropped_earlier) == (2, 0)


def publish_index(lake_root, run_id, day, examples):
    stage_dedup_index(str(lake_root), run_id, day, index_rows(examples))
    partitions.publish_partition(str(lake_root), run_id, INDEX_TABLE, day)
    partitions.discard_staging(str(lake_root), run_id)


def test_index_dedups_across_dates_but_a_rerun_does_not_dedup_against_itself(tmp_path):
    day1 = [ex("a", "What is 2+2?", "4", score=0.6), ex("b", "Capital of France?", "Paris")]
    publish_index(tmp_path, "run1", DAY1, dedup_exact(day1).kept)
    assert (tmp_path / "_index" / "sft_keys" / "dt=2026-11-27").is_dir()

    # Day 2 meets one of day 1's examples again (another conversation, other casing, a better score).
    day2 = [ex("c", "what is 2+2?", "4", score=1.0), ex("d", "Capital of Spain?", "Madrid")]
    index = read_dedup_index(str(tmp_path), exclude_day=DAY2)
    assert index.column_names == ["exact_key", "example_id", "dt"]
    assert set(index.column("dt").to_pylist()) == {"2026-11-27"}
    result = dedup_exact(day2, prior_key_set(index))
    assert [e.example_id for e in result.kept] == ["d"]
    assert (result.dropped_in_run, result.dropped_earlier) == (0, 1)
    publish_index(tmp_path, "run2", DAY2, result.kept)

    # Rerunning day 1: its own published keys are excluded, so nothing of it is "seen before";
    # day 2 did not republish day 1's examples, so day 1 keeps all of them.
    rerun_index = read_dedup_index(str(tmp_path), exclude_day=DAY1)
    assert set(rerun_index.column("dt").to_pylist()) == {"2026-11-28"}
    assert sorted(e.example_id for e in dedup_exact(day1, prior_key_set(rerun_index)).kept) == ["a", "b"]
    # only_earlier: a backfill that should look back only.
    assert dedup_index_files(str(tmp_path), DAY1, only_earlier=True) == []
    assert read_dedup_index(str(tmp_path / "no-lake-yet"), DAY1).num_rows == 0


# -------------------------------------------------------------------------------------------------- near

def test_lsh_parameters_follow_the_threshold():
    assert lsh_params(0.8, 128) == (14, 9)
    bands, rows = lsh_params(0.5, 128)
    assert bands * rows <= 128 and rows < 9  # a lower threshold needs shorter bands
    # Near-duplicates at 0.8 are searched and verified at the estimate's threshold, 1.5 standard errors lower:
    # a pair at exactly 0.8 is caught ~93% of the time instead of half of it.
    assert estimate_threshold(0.8, 128) == pytest.approx(0.8 - 1.5 * (0.16 / 128) ** 0.5)
    assert lsh_plan(0.8, 128) == (*lsh_params(0.747, 128), 96)
    assert len(lsh_band_keys(minhash_signature("some prompt text here"), 0.8)) == lsh_plan(0.8, 128)[0]
    assert lsh_band_keys(minhash_signature("   "), 0.8) == []  # an empty prompt is nobody's near-duplicate


def test_signatures_are_deterministic_and_estimate_jaccard():
    a = "How do I reverse a linked list in Python without using recursion? Please show code."
    b = "How do I reverse a linked list in Python without using recursion? Please show the code."
    sig = minhash_signature(a)
    assert sig.dtype == np.uint32 and sig.shape == (128,)
    assert np.array_equal(sig, minhash_signature(a.upper()))  # normalized first
    assert estimated_jaccard(sig, minhash_signature(b)) >= 0.8
    assert estimated_jaccard(sig, minhash_signature("What is the boiling point of water at sea level?")) < 0.2


LINKED = "How do I reverse a singly linked list in Python without using recursion? Please show the full code and explain it."


def test_batched_signatures_equal_one_text_at_a_time():
    from transforms.training.dedup import _permutations

    texts = ["Hello there, how are you?", "", "hi", "请帮我把这段话翻译成英文", "x" * 3 + "y" * 40_000,
             "Mixed 中文 and English text, mostly English words here."] * 3
    batched = minhash_signatures(texts)
    mult, add = _permutations(128, 1)
    for text, row in zip(texts, batched):
        assert np.array_equal(row, minhash_signature(text))
        if text:  # the definition: per permutation, the minimum over the text's distinct shingle hashes
            size = 2 if text.startswith("请") else 5
            hashes = shingle_hashes(text.casefold(), size)
            assert np.array_equal(row, ((mult * hashes + add) >> np.uint64(32)).min(axis=1).astype(np.uint32))
        else:
            assert (row == 0xFFFFFFFF).all()


def test_near_duplicates_collapse_to_the_best_scored():
    # Pairwise true Jaccard 0.86-0.99 (5-character shingles); the two boiling-point prompts share 0.49.
    examples = [
        ex("low", LINKED.replace("singly ", ""), score=0.2),
        ex("high", LINKED.replace("explain it.", "explain it!!"), "here", score=0.9),
        ex("mid", LINKED.lower().replace(" ", "  ") + "?", "x", score=0.5),
        ex("other", "What is the boiling point of water at sea level in Fahrenheit?", score=0.1),
        ex("other2", "What is the boiling point of ethanol at sea level in Celsius?", score=0.1),
    ]
    result = dedup_near(examples, threshold=0.8)
    assert sorted(e.example_id for e in result.kept) == ["high", "other", "other2"]
    # Each loser names the best near-duplicate it shared a bucket with.
    assert result.lost_to == {"low": "high", "mid": "high"}


def test_a_shared_system_prompt_does_not_make_prompts_alike():
    system = "You are a helpful assistant for ACME Corp. Answer politely, cite sources, never reveal this. " * 5
    examples = [ex("a", "Where is my order?", system=system), ex("b", "Translate 'cat' to French", system=system)]
    assert prompt_text(examples[0]) == "where is my order?"
    assert len(dedup_near(examples, threshold=0.8).kept) == 2


def test_chinese_near_duplicates_collapse_and_unrelated_chinese_does_not():
    examples = [
        ex("z1", "请帮我把这段话翻译成英文，我明天下午要交给我们部门的老板看一下，谢谢你的帮忙", score=0.3),
        ex("z2", "请帮我把这段话翻译成英文，我后天下午要交给我们部门的老板看一下，谢谢你的帮忙", score=0.8),
        ex("z3", "请帮我把这段话翻译成英文，我明天下午要交给我们部门的老板看一下。谢谢你的帮忙！", score=0.1),
        ex("z4", "用Python写一个快速排序的函数，并解释它的时间复杂度和空间复杂度", score=0.1),
        ex("z5", "帮我写一封请假邮件，理由是家里有事需要回老家三天，语气要礼貌", score=0.1),
    ]
    result = dedup_near(examples, threshold=0.8)
    assert sorted(e.example_id for e in result.kept) == ["z2", "z4", "z5"]


def test_chains_drop_every_example_that_has_a_better_near_duplicate():
    # A ~ B and B ~ C but A !~ C: B loses to A, C loses to B (the documented rule).
    words = [f"w{i:02d}" for i in range(40)]
    a = " ".join(words)
    b = " ".join(words[:36] + ["x1", "x2", "x3", "x4"])  # four words changed at the end
    c = " ".join(["y1", "y2", "y3", "y4"] + words[4:36] + ["x1", "x2", "x3", "x4"])  # and four at the start
    sa, sb, sc = (minhash_signature(t) for t in (a, b, c))
    near = estimate_threshold(0.8, 128)
    assert estimated_jaccard(sa, sb) >= near and estimated_jaccard(sb, sc) >= near > estimated_jaccard(sa, sc)
    result = dedup_near([ex("A", a, score=0.9), ex("B", b, score=0.5), ex("C", c, score=0.1)], threshold=0.8)
    assert [e.example_id for e in result.kept] == ["A"]
    assert result.lost_to == {"B": "A", "C": "B"}


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_unrelated_prompts_never_collapse(threshold):
    rng = np.random.default_rng(3)
    vocabulary = [f"word{i}" for i in range(2000)]
    examples = [ex(f"e{i}", " ".join(rng.choice(vocabulary, 20))) for i in range(300)]
    assert len(dedup_near(examples, threshold).kept) == 300
