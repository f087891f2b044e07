"""A detected span (:class:`PiiSpan`) and the merge of overlapping detections into one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List

from transforms.scrub.entities import ENTITY_TYPES

# Tie-break between overlapping spans of equal length and score: earlier wins.
_PRIORITY = {name: i for i, name in enumerate(ENTITY_TYPES)}


@dataclass(frozen=True)
class PiiSpan:
    entity_type: str  # e.g. "PERSON", "EMAIL_ADDRESS", "CN_RESIDENT_ID", "API_KEY", ...
    start: int  # offsets into the input text
    end: int
    score: float


def resolve_overlaps(spans: Iterable[PiiSpan]) -> List[PiiSpan]:
    """Merge overlapping spans into one span covering them all (so nothing is left half
    scrubbed); the merged span takes the type of its longest, then highest-scoring, then
    highest-priority member. Result: non-overlapping, sorted by start."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: List[PiiSpan] = []
    cluster: List[PiiSpan] = []
    cluster_end = -1

    def flush() -> None:
        if not cluster:
            return
        best = max(cluster, key=lambda s: (s.end - s.start, s.score,
                                            -_PRIORITY.get(s.entity_type, len(_PRIORITY))))
        start = cluster[0].start
        merged.append(PiiSpan(best.entity_type, start, cluster_end,
                              max(s.score for s in cluster)))

    for span in ordered:
        if span.end <= span.start:
            continue
        if cluster and span.start < cluster_end:
            cluster.append(span)
            cluster_end = max(cluster_end, span.end)
        else:
            flush()
            cluster = [span]
            cluster_end = span.end
    flush()
    return merged
