"""Category caps and weights, the category report, and the whole curation in one process."""

from __future__ import annotations

import json

from transforms.training.policy import TrainingPolicy
from schemas.outputs import ChatMessage, SFTExample
from transforms.training.balance import (
    apply_caps,
    apply_weight,
    category_report,
    category_report_from_counts,
    top_ranked,
)
from transforms.training.curate_oracle import curate_examples
from transforms.training.dedup import index_rows


def ex(example_id, prompt, category=None, score=None, answer="ok", weight=1.0):
    return SFTExample(example_id=example_id, conversation_id=f"c-{example_id}", target_message_id="m",
                      target_turn_index=1, label="positive", source="events", quality_score=score,
                      category=category, sample_weight=weight,
                      messages=[ChatMessage(role="user", content=prompt),
                                ChatMessage(role="assistant", content=answer, train=True)])


SOLVE = "Solve for x: 3x + 7 = 22. Show each step of the working please, and check the answer at the end."


def test_caps_keep_the_best_scored_per_category_deterministically():
    examples = [ex(f"chat{i}", f"hi {i}", "chitchat", score=i / 10) for i in range(6)]
    examples += [ex("tie-b", "yo", "chitchat", score=0.5), ex("code", "sort?", "coding"), ex("none", "x")]
    kept, capped = apply_caps(reversed(examples), {"chitchat": 3, "unknown": 0})
    assert [e.example_id for e in kept] == ["code", "chat5", "tie-b", "chat4"]  # 0.5, 0.5 (id), 0.4
    assert capped == {"chitchat": 4, "unknown": 1}
    # Equal scores: the smaller id wins, whatever the input order.
    assert [e.example_id for e in top_ranked([ex("tie-b", "q", score=0.5), ex("chat5", "q", score=0.5)], 1)[0]] == ["chat5"]


def test_weights_multiply_the_sample_weight():
    weights = {"math": 2.0, "unknown": 0.5}
    assert apply_weight(ex("a", "q", "math", weight=1.5), weights).sample_weight == 3.0
    assert apply_weight(ex("b", "q"), weights).sample_weight == 0.5
    same = ex("c", "q", "coding")
    assert apply_weight(same, weights) is same


def test_category_report_from_lists_and_from_counters_agree():
    policy = TrainingPolicy(category_caps={"chitchat": 2}, category_weights={"math": 2.0})
    report = category_report({"chitchat": 5, "math": 1}, {"chitchat": 2, "math": 1}, policy)
    assert report["chitchat"] == {"before": 5, "after": 2, "capped": 3, "cap": 2, "weight": 1.0}
    assert report["math"] == {"before": 1, "after": 1, "capped": 0, "cap": None, "weight": 2.0}
    counters = {"category.chitchat": 2, "capped.chitchat": 3, "category.math": 1, "dedup.near": 7}
    assert category_report_from_counts(counters, policy) == report


def test_curate_examples_runs_every_stage_and_accounts_for_every_input(tmp_path):
    eval_set = tmp_path / "eval.jsonl"
    eval_set.write_text(json.dumps({"prompt": "Compute the derivative of x cubed plus two x squared minus five"}) + "\n")
    policy = TrainingPolicy(eval_sets=[str(eval_set)], category_caps={"chitchat": 1},
                            category_weights={"math": 3.0})
    seen = ex("old", "What is the capital of France?", "qa", answer="Paris")
    examples = [
        ex("leak", "please compute the derivative of x cubed plus two x squared minus five", "math"),
        ex("dup1", "How many legs does a spider have?", "qa", 0.4, answer="Eight."),
        ex("dup2", "how many legs does a spider have? ", "qa", 0.7, answer="eight."),
        ex("again", "What is the capital of FRANCE?", "qa", 0.9, answer="Paris"),
        ex("near1", SOLVE, "math", 0.9),
        ex("near2", SOLVE.replace("working please", "working, please").replace("end.", "end!"), "math", 0.3),
        ex("chat1", "hello there, how are you today?", "chitchat", 0.9),
        ex("chat2", "good morning! what a lovely day it is", "chitchat", 0.2),
    ]
    result = curate_examples(examples, policy, prior=index_rows([seen]))
    assert [e.example_id for e in result.examples] == ["chat1", "dup2", "near1"]
    assert [e.sample_weight for e in result.examples] == [1.0, 1.0, 3.0]
    assert {r.example_id for r in result.index_rows} == {"chat1", "dup2", "near1"}
    c = result.counts
    assert (c["decontaminated"], c["dedup.exact_in_run"], c["dedup.exact_earlier"], c["dedup.near"],
            c["capped.chitchat"]) == (1, 1, 1, 1, 1)
    dropped = sum(v for k, v in c.items() if k.startswith(("decontaminated", "dedup.", "capped.")))
    assert c["curate.input"] == c["curate.output"] + dropped == len(examples)
    assert result.report["chitchat"]["before"] == 2 and result.report["chitchat"]["after"] == 1
