"""Curating a day run in waves (transforms.beam.waves) in bounded memory: the same verdicts as `Dedup` in one
pipeline, found in passes over the staged candidates, so no pipeline holds the whole day's rows or LSH bands.

The local runner holds every shuffle of a pipeline in memory. Curating a large day's candidates in one pipeline
(the rows pickled until the final join, every row's 14-18 LSH bands) took most of the run's peak memory once
the day itself ran in waves. Here, for one table (sft or preferences), each pass reads the staged candidates
again, file by file:

    exact pass        SFT decontaminated (counted, the dropped ids kept as verdicts); exact keys + the index of
                      other days -> exact losers and repeated ids, counted (dedup.exact_in_run, .exact_earlier);
                      each row's MinHash signature staged (id, group, rank and signature only)
    near pass k of K  the staged signatures (not the rows: no reading, no MinHash again); only the LSH buckets
                      whose hash falls in k: each bucket, with all its members (the run's and other days'), is
                      in exactly one pass -> near losers ("run" / "earlier")
    final pass        the rows minus the losers (a side input of ids and marks, never the rows: they stream
                      from the files), near losers counted once per row; for SFT caps and weights; staged with
                      their index keys

A bucket's verdict depends only on its members, so the passes' near losers are those of one pipeline; the
marks of one row from several passes are united before it is counted. The verdicts and signatures between
passes are files in the run's staging (ids, marks, ranks and signatures: no content), removed with it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import apache_beam as beam
import numpy as np
from apache_beam.pvalue import AsDict, TaggedOutput

from datalake.config import LakeConfig
from datalake.fs import filesystem, full_uri, join, open_atomic
from datalake.partitions import staging_partition
from transforms.beam.dedup import (
    EXACT, REPEAT, DedupFeaturesDoFn, IndexRows, ReadDedupIndex, StageDedupIndex, band_features, exact_losers,
    near_losers, prior_of, survives,
)
from transforms.beam.plan import DayPlan
from transforms.beam.training import CANDIDATE_TABLES, Balance, DecontaminateDoFn, ReadCandidates
from transforms.beam.write import WriteTables
from transforms.training.decontaminate import load_eval_ngrams
from transforms.training.dedup import DEFAULT_NUM_PERM, SFT_DEDUP, minhash_signatures
from transforms.training.preference_dedup import PREFERENCE_DEDUP

SUBJECTS = {"sft": SFT_DEDUP, "preferences": PREFERENCE_DEDUP}
# An SFT example whose prompt overlaps the eval sets: found in the exact pass, dropped in the final one.
DECONTAMINATED = "decontaminated"


def verdicts_folder(lake: LakeConfig, run_id: str, table: str, day: date) -> str:
    return staging_partition(lake.lake_uri, run_id, f"_curation/{table}", day)


class WriteVerdictsDoFn(beam.DoFn):
    """All of a pass's (id, mark) verdicts, as one list -> one JSON-lines file (ids and marks only)."""

    def __init__(self, folder: str, name: str):
        self._folder, self._name = folder, name

    def process(self, verdicts: list):
        fs, folder = filesystem(self._folder)
        fs.makedirs(folder, exist_ok=True)
        with open_atomic(fs, join(folder, self._name), "w") as handle:
            for row_id, mark in sorted(verdicts):
                handle.write(json.dumps([row_id, mark]) + "\n")
        yield len(verdicts)


# The verdict files a pass writes (the signatures files beside them are not verdicts).
EXACT_VERDICTS, ALL_VERDICTS = ("exact",), ("exact", "near-")


def read_verdicts(folder: str, prefixes: tuple[str, ...]):
    """The (id, mark) verdicts of the files in `folder` whose names start with one of `prefixes`."""
    fs, path = filesystem(folder)
    for name in sorted(n for prefix in prefixes for n in fs.glob(join(path, f"{prefix}*.jsonl"))):
        with fs.open(name, "r") as handle:
            for line in handle:
                row_id, mark = json.loads(line)
                yield row_id, mark


