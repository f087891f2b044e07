"""The whole SFT curation in one process: the TEST ORACLE for the Beam curation, not used in production.

Production curates with transforms.beam.training.CurateTrainingExamples (distributed: decontaminate, exact and
near-duplicate dedup, caps, weights). `curate_examples` makes the same decisions with the plain functions of
transforms.training (decontaminate, dedup, balance) over a list in memory, so tests (and benchmarks) can check
the Beam transform's output and counters against it. Keep the two in step: a change to one is a change to both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from schemas.outputs import SFTExample
from transforms.training.balance import apply_caps, apply_weight, category_counts, category_report
from transforms.training.decontaminate import decontaminate, load_eval_ngrams
from transforms.training.dedup import DedupKey, dedup_exact, dedup_near, index_rows
from transforms.training.policy import TrainingPolicy


@dataclass
class CurationResult:
    """What `curate_examples` returns. counts use the pipeline's counter names."""

    examples: list[SFTExample]
    index_rows: list[DedupKey]
    counts: dict[str, int] = field(default_factory=dict)
    report: dict[str, dict] = field(default_factory=dict)


def curate_examples(examples: Iterable[SFTExample], policy: TrainingPolicy,
                    prior_keys: set[str] | frozenset[str] = frozenset(),
                    eval_ngrams: frozenset[str] | None = None) -> CurationResult:
    """A partition's SFT examples -> the training rows, in one process (what CurateTrainingExamples must match).

    decontaminate -> exact dedup (in run, then against `prior_keys` of other days) -> near-duplicate
    prompts -> category caps -> weights. `eval_ngrams` defaults to loading policy.eval_sets. The output is
    sorted by example_id; `index_rows` are the survivors' keys for the day's index partition.
    Every input is accounted for: input = kept + decontaminated + dedup.* + capped.*.
    """
    if eval_ngrams is None:
        eval_ngrams = load_eval_ngrams(policy.eval_sets, policy.decontamination_ngram)
    examples = list(examples)
    counts: dict[str, int] = {"curate.input": len(examples)}
    clean, counts["decontaminated"] = decontaminate(examples, eval_ngrams, policy.decontamination_ngram)
    exact = dedup_exact(clean, prior_keys)
    counts["dedup.exact_in_run"] = exact.dropped_in_run
    counts["dedup.exact_earlier"] = exact.dropped_earlier
    near = dedup_near(exact.kept, policy.near_duplicate_threshold)
    counts["dedup.near"] = len(near.lost_to)
    before = category_counts(near.kept)
    capped_examples, capped = apply_caps(near.kept, policy.category_caps)
    final = sorted((apply_weight(e, policy.category_weights) for e in capped_examples), key=lambda e: e.example_id)
    after = category_counts(final)
    counts.update({f"capped.{c}": n for c, n in capped.items()})
    counts.update({f"category.{c}": n for c, n in after.items()})
    counts["curate.output"] = len(final)
    return CurationResult(final, index_rows(final), counts, category_report(before, after, policy))
