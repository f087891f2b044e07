"""Deduplication of training rows: exact (within the run and against the lake's index of other days) and
near-duplicate (MinHash + LSH, within the run and against the signatures in that index). Plain Python and numpy;
the Beam wrappers are in transforms/beam/dedup.py. What is compared is the rows' `DedupSubject`: SFT examples
here (`SFT_DEDUP`: exact = prompt + answer, near = the prompt), preference rows in preference_dedup.py.

Which example wins among duplicates (`rank_key`): the highest quality_score (a missing or NaN score ranks
below every score), then the smallest example_id. Deterministic on every worker and every rerun. Within an
exact group the normalized prompts are equal by definition, so "longest context" cannot break a tie there.

Exact duplicates
    `exact_key(example)` hashes the normalized prompt (every message before the last: role + content) and the
    normalized final answer. Normalization = NFKC, casefold, whitespace collapsed: "Hello  World" and
    "hello world" are the same example. Keys of every published day live in the lake as a small table,

        <lake>/_index/sft_keys/dt=YYYY-MM-DD/part-*.parquet
            rows: DedupKey(exact_key, example_id, group, near_signature), for SFT and preference rows

    staged and published with the day's other tables (`datalake.dedup_index`), so the index always describes
    exactly what is published. A run reads the keys of every *other* day (`read_dedup_index(..., exclude_day)`):
    a rerun of a date never deduplicates against its own earlier run, which it is about to replace.

Near-duplicate prompts
    `minhash_signature` over character shingles of the normalized prompt text (`prompt_text`: the context
    without system messages, whose fixed deployment prompt would otherwise make every conversation look
    alike). `lsh_band_keys` cuts the signature into bands; examples that share a band key are candidates and
    are verified by the estimated Jaccard similarity (share of equal signature positions) >= the threshold.
    Resolution is per bucket, so it distributes as keys + GroupByKey: within a bucket every member that has a
    verified better-ranked near-duplicate "loses to" the best such member; an example is dropped when it loses
    in any bucket.

    Transitive chains (A ~ B, B ~ C, A !~ C, A best): the rule is "an example survives only if no better
    near-duplicate exists", so B loses to A and C loses to B; C is dropped even though B, the near-duplicate
    that beat it, is dropped too. That can over-delete along a chain (never under-delete: no two survivors
    are verified near-duplicates of each other that shared a bucket), needs no global clustering pass and
    gives the same answer whatever the order of buckets and workers.

    Across days: the index holds each published row's signature (`index_rows`), so a run's rows are also
    compared with the rows every other day published, which always win (`earlier_rank`): a row with a verified
    near-duplicate there is dropped. The in-run verdict is reached without them, so a row that loses in the
    run is counted as an in-run loser (`dedup.near`) whatever other days hold, and only a row that loses to
    another day alone as `dedup.near_earlier`: a rerun counts the same. Which days count is exact dedup's rule.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from schemas.outputs import DedupKey, SFTExample
from transforms.ids import stable_id
from transforms.text import is_mostly_cjk



# --------------------------------------------------------------------------------------------- normalizing

def normalize_text(text: str) -> str:
    """NFKC, casefold, whitespace collapsed to single spaces, stripped. Idempotent."""
    # str.split() splits on exactly the characters regex \s matches in a str, and drops the ends.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def rank_key(example: SFTExample) -> tuple[float, str]:
    """Sort key, best first: highest quality_score (None/NaN last), then smallest example_id."""
    score = example.quality_score
    if score is None or math.isnan(score):
        return (math.inf, example.example_id)
    return (-float(score), example.example_id)


# ------------------------------------------------------------------------------------------------- exact

def exact_key(example: SFTExample) -> str:
    """A 128-bit hex key of the normalized prompt (all messages but the last, role + content) and answer."""
    *prompt, answer = example.messages
    prompt_part = "\x1e".join(f"{m.role}\x1f{normalize_text(m.content)}" for m in prompt)
    return stable_id("sft-exact-v1", prompt_part, normalize_text(answer.content))


def resolve_exact_group(ranks: Sequence, seen_earlier: bool) -> tuple[int | None, int, int]:
    """The ranks (rank_key) of one exact key's examples in this run -> (index of the survivor or None,
    number dropped as in-run duplicates, number dropped as earlier duplicates).

    The best-ranked example survives unless the key was published on another day (`seen_earlier`): then it
    is dropped too and counted as an earlier duplicate; every other copy counts as an in-run duplicate.
    """
    if not ranks:
        return None, 0, 0
    best = min(range(len(ranks)), key=lambda i: ranks[i])
    if seen_earlier:
        return None, len(ranks) - 1, 1
    return best, len(ranks) - 1, 0


@dataclass
class ExactDedupResult:
    kept: list
    dropped_in_run: int = 0
    dropped_earlier: int = 0


def dedup_exact(examples: Iterable, prior_keys: set[str] | frozenset[str] = frozenset(),
                subject: DedupSubject | None = None) -> ExactDedupResult:
    """Rows -> the best of each exact group whose key is not in `prior_keys` (in input order of keys)."""
    subject = subject or SFT_DEDUP
    groups: dict[str, list] = {}
    for example in examples:
        groups.setdefault(subject.exact_key(example), []).append(example)
    result = ExactDedupResult(kept=[])
    for key, group in groups.items():
        best, in_run, earlier = resolve_exact_group([subject.rank(e) for e in group], key in prior_keys)
        result.dropped_in_run += in_run
        result.dropped_earlier += earlier
        if best is not None:
            result.kept.append(group[best])
    return result


# ----------------------------------------------------------------------------------------------- minhash

DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_SIZE = 5
# A Han character carries about what 3-4 Latin letters do, and most Chinese words are two characters. One
# changed word in a 24-character Chinese prompt leaves Jaccard 0.77 with 2-character shingles (0.69 with 3,
# 0.52 with 5); one changed word in the ~80-character English version of it leaves 0.79 with 5-character
# shingles. So 2 for mostly-CJK text makes the threshold mean about the same in both scripts.
DEFAULT_CJK_SHINGLE_SIZE = 2
DEFAULT_SEED = 1

def prompt_text(example: SFTExample) -> str:
    """The normalized text near-duplicate detection compares: the context's non-system messages.

    A deployment's fixed system prompt is left out: shared by every conversation, it would make unrelated
    questions look alike. When the context holds nothing else, the system messages are used.
    """
    context = example.messages[:-1]
    parts = [m.content for m in context if m.role != "system"] or [m.content for m in context]
    return normalize_text("\n".join(parts))


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, vectorized (uint64 arithmetic wraps: that is the point)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_SHINGLE_MULT = np.uint64(0x100000001B3)


def _code_points(text: str) -> np.ndarray:
    # surrogatepass: a lone surrogate (possible in JSON-decoded logs) is a code point like any other here.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def _rolling_hashes(points: np.ndarray, size: int) -> np.ndarray:
    # A polynomial over the code points of each window (wrapping uint64); mixed by the caller.
    span = len(points) - size + 1
    hashes = points[:span] + np.uint64(size)
    for offset in range(1, size):
        hashes = hashes * _SHINGLE_MULT + points[offset:offset + span]
    return hashes


def shingle_hashes(text: str, shingle_size: int) -> np.ndarray:
    """Distinct 64-bit hashes of the text's character shingles (the whole text if it is shorter).

    Computed from the code points with numpy, no per-shingle Python: the same on every machine and process
    (Python's hash() is salted per process and would not be).
    """
    if not text:
        return np.empty(0, dtype=np.uint64)
    points = _code_points(text)
    return np.unique(_mix64(_rolling_hashes(points, min(shingle_size, len(points)))))


def _concatenated_shingle_hashes(texts: list[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Texts of at least `size` characters -> (their shingle hashes one text after the other, count per text).

    One rolling hash over the concatenation, then only the windows that lie inside one text are kept: the
    same values as shingle_hashes text by text (with repeats), for a handful of numpy calls per batch.
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    rolling = _rolling_hashes(_code_points("".join(texts)), size)
    counts = lengths - size + 1
    text_starts = np.cumsum(lengths) - lengths
    out_starts = np.cumsum(counts) - counts
    positions = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(text_starts - out_starts, counts)
    return _mix64(rolling[positions]), counts


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Multiply-add-shift hash family, parameters derived with blake2b (not numpy's RNG, whose streams may
    # change between numpy versions): the same signatures on every worker and release.
    params = np.empty((2, num_perm), dtype=np.uint64)
    for i in range(num_perm):
        digest = hashlib.blake2b(f"minhash:{seed}:{i}".encode(), digest_size=16).digest()
        params[0, i] = int.from_bytes(digest[:8], "little") | 1  # odd multiplier
        params[1, i] = int.from_bytes(digest[8:], "little")
    return params[0].reshape(-1, 1), params[1].reshape(-1, 1)


# Shingles per permutation step: bounds the (num_perm x shingles) uint64 temporary (8 MB at 128). The step is
# memory-bound: measured per shingle, it costs about 4x more at 32768 (32 MB, past the CPU cache) than at 8192.
_BATCH_SHINGLES = 8192


def _segment_minima(hashes: np.ndarray, counts: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Concatenated shingle hashes of k texts -> their (k, num_perm) signatures."""
    mult, add = _permutations(num_perm, seed)
    if len(counts) == 1 and hashes.size > _BATCH_SHINGLES:  # one long text: its minimum chunk by chunk
        signature = np.full(num_perm, np.uint64(0xFFFFFFFF), dtype=np.uint64)
        for start in range(0, hashes.size, _BATCH_SHINGLES):
            chunk = hashes[start:start + _BATCH_SHINGLES]
            np.minimum(signature, ((mult * chunk + add) >> np.uint64(32)).min(axis=1), out=signature)
        return signature.astype(np.uint32).reshape(1, -1)
    values = mult * hashes  # in place from here: the temporaries are the cost at this size
    values += add
    values >>= np.uint64(32)
    offsets = np.cumsum(counts) - counts
    return np.minimum.reduceat(values, offsets, axis=1).T.astype(np.uint32)


def minhash_signatures(texts: Iterable[str], num_perm: int = DEFAULT_NUM_PERM,
                       shingle_size: int = DEFAULT_SHINGLE_SIZE, seed: int = DEFAULT_SEED,
                       cjk_shingle_size: int = DEFAULT_CJK_SHINGLE_SIZE) -> np.ndarray:
    """MinHash signatures (uint32[n, num_perm]) of the normalized texts' character shingles.

    Shingles are `shingle_size` characters long, `cjk_shingle_size` when a text is mostly Chinese or
    Japanese (see DEFAULT_CJK_SHINGLE_SIZE); a shorter text is one shingle. Equal positions of two
    signatures estimate the Jaccard similarity of the shingle sets. An empty text gives all 0xFFFFFFFF (it
    has no band keys). Texts are processed in batches, so many at once cost far less than one by one.
    """
    texts = [normalize_text(t) for t in texts]
    out = np.full((len(texts), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    by_size: dict[int, list[int]] = {}
    for i, text in enumerate(texts):
        if text:
            size = cjk_shingle_size if is_mostly_cjk(text) else shingle_size
            by_size.setdefault(min(size, len(text)), []).append(i)
    for size, members in by_size.items():
        batch: list[int] = []
        shingles = 0
        for i in members + [-1]:
            count = len(texts[i]) - size + 1 if i >= 0 else 0
            if batch and (i < 0 or shingles + count > _BATCH_SHINGLES):
                hashes, counts = _concatenated_shingle_hashes([texts[j] for j in batch], size)
                out[batch] = _segment_minima(hashes, counts, num_perm, seed)
                batch, shingles = [], 0
            if i >= 0:
                batch.append(i)
                shingles += count
    return out


def minhash_signature(text: str, num_perm: int = DEFAULT_NUM_PERM, shingle_size: int = DEFAULT_SHINGLE_SIZE,
                      seed: int = DEFAULT_SEED, cjk_shingle_size: int = DEFAULT_CJK_SHINGLE_SIZE) -> np.ndarray:
    """One text's MinHash signature (uint32[num_perm]); see minhash_signatures."""
    return minhash_signatures([text], num_perm, shingle_size, seed, cjk_shingle_size)[0]


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal positions of two signatures: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


# -------------------------------------------------------------------------------------------------- LSH

def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    return float(((y[1:] + y[:-1]) * np.diff(x)).sum() / 2)


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int = DEFAULT_NUM_PERM,
               false_positive_weight: float = 0.1, false_negative_weight: float = 0.9) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm for a similarity threshold, from the LSH S-curve.

    Two prompts of Jaccard s share at least one band with probability P(s) = 1 - (1 - s**rows)**bands. We
    minimize w_fp * (area under P below the threshold) + w_fn * (area above P, above the threshold), as
    datasketch does. Every candidate pair is verified against the threshold afterwards, so a false
    positive costs only a comparison while a false negative is a missed duplicate: the weights favor recall
    (0.1 / 0.9). At 128 permutations this gives threshold 0.8 -> 14 bands x 9 rows: P(0.8) = 0.87,
    P(0.85) = 0.97, P(0.6) = 0.13; threshold 0.7 -> 20 x 6; 0.9 -> 8 x 16; 0.5 -> 32 x 4.
    """
    below = np.linspace(0.0, threshold, 401)
    above = np.linspace(threshold, 1.0, 401)
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = _trapezoid(1 - (1 - below ** rows) ** bands, below)
            fn = _trapezoid((1 - above ** rows) ** bands, above)
            error = false_positive_weight * fp + false_negative_weight * fn
            if best is None or error < best[0] - 1e-12:
                best = (error, bands, rows)
    return best[1], best[2]


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, num_perm) signatures -> (n, bands) uint64 hashes of each band's rows.

    Vectorized over examples and bands at once (a loop over the rows only): one signature's 14 band keys
    cost a few dozen numpy calls, not one per band and row.
    """
    signatures = np.atleast_2d(signatures)
    n = signatures.shape[0]
    cut = signatures[:, :bands * rows].reshape(n, bands, rows)
    h = np.tile(np.uint64(0x9E3779B97F4A7C15) + np.arange(bands, dtype=np.uint64), (n, 1))
    for row in range(rows):
        h = _mix64(h ^ cut[:, :, row].astype(np.uint64))
    return h


def lsh_band_keys(signature: np.ndarray, threshold: float) -> list[str]:
    """A signature's LSH bucket keys ("<band>:<hash>"), with bands x rows from `lsh_plan`.

    An all-0xFFFFFFFF signature (empty prompt) has none: empty prompts are not near-duplicates of anything.
    """
    signature = np.asarray(signature, dtype=np.uint32)
    if bool((signature == 0xFFFFFFFF).all()):
        return []
    bands, rows, _ = lsh_plan(threshold, len(signature))
    raw = signature.tobytes()
    width = rows * 4
    # blake2b of each band's bytes: for one signature that is cheaper than numpy's per-call overhead. Equal
    # bands give equal keys, as with band_hashes (the in-process path), so both form the same buckets.
    return [f"{band}:{hashlib.blake2b(raw[band * width:(band + 1) * width], digest_size=8).hexdigest()}"
            for band in range(bands)]


# MinHash estimates a Jaccard s with standard error sqrt(s(1 - s) / num_perm): 0.035 at 0.8 with 128
# permutations, so a pair exactly at the threshold is estimated below it half the time and slips through (a
# generated week kept ~1% near-duplicate prompts across days that way). Candidates (LSH bands) and verification
# therefore use the threshold lowered by this many standard errors (0.8 -> 0.747 at 128 permutations): a pair at
# the threshold is caught ~93% of the time, one at 0.85 nearly always; the price is dropping some pairs a
# little under the threshold, which costs a near-copy of a kept example.
ESTIMATE_SLACK_SE = 1.5


def estimate_threshold(threshold: float, num_perm: int) -> float:
    """The threshold the MinHash estimate is held to, for pairs whose true Jaccard is `threshold`."""
    return max(0.0, threshold - ESTIMATE_SLACK_SE * math.sqrt(threshold * (1 - threshold) / num_perm))


def lsh_plan(threshold: float, num_perm: int) -> tuple[int, int, int]:
    """(bands, rows, agreements needed) for near-duplicates at `threshold`: LSH tuned for, and verification
    against, `estimate_threshold` (the one place both are decided; the pipeline, the history index and the
    export's split all use it)."""
    lowered = estimate_threshold(threshold, num_perm)
    bands, rows = lsh_params(round(lowered, 6), num_perm)
    return bands, rows, math.ceil(lowered * num_perm - 1e-9)


def _needed_agreements(threshold: float, num_perm: int) -> int:
    return lsh_plan(threshold, num_perm)[2]


def bucket_losers(ranks: Sequence, signatures: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """One bucket -> (loser, winner) index pairs: each member with a verified better near-duplicate loses to
    the best of them.

    `ranks` are sortable (better first), `signatures` the members' (k, num_perm) signatures. Members with
    identical signatures are collapsed first (all but the best lose to it), so a flood of the same prompt
    costs O(k); distinct signatures are compared pairwise, O(k^2) numpy work, each against the better ones.
    """
    order = sorted(range(len(ranks)), key=lambda i: ranks[i])
    losers: list[tuple[int, int]] = []
    leaders: list[int] = []  # best member of each distinct signature, in rank order
    first_with: dict[bytes, int] = {}
    for i in order:
        key = signatures[i].tobytes()
        if key in first_with:
            losers.append((i, first_with[key]))
        else:
            first_with[key] = i
            leaders.append(i)
    if len(leaders) < 2:
        return losers
    need = _needed_agreements(threshold, signatures.shape[1])
    stacked = signatures[leaders]
    for position in range(1, len(leaders)):
        agree = np.count_nonzero(stacked[:position] == stacked[position], axis=1)
        hits = np.flatnonzero(agree >= need)
        if hits.size:
            losers.append((leaders[position], leaders[int(hits[0])]))
    return losers


@dataclass
class NearDedupResult:
    kept: list
    # loser id -> the id it lost to in this run (the best verified near-duplicate it shared a bucket with)
    lost_to: dict[str, str] = field(default_factory=dict)
    # loser id -> the id of the row of another day it lost to (counted here only when it lost nowhere in the run)
    lost_to_earlier: dict[str, str] = field(default_factory=dict)


def lsh_buckets(signatures: np.ndarray, threshold: float) -> Iterator[np.ndarray]:
    """The LSH buckets of (n, num_perm) signatures that hold two or more rows, as arrays of row indices.

    Band by band, sorts the band hashes and yields each run of equal hashes: no dict of every bucket. Empty
    prompts (all-0xFFFFFFFF signatures) are in none. A pair may share several bands: callers verify pairs
    and keep what they need once."""
    bands, rows, _ = lsh_plan(threshold, signatures.shape[1])
    candidates = np.flatnonzero(~(signatures == 0xFFFFFFFF).all(axis=1))
    all_hashes = band_hashes(signatures, bands, rows)  # (n, bands): 8 bytes per band per example
    for band in range(bands):
        hashes = all_hashes[:, band]
        order = candidates[np.argsort(hashes[candidates], kind="stable")]
        sorted_hashes = hashes[order]
        starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            yield order[start:end]


def near_duplicate_losers(example_ids: Sequence[str], ranks: Sequence, signatures: np.ndarray,
                          threshold: float) -> dict[str, str]:
    """In one process: (ids, ranks, (n, num_perm) signatures) -> {loser id: best winner id}.

    Each bucket (`lsh_buckets`) is resolved with `bucket_losers`: the same decisions as the distributed
    version.
    """
    best_winner: dict[int, int] = {}  # loser index -> best-ranked winner index over all buckets
    if len(example_ids) < 2:
        return {}
    for members in lsh_buckets(signatures, threshold):
        for loser, winner in bucket_losers([ranks[m] for m in members], signatures[members], threshold):
            loser, winner = members[loser], members[winner]
            if loser not in best_winner or ranks[winner] < ranks[best_winner[loser]]:
                best_winner[loser] = winner
    return {example_ids[loser]: example_ids[winner] for loser, winner in sorted(best_winner.items())}


def signature_matrix(texts: Iterable[str], num_perm: int = DEFAULT_NUM_PERM, **kwargs) -> np.ndarray:
    """Signatures of many texts as one (n, num_perm) uint32 array (minhash_signatures, under its old name)."""
    return minhash_signatures(texts, num_perm=num_perm, **kwargs)


def earlier_rank(row_id: str) -> tuple[float, str]:
    """The rank of a row another day published: better than every row of the run (the earlier row wins)."""
    return (-math.inf, row_id)


def _earlier_losers(ids: Sequence[str], ranks: Sequence, signatures: np.ndarray, prior: Sequence[DedupKey],
                    threshold: float) -> dict[str, str]:
    """{run id: prior id} for the run's rows with a verified near-duplicate among `prior` (rows of other days)."""
    prior = [p for p in prior if p.near_signature is not None]
    if not prior or not len(ids):
        return {}
    prior_ids = [f"\x00earlier:{p.example_id}" for p in prior]  # never a run row's id
    stacked = np.vstack([np.vstack([np.frombuffer(p.near_signature, dtype=np.uint32) for p in prior]), signatures])
    losers = near_duplicate_losers(prior_ids + list(ids), [earlier_rank(p.example_id) for p in prior] + list(ranks),
                                   stacked, threshold)
    earlier = dict(zip(prior_ids, (p.example_id for p in prior)))
    return {loser: earlier[winner] for loser, winner in losers.items() if winner in earlier and loser not in earlier}


def dedup_near(rows: Sequence, threshold: float, num_perm: int = DEFAULT_NUM_PERM,
               prior: Sequence[DedupKey] = (), subject: DedupSubject | None = None) -> NearDedupResult:
    """Rows -> those with no better-ranked near-duplicate (Jaccard estimate >= threshold) in the run and none
    among `prior`, the index rows of other days, which always win. Compared within a group only."""
    subject = subject or SFT_DEDUP
    rows = list(rows)
    result = NearDedupResult(kept=[])
    by_group: dict[str, list] = {}
    for row in rows:
        by_group.setdefault(subject.group(row), []).append(row)
    for group, members in sorted(by_group.items()):
        ids = [subject.row_id(r) for r in members]
        ranks = [subject.rank(r) for r in members]
        signatures = minhash_signatures((subject.near_text(r) for r in members), num_perm=num_perm)
        result.lost_to.update(near_duplicate_losers(ids, ranks, signatures, threshold))
        earlier = _earlier_losers(ids, ranks, signatures, [p for p in prior if p.group == group], threshold)
        result.lost_to_earlier.update({k: v for k, v in earlier.items() if k not in result.lost_to})
    dropped = result.lost_to.keys() | result.lost_to_earlier.keys()
    result.kept = [r for r in rows if subject.row_id(r) not in dropped]
    return result


# ------------------------------------------------------------------------------------ what is deduplicated

@dataclass(frozen=True)
class DedupSubject:
    """How the rows of one table are deduplicated: the same rules (exact key, MinHash of a text, best rank
    wins, other days' rows win) over the table's own id, key, text and rank. Rows are compared only within
    a group (a KTO desirable row never with an undesirable one). Module-level functions: they travel to workers.

    counter: the counters' prefix ("dedup" -> dedup.exact_in_run, dedup.exact_earlier, dedup.near,
    dedup.near_earlier).
    """

    counter: str
    groups: frozenset[str]
    row_id: Callable[[Any], str]
    exact_key: Callable[[Any], str]
    near_text: Callable[[Any], str]
    group: Callable[[Any], str]
    rank: Callable[[Any], tuple]


def _example_id(example: SFTExample) -> str:
    return example.example_id


def _sft_group(example: SFTExample) -> str:
    return "sft"


# SFT examples: exact = normalized prompt + answer; near = the prompt (a second answer to the same question
# teaches little); the best-scored wins.
SFT_DEDUP = DedupSubject("dedup", frozenset({"sft"}), _example_id, exact_key, prompt_text, _sft_group, rank_key)


# ------------------------------------------------------------------------------------------- index rows

def _signature_bytes(signature: np.ndarray) -> bytes | None:
    return None if bool((signature == 0xFFFFFFFF).all()) else signature.astype("<u4").tobytes()


def index_rows(rows: Iterable, subject: DedupSubject | None = None,
               num_perm: int = DEFAULT_NUM_PERM) -> list[DedupKey]:
    """The index rows of (surviving) rows: exact key, id, group and near-duplicate signature, sorted by key
    (a rerun writes the same file)."""
    subject = subject or SFT_DEDUP
    rows = list(rows)
    signatures = minhash_signatures((subject.near_text(r) for r in rows), num_perm=num_perm)
    keys = [DedupKey(exact_key=subject.exact_key(r), example_id=subject.row_id(r), group=subject.group(r),
                     near_signature=_signature_bytes(signature)) for r, signature in zip(rows, signatures)]
    return sorted(keys, key=lambda k: (k.exact_key, k.example_id))