class StageSignaturesDoFn(beam.DoFn):
    """A batch of rows -> their exact features ((exact_key, (id, rank)), as DedupFeaturesDoFn's 'exact'), and
    one staged file of their (id, group, rank, signature) records, named after the batch's ids (a retried
    batch rewrites the same file; two batches of the same ids, a repeated id's copies, the same records)."""

    def __init__(self, table: str, threshold: float, folder: str):
        self._subject, self._threshold, self._folder = SUBJECTS[table], threshold, folder

    def process(self, batch: list):
        subject = self._subject
        signatures = minhash_signatures([subject.near_text(r) for r in batch], num_perm=DEFAULT_NUM_PERM)
        records = []
        for row, signature in zip(batch, signatures):
            row_id, rank = subject.row_id(row), subject.rank(row)
            yield subject.exact_key(row), (row_id, rank)
            records.append(json.dumps([row_id, subject.group(row), list(rank), signature.tobytes().hex()]))
        fs, folder = filesystem(self._folder)
        fs.makedirs(folder, exist_ok=True)
        ids = "\n".join(subject.row_id(row) for row in batch)
        name = hashlib.blake2b(ids.encode("utf-8"), digest_size=16).hexdigest()
        with open_atomic(fs, join(folder, f"signatures-{name}.jsonl"), "w") as handle:
            handle.write("\n".join(records) + "\n")


class SignatureBandsDoFn(beam.DoFn):
    """A staged signatures file -> DedupFeaturesDoFn's near-duplicate outputs (bands, 'signatures') of its rows,
    for the LSH buckets of one pass."""

    def __init__(self, threshold: float, buckets: tuple[int, int]):
        self._threshold, self._buckets = threshold, buckets

    def process(self, uri: str):
        fs, path = filesystem(uri)
        with fs.open(path, "r") as handle:
            for line in handle:
                row_id, group, rank, signature = json.loads(line)
                yield from band_features(row_id, tuple(rank), group,
                                         np.frombuffer(bytes.fromhex(signature), dtype=np.uint32),
                                         self._threshold, self._buckets)


class DecontaminateWithVerdictsDoFn(DecontaminateDoFn):
    """As DecontaminateDoFn (counted), and a dropped example's id leaves as a verdict, (id, "decontaminated"):
    the final pass drops it by its verdict instead of checking every example against the eval sets again."""

    DROPPED = "decontaminated"

    def process(self, example):
        kept = list(super().process(example))
        if kept:
            yield from kept
        else:
            yield TaggedOutput(self.DROPPED, (example.example_id, DECONTAMINATED))


def _read(pipeline: beam.Pipeline, plan: DayPlan, table: str):
    return pipeline | "Read candidates" >> ReadCandidates(plan.lake.lake_uri, plan.run_id, plan.day, table=table)


def _write(verdicts, folder: str, name: str):
    return (verdicts | "All verdicts" >> beam.combiners.ToList()
            | "Write verdicts" >> beam.ParDo(WriteVerdictsDoFn(folder, name)))


def _prior(pipeline: beam.Pipeline, plan: DayPlan, table: str) -> beam.PCollection:
    return prior_of(pipeline, pipeline | "ReadDedupIndex" >> ReadDedupIndex(plan.lake.lake_uri, exclude_day=plan.day),
                    SUBJECTS[table])


def build_exact_pass(pipeline: beam.Pipeline, plan: DayPlan, table: str) -> None:
    folder = verdicts_folder(plan.lake, plan.run_id, table, plan.day)
    policy = plan.policy
    rows, verdicts = _read(pipeline, plan, table), []
    ngrams = load_eval_ngrams(policy.eval_sets, policy.decontamination_ngram) if table == "sft" else None
    if ngrams:  # as CurateTrainingExamples: decontaminated examples take no part in dedup
        checked = rows | "Decontaminate" >> beam.ParDo(
            DecontaminateWithVerdictsDoFn(frozenset(ngrams), policy.decontamination_ngram)
        ).with_outputs(DecontaminateWithVerdictsDoFn.DROPPED, main="rows")
        rows = checked.rows
        verdicts.append(checked[DecontaminateWithVerdictsDoFn.DROPPED])
    exact = (
        rows
        | "Batch for MinHash" >> beam.BatchElements(min_batch_size=8, max_batch_size=512)
        | "Exact keys, staged signatures" >> beam.ParDo(
            StageSignaturesDoFn(table, policy.near_duplicate_threshold, folder))
    )
    verdicts.append(exact_losers(exact, _prior(pipeline, plan, table), SUBJECTS[table], mark_repeats=True))
    _write(verdicts | "Exact and decontaminated" >> beam.Flatten(), folder, "exact.jsonl")


