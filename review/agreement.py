"""How far reviewers agree: Cohen's kappa per reviewer pair, Fleiss' kappa over items three or more reviewed.

    cohens_kappa({(verdict_a, verdict_b): items}) -> float | None
    fleiss_kappa([{category: raters}, ...])       -> float | None
    agreement_report(lake_uri) -> str             `flywheel review agreement`

Each reviewer's LATEST verdict on an item counts (as in `datalake.reviews.item_decisions`); the categories are
the verdicts accept / reject / fix. The same figures, as SQL over the lake, are the catalog's
`review_agreement` and `review_fleiss` views (sql/views.sql); a test keeps the two equal.

Kappa is agreement beyond chance: (observed - chance) / (1 - chance), 1 = always agree, 0 = as often as
chance would, below 0 = less. It is undefined (None) when there is nothing to compare or chance agreement
is 1 (everyone always gave one and the same verdict). Fleiss' kappa here allows items with different numbers
of reviewers: an item's agreement is the share of its reviewer pairs that agree, chance agreement comes from
the verdict shares pooled over all verdicts; with the same number of reviewers per item it is Fleiss' (1971).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Mapping, get_args

from datalake.reviews import decide_items, read_reviews
from schemas.review import Review, ReviewKind, VerdictKind
from sql.catalog import format_table

VERDICTS: tuple[str, ...] = get_args(VerdictKind)
# Fleiss' kappa is reported over the items at least this many reviewers reviewed (two are Cohen's case).
FLEISS_MIN_REVIEWERS = 3


def cohens_kappa(table: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa of two raters from their (label_a, label_b) -> count table; None when undefined."""
    total = sum(table.values())
    if not total:
        return None
    first, second = Counter(), Counter()
    for (a, b), count in table.items():
        first[a] += count
        second[b] += count
    observed = sum(count for (a, b), count in table.items() if a == b) / total
    chance = sum(first[label] * second[label] for label in first) / total ** 2
    if chance >= 1:
        return None
    return (observed - chance) / (1 - chance)


def fleiss_kappa(items: Iterable[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa from per-item counts {category: raters who chose it}; items with fewer than two raters
    are left out (they have no pair to agree). None when undefined."""
    rated = [item for item in items if sum(item.values()) >= 2]
    if not rated:
        return None
    pooled: Counter = Counter()
    agreement = 0.0
    for item in rated:
        n = sum(item.values())
        agreement += (sum(k * k for k in item.values()) - n) / (n * (n - 1))
        pooled.update(item)
    total = sum(pooled.values())
    chance = sum((k / total) ** 2 for k in pooled.values())
    if chance >= 1:
        return None
    return (agreement / len(rated) - chance) / (1 - chance)


def latest_verdicts(reviews: list[Review], kind: ReviewKind) -> dict[str, dict[str, str]]:
    """item_id -> {reviewer: their latest verdict}, from reviews oldest first (`datalake.reviews.read_reviews`)."""
    latest: dict[str, dict[str, str]] = {}
    for review in reviews:
        if review.item_kind == kind:
            latest.setdefault(review.item_id, {})[review.reviewer] = review.verdict
    return latest


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers (hashes, a < b) on the items both reviewed."""

    reviewer_a: str
    reviewer_b: str
    items: int
    agreed: int
    kappa: float | None


@dataclass(frozen=True)
class GroupAgreement:
    """Fleiss' kappa over the items FLEISS_MIN_REVIEWERS or more reviewers reviewed."""

    items: int
    verdicts: int
    kappa: float | None


def pair_agreements(latest: dict[str, dict[str, str]]) -> list[PairAgreement]:
    tables: dict[tuple[str, str], Counter] = {}
    for by_reviewer in latest.values():
        for a, b in combinations(sorted(by_reviewer), 2):
            tables.setdefault((a, b), Counter())[(by_reviewer[a], by_reviewer[b])] += 1
    return [PairAgreement(a, b, sum(t.values()), sum(n for (x, y), n in t.items() if x == y), cohens_kappa(t))
            for (a, b), t in sorted(tables.items())]


def group_agreement(latest: dict[str, dict[str, str]]) -> GroupAgreement:
    items = [Counter(v.values()) for v in latest.values() if len(v) >= FLEISS_MIN_REVIEWERS]
    return GroupAgreement(len(items), sum(sum(c.values()) for c in items), fleiss_kappa(items))


def agreement_report(lake_uri: str) -> str:
    """The text `flywheel review agreement` prints: per item kind, the verdicts, Cohen's kappa per reviewer
    pair and Fleiss' kappa. Reviewers appear as their hashes (the lake never holds names)."""
    reviews = read_reviews(lake_uri)
    if not reviews:
        return "No reviews in the lake yet: `flywheel review sample`, then `serve` or `import`."
    out: list[str] = []
    for kind in get_args(ReviewKind):
        latest = latest_verdicts(reviews, kind)
        if not latest:
            continue
        counts = Counter(v for by_reviewer in latest.values() for v in by_reviewer.values())
        reviewers = {r for by_reviewer in latest.values() for r in by_reviewer}
        decided = Counter(d.verdict for d in decide_items(reviews, kind).values())
        out.append(f"{kind}: {len(latest)} item(s) reviewed by {len(reviewers)} reviewer(s); latest verdicts "
                   + ", ".join(f"{v} {counts[v]}" for v in VERDICTS) + "; items decided "
                   + ", ".join(f"{v} {decided[v]}" for v in VERDICTS))
        pairs = pair_agreements(latest)
        if pairs:
            out.append(format_table(["reviewer_a", "reviewer_b", "items", "agreed", "kappa"],
                                    [[p.reviewer_a, p.reviewer_b, p.items, p.agreed, _kappa(p.kappa)] for p in pairs]))
        else:
            out.append("No item was reviewed by two reviewers: no agreement to measure.")
        group = group_agreement(latest)
        if group.items:
            out.append(f"Fleiss' kappa over {group.items} item(s) with {FLEISS_MIN_REVIEWERS}+ reviewers "
                       f"({group.verdicts} verdicts): {_kappa(group.kappa)}")
        out.append("")
    out.append("Kappa: 1 = always agree, 0 = as often as chance, below 0 = less; n/a = undefined (one verdict "
               "only). SQL: `flywheel query \"SELECT * FROM review_agreement\"` (and review_fleiss).")
    return "\n".join(out)


def _kappa(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
