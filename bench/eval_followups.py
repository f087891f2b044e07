"""How well the conversational rules read users' follow-ups: precision/recall/F1 on the labeled set.

    python -m bench.eval_followups [--data bench/data/followups_labeled.jsonl] [--errors]

For every example of bench/data/followups_labeled.jsonl (see bench/make_followups.py) it builds the
smallest conversation that holds it: the previous user message, the assistant's answer, and the user's
follow-up a minute later (slow enough that the fast-follow-up rule stays out of it), runs
`transforms.label.signals.label_turns` and compares the answer's label with the hand label.

Prints, per language and overall: precision, recall and F1 for negative and for positive (a prediction of
neutral or unknown is neither), a confusion table (hand label x predicted label), recall per feedback
category, how often the predicted category matches the hand one, how many answers would go to the judge,
and which rules fired. `--errors` lists every disagreement. Reports only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from schemas.conversation import Conversation, Turn
from transforms.label.signals import RULES_VERSION, label_turns, needs_judge

DATA = Path(__file__).resolve().parent / "data" / "followups_labeled.jsonl"
T0 = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
GOLD = ("positive", "negative", "neutral")
PREDICTED = ("positive", "negative", "neutral", "unknown")


def exchange_conversation(example: dict, n: int) -> Conversation:
    """user -> assistant -> user follow-up, linked by parent ids; the follow-up 60 s after the answer."""
    turns = [
        Turn(turn_index=0, message_id="u0", role="user", content=example["previous_user"], timestamp=T0),
        Turn(turn_index=1, message_id="a0", parent_id="u0", role="assistant", content=example["answer"],
             timestamp=T0 + timedelta(seconds=5)),
        Turn(turn_index=2, message_id="u1", parent_id="a0", role="user", content=example["follow_up"],
             timestamp=T0 + timedelta(seconds=65)),
    ]
    return Conversation(row_id="", conversation_id=f"followup-{n}", source="bench", started_at=T0,
                        ended_at=turns[-1].timestamp, n_turns=len(turns), turns=turns)


def predict(examples: list[dict]) -> list[dict]:
    """Each example with the answer's predicted label, category, rule ids and whether it needs the judge."""
    results = []
    for n, example in enumerate(examples):
        answer = label_turns(exchange_conversation(example, n)).turns[1]
        categories = [d.category for d in answer.decisions if d.category]
        results.append({**example, "predicted": answer.label.value,
                        "predicted_category": categories[0] if categories else None,
                        "rule_ids": [d.rule_id for d in answer.decisions],
                        "evidence": [d.evidence for d in answer.decisions if d.evidence],
                        "needs_judge": needs_judge(answer)})
    return results


def prf(results: list[dict], label: str) -> tuple[float, float, float, int, int]:
    tp = sum(r["label"] == label and r["predicted"] == label for r in results)
    predicted = sum(r["predicted"] == label for r in results)
    actual = sum(r["label"] == label for r in results)
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, predicted, actual


def report(name: str, results: list[dict]) -> None:
    print(f"\n== {name}: {len(results)} follow-ups ==")
    print(f"  {'label':9} {'precision':>9} {'recall':>7} {'F1':>6} {'predicted':>10} {'actual':>7}")
    for label in ("negative", "positive"):
        p, r, f, predicted, actual = prf(results, label)
        print(f"  {label:9} {p:9.3f} {r:7.3f} {f:6.3f} {predicted:10d} {actual:7d}")
    exact = sum(r["label"] == r["predicted"] for r in results)
    print(f"  accuracy over positive/negative/neutral (unknown counts as neutral): "
          f"{sum(r['label'] == (r['predicted'] if r['predicted'] != 'unknown' else 'neutral') for r in results) / len(results):.3f}"
          f"  (exact, unknown != neutral: {exact / len(results):.3f})")
    confusion = Counter((r["label"], r["predicted"]) for r in results)
    print("  confusion (rows: hand label, columns: predicted)")
    print("    " + " " * 9 + "".join(f"{p:>10}" for p in PREDICTED))
    for gold in GOLD:
        print(f"    {gold:9}" + "".join(f"{confusion[gold, p]:10d}" for p in PREDICTED))
    print("  per hand category: right polarity / n, same category / n")
    for category in ("UR1", "UR2", "UR3", "UR4", "UR5"):
        rows = [r for r in results if r["category"] == category]
        if rows:
            right = sum(r["predicted"] == r["label"] for r in rows)
            same = sum(r["predicted_category"] == category for r in rows)
            print(f"    {category}: {right:3d}/{len(rows):<3d} polarity   {same:3d}/{len(rows):<3d} category")
    judged = sum(r["needs_judge"] for r in results)
    print(f"  would go to the judge (needs_judge): {judged}/{len(results)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", action="store_true", help="list every example the rules got wrong")
    args = parser.parse_args(argv)
    examples = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = predict(examples)
    print(f"rules {RULES_VERSION} on {args.data} ({len(results)} examples)")
    for language in sorted({r["language"] for r in results}):
        report(language, [r for r in results if r["language"] == language])
    report("overall", results)
    fired = Counter(rule_id for r in results for rule_id in r["rule_ids"])
    print("\nrules fired: " + ", ".join(f"{rule_id} {n}" for rule_id, n in fired.most_common()))
    if args.errors:
        print("\ndisagreements (hand -> predicted | follow-up | rules | evidence):")
        for r in results:
            if r["label"] != r["predicted"] and not (r["label"] == "neutral" and r["predicted"] == "unknown"):
                print(f"  [{r['language']}] {r['label']:8} -> {r['predicted']:8} | {r['follow_up'][:70]!r} | "
                      f"{','.join(r['rule_ids']) or '-'} | {r['evidence']}")


if __name__ == "__main__":
    main()