def build_near_pass(pipeline: beam.Pipeline, plan: DayPlan, table: str, index: int, count: int) -> None:
    folder = verdicts_folder(plan.lake, plan.run_id, table, plan.day)
    fs, path = filesystem(folder)
    files = [full_uri(fs, name) for name in sorted(fs.glob(join(path, "signatures-*.jsonl")))]
    features = (
        pipeline
        | "Signature files" >> beam.Create(files)
        | "Spread signature files" >> beam.Reshuffle()
        | "Bands of this pass" >> beam.ParDo(SignatureBandsDoFn(plan.policy.near_duplicate_threshold,
                                                                (index, count)))
        .with_outputs(DedupFeaturesDoFn.SIGNATURES, main="bands")
    )
    exact = (pipeline | "Exact verdicts file" >> beam.Create([folder])
             | "Exact verdicts" >> beam.FlatMap(read_verdicts, EXACT_VERDICTS)
             | "Exact losers only" >> beam.Filter(lambda verdict: verdict[1] == EXACT))
    losers = near_losers(features, _prior(pipeline, plan, table), exact, plan.policy.near_duplicate_threshold)
    _write(losers, folder, f"near-{index:03d}of{count:03d}.jsonl")


class KeepSurvivorsByVerdictDoFn(beam.DoFn):
    """A row -> itself unless its loser marks (a side input: id -> set of marks) drop it; a repeated id's copies
    go to 'repeats', to be judged once."""

    REPEATS = "repeats"

    def __init__(self, table: str):
        self._subject = SUBJECTS[table]

    def process(self, row, marks_by_id):
        row_id = self._subject.row_id(row)
        marks = marks_by_id.get(row_id, set())
        if REPEAT in marks:
            yield TaggedOutput(self.REPEATS, (row_id, row))
        elif _survives(marks, self._subject.counter):
            yield row


def _survives(marks: set[str], counter: str) -> bool:
    """dedup.survives, and a decontaminated example never survives (it was counted where it was found)."""
    return DECONTAMINATED not in marks and survives(marks, counter)


def build_final_pass(pipeline: beam.Pipeline, plan: DayPlan, table: str) -> None:
    subject, model = SUBJECTS[table], CANDIDATE_TABLES[table][1]
    rows = _read(pipeline, plan, table)
    folder = verdicts_folder(plan.lake, plan.run_id, table, plan.day)
    marks = (pipeline | "Verdict files" >> beam.Create([folder])
             | "Verdicts" >> beam.FlatMap(read_verdicts, ALL_VERDICTS)
             | "Marks by id" >> beam.GroupByKey()
             | "As sets" >> beam.MapTuple(lambda row_id, marks_of_row: (row_id, set(marks_of_row))))
    kept = rows | "Keep survivors" >> beam.ParDo(KeepSurvivorsByVerdictDoFn(table), AsDict(marks)).with_outputs(
        KeepSurvivorsByVerdictDoFn.REPEATS, main="rows")

    def one_copy(keyed, marks_by_id):
        row_id, copies = keyed
        if _survives(marks_by_id[row_id] - {REPEAT}, subject.counter):
            yield next(iter(copies))  # the copies are one row

    repeated = (kept[KeepSurvivorsByVerdictDoFn.REPEATS] | "Group repeats" >> beam.GroupByKey()
                | "One copy" >> beam.FlatMap(one_copy, AsDict(marks)).with_output_types(model))
    survivors = (kept.rows, repeated) | "Survivors" >> beam.Flatten().with_output_types(model)
    if table == "sft":
        survivors = survivors | "Balance" >> Balance(plan.policy.category_caps, plan.policy.category_weights)
    index = survivors | "Index rows" >> IndexRows(subject, DEFAULT_NUM_PERM)
    {table: survivors} | "WriteTables" >> WriteTables(plan.lake, plan.run_id, plan.day)
    index | "StageDedupIndex" >> StageDedupIndex(plan.lake, plan.run_id, plan.day, table)
