"""Rules-only labels against real human votes: the OpenAssistant sample as an evaluation set.

    python -m bench.eval_oasst [--path ../shared/data/oasst_en_100_tree.jsonl] [--mode both]

Ground truth: each assistant message's emoji votes (`transforms.ingest.oasst.oasst_labels`): more "+1" than
"-1" -> positive, more "-1" -> negative; ties and unvoted answers are excluded from the metrics.

What the rules see: the tree's messages only, through the real pipeline steps
(`transforms.ingest.sessionize.sessionize` then `transforms.label.signals.label_turns`; scrubbing is skipped, it
does not change labels' inputs here). The vote-derived feedback (thumbs_up/thumbs_down) and the
red_flag reports are REMOVED before sessionizing, so the rules cannot read the labels back. Two runs:

- "messages": messages only. What the rules can infer from the conversation itself (follow-up
  turns: corrections, thanks, rephrasings ...). This is the headline figure.
- "regenerate": messages + the adapter's `regenerate` events, which come from the sibling `rank`
  (a separate human ranking task, not the votes, but correlated with them: it is NOT label-free in
  spirit, since a volunteer judged those answers). Reported separately, as what a product's
  regenerate clicks would add.

Printed per run: per-class precision / recall / F1 / support for negative and positive, coverage
(share of vote-labeled turns the rules decided at all, i.e. any label but "unknown"), a confusion
table (vote label x rules label), and which rules fired. Works with whatever `label_turns` returns
(positive / negative / neutral / unknown, enum or string); a conversation whose labelling raises is
counted and reported, not fatal. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass, field
from pathlib import Path

from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent
from transforms.ingest.records import MalformedLine
from transforms.ingest.oasst import oasst_labels, oasst_ranks, parse_oasst_tree
from transforms.ingest.sessionize import sessionize
from transforms.label.signals import label_turns

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO.parent / "shared" / "data" / "oasst_en_100_tree.jsonl"
CLASSES = ("negative", "positive")
RULE_LABELS = ("negative", "positive", "neutral", "unknown")
MODES = {
    "messages": frozenset(),
    "regenerate": frozenset({FeedbackKind.regenerate}),
}


@dataclass
class Tree:
    events: list[MessageEvent | FeedbackEvent]
    labels: dict[str, str | None]
    ranks: dict[str, int | None]
    # assistant message ids that have at least one user follow-up (a conversational rule's only chance)
    followed_up: set[str]


@dataclass
class RunResult:
    mode: str
    # (vote label or "none", rules label) -> count, over every assistant turn
    confusion: collections.Counter = field(default_factory=collections.Counter)
    # rule_id -> Counter of vote label ("positive" / "negative" / "none") of the turns it fired on
    rules_fired: dict[str, collections.Counter] = field(default_factory=dict)
    failed: int = 0
    first_error: str = ""
    missing_turns: int = 0


def load(path: Path) -> tuple[list[Tree], int]:
    trees: list[Tree] = []
    rejected = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            events = parse_oasst_tree(line, rank_as_regenerate=True)
            labels = oasst_labels(line)
            ranks = oasst_ranks(line)
        except MalformedLine:
            rejected += 1
            continue
        messages = [e for e in events if isinstance(e, MessageEvent)]
        roles = {m.message_id: m.role.value for m in messages}
        followed = {m.parent_id for m in messages if m.role.value == "user" and m.parent_id}
        trees.append(Tree(events, labels, ranks, {mid for mid in followed if roles.get(mid) == "assistant"}))
    return trees, rejected


def _label_text(value: object) -> str:
    if value is None:
        return "unknown"
    text = str(getattr(value, "value", value))
    return text if text in RULE_LABELS else f"other:{text}"


def run(trees: list[Tree], mode: str) -> RunResult:
    keep = MODES[mode]
    result = RunResult(mode)
    for tree in trees:
        events = [e for e in tree.events if isinstance(e, MessageEvent) or e.kind in keep]
        conversation_id = events[0].conversation_id
        try:
            conversation, _ = sessionize(conversation_id, events, "oasst")
            labeled = label_turns(conversation)
        except Exception as exc:  # noqa: BLE001 - the rules engine is being rewritten; report, go on
            result.failed += 1
            result.first_error = result.first_error or f"{type(exc).__name__}: {exc}"[:300]
            continue
        by_id = {turn.message_id: turn for turn in labeled.turns}
        for message_id, vote in tree.labels.items():
            turn = by_id.get(message_id)
            if turn is None:
                result.missing_turns += 1
                continue
            truth = vote or "none"
            result.confusion[(truth, _label_text(turn.label))] += 1
            for decision in getattr(turn, "decisions", None) or []:
                rule_id = str(getattr(decision, "rule_id", "?"))
                result.rules_fired.setdefault(rule_id, collections.Counter())[truth] += 1
    return result


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def metrics(result: RunResult) -> dict[str, dict[str, float | int | None]]:
    """Per class: precision, recall, F1, support, over vote-labeled turns only."""
    out: dict[str, dict[str, float | int | None]] = {}
    for cls in CLASSES:
        tp = result.confusion[(cls, cls)]
        predicted = sum(result.confusion[(truth, cls)] for truth in CLASSES)
        support = sum(n for (truth, _), n in result.confusion.items() if truth == cls)
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = (2 * precision * recall / (precision + recall)
              if precision is not None and recall is not None and precision + recall else None)
        out[cls] = {"precision": precision, "recall": recall, "f1": f1, "support": support,
                    "predicted": predicted, "tp": tp}
    return out


def report(result: RunResult, trees: list[Tree]) -> None:
    labeled = sum(n for (truth, _), n in result.confusion.items() if truth in CLASSES)
    decided = sum(n for (truth, rules), n in result.confusion.items() if truth in CLASSES and rules != "unknown")
    polar = sum(n for (truth, rules), n in result.confusion.items() if truth in CLASSES and rules in CLASSES)
    print(f"\n=== mode: {result.mode} "
          f"(rules saw: messages{' + rank-derived regenerate' if result.mode == 'regenerate' else ' only'})")
    if result.failed:
        print(f"!! label_turns/sessionize failed on {result.failed} conversations; first: {result.first_error}")
    if result.missing_turns:
        print(f"!! {result.missing_turns} assistant messages had no turn after sessionize")
    print(f"{'class':<10}{'precision':>10}{'recall':>9}{'f1':>9}{'support':>9}{'predicted':>11}")
    for cls, m in metrics(result).items():
        print(f"{cls:<10}{_fmt(m['precision']):>10}{_fmt(m['recall']):>9}{_fmt(m['f1']):>9}"
              f"{m['support']:>9}{m['predicted']:>11}")
    print(f"coverage: {decided}/{labeled} = {_fmt(_ratio(decided, labeled)).strip()} of vote-labeled turns "
          f"got a rules label other than unknown ({polar} positive/negative)")

    columns = list(RULE_LABELS) + sorted({rules for (_, rules) in result.confusion if rules not in RULE_LABELS})
    print("\nconfusion (rows: vote label, columns: rules label)")
    print(f"{'':<16}" + "".join(f"{c:>10}" for c in columns) + f"{'total':>8}")
    for truth, title in (("positive", "vote positive"), ("negative", "vote negative"), ("none", "no vote / tie")):
        row = [result.confusion[(truth, c)] for c in columns]
        print(f"{title:<16}" + "".join(f"{n:>10}" for n in row) + f"{sum(row):>8}")

    if result.rules_fired:
        print("\nrules that fired on assistant turns (turns by vote label)")
        print(f"{'rule_id':<44}{'positive':>9}{'negative':>9}{'none':>7}")
        for rule_id, counts in sorted(result.rules_fired.items(), key=lambda kv: -sum(kv[1].values())):
            print(f"{rule_id:<44}{counts['positive']:>9}{counts['negative']:>9}{counts['none']:>7}")
    else:
        print("\nno rule fired on any assistant turn")


def describe(trees: list[Tree], rejected: int, path: Path) -> None:
    n_messages = sum(sum(isinstance(e, MessageEvent) for e in t.events) for t in trees)
    votes = collections.Counter(v or "none" for t in trees for v in t.labels.values())
    labeled_ids = [(t, mid) for t in trees for mid, v in t.labels.items() if v]
    with_followup = sum(mid in t.followed_up for t, mid in labeled_ids)
    by_rank: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for t in trees:
        for mid, vote in t.labels.items():
            rank = t.ranks.get(mid)
            bucket = "unranked" if rank is None else "rank 3+" if rank >= 3 else f"rank {rank}"
            by_rank[bucket][vote or "none"] += 1
    print(f"OpenAssistant evaluation: {path}")
    print(f"trees: {len(trees)} (rejected lines: {rejected}), messages: {n_messages}, "
          f"assistant turns: {sum(votes.values())}")
    print(f"vote labels: positive {votes['positive']}, negative {votes['negative']}, "
          f"no vote / tie {votes['none']} (excluded)")
    print(f"vote-labeled turns with a user follow-up (the only ones a conversational rule can read): "
          f"{with_followup}/{len(labeled_ids)}")
    majority = "positive" if votes["positive"] >= votes["negative"] else "negative"
    print(f"baseline 'always {majority}': precision {_fmt(_ratio(votes[majority], len(labeled_ids))).strip()}, "
          f"recall 1.000 on {majority}")
    print("vote labels by sibling rank (context for the regenerate run): "
          + "; ".join(f"{k}: +{c['positive']}/-{c['negative']}/?{c['none']}" for k, c in sorted(by_rank.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="OASST trees, one per line")
    parser.add_argument("--mode", choices=(*MODES, "both"), default="both")
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"no such file: {args.path}", file=sys.stderr)
        return 2
    trees, rejected = load(args.path)
    describe(trees, rejected, args.path)
    for mode in MODES if args.mode == "both" else (args.mode,):
        report(run(trees, mode), trees)
    return 0


if __name__ == "__main__":
    sys.exit(main())
