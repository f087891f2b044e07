"""Beam wrappers for dedup of training rows: exact and near-duplicate, within the run and against the lake's index
of every other published day. The same transform serves SFT examples and preference rows; what makes two rows
the same is the rows' `DedupSubject` (transforms.training.dedup, transforms.training.preference_dedup).

    rows ─DedupFeatures─▶ (exact_key, (id, rank)), (band_key, id), (id, (rank, signature))
    index rows of other days (ReadDedupIndex, DedupKey)
        ├─ exact keys ─CoGroupByKey with the run's exact keys─▶ exact losers (id)
        └─ kept only where a band key matches one of the run's (a side input of the run's band keys' 64-bit
           hashes: the history is filtered where it is read, never shuffled whole) ─▶ (band_key, earlier member)
    (band_key, id) of the run, kept only for buckets that hold another row (the run's buckets with 2+ keys, and
        those an earlier member is in: side inputs of 64-bit hashes; most buckets hold one row)
    (band_key: run ids, earlier members) ─▶ buckets with 2+ members, keyed by their member set (buckets of the
        same rows are verified once) ─▶ run members get their signatures (CoGroupByKey by id, exact losers left
        out) ─GroupByKey by member set─▶ verify ─▶ near losers
    (id: row, exact loser?, near loser?) ─CoGroupByKey─▶ survivors

A row of another day always wins ("earlier" = already published: exact dedup's rule, see
datalake.dedup_index.dedup_index_files). A loser is counted once: `<counter>.exact_in_run`, `.exact_earlier`,
`.near` (it has a better near-duplicate in the run) or `.near_earlier` (only one of another day). The in-run
verdict is computed without the other days' rows, so a rerun counts the same whatever later days hold.

Small records are shuffled until the very end, and each signature once, keyed by id, to meet the buckets it
shares. Emitting (band_key, (id, rank, signature)) straight away would move every signature once per band (14
x 512 bytes per example at threshold 0.8): measured on FnApiRunner at 40,000 examples, the near-duplicate
stage alone then peaked at 2.2 GB RSS; this way the SFT curation peaks at 0.6 GB.

Memory on FnApiRunner (bench_dedup: 1M examples needed 9.7 GB): that runner keeps every shuffle in memory, as
decoded Python objects (its grouping buffer decodes each value), so what a shuffle carries counts as objects,
not bytes. Two things grew with the run in one place and are gone: the set of the run's bucket keys (a side
input every worker held whole, ~110 bytes a key, 14 keys a row) is now a sorted array of 64-bit hashes (8
bytes a key), and the rows themselves travel pickled to the final join (a pickled row is a fraction of its
model object). What is left grows with the run only inside the runner's shuffles, which a distributed runner
keeps on disk.
"""

from __future__ import annotations

import collections
import hashlib
import pickle
from datetime import date

import apache_beam as beam
import numpy as np
from apache_beam.pvalue import AsSingleton, TaggedOutput

from datalake.config import LakeConfig
from datalake.dedup_index import dedup_index_files, read_index_keys
from datalake.partitions import staging_partition
from datalake.tables import INDEX_TABLE
from schemas.outputs import DedupKey
from transforms.beam.metrics import count
from transforms.beam.write import StageShardedRows
from transforms.training.dedup import (
    DEFAULT_NUM_PERM, DedupSubject, bucket_losers, earlier_rank, index_rows, lsh_band_keys, minhash_signatures,
    resolve_exact_group,
)

# A loser's mark: an exact duplicate, or a near-duplicate of a better row of the run or of another day; "repeat"
# marks an id that came more than once (curation_waves only).
EXACT, IN_RUN, EARLIER, REPEAT = "exact", "run", "earlier", "repeat"
PICKLE = pickle.HIGHEST_PROTOCOL


def _bucket(group: str, band_key: str) -> str:
    # Rows of different groups never share a bucket.
    return f"{group}|{band_key}"


class DedupFeaturesDoFn(beam.DoFn):
    """A batch of rows -> per row: main (bucket, id) per LSH band; 'exact' (exact_key, (id, rank));
    'signatures' (id, (rank, signature bytes)). Batched because MinHash over many texts at once costs far
    less per text than one at a time (dedup.minhash_signatures)."""

    EXACT = "exact"
    SIGNATURES = "signatures"

    def __init__(self, subject: DedupSubject, threshold: float, num_perm: int):
        self._subject = subject
        self._threshold = threshold
        self._num_perm = num_perm

    def process(self, batch: list):
        subject = self._subject
        signatures = minhash_signatures([subject.near_text(r) for r in batch], num_perm=self._num_perm)
        for row, signature in zip(batch, signatures):
            rank, row_id = subject.rank(row), subject.row_id(row)
            yield TaggedOutput(self.EXACT, (subject.exact_key(row), (row_id, rank)))
            yield from band_features(row_id, rank, subject.group(row), signature, self._threshold)


