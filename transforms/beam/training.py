"""Beam wrappers for training-data curation: decontamination, exact and near-duplicate dedup, balance.

    SFTExample ─Decontaminate─▶ DedupFeatures
        ├─ (exact_key, (id, rank)) ─CoGroupByKey with the index's keys─▶ exact losers (id)
        ├─ (band_key, id) ─GroupByKey─▶ (id, band_key) for buckets shared by 2+ examples
        └─ (id, (rank, signature))
    (id: signature, shared buckets, exact loser?) ─CoGroupByKey─▶ (band_key, (id, rank, signature))
        ─GroupByKey─▶ verify each bucket ─▶ near losers (id, winner id)
    (id: example, exact loser?, near loser?) ─CoGroupByKey─▶ survivors ─caps (CombinePerKey)─▶ weights
        ─▶ examples, and their DedupKey rows for the index

The logic is in transforms.training.dedup / decontaminate / balance; these are thin DoFns around it (the plain
in-process version, transforms.training.curate_oracle, is only the tests' oracle). Counters (transforms.beam.metrics):
decontaminated, dedup.exact_in_run, dedup.exact_earlier, dedup.near,
capped.<category>, category.<category> (after the caps). Input = survivors + all of those but category.*.
Nothing here needs the whole partition in one place except the per-key groups, so it runs unchanged on
Dataflow/Flink/Spark.
"""

from __future__ import annotations

import zlib
from datetime import date
from typing import Iterable, Mapping

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam.pvalue import TaggedOutput

from schemas.outputs import SFTExample
from transforms.beam.metrics import count
from transforms.training.policy import TrainingPolicy
from transforms.training.balance import apply_weight, category_of, top_ranked
from transforms.training.decontaminate import example_is_contaminated, load_eval_ngrams
from datalake.dedup_index import dedup_index_files, read_index_file, stage_dedup_index
from datalake.fs import filesystem
from datalake.partitions import staging_partition, write_rows
from datalake.row_counts import staged_files
from datalake.tables import shard_file_name
from transforms.training.dedup import (
    DEFAULT_NUM_PERM,
    DedupKey,
    bucket_losers,
    exact_key,
    lsh_band_keys,
    minhash_signatures,
    prompt_text,
    rank_key,
    resolve_exact_group,
)

# --------------------------------------------------------------------------------------- decontamination

class DecontaminateDoFn(beam.DoFn):
    """SFTExample -> itself unless a user message overlaps the eval sets (counted as `decontaminated`)."""

    def __init__(self, ngrams: frozenset[str], n: int):
        self._ngrams = ngrams
        self._n = n

    def process(self, example: SFTExample):
        if example_is_contaminated(example, self._ngrams, self._n):
            count("decontaminated")
            return
        yield example


# ---------------------------------------------------------------------------------------------- dedup
#
# Small records are shuffled until the very end: (exact_key, (id, rank)), (band_key, id), and each signature
# once, keyed by id, to meet the buckets it shares with other examples. The examples themselves are shuffled
# once, in the final join with the verdicts. Emitting (band_key, (id, rank, signature)) straight away would
# move every signature once per band (14 x 512 bytes per example at threshold 0.8): measured on FnApiRunner
# at 40,000 examples, the near-duplicate stage alone then peaked at 2.2 GB RSS; this whole transform peaks
# at 0.6 GB.

class DedupFeaturesDoFn(beam.DoFn):
    """A batch of SFTExamples -> per example: main (band_key, id) per LSH band; 'exact' (exact_key, (id, rank));
    'signatures' (id, (rank, signature bytes)). Batched because MinHash over many texts at once costs far
    less per text than one at a time (dedup.minhash_signatures)."""

    EXACT = "exact"
    SIGNATURES = "signatures"

    def __init__(self, threshold: float, num_perm: int):
        self._threshold = threshold
        self._num_perm = num_perm

    def process(self, batch: list[SFTExample]):
        signatures = minhash_signatures([prompt_text(e) for e in batch], num_perm=self._num_perm)
        for example, signature in zip(batch, signatures):
            rank = rank_key(example)
            example_id = example.example_id
            yield TaggedOutput(self.EXACT, (exact_key(example), (example_id, rank)))
            keys = lsh_band_keys(signature, self._threshold)
            if keys:
                yield TaggedOutput(self.SIGNATURES, (example_id, (rank, signature.tobytes())))
            for key in keys:
                yield key, example_id


