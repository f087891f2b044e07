"""Prompt diversity: how varied the users' requests were, measured two ways.

- Distinct-n (Li et al. 2016): distinct word n-grams / all word n-grams over a day's prompts. 1.0 means no
  n-gram repeats; a day of copy-pasted prompts falls towards 0. A Chinese or Japanese character counts as a
  word (they are written without spaces), a run of other letters or digits is one word.
- Near-duplicate share: the share of prompts that have another prompt of the period at or above the training
  stage's near-duplicate threshold, found with the pipeline's own MinHash + LSH (transforms.training.dedup),
  so "near-duplicate" means here what it means for dedup and for the export split.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from transforms.text import CJK_CHAR_CLASS
from transforms.training.dedup import DEFAULT_NUM_PERM, lsh_buckets, lsh_plan, minhash_signatures, normalize_text

_WORD_RE = re.compile(f"[{CJK_CHAR_CLASS}]|[^\\W{CJK_CHAR_CLASS}]+")


def words(text: str) -> list[str]:
    """The text's words, normalized like dedup normalizes (NFKC, casefold)."""
    return _WORD_RE.findall(normalize_text(text))


def distinct_ngram_ratio(texts: Sequence[str], n: int) -> float | None:
    """Distinct n-grams / n-grams over all texts (n-grams never cross two texts); None when there are none."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        tokens = words(text)
        grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else None


def near_duplicate_flags(texts: Sequence[str], threshold: float) -> list[bool]:
    """For each text: does another text of the list reach the near-duplicate threshold (MinHash estimate)?

    Candidates share one of the pipeline's LSH buckets (`lsh_buckets`); each candidate pair is verified like
    the pipeline's dedup verifies it (`lsh_plan`: equal signature positions needed), so the report counts the
    pairs dedup would drop.
    """
    flags = [False] * len(texts)
    if len(texts) < 2:
        return flags
    signatures = minhash_signatures(texts, num_perm=DEFAULT_NUM_PERM)
    needed = lsh_plan(threshold, DEFAULT_NUM_PERM)[2]
    for members in lsh_buckets(signatures, threshold):
        stacked = signatures[members]
        for position in range(1, len(members)):
            agree = np.count_nonzero(stacked[:position] == stacked[position], axis=1)
            hits = np.flatnonzero(agree >= needed)
            if hits.size:
                flags[members[position]] = True
                for hit in hits:
                    flags[members[hit]] = True
    return flags
