"""Category balance: per-partition caps and upsampling weights.

Caps (training.category_caps, e.g. {"chitchat": 500}): at most that many examples of the category per
partition (one run = one date); the best-ranked survive (dedup.rank_key: quality, then example_id), so the
choice is deterministic. Weights (training.category_weights): an example's sample_weight is multiplied by
its category's weight (1.0 when unlisted), so a weight set upstream is kept. An example without a category
counts as "unknown" (caps and weights can name it).
"""

from __future__ import annotations

import heapq
from typing import Iterable, Mapping

from transforms.training.policy import TrainingPolicy
from schemas.outputs import SFTExample
from transforms.training.dedup import rank_key

UNKNOWN_CATEGORY = "unknown"


def category_of(example: SFTExample) -> str:
    return example.category or UNKNOWN_CATEGORY


def top_ranked(examples: Iterable[SFTExample], cap: int) -> tuple[list[SFTExample], int]:
    """The `cap` best-ranked examples (best first) and how many were left out (a cap below 0 counts as 0)."""
    examples = list(examples)
    # rank_key is unique per example id, so no tie is broken by arrival order.
    kept = heapq.nsmallest(max(cap, 0), examples, key=rank_key)
    return kept, len(examples) - len(kept)


def apply_caps(examples: Iterable[SFTExample], caps: Mapping[str, int]) -> tuple[list[SFTExample], dict[str, int]]:
    """Examples -> (those within their category's cap, {category: number capped}). Order: uncapped in input
    order, then each capped category's survivors best first."""
    by_category: dict[str, list[SFTExample]] = {}
    kept: list[SFTExample] = []
    for example in examples:
        category = category_of(example)
        if category in caps:
            by_category.setdefault(category, []).append(example)
        else:
            kept.append(example)
    capped: dict[str, int] = {}
    for category, members in sorted(by_category.items()):
        survivors, dropped = top_ranked(members, caps[category])
        kept.extend(survivors)
        if dropped:
            capped[category] = dropped
    return kept, capped


def apply_weight(example: SFTExample, weights: Mapping[str, float]) -> SFTExample:
    """The example with sample_weight multiplied by its category's weight (a copy; unchanged if 1.0)."""
    weight = weights.get(category_of(example), 1.0)
    if weight == 1.0:
        return example
    return example.model_copy(update={"sample_weight": example.sample_weight * weight})


def category_counts(examples: Iterable[SFTExample]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        category = category_of(example)
        counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items()))


def category_report(before: Mapping[str, int], after: Mapping[str, int],
                    policy: TrainingPolicy) -> dict[str, dict[str, float | int | None]]:
    """Per category: examples before and after the caps, how many were capped, the cap and the weight."""
    report = {}
    for category in sorted(set(before) | set(after)):
        b, a = before.get(category, 0), after.get(category, 0)
        report[category] = {"before": b, "after": a, "capped": b - a,
                            "cap": policy.category_caps.get(category),
                            "weight": policy.category_weights.get(category, 1.0)}
    return report


def category_report_from_counts(counts: Mapping[str, int], policy: TrainingPolicy) -> dict[str, dict]:
    """The same report from the pipeline's counters (category.<c> = after the caps, capped.<c>)."""
    after = {k[len("category."):]: v for k, v in counts.items() if k.startswith("category.")}
    capped = {k[len("capped."):]: v for k, v in counts.items() if k.startswith("capped.")}
    before = {c: after.get(c, 0) + capped.get(c, 0) for c in set(after) | set(capped)}
    return category_report(before, after, policy)
