"""Training rows on Beam: `BuildTrainingRows`, final conversations -> SFT candidates and preference pairs.

Selection and filters are transforms.training.rows; curation of the SFT candidates (decontamination, dedup,
balance) follows in transforms.beam.training.CurateTrainingExamples.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.outputs import PreferencePair, SFTExample
from transforms.beam import row_coders  # noqa: F401 - the row models' coder, picked by the output types below
from transforms.beam.metrics import CountingDoFn
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows


class BuildTrainingRowsDoFn(CountingDoFn):
    """A final conversation -> SFT candidates (main) and preference rows ('preferences').

    Every filter's and selection rule's drop count becomes a counter, so the manifest says why rows went,
    and rows whose context was cut to TrainingPolicy.max_context_turns are counted (rows_context_trimmed);
    counts reach Beam once per bundle (CountingDoFn).
    """

    PREFERENCES = "preferences"

    def __init__(self, policy: TrainingPolicy):
        self._policy = policy

    def process(self, conversation):
        candidates = build_training_rows(conversation, self._policy)
        for reason, dropped in candidates.dropped.items():
            self.count(reason, dropped)
        self.count("sft_candidates", len(candidates.sft))
        if candidates.context_trimmed:
            self.count("rows_context_trimmed", candidates.context_trimmed)
        for pair in candidates.preferences:
            self.count(f"preferences.{pair.kind}")
            yield TaggedOutput(self.PREFERENCES, pair)
        yield from candidates.sft


class BuildTrainingRows(beam.PTransform):
    """Conversation -> {"sft": SFTExample candidates, "preferences": PreferencePair}."""

    SFT = "sft"
    PREFERENCES = "preferences"

    def __init__(self, policy: TrainingPolicy):
        super().__init__()
        self._policy = policy

    def expand(self, conversations):
        # The output types said outright: inferring them walks the row builder's code at graph construction; they
        # pick the rows' coder (transforms.beam.row_coders).
        rows = conversations | "Build rows" >> beam.ParDo(BuildTrainingRowsDoFn(self._policy)).with_output_types(
            SFTExample, **{BuildTrainingRowsDoFn.PREFERENCES: PreferencePair}).with_outputs(
            BuildTrainingRowsDoFn.PREFERENCES, main="sft")
        return {self.SFT: rows.sft, self.PREFERENCES: rows[BuildTrainingRowsDoFn.PREFERENCES]}
