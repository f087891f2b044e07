"""The whole SFT curation in one process: the TEST ORACLE for the Beam curation, not used in production.

Production curates with transforms.beam.training.CurateTrainingExamples (distributed: decontaminate, exact and
near-duplicate dedup, caps, weights) and CuratePreferences (exact and near-duplicate dedup). `curate_examples` makes the same decisions with the plain functions of
transforms.training (decontaminate, dedup, balance) over a list in memory, so tests (and benchmarks) can check
the Beam transform's output and counters against it. Keep the two in step: a change to one is a change to both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from schemas.outputs import PreferencePair, SFTExample
from transforms.training.balance import apply_caps, apply_weight, category_counts, category_report
from transforms.training.decontaminate import decontaminate, load_eval_ngrams
from transforms.training.dedup import SFT_DEDUP, DedupKey, DedupSubject, dedup_exact, dedup_near, index_rows
from transforms.training.preference_dedup import PREFERENCE_DEDUP
from transforms.training.policy import TrainingPolicy


@dataclass
class CurationResult:
    """What `curate_examples` returns. counts use the pipeline's counter names."""

    examples: list  # SFTExample (curate_examples) or PreferencePair (curate_preferences)
    index_rows: list[DedupKey]
    counts: dict[str, int] = field(default_factory=dict)
    report: dict[str, dict] = field(default_factory=dict)


def _dedup(rows: list, policy: TrainingPolicy, prior: Sequence[DedupKey], subject: DedupSubject,
           counts: dict[str, int]) -> list:
    """Exact (in run, then against the prior index rows' keys), then near-duplicate dedup; counts added."""
    prior = [p for p in prior if p.group in subject.groups]
    exact = dedup_exact(rows, frozenset(p.exact_key for p in prior), subject)
    counts[f"{subject.counter}.exact_in_run"] = exact.dropped_in_run
    counts[f"{subject.counter}.exact_earlier"] = exact.dropped_earlier
    near = dedup_near(exact.kept, policy.near_duplicate_threshold, prior=prior, subject=subject)
    counts[f"{subject.counter}.near"] = len(near.lost_to)
    counts[f"{subject.counter}.near_earlier"] = len(near.lost_to_earlier)
    return near.kept


def curate_examples(examples: Iterable[SFTExample], policy: TrainingPolicy, prior: Sequence[DedupKey] = (),
                    eval_ngrams: frozenset[str] | None = None) -> CurationResult:
    """A partition's SFT examples -> the training rows, in one process (what CurateTrainingExamples must match).

    decontaminate -> exact dedup (in run, then against the exact keys of `prior`, the index rows of other
    days) -> near-duplicate prompts (in run, then against prior's signatures) -> category caps -> weights.
    `eval_ngrams` defaults to loading policy.eval_sets. The output is sorted by example_id; `index_rows` are
    the survivors' keys for the day's index partition.
    Every input is accounted for: input = kept + decontaminated + dedup.* + capped.*.
    """
    if eval_ngrams is None:
        eval_ngrams = load_eval_ngrams(policy.eval_sets, policy.decontamination_ngram)
    examples = list(examples)
    counts: dict[str, int] = {"curate.input": len(examples)}
    clean, counts["decontaminated"] = decontaminate(examples, eval_ngrams, policy.decontamination_ngram)
    kept = _dedup(clean, policy, prior, SFT_DEDUP, counts)
    before = category_counts(kept)
    capped_examples, capped = apply_caps(kept, policy.category_caps)
    final = sorted((apply_weight(e, policy.category_weights) for e in capped_examples), key=lambda e: e.example_id)
    after = category_counts(final)
    counts.update({f"capped.{c}": n for c, n in capped.items()})
    counts.update({f"category.{c}": n for c, n in after.items()})
    counts["curate.output"] = len(final)
    return CurationResult(final, index_rows(final), counts, category_report(before, after, policy))


def curate_preferences(pairs: Iterable[PreferencePair], policy: TrainingPolicy,
                       prior: Sequence[DedupKey] = ()) -> CurationResult:
    """A partition's preference rows -> those that survive exact and near dedup (in run and against `prior`),
    sorted by pair_id, with their index rows (what CuratePreferences must match)."""
    pairs = list(pairs)
    counts: dict[str, int] = {}
    kept = sorted(_dedup(pairs, policy, prior, PREFERENCE_DEDUP, counts), key=lambda p: p.pair_id)
    return CurationResult(kept, index_rows(kept, PREFERENCE_DEDUP), counts)

