"""Review queues: which lake rows a reviewer reads next, and why each was picked (`flywheel review sample`).

In: the lake's committed sft / preferences / judgments partitions of a date range (already scrubbed: a queue
never reads raw logs), and the conversations of those dates for each item's signals. Out: `ReviewItem`s, one
JSON line each in a queue file. Strategies:

- "stratified": every stratum (category, language, label, derivation, deciding rule) in turn, so rare kinds
  of item get reviewed, not only the bulk;
- "disagreement": items where the rules and the judge gave opposite labels first, then the least confident;
- "random": a uniform sample, for unbiased estimates (a rule's precision, the share of bad rows).

Deterministic: the same lake, range, strategy and seed give the same order, whoever asks; so two reviewers
sampling with the same seed get the same items (their agreement can be measured). An item already put in a
queue for a reviewer, or reviewed by them, is never sampled for them again (`datalake.reviews.sampled_items`).
Refuses (QueueError): an empty or reversed range, a bad n, an unreadable queue line.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from datalake.reader import read_partitions
from datalake.reviews import record_sampled, reviewer_hash, sampled_items, sampled_queue
from schemas.conversation import Conversation, Label, Turn
from schemas.errors import FlywheelError
from schemas.outputs import Judgment, PreferencePair, SFTExample
from schemas.review import ReviewItem, ReviewKind, SampleStrategy
from transforms.label.signals import JUDGE_PREFIX
from transforms.label.verdicts import verdict_decision
from transforms.turns import conversation_context

SAMPLE_STRATEGIES: tuple[str, ...] = get_args(SampleStrategy)
MAX_QUEUE_ITEMS = 10_000
MAX_RANGE_DAYS = 366
# The lake table and id column of each kind of item.
ITEM_TABLES: dict[str, tuple[str, str, type[BaseModel]]] = {
    "sft": ("sft", "example_id", SFTExample),
    "preference": ("preferences", "pair_id", PreferencePair),
    "judgment": ("judgments", "judgment_id", Judgment),
}
# Labels that take a side: rules and judge disagree only when both take one and they differ.
_DECISIVE = {Label.positive.value, Label.negative.value}


class QueueError(FlywheelError):
    """A queue cannot be sampled or read; the message names the setting or the line."""


@dataclass(frozen=True)
class TurnSignals:
    """What the pipeline's signals said about one assistant turn."""

    rules_label: str | None
    judge_label: str | None
    # How sure the signals behind the turn's final label were (0..1); None: no signal backs a label.
    confidence: float | None

    @property
    def disagree(self) -> bool:
        return {self.rules_label, self.judge_label} <= _DECISIVE and self.rules_label != self.judge_label


def turn_signals(turn: Turn) -> TurnSignals:
    rules = [d for d in turn.decisions if not d.rule_id.startswith(JUDGE_PREFIX)]
    judge = [d for d in turn.decisions if d.rule_id.startswith(JUDGE_PREFIX)]
    rules_label = max(rules, key=lambda d: d.confidence).label.value if rules else None
    final = turn.label.value if turn.label else None
    backing = [d.confidence for d in turn.decisions if d.label.value == final]
    return TurnSignals(rules_label=rules_label, judge_label=judge[-1].label.value if judge else None,
                       confidence=max(backing) if backing else None)


@dataclass(frozen=True)
class Candidate:
    item: ReviewItem
    stratum: tuple[str, ...]
    signals: TurnSignals


def _day_rows(lake_uri: str, table: str, day: date, model: type[BaseModel]) -> list[BaseModel]:
    data, _ = read_partitions(lake_uri, table, [day])
    # A column an older partition lacks reads as null: leave it out so the model's default applies.
    required = {f.name for f in data.schema if not f.nullable}
    return [model.model_validate({k: v for k, v in r.items() if v is not None or k not in required})
            for r in data.to_pylist()]


def _messages(turns: list[Any]) -> list[dict[str, str]]:
    return [{"role": t.role, "content": t.content} for t in turns]


def _combined(signals: list[TurnSignals]) -> TurnSignals:
    """Several turns' signals (a preference row's two answers): any disagreement, the lowest confidence."""
    disagreeing = [s for s in signals if s.disagree]
    first = (disagreeing or signals or [TurnSignals(None, None, None)])[0]
    confidences = [s.confidence for s in signals if s.confidence is not None]
    return TurnSignals(first.rules_label, first.judge_label, min(confidences) if confidences else None)