class ExactLosersDoFn(beam.DoFn):
    """(exact_key, {"run": [(id, rank)], "prior": [marks]}) -> (id, "exact") for every example that is
    not the best of its key, or for all of them when the key was published on another day."""

    def process(self, keyed):
        _, grouped = keyed
        members = dict(grouped["run"])  # by id: a repeated id is one example (extra copies count below)
        if not members:
            return []  # a key only the index has
        ids = sorted(members)
        best, in_run, earlier = resolve_exact_group([members[i] for i in ids],
                                                    seen_earlier=any(True for _ in grouped["prior"]))
        count("dedup.exact_in_run", in_run + len(grouped["run"]) - len(members))
        count("dedup.exact_earlier", earlier)
        return [(example_id, "exact") for position, example_id in enumerate(ids) if position != best]


def _shared_bucket_members(keyed):
    """(band_key, ids) -> (id, band_key) when the bucket holds two or more examples (else nothing)."""
    band_key, ids = keyed
    ids = sorted(set(ids))
    if len(ids) > 1:
        for example_id in ids:
            yield example_id, band_key


class ToBucketsDoFn(beam.DoFn):
    """(id, {"signature", "bucket", "exact"}) -> (band_key, (id, rank, signature)) for each shared bucket of
    an example that survived exact dedup (so an exact loser cannot beat anything here)."""

    def process(self, keyed):
        example_id, grouped = keyed
        buckets = sorted(set(grouped["bucket"]))
        signatures = list(grouped["signature"])
        if not buckets or not signatures or any(True for _ in grouped["exact"]):
            return
        rank, signature = signatures[0]
        for band_key in buckets:
            yield band_key, (example_id, rank, signature)


class ResolveBucketDoFn(beam.DoFn):
    """(band_key, members) -> (loser id, winner id) for each member with a better verified near-duplicate."""

    def __init__(self, threshold: float):
        self._threshold = threshold

    def process(self, keyed):
        _, members = keyed
        members = list(members)
        if len(members) < 2:
            return
        signatures = np.vstack([np.frombuffer(m[2], dtype=np.uint32) for m in members])
        for loser, winner in bucket_losers([m[1] for m in members], signatures, self._threshold):
            yield members[loser][0], members[winner][0]


class KeepSurvivorsDoFn(beam.DoFn):
    """(id, {"example": [examples], "exact": [marks], "near": [winner ids]}) -> the example if it lost nowhere.

    Exact losers were counted where they were decided; near losers are counted here, once per example.
    """

    def process(self, keyed):
        _, grouped = keyed
        examples = list(grouped["example"])
        if not examples or any(True for _ in grouped["exact"]):
            return
        if any(True for _ in grouped["near"]):
            count("dedup.near")
            return
        yield examples[0]  # a repeated id is the same example, counted as an in-run duplicate


