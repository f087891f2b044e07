"""Training rows on Beam: `BuildTrainingRows`, final conversations -> SFT candidates and preference pairs.

Selection and filters are transforms.training.rows; curation of the SFT candidates (decontamination, dedup,
balance) follows in transforms.beam.training.CurateTrainingExamples.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.outputs import SFTExample
from transforms.beam.metrics import count
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows


class BuildTrainingRowsDoFn(beam.DoFn):
    """A final conversation -> SFT candidates (main) and preference rows ('preferences').

    Every filter's and selection rule's drop count becomes a counter, so the manifest says why rows went,
    and rows whose context was cut to TrainingPolicy.max_context_turns are counted (rows_context_trimmed).
    """

    PREFERENCES = "preferences"

    def __init__(self, policy: TrainingPolicy):
        self._policy = policy

    def process(self, conversation):
        candidates = build_training_rows(conversation, self._policy)
        for reason, dropped in candidates.dropped.items():
            count(reason, dropped)
        count("sft_candidates", len(candidates.sft))
        if candidates.context_trimmed:
            count("rows_context_trimmed", candidates.context_trimmed)
        for pair in candidates.preferences:
            count(f"preferences.{pair.kind}")
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
        # The output type said outright: inferring it walks the whole row builder's code at graph construction.
        rows = conversations | "Build rows" >> beam.ParDo(BuildTrainingRowsDoFn(self._policy)).with_output_types(
            SFTExample).with_outputs(BuildTrainingRowsDoFn.PREFERENCES, main="sft")
        return {self.SFT: rows.sft, self.PREFERENCES: rows[BuildTrainingRowsDoFn.PREFERENCES]}
