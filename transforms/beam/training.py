"""Beam wrappers for training-data curation: decontamination, dedup, balance; the staged candidates of an
ordered backfill.

    SFTExample ─Decontaminate─▶ Dedup (exact + near-duplicate prompts, in run and against the index of other
        days: transforms.beam.dedup) ─▶ caps (CombinePerKey) ─▶ weights ─▶ examples, and their index rows
    PreferencePair ─Dedup (exact + near-duplicate rows, in run and against the index)─▶ rows, and their index rows

The logic is in transforms.training.dedup / preference_dedup / decontaminate / balance; these are thin DoFns
around it (the plain in-process version, transforms.training.curate_oracle, is only the tests' oracle).
Counters (transforms.beam.metrics): decontaminated, dedup.exact_in_run, dedup.exact_earlier, dedup.near,
dedup.near_earlier, capped.<category>, category.<category> (after the caps): input = survivors + all of those
but category.*; for preferences dedup.preferences.{exact_in_run, exact_earlier, near, near_earlier}.
Nothing here needs the whole partition in one place except the per-key groups, so it runs unchanged on
Dataflow/Flink/Spark.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

import apache_beam as beam
import pyarrow.parquet as pq

from datalake.config import LakeConfig
from datalake.fs import filesystem
from datalake.partitions import staging_partition
from datalake.row_counts import staged_files
from schemas.outputs import DedupKey, PreferencePair, SFTExample
from transforms.beam.dedup import Dedup, IndexRows
from transforms.beam.metrics import count
from transforms.beam.waves import Wave
from transforms.beam.write import StageShardedRows
from transforms.training.balance import apply_weight, category_of, top_ranked
from transforms.training.decontaminate import example_is_contaminated, load_eval_ngrams
from transforms.training.dedup import DEFAULT_NUM_PERM, SFT_DEDUP, rank_key
from transforms.training.policy import TrainingPolicy
from transforms.training.preference_dedup import PREFERENCE_DEDUP

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
                | "Apply caps" >> beam.ParDo(EmitCappedDoFn()).with_output_types(SFTExample)
            )
            examples = (capped, parts[1]) | "Within caps" >> beam.Flatten()
        return examples | "Weights" >> beam.ParDo(WeightDoFn(self._weights)).with_output_types(SFTExample)


# ------------------------------------------------------------------------------------------- the whole

def _index_pcollection(pipeline, prior, label: str):
    """The prior index as a PCollection[DedupKey]: as given (ReadDedupIndex), or created from an iterable."""
    if prior is None or isinstance(prior, beam.PCollection):
        return prior
    return pipeline | label >> beam.Create(sorted(prior, key=lambda k: (k.exact_key, k.example_id)))


class CurateTrainingExamples(beam.PTransform):
    """PCollection[SFTExample] -> {"examples": survivors, "index_rows": their DedupKey rows}.

    decontaminate -> exact dedup (in run + against `prior`) -> near-duplicate prompts (in run + against
    prior's signatures) -> caps -> weights.

    prior: the index rows other days published, as a PCollection[DedupKey] (ReadDedupIndex) or any iterable of
        DedupKey (small lakes, tests); None = no index yet.
    eval_ngrams: from decontaminate.load_eval_ngrams; None loads policy.eval_sets now, so a missing eval file
        fails while the graph is built (ConfigError naming training.eval_sets), not on a worker.
    """

    EXAMPLES = "examples"
    INDEX_ROWS = "index_rows"

    def __init__(self, policy: TrainingPolicy, prior: beam.PCollection | Iterable[DedupKey] | None = None,
                 eval_ngrams: frozenset[str] | None = None, num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._policy = policy
        self._prior = prior
        if eval_ngrams is None:
            eval_ngrams = load_eval_ngrams(policy.eval_sets, policy.decontamination_ngram)
        self._eval_ngrams = frozenset(eval_ngrams)
        self._num_perm = num_perm

    def expand(self, examples):
        policy = self._policy
        prior = _index_pcollection(examples.pipeline, self._prior, "Prior index")
        if self._eval_ngrams:
            examples = examples | "Decontaminate" >> beam.ParDo(
                DecontaminateDoFn(self._eval_ngrams, policy.decontamination_ngram)).with_output_types(SFTExample)
        survivors = (
            examples
            | "Dedup" >> Dedup(SFT_DEDUP, policy.near_duplicate_threshold, prior, self._num_perm)
            | "Balance" >> Balance(policy.category_caps, policy.category_weights)
        )
        index = survivors | "Index rows" >> IndexRows(SFT_DEDUP, self._num_perm)
        return {self.EXAMPLES: survivors, self.INDEX_ROWS: index}


class CuratePreferences(beam.PTransform):
    """PCollection[PreferencePair] -> {"preferences": survivors, "index_rows": their DedupKey rows}: exact and
    near-duplicate dedup of DPO and KTO rows (transforms.training.preference_dedup), in run and against `prior`
    (as in CurateTrainingExamples). Counters dedup.preferences.*."""

    PREFERENCES = "preferences"
    INDEX_ROWS = "index_rows"

    def __init__(self, policy: TrainingPolicy, prior: beam.PCollection | Iterable[DedupKey] | None = None,
                 num_perm: int = DEFAULT_NUM_PERM):
        super().__init__()
        self._policy = policy
        self._prior = prior
        self._num_perm = num_perm

    def expand(self, pairs):
        prior = _index_pcollection(pairs.pipeline, self._prior, "Prior index")
        survivors = pairs | "Dedup" >> Dedup(PREFERENCE_DEDUP, self._policy.near_duplicate_threshold, prior,
                                             self._num_perm)
        index = survivors | "Index rows" >> IndexRows(PREFERENCE_DEDUP, self._num_perm)
        return {self.PREFERENCES: survivors, self.INDEX_ROWS: index}


# ------------------------------------------------------------------- candidates, for curating later in order

# A run's training rows before curation, staged under the run's own staging directory when the run curates
# later (an ordered backfill: flows.ordering); never published, removed with the run's staging.
CANDIDATE_TABLES = {"sft": ("_candidates/sft", SFTExample, "example_id"),
                    "preferences": ("_candidates/preferences", PreferencePair, "pair_id")}


def _conversation_id(row) -> str:
    return row.conversation_id


class StageCandidates(beam.PTransform):
    """PCollection of a table's rows ("sft" or "preferences", uncurated) -> Parquet files in the run's staging
    (as many as `lake.shards_for` their size; a wave's files are its own), for ReadCandidates."""

    def __init__(self, lake: LakeConfig, run_id: str, day: date, table: str = "sft", wave: Wave = Wave()):
        super().__init__()
        folder, self._model, self._id_field = CANDIDATE_TABLES[table]
        self._folder = staging_partition(lake.lake_uri, run_id, folder, day)
        self._lake = lake
        self._wave = wave

    def expand(self, rows):
        return rows | "Write candidates" >> StageShardedRows(self._model, self._folder, [self._id_field],
                                                             _conversation_id, self._lake, name=self._wave.name)


def _read_candidates(uri: str, model):
    """One staged candidates file -> its rows (the Arrow round trip loses nothing the model holds)."""
    fs, path = filesystem(uri)
    with fs.open(path, "rb") as handle:
        table = pq.read_table(handle)
    # As datalake.partitions.read_rows: a null in a non-nullable column is a column the file lacks.
    required = {f.name for f in table.schema if not f.nullable}
    for row in table.to_pylist():
        yield model.model_validate({k: v for k, v in row.items() if v is not None or k not in required})


class ReadCandidates(beam.PTransform):
    """pipeline -> the candidates of a table a run staged (StageCandidates). Files listed now."""

    def __init__(self, lake_uri: str, run_id: str, day: date, table: str = "sft"):
        super().__init__()
        folder, self._model, _ = CANDIDATE_TABLES[table]
        self._files = staged_files(lake_uri, run_id, folder, day)

    def expand(self, pbegin):
        return (pbegin | "Candidate files" >> beam.Create(self._files)
                | "Read candidates" >> beam.FlatMap(_read_candidates, self._model))