def band_features(row_id: str, rank, group: str, signature: np.ndarray, threshold: float,
                  buckets: tuple[int, int] = (0, 1)):
    """One row's near-duplicate features, as DedupFeaturesDoFn emits them: (bucket, id) per LSH band and
    'signatures' (id, (rank, signature bytes)) if it has any. buckets (index, count): only the bands whose
    bucket hashes to `index` of `count` (a day curated in passes: transforms.beam.curation_waves)."""
    index, count = buckets
    in_buckets = [_bucket(group, key) for key in lsh_band_keys(signature, threshold)]
    if count > 1:
        in_buckets = [bucket for bucket in in_buckets if bucket_hash(bucket) % count == index]
    if in_buckets:
        yield TaggedOutput(DedupFeaturesDoFn.SIGNATURES, (row_id, (rank, signature.tobytes())))
    for bucket in in_buckets:
        yield bucket, row_id


class ExactLosersDoFn(beam.DoFn):
    """(exact_key, {"run": [(id, rank)], "prior": [marks]}) -> (id, "exact") for every row that is not the
    best of its key, or for all of them when the key was published on another day; with mark_repeats also
    (id, "repeat") for an id that came more than once (one row: curation_waves keeps one copy)."""

    def __init__(self, counter: str, mark_repeats: bool = False):
        self._counter = counter
        self._mark_repeats = mark_repeats

    def process(self, keyed):
        _, grouped = keyed
        run = list(grouped["run"])
        members = dict(run)  # by id: a repeated id is one row (extra copies count below)
        if not members:
            return []  # a key only the index has
        ids = sorted(members)
        best, in_run, earlier = resolve_exact_group([members[i] for i in ids],
                                                    seen_earlier=any(True for _ in grouped["prior"]))
        count(f"{self._counter}.exact_in_run", in_run + len(run) - len(members))
        count(f"{self._counter}.exact_earlier", earlier)
        losers = [(row_id, EXACT) for position, row_id in enumerate(ids) if position != best]
        if self._mark_repeats and len(run) > len(members):
            seen = collections.Counter(row_id for row_id, _ in run)
            losers += [(row_id, REPEAT) for row_id in ids if seen[row_id] > 1]
        return losers


# The run's bucket keys travel as sorted arrays of their 64-bit hashes: 8 bytes a key. A set of the key strings
# was ~110 bytes a key (1.5 GB at 1M rows x 14 bands), held whole by every worker. A hash collision only lets
# an earlier row, or a bucket of one row, into the join by bucket, where it changes nothing.
_FLUSH_KEYS = 1 << 16


def bucket_hash(bucket: str) -> int:
    return int.from_bytes(hashlib.blake2b(bucket.encode("utf-8"), digest_size=8).digest(), "little")