class Dedup(beam.PTransform):
    """PCollection[SFTExample] -> the examples that survive exact dedup (in run and against `prior_keys`, a
    PCollection[str] or None) and then near-duplicate prompt dedup (MinHash LSH, `threshold`)."""

    def __init__(self, threshold: float, prior_keys: beam.PCollection | None = None,
                 num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._threshold = threshold
        self._prior_keys = prior_keys
        self._num_perm = num_perm

    def expand(self, examples):
        features = (
            examples
            | "Batch for MinHash" >> beam.BatchElements(min_batch_size=8, max_batch_size=512)
            | "Dedup features" >> beam.ParDo(DedupFeaturesDoFn(self._threshold, self._num_perm)).with_outputs(
                DedupFeaturesDoFn.EXACT, DedupFeaturesDoFn.SIGNATURES, main="bands")
        )
        prior = self._prior_keys
        if prior is None:
            prior = examples.pipeline | "No prior keys" >> beam.Create([])
        exact_losers = (
            {"run": features[DedupFeaturesDoFn.EXACT],
             "prior": prior | "Mark prior keys" >> beam.Map(lambda key: (key, True))}
            | "Join exact keys with index" >> beam.CoGroupByKey()
            | "Exact losers" >> beam.ParDo(ExactLosersDoFn())
        )
        shared = (
            features.bands
            | "Group by band" >> beam.GroupByKey()
            | "Shared buckets" >> beam.FlatMap(_shared_bucket_members)
        )
        near_losers = (
            {"signature": features[DedupFeaturesDoFn.SIGNATURES], "bucket": shared, "exact": exact_losers}
            | "Join candidates with signatures" >> beam.CoGroupByKey()
            | "To buckets" >> beam.ParDo(ToBucketsDoFn())
            | "Group candidates by bucket" >> beam.GroupByKey()
            | "Verify buckets" >> beam.ParDo(ResolveBucketDoFn(self._threshold))
        )
        return (
            {"example": examples | "Key by id" >> beam.Map(lambda e: (e.example_id, e)),
             "exact": exact_losers, "near": near_losers}
            | "Join verdicts" >> beam.CoGroupByKey()
            | "Keep survivors" >> beam.ParDo(KeepSurvivorsDoFn())
        )


# ---------------------------------------------------------------------------------------------- balance

class TopRankedFn(beam.CombineFn):
    """Per category: (number of inputs, the cap's best-ranked examples). Keeps O(cap) per accumulator."""

    def __init__(self, caps: Mapping[str, int]):
        self._caps = dict(caps)

    def _trim(self, accumulator, force: bool = False):
        count, kept = accumulator
        if kept and (force or len(kept) > 2 * self._cap(kept[0]) + 64):
            kept, _ = top_ranked(kept, self._cap(kept[0]))
        return [count, kept]

    def _cap(self, example: SFTExample) -> int:
        return max(self._caps.get(category_of(example), 0), 0)

    def create_accumulator(self):
        return [0, []]

    def add_input(self, accumulator, example):
        accumulator[0] += 1
        accumulator[1].append(example)
        return self._trim(accumulator)

    def merge_accumulators(self, accumulators):
        count, kept = 0, []
        for other_count, other_kept in accumulators:
            count += other_count
            kept.extend(other_kept)
        return self._trim([count, kept])

    def extract_output(self, accumulator):
        count, kept = self._trim(accumulator, force=True)
        return count, sorted(kept, key=rank_key)


class EmitCappedDoFn(beam.DoFn):
    def process(self, keyed):
        category, (total, kept) = keyed
        count(f"capped.{category}", total - len(kept))
        yield from kept


class WeightDoFn(beam.DoFn):
    """SFTExample -> itself with its category's weight applied; counts category.<c>."""

    def __init__(self, weights: Mapping[str, float]):
        self._weights = dict(weights)

    def process(self, example: SFTExample):
        count(f"category.{category_of(example)}")
        yield apply_weight(example, self._weights)


class Balance(beam.PTransform):
    """PCollection[SFTExample] -> within the per-category caps, with category weights applied."""

    def __init__(self, caps: Mapping[str, int], weights: Mapping[str, float]):
        super().__init__()
        self._caps = dict(caps)
        self._weights = dict(weights)

    def expand(self, examples):
        caps = self._caps
        if caps:
            parts = examples | "Capped or not" >> beam.Partition(
                lambda example, _: 0 if category_of(example) in caps else 1, 2)
            capped = (
                parts[0]
                | "Key by category" >> beam.Map(lambda example: (category_of(example), example))
                | "Best per category" >> beam.CombinePerKey(TopRankedFn(caps))
                | "Apply caps" >> beam.ParDo(EmitCappedDoFn())
            )
            examples = (capped, parts[1]) | "Within caps" >> beam.Flatten()
        return examples | "Weights" >> beam.ParDo(WeightDoFn(self._weights))


# ------------------------------------------------------------------------------------------- the whole

class CurateTrainingExamples(beam.PTransform):
    """PCollection[SFTExample] -> {"examples": survivors, "index_rows": their DedupKey rows}.

    decontaminate -> exact dedup (in run + against `prior_keys`) -> near-duplicate prompts -> caps -> weights.

    prior_keys: the exact keys published on other days, as a PCollection[str] (ReadDedupIndex) or any
        iterable of str (small lakes, tests); None = no index yet.
    eval_ngrams: from decontaminate.load_eval_ngrams; None loads policy.eval_sets now, so a missing eval file
        fails while the graph is built (ConfigError naming training.eval_sets), not on a worker.
    """

    EXAMPLES = "examples"
    INDEX_ROWS = "index_rows"

    def __init__(self, policy: TrainingPolicy, prior_keys: beam.PCollection | Iterable[str] | None = None,
                 eval_ngrams: frozenset[str] | None = None, num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._policy = policy
        self._prior_keys = prior_keys
        if eval_ngrams is None:
            eval_ngrams = load_eval_ngrams(policy.eval_sets, policy.decontamination_ngram)
        self._eval_ngrams = frozenset(eval_ngrams)
        self._num_perm = num_perm

    def expand(self, examples):
        policy = self._policy
        prior = self._prior_keys
        if prior is not None and not isinstance(prior, beam.PCollection):
            prior = examples.pipeline | "Prior keys" >> beam.Create(sorted(set(prior)))
        if self._eval_ngrams:
            examples = examples | "Decontaminate" >> beam.ParDo(
                DecontaminateDoFn(self._eval_ngrams, policy.decontamination_ngram))
        survivors = (
            examples
            | "Dedup" >> Dedup(policy.near_duplicate_threshold, prior, self._num_perm)
            | "Balance" >> Balance(policy.category_caps, policy.category_weights)
        )
        index = survivors | "Index rows" >> beam.Map(
            lambda example: DedupKey(exact_key=exact_key(example), example_id=example.example_id))
        return {self.EXAMPLES: survivors, self.INDEX_ROWS: index}


# ------------------------------------------------------------------------------------------- the index

class ReadDedupIndex(beam.PTransform):
    """pipeline -> PCollection[str]: the exact keys of every published day but `exclude_day` (see
    datalake.dedup_index.dedup_index_files), one file per work item. The file list is taken when the graph is built."""

    def __init__(self, lake_uri: str, exclude_day: date | None, only_earlier: bool = False):
        super().__init__()
        self._files = [uri for uri, _ in dedup_index_files(lake_uri, exclude_day, only_earlier)]

    def expand(self, pbegin):
        files = pbegin | "Index files" >> beam.Create(self._files)
        if len(self._files) > 1:
            files = files | "Spread index files" >> beam.Reshuffle()
        return files | "Read keys" >> beam.FlatMap(
            lambda uri: read_index_file(uri, columns=("exact_key",)).column("exact_key").to_pylist())


class StageIndexShardDoFn(beam.DoFn):
    def __init__(self, lake_uri: str, run_id: str, day: date, shards: int):
        self._lake_uri, self._run_id, self._day, self._shards = lake_uri, run_id, day, shards

    def process(self, keyed):
        shard, rows = keyed
        size = stage_dedup_index(self._lake_uri, self._run_id, self._day, list(rows), shard, self._shards)
        count("bytes_written._index/sft_keys", size)
        yield shard


class StageDedupIndex(beam.PTransform):
    """PCollection[DedupKey] -> Parquet shards in the run's staging of `_index/sft_keys` (publish it after)."""

    def __init__(self, lake_uri: str, run_id: str, day: date, shards: int = 1):
        super().__init__()
        self._args = (lake_uri, run_id, day, shards)
        self._shards = shards

    def expand(self, rows):
        shards = self._shards
        return (
            rows
            | "Shard index" >> beam.Map(lambda row: (zlib.crc32(row.exact_key.encode()) % shards, row))
            | "Group index by shard" >> beam.GroupByKey()
            | "Write index" >> beam.ParDo(StageIndexShardDoFn(*self._args))
        )


# ------------------------------------------------------------------- candidates, for curating later in order

# A run's SFT candidates (training rows before curation), staged under the run's own staging directory when the
# run curates later (an ordered backfill: flows.ordering); never published, removed with the run's staging.
CANDIDATES_TABLE = "_candidates/sft"


class StageCandidateShardDoFn(beam.DoFn):
    def __init__(self, lake_uri: str, run_id: str, day: date, shards: int):
        self._lake_uri, self._run_id, self._day, self._shards = lake_uri, run_id, day, shards

    def process(self, keyed):
        shard, rows = keyed
        rows = sorted(rows, key=lambda row: row.example_id)
        folder = staging_partition(self._lake_uri, self._run_id, CANDIDATES_TABLE, self._day)
        write_rows(f"{folder}/{shard_file_name(shard, self._shards)}", SFTExample, rows)
        yield shard


class StageCandidates(beam.PTransform):
    """PCollection[SFTExample] (uncurated) -> Parquet shards in the run's staging, for ReadCandidates."""

    def __init__(self, lake_uri: str, run_id: str, day: date, shards: int = 1):
        super().__init__()
        self._args = (lake_uri, run_id, day, shards)
        self._shards = shards

    def expand(self, examples):
        shards = self._shards
        return (
            examples
            | "Shard candidates" >> beam.Map(lambda e: (zlib.crc32(e.conversation_id.encode()) % shards, e))
            | "Group candidates by shard" >> beam.GroupByKey()
            | "Write candidates" >> beam.ParDo(StageCandidateShardDoFn(*self._args))
        )


def _read_candidates(uri: str):
    """One staged candidates file -> its SFTExamples (the Arrow round trip loses nothing the model holds)."""
    fs, path = filesystem(uri)
    with fs.open(path, "rb") as handle:
        table = pq.read_table(handle)
    # As datalake.partitions.read_rows: a null in a non-nullable column is a column the file lacks.
    required = {f.name for f in table.schema if not f.nullable}
    for row in table.to_pylist():
        yield SFTExample.model_validate({k: v for k, v in row.items() if v is not None or k not in required})


class ReadCandidates(beam.PTransform):
    """pipeline -> PCollection[SFTExample]: the candidates a run staged (StageCandidates). Files listed now."""

    def __init__(self, lake_uri: str, run_id: str, day: date):
        super().__init__()
        self._files = staged_files(lake_uri, run_id, CANDIDATES_TABLE, day)

    def expand(self, pbegin):
        return (pbegin | "Candidate files" >> beam.Create(self._files)
                | "Read candidates" >> beam.FlatMap(_read_candidates))
