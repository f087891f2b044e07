"""The pipeline's Beam metrics: namespaces and the count helpers every DoFn uses.

Counters in `METRICS_NAMESPACE` become the run manifest's counts (`pipeline.read_counts`); their names are
part of the manifest's format, so a rename is a format change. Lines read per input file go to their own
namespace, one counter per file URI (the manifest's `inputs`).
"""

from __future__ import annotations

from apache_beam.metrics import Metrics

METRICS_NAMESPACE = "flywheel"
# Lines read per input file: the counter's name is the file's URI.
INPUT_LINES_NAMESPACE = "flywheel.input_lines"


def count(name: str, value: int = 1) -> None:
    """Add `value` to the counter `name` of the run (summed over workers and steps)."""
    Metrics.counter(METRICS_NAMESPACE, name).inc(value)


def count_input_lines(uri: str, lines: int) -> None:
    Metrics.counter(INPUT_LINES_NAMESPACE, uri).inc(lines)