def _unique_counts(hashes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique hashes and how often each occurs, from hashes with counts (repeats allowed)."""
    unique, position = np.unique(hashes, return_inverse=True)
    return unique, np.bincount(position, weights=counts, minlength=len(unique)).astype(np.int64)


class BucketHashesFn(beam.CombineFn):
    """Bucket keys -> (every bucket's hash, the hashes of buckets that hold more than one key), both sorted
    numpy uint64 arrays (`bucket_hash`). Accumulated as (unique hashes, counts) chunks: a chunk's memory is its
    distinct keys, never one entry per key seen."""

    def create_accumulator(self):
        return [[], []]  # (hashes, counts) chunks, hashes not in a chunk yet

    @staticmethod
    def _flush(accumulator, force: bool = False):
        chunks, pending = accumulator
        if pending and (force or len(pending) >= _FLUSH_KEYS):
            hashes = np.asarray(pending, dtype=np.uint64)
            chunks = chunks + [_unique_counts(hashes, np.ones(len(hashes), dtype=np.int64))]
            pending = []
        if len(chunks) > 8:  # merged now and then, so a long run does not keep a chunk per 65,536 keys
            chunks = [_unique_counts(np.concatenate([h for h, _ in chunks]), np.concatenate([c for _, c in chunks]))]
        return [chunks, pending]

    def add_input(self, accumulator, bucket):
        accumulator[1].append(bucket_hash(bucket))
        return self._flush(accumulator)

    def merge_accumulators(self, accumulators):
        chunks, pending = [], []
        for more, more_pending in accumulators:
            chunks += more
            pending += more_pending
        return self._flush([chunks, pending])

    def compact(self, accumulator):
        # Before an accumulator leaves its worker: the pending hashes as one array (Beam's default coder pickles
        # an int of 2**63 or more one by one).
        return self._flush(accumulator, force=True)

    def extract_output(self, accumulator):
        chunks, _ = self._flush(accumulator, force=True)
        if not chunks:
            empty = np.zeros(0, dtype=np.uint64)
            return empty, empty
        hashes, counts = _unique_counts(np.concatenate([h for h, _ in chunks]), np.concatenate([c for _, c in chunks]))
        return hashes, hashes[counts > 1]


def in_sorted(hashes: np.ndarray, value: int) -> bool:
    position = int(np.searchsorted(hashes, np.uint64(value)))
    return position < len(hashes) and int(hashes[position]) == value


class EarlierBucketMembersDoFn(beam.DoFn):
    """An index row of another day -> (bucket, (id, rank, signature, True)) for each of its LSH buckets that
    a row of this run is in (the side input: the run's bucket hashes): the only buckets where it can beat
    anything. The history is filtered where it is read, never shuffled whole."""

    def __init__(self, threshold: float):
        self._threshold = threshold

    def process(self, key: DedupKey, run_buckets: tuple[np.ndarray, np.ndarray]):
        if key.near_signature is None:
            return
        run_buckets = run_buckets[0]
        signature = np.frombuffer(key.near_signature, dtype="<u4").astype(np.uint32)
        for band_key in lsh_band_keys(signature, self._threshold):
            bucket = _bucket(key.group, band_key)
            if in_sorted(run_buckets, bucket_hash(bucket)):
                yield bucket, (key.example_id, earlier_rank(key.example_id), signature.tobytes(), True)


def _in_shared_bucket(band: tuple[str, str], run_buckets: tuple[np.ndarray, np.ndarray],
                      earlier_buckets: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether a (bucket, id) of the run can meet another row in its bucket: another of the run's, or one of
    another day's. The rest (most buckets: one row each) never enter the join by bucket, so the runner does
    not hold them (an in-memory runner keeps a shuffle's values decoded, a few hundred bytes each)."""
    value = bucket_hash(band[0])
    return in_sorted(run_buckets[1], value) or in_sorted(earlier_buckets[0], value)


def _member_set(run_ids: list[str], earlier: set) -> str:
    """A bucket by its members: near-duplicates share most of their bands, so many buckets hold the same rows;
    verified once under this key, each row's signature travels once per distinct set, not once per band."""
    names = run_ids + ["|"] + sorted(member[0] for member in earlier)
    return hashlib.blake2b("\n".join(names).encode("utf-8"), digest_size=16).hexdigest()


def _shared_bucket_members(keyed):
    """(bucket, {"run": ids, "earlier": members}) -> (id, member set) for the run's rows in a bucket of 2+ rows."""
    _, grouped = keyed
    ids = sorted(set(grouped["run"]))
    earlier = set(grouped["earlier"])
    if len(ids) + len(set(m[0] for m in earlier)) > 1:
        members = _member_set(ids, earlier)
        for row_id in ids:
            yield row_id, members


def _earlier_in_shared_buckets(keyed):
    """(bucket, {"run": ids, "earlier": members}) -> (member set, member) for the other days' rows of a bucket
    the run shares."""
    _, grouped = keyed
    ids = sorted(set(grouped["run"]))
    if ids:
        earlier = set(grouped["earlier"])
        members = _member_set(ids, earlier)
        for member in sorted(earlier):
            yield members, member


class ToBucketsDoFn(beam.DoFn):
    """(id, {"signature", "bucket", "exact"}) -> (bucket, (id, rank, signature, False)) for each shared bucket
    of a row that survived exact dedup (so an exact loser cannot beat anything here)."""

    def process(self, keyed):
        row_id, grouped = keyed
        buckets = sorted(set(grouped["bucket"]))
        signatures = list(grouped["signature"])
        if not buckets or not signatures or any(True for _ in grouped["exact"]):
            return
        rank, signature = signatures[0]
        for bucket in buckets:
            yield bucket, (row_id, rank, signature, False)


class ResolveBucketDoFn(beam.DoFn):
    """(bucket, members) -> (loser id, "run") for each run member with a better verified near-duplicate in
    the run, and (loser id, "earlier") for each with one among the other days' members."""

    def __init__(self, threshold: float):
        self._threshold = threshold

    def _losers(self, members):
        signatures = np.vstack([np.frombuffer(m[2], dtype=np.uint32) for m in members])
        return bucket_losers([m[1] for m in members], signatures, self._threshold)

    def process(self, keyed):
        _, members = keyed
        members = sorted(set(members))  # another day's row arrives once per bucket of the same member set
        run = [m for m in members if not m[3]]
        if len(members) < 2 or not run:
            return
        if len(run) > 1:
            for loser, _ in self._losers(run):
                yield run[loser][0], IN_RUN
        if len(run) < len(members):
            for loser, winner in self._losers(members):
                if members[winner][3] and not members[loser][3]:
                    yield members[loser][0], EARLIER


class KeepSurvivorsDoFn(beam.DoFn):
    """(id, {"row": [rows], "exact": [marks], "near": ["run"/"earlier"]}) -> the row if it lost nowhere.

    Exact losers were counted where they were decided; near losers are counted here, once per row.
    """

    def __init__(self, counter: str):
        self._counter = counter

    def process(self, keyed):
        _, grouped = keyed
        rows = list(grouped["row"])
        if rows and survives(set(grouped["exact"]) | set(grouped["near"]), self._counter):
            yield pickle.loads(rows[0])  # a repeated id is the same row, counted as an in-run duplicate


def survives(marks: set[str], counter: str) -> bool:
    """Whether a row with these loser marks survives; a near loser is counted here (once per row), an exact
    one was counted where it was decided."""
    if EXACT in marks:
        return False
    if IN_RUN in marks or EARLIER in marks:
        count(f"{counter}.near" if IN_RUN in marks else f"{counter}.near_earlier")
        return False
    return True


class Dedup(beam.PTransform):
    """PCollection[row] -> the rows that survive exact dedup (in run and against `prior`, a PCollection of the
    index rows of other days, DedupKey, or None) and then near-duplicate dedup (MinHash LSH, `threshold`)."""

    def __init__(self, subject: DedupSubject, threshold: float, prior: beam.PCollection | None = None,
                 num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._subject = subject
        self._threshold = threshold
        self._prior = prior
        self._num_perm = num_perm

    def expand(self, rows):
        subject = self._subject
        features = (
            rows
            | "Batch for MinHash" >> beam.BatchElements(min_batch_size=8, max_batch_size=512)
            | "Dedup features" >> beam.ParDo(DedupFeaturesDoFn(subject, self._threshold, self._num_perm)).with_outputs(
                DedupFeaturesDoFn.EXACT, DedupFeaturesDoFn.SIGNATURES, main="bands")
        )
        prior = prior_of(rows.pipeline, self._prior, subject)
        exact = exact_losers(features[DedupFeaturesDoFn.EXACT], prior, subject)
        near = near_losers(features, prior, exact, self._threshold)
        return (
            # Rows travel pickled: an in-memory runner (FnApiRunner) holds a shuffle's values decoded, and a
            # pickled row takes a fraction of the memory of the model object.
            {"row": rows | "Key by id" >> beam.Map(lambda row: (subject.row_id(row), pickle.dumps(row, PICKLE))),
             "exact": exact, "near": near}
            | "Join verdicts" >> beam.CoGroupByKey()
            # Typed as its input, so the survivors keep the rows' cheap coder (transforms.beam.row_coders).
            | "Keep survivors" >> beam.ParDo(KeepSurvivorsDoFn(subject.counter)).with_output_types(rows.element_type)
        )


def prior_of(pipeline: beam.Pipeline, prior: beam.PCollection | None, subject: DedupSubject) -> beam.PCollection:
    """The index rows of other days (None: none) of the subject's groups."""
    if prior is None:
        prior = pipeline | "No index" >> beam.Create([])
    groups = subject.groups
    return prior | "Index rows of these groups" >> beam.Filter(lambda key: key.group in groups)


def exact_losers(exact_features: beam.PCollection, prior: beam.PCollection, subject: DedupSubject,
                 mark_repeats: bool = False) -> beam.PCollection:
    """(exact_key, (id, rank)) of the run + the index rows of other days -> (id, "exact") per exact loser
    (and (id, "repeat") per repeated id with mark_repeats)."""
    return (
        {"run": exact_features, "prior": prior | "Mark prior keys" >> beam.Map(lambda key: (key.exact_key, True))}
        | "Join exact keys with index" >> beam.CoGroupByKey()
        | "Exact losers" >> beam.ParDo(ExactLosersDoFn(subject.counter, mark_repeats))
    )


def near_losers(features, prior: beam.PCollection, exact: beam.PCollection, threshold: float) -> beam.PCollection:
    """DedupFeaturesDoFn's outputs (bands, signatures) + the index rows of other days + the exact losers (left
    out: an exact loser beats nothing) -> (id, "run" / "earlier") per near-duplicate loser."""
    run_buckets = (
        features.bands
        | "Run buckets" >> beam.Keys()
        | "Run bucket hashes" >> beam.CombineGlobally(BucketHashesFn())
    )
    earlier_members = prior | "Earlier rows in run buckets" >> beam.ParDo(
        EarlierBucketMembersDoFn(threshold), AsSingleton(run_buckets))
    earlier_buckets = (
        earlier_members
        | "Earlier buckets" >> beam.Keys()
        | "Earlier bucket hashes" >> beam.CombineGlobally(BucketHashesFn())
    )
    shared_bands = features.bands | "Bands of shared buckets" >> beam.Filter(
        _in_shared_bucket, AsSingleton(run_buckets), AsSingleton(earlier_buckets))
    buckets = (
        {"run": shared_bands, "earlier": earlier_members}
        | "Group by bucket" >> beam.CoGroupByKey()
    )
    shared = buckets | "Shared buckets" >> beam.FlatMap(_shared_bucket_members)
    run_members = (
        {"signature": features[DedupFeaturesDoFn.SIGNATURES], "bucket": shared, "exact": exact}
        | "Join candidates with signatures" >> beam.CoGroupByKey()
        | "To buckets" >> beam.ParDo(ToBucketsDoFn())
    )
    return (
        (run_members, buckets | "Earlier members" >> beam.FlatMap(_earlier_in_shared_buckets))
        | "All bucket members" >> beam.Flatten()
        | "Group candidates by bucket" >> beam.GroupByKey()
        | "Verify buckets" >> beam.ParDo(ResolveBucketDoFn(threshold))
    )


class IndexRowsDoFn(beam.DoFn):
    """A batch of surviving rows -> their index rows (DedupKey with the near-duplicate signature)."""

    def __init__(self, subject: DedupSubject, num_perm: int):
        self._subject = subject
        self._num_perm = num_perm

    def process(self, batch: list):
        yield from index_rows(batch, self._subject, self._num_perm)


class IndexRows(beam.PTransform):
    """PCollection[row] -> PCollection[DedupKey]: the rows' keys for the day's index partition."""

    def __init__(self, subject: DedupSubject, num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._subject = subject
        self._num_perm = num_perm

    def expand(self, rows):
        return (rows
                | "Batch for index" >> beam.BatchElements(min_batch_size=8, max_batch_size=512)
                | "Index keys" >> beam.ParDo(IndexRowsDoFn(self._subject, self._num_perm)))


# ------------------------------------------------------------------------------------------- the index

class ReadDedupIndex(beam.PTransform):
    """pipeline -> PCollection[DedupKey]: the index rows of every published day but `exclude_day` (see
    datalake.dedup_index.dedup_index_files), one file per work item. The file list is taken when the graph is
    built; the rows are read on the workers."""

    def __init__(self, lake_uri: str, exclude_day: date | None, only_earlier: bool = False):
        super().__init__()
        self._files = [uri for uri, _ in dedup_index_files(lake_uri, exclude_day, only_earlier)]

    def expand(self, pbegin):
        files = pbegin | "Index files" >> beam.Create(self._files)
        if len(self._files) > 1:
            files = files | "Spread index files" >> beam.Reshuffle()
        return files | "Read keys" >> beam.FlatMap(read_index_keys)


def _exact_key(row: DedupKey) -> str:
    return row.exact_key


class StageDedupIndex(beam.PTransform):
    """PCollection[DedupKey] -> Parquet files in the run's staging of `_index/sft_keys` (publish it after), as
    many as `lake.shards_for` their size; sharded by exact key, sorted by (exact key, id) within a file.
    files: given, in the files' names (each table's keys staged by its own pipeline: transforms.beam.curation_waves)."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date, files: str = ""):
        super().__init__()
        self._lake = lake
        self._folder = staging_partition(lake.lake_uri, run_id, INDEX_TABLE, day)
        self._files = files

    def expand(self, rows):
        return rows | "Write index" >> StageShardedRows(DedupKey, self._folder, ("exact_key", "example_id"),
                                                        _exact_key, self._lake, counter=INDEX_TABLE,
                                                        count_rows=False, name=self._files)
