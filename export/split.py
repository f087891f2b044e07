"""The train/validation split: by conversation and by near-duplicate prompt cluster.

    split_components(conversation_ids, texts, threshold) -> ({conversation_id: representative}, links)
    split_of(representative, seed, validation_share) -> "train" | "validation"

A split only by conversation leaks: the same question asked again in other words (another user, another
day) lands in validation while its near-twin trains, and validation loss looks better than it is. So the
exported prompts are clustered with the project's MinHash/LSH (`transforms.training.dedup`: the same
signatures, bands and verification as the pipeline's near-duplicate step, at the policy's
`near_duplicate_threshold`), and conversations are joined by union-find: two conversations are in one
component when they are the same conversation or hold prompts that are verified near-duplicates. Every
component takes the split of its smallest conversation id, hashed with the seed. The result does not depend
on row order, worker or run; with no near-duplicates it is exactly the by-conversation split.

Both tables' prompts (SFT contexts, preference prompts) are clustered together, so a conversation's SFT
examples and preference rows still share one split.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from export.reading import _Lists, _np
from transforms.training.dedup import lsh_buckets, lsh_plan, minhash_signatures


def split_of(conversation_id: str, seed: str, validation_share: float) -> str:
    """"validation" when hash(seed, conversation_id) falls below the share, else "train"."""
    digest = hashlib.sha256(f"{seed}\x1f{conversation_id}".encode("utf-8")).digest()
    return "validation" if int.from_bytes(digest[:8], "big") / 2**64 < validation_share else "train"


def prompt_texts(column: pa.ChunkedArray | pa.Array, context_only: bool) -> list[str]:
    """Per row of a list<struct<role, content>> column, the text compared for near-duplicates: the prompt's
    non-system messages joined (all its messages when it has only system ones). `context_only` leaves each
    row's last message out (an SFT row's target). The pipeline's near-dedup compares the same text
    (`transforms.training.dedup.prompt_text`); `minhash_signatures` normalizes it."""
    lists = _Lists.of(column)
    n = len(lists.lengths)
    row_of = np.repeat(np.arange(n), lists.lengths)
    in_prompt = np.ones(len(row_of), dtype=bool)
    if context_only:
        in_prompt[(lists.starts + lists.lengths - 1)[lists.lengths > 0]] = False
    non_system = _np(pc.not_equal(lists.roles, "system"), True).astype(bool)
    has_non_system = np.bincount(row_of[in_prompt & non_system], minlength=n) > 0
    keep = in_prompt & (non_system | ~has_non_system[row_of])
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row_of[keep], minlength=n))]).astype(np.int32)
    contents = pc.fill_null(lists.contents, "").filter(pa.array(keep, pa.bool_()))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), contents), "\n").to_pylist()


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _near_duplicate_pairs(signatures: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Index pairs of verified near-duplicates (share of equal signature positions >= threshold).

    The pipeline's LSH buckets (`lsh_buckets`); inside a bucket, equal signatures are joined to their first
    member at once (a flood of one prompt costs O(k)), the distinct ones are compared pairwise. Enough pairs
    to connect every near-duplicate pair that shares a bucket: the split needs components, not every edge.
    """
    n, num_perm = signatures.shape
    if n < 2:
        return []
    need = lsh_plan(threshold, num_perm)[2]
    pairs: set[tuple[int, int]] = set()
    for members in lsh_buckets(signatures, threshold):
        leaders: dict[bytes, int] = {}
        for m in members:
            first = leaders.setdefault(signatures[m].tobytes(), int(m))
            if first != m:
                pairs.add((first, int(m)))
        distinct = np.array(list(leaders.values()))
        stacked = signatures[distinct]
        for position in range(1, len(distinct)):
            agree = np.count_nonzero(stacked[:position] == stacked[position], axis=1)
            for hit in np.flatnonzero(agree >= need):
                pairs.add((int(distinct[hit]), int(distinct[position])))
    return sorted(pairs)


def split_components(conversation_ids: Sequence[str], texts: Sequence[str],
                     threshold: float) -> tuple[dict[str, str], int]:
    """Rows (conversation id, prompt text) -> ({conversation id: its component's smallest conversation id},
    number of near-duplicate pairs that joined two components)."""
    conversations = sorted(set(conversation_ids))
    index = {c: i for i, c in enumerate(conversations)}
    union = _UnionFind(len(conversations))
    row_conversation = [index[c] for c in conversation_ids]
    signatures = minhash_signatures(texts)
    links = 0
    for a, b in _near_duplicate_pairs(signatures, threshold):
        ca, cb = row_conversation[a], row_conversation[b]
        if union.find(ca) != union.find(cb):
            links += 1
        union.union(ca, cb)
    # The union keeps the smaller index as root, and indexes follow sorted ids: the root is the smallest id.
    return {c: conversations[union.find(i)] for c, i in index.items()}, links


def validation_conversations(conversation_ids: Sequence[str], texts: Sequence[str], threshold: float,
                             seed: str, validation_share: float) -> tuple[set[str], int]:
    """The conversations of the validation split, and the near-duplicate pairs that joined components."""
    representative, links = split_components(conversation_ids, texts, threshold)
    split = {r: split_of(r, seed, validation_share) for r in set(representative.values())}
    return {c for c, r in representative.items() if split[r] == "validation"}, links