# What a stratum is made of; "rule" = the first rule that decided the item's label.
STRATUM_KEYS = ("category", "language", "label", "derivation", "rule")


def _stratum(labels: dict[str, Any]) -> tuple[str, ...]:
    rule_ids = labels.get("rule_ids") or []
    return tuple(str(labels.get(k) or "none") for k in STRATUM_KEYS[:-1]) + (rule_ids[0] if rule_ids else "none",)


def _sft_candidate(row: SFTExample, day: date, turns: dict[str, tuple[Conversation, Turn]]) -> Candidate:
    found = turns.get(row.target_message_id)
    signals = turn_signals(found[1]) if found else TurnSignals(None, None, None)
    labels = {"label": row.label, "rule_ids": row.rule_ids, "category": row.category, "language": row.language,
              "derivation": row.derivation, "quality_score": row.quality_score, "rules_label": signals.rules_label,
              "judge_label": signals.judge_label, "confidence": signals.confidence}
    content = {"messages": _messages(row.messages[:-1]), "answer": row.messages[-1].content if row.messages else ""}
    return Candidate(ReviewItem(item_id=row.example_id, kind="sft", day=day, strategy="random", why="",
                                content=content, labels=labels), _stratum(labels), signals)


def _preference_candidate(row: PreferencePair, day: date,
                          turns: dict[str, tuple[Conversation, Turn]]) -> Candidate:
    answers = [turns[m][1] for m in (row.chosen_message_id, row.rejected_message_id) if m in turns]
    signals = _combined([turn_signals(t) for t in answers])
    label = row.kind if row.kind == "dpo" else f"{row.kind}.{'desirable' if row.desirable else 'undesirable'}"
    labels = {"label": label, "rule_ids": row.rule_ids, "category": row.category, "language": row.language,
              "derivation": row.derivation, "rules_label": signals.rules_label,
              "judge_label": signals.judge_label, "confidence": signals.confidence}
    content: dict[str, Any] = {"prompt": _messages(row.prompt), "kind": row.kind}
    if row.kind == "dpo":
        content |= {"chosen": row.chosen, "rejected": row.rejected}
    else:
        content |= {"completion": row.completion, "desirable": row.desirable}
    return Candidate(ReviewItem(item_id=row.pair_id, kind="preference", day=day, strategy="random", why="",
                                content=content, labels=labels), _stratum(labels), signals)


def _judgment_candidate(row: Judgment, day: date,
                        turns: dict[str, tuple[Conversation, Turn]]) -> Candidate | None:
    found = turns.get(row.message_id)
    if row.status != "ok" or not found:
        return None  # a failed call has no label to review; a turn no longer in the lake has no context
    conversation, turn = found
    decision = verdict_decision(row)
    signals = TurnSignals(rules_label=row.rules_label, judge_label=decision.label.value,
                          confidence=decision.confidence)
    labels = {"label": decision.label.value, "rule_ids": [decision.rule_id], "category": turn.category,
              "language": turn.language, "derivation": row.reason, "rules_label": row.rules_label,
              "judge_label": decision.label.value, "confidence": decision.confidence, "quality": row.quality,
              "rubric_version": row.rubric_version}
    content = {"messages": _messages(conversation_context(conversation, turn)), "answer": turn.content,
               "rules_label": row.rules_label, "judge_label": decision.label.value, "quality": row.quality,
               "satisfaction": row.satisfaction, "rationale": row.rationale,
               "corrected_answer": row.corrected_answer}
    return Candidate(ReviewItem(item_id=row.judgment_id, kind="judgment", day=day, strategy="random", why="",
                                content=content, labels=labels), _stratum(labels), signals)


_CANDIDATE = {"sft": _sft_candidate, "preference": _preference_candidate, "judgment": _judgment_candidate}


def day_range(start: date, end: date) -> list[date]:
    if end < start:
        raise QueueError(f"--to {end} is before --from {start}")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise QueueError(f"--from {start} --to {end} spans more than {MAX_RANGE_DAYS} days: sample a shorter range")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def candidates(lake_uri: str, kind: ReviewKind, start: date, end: date) -> list[Candidate]:
    """Every reviewable item of `kind` in the range, in date then id order (an id repeated across dates: first)."""
    table, _, model = ITEM_TABLES[kind]
    found: dict[str, Candidate] = {}
    for day in day_range(start, end):
        rows = _day_rows(lake_uri, table, day, model)
        if not rows:
            continue
        turns = {t.message_id: (c, t) for c in _day_rows(lake_uri, "conversations", day, Conversation)
                 for t in c.turns if t.role == "assistant"}
        made = [_CANDIDATE[kind](row, day, turns) for row in rows]
        for candidate in sorted((c for c in made if c), key=lambda c: c.item.item_id):
            found.setdefault(candidate.item.item_id, candidate)
    return list(found.values())


