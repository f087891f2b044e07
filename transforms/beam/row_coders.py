"""How the lake's row models travel between steps: one pickle a row (as Beam's default coder does), with a size
estimate that does not encode every row.

Beam samples the elements of each PCollection to estimate their size (the runner's byte counters). A batch
(BatchElements before the Parquet writer, the judge or MinHash) is one element to it, and the default coder
sizes a batch by pickling every row in it; batches are few, so nearly all of them are sampled: a regex-only
day pickled every conversation once more for nothing but this (~0.45 CPU-s of ~18 for 3,000 conversations,
measured with bench/profile_day.py). `RowCoder` measures the first SIZE_SAMPLES rows it is asked about
exactly, by encoding them, and estimates the others by their mean: an estimate is all the counters want
(Beam's `Coder.estimate_size` invites a fast one).

The coder is registered for the row models on import; a step whose output is one of them says so
(`with_output_types`), which is how Beam picks a PCollection's coder. `_create_impl` is a Beam-internal hook
(apache-beam 2.77, pinned): tests/beam/test_row_coders.py breaks if its contract changes.
"""

from __future__ import annotations

import pickle

import apache_beam as beam
from apache_beam.coders import coder_impl

from schemas.conversation import Conversation
from schemas.outputs import Judgment, PreferencePair, QuarantinedLine, SFTExample

ROW_MODELS = (Conversation, Judgment, SFTExample, PreferencePair, QuarantinedLine)
# Rows measured exactly before the mean stands in for the rest (per coder, per worker).
SIZE_SAMPLES = 64


class MeanRowSize:
    """A row's encoded size: exact for the first SIZE_SAMPLES rows, their mean after that."""

    def __init__(self, encode):
        self._encode = encode
        self._measured = 0
        self._total = 0

    def __call__(self, row) -> int:
        if self._measured < SIZE_SAMPLES:
            size = len(self._encode(row))
            self._measured += 1
            self._total += size
            return size
        return self._total // self._measured


class RowCoder(beam.coders.Coder):
    """A row model (pydantic) as one pickle; its size estimated by `MeanRowSize`."""

    def __init__(self, model: type):
        self._model = model

    @classmethod
    def from_type_hint(cls, typehint, registry):
        return cls(typehint)

    def encode(self, row) -> bytes:
        return pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)

    def decode(self, encoded: bytes):
        return pickle.loads(encoded)

    def is_deterministic(self) -> bool:
        return False  # a value coder only: rows are never keys

    def to_type_hint(self):
        return self._model

    def _create_impl(self):
        return coder_impl.CallbackCoderImpl(self.encode, self.decode, MeanRowSize(self.encode))

    def __repr__(self) -> str:
        return f"RowCoder[{self._model.__name__}]"


for _model in ROW_MODELS:
    beam.coders.registry.register_coder(_model, RowCoder)