def _stratified(pool: list[Candidate], n: int, rng: random.Random) -> list[tuple[Candidate, str]]:
    strata: dict[tuple[str, ...], list[Candidate]] = {}
    for candidate in pool:
        strata.setdefault(candidate.stratum, []).append(candidate)
    keys = sorted(strata)
    rng.shuffle(keys)
    for key in keys:
        rng.shuffle(strata[key])
    picked: list[tuple[Candidate, str]] = []
    while len(picked) < n and any(strata.values()):
        for key in keys:
            if strata[key] and len(picked) < n:
                why = "stratum " + " ".join(f"{k}={v}" for k, v in zip(STRATUM_KEYS, key))
                picked.append((strata[key].pop(), f"{why} (one of {len(keys)} strata)"))
    return picked


def _disagreement(pool: list[Candidate], n: int, rng: random.Random) -> list[tuple[Candidate, str]]:
    rng.shuffle(pool)  # ties in a random (seeded) order, not in id order

    def rank(c: Candidate) -> tuple[int, float]:
        return (0 if c.signals.disagree else 1, 1.0 if c.signals.confidence is None else c.signals.confidence)

    picked = []
    for candidate in sorted(pool, key=rank)[:n]:
        s = candidate.signals
        if s.disagree:
            why = f"rules say {s.rules_label}, judge says {s.judge_label}"
        elif s.confidence is None:
            why = "no label signals found"
        else:
            why = f"low confidence {s.confidence:.2f} for label {candidate.item.labels.get('label')}"
        picked.append((candidate, why))
    return picked


def _random(pool: list[Candidate], n: int, rng: random.Random) -> list[tuple[Candidate, str]]:
    return [(c, f"uniform random sample of {len(pool)} unreviewed items") for c in rng.sample(pool, min(n, len(pool)))]


_STRATEGIES = {"stratified": _stratified, "disagreement": _disagreement, "random": _random}


def sample_queue(lake_uri: str, kind: ReviewKind, start: date, end: date, n: int, strategy: SampleStrategy,
                 reviewer: str, seed: int = 0) -> list[ReviewItem]:
    """Up to `n` items of `kind` from `start`..`end` for `reviewer` (a name: stored only as its keyed hash),
    sampled by `strategy`; recorded as sampled for that reviewer so no later queue of theirs repeats them."""
    if strategy not in _STRATEGIES:
        raise QueueError(f"unknown strategy {strategy!r}: one of {', '.join(SAMPLE_STRATEGIES)}")
    if kind not in ITEM_TABLES:
        raise QueueError(f"unknown kind {kind!r}: one of {', '.join(ITEM_TABLES)}")
    if not 1 <= n <= MAX_QUEUE_ITEMS:
        raise QueueError(f"--n must be between 1 and {MAX_QUEUE_ITEMS}, got {n}")
    who = reviewer_hash(lake_uri, reviewer)
    seen = sampled_items(lake_uri, who, kind)
    pool = [c for c in candidates(lake_uri, kind, start, end) if c.item.item_id not in seen]
    picked = _STRATEGIES[strategy](pool, n, random.Random(f"{kind}:{strategy}:{seed}"))
    items = [c.item.model_copy(update={"strategy": strategy, "why": why}) for c, why in picked]
    record_sampled(lake_uri, who, items)
    return items


def recorded_queue(lake_uri: str, reviewer: str) -> list[ReviewItem]:
    """Every item sampled for `reviewer` (a name, hashed inside), oldest queue first, each item once."""
    return sampled_queue(lake_uri, reviewer_hash(lake_uri, reviewer))


def write_queue(items: list[ReviewItem], path: str | Path) -> None:
    """A queue file: one ReviewItem as JSON per line (UTF-8)."""
    text = "".join(item.model_dump_json() + "\n" for item in items)
    Path(path).write_text(text, encoding="utf-8")


def read_queue(path: str | Path) -> list[ReviewItem]:
    """The items of a queue file. Raises QueueError naming the first bad line."""
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                items.append(ReviewItem.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValidationError) as exc:
                raise QueueError(f"{path}:{number}: not a queue item ({type(exc).__name__})") from None
    return items
