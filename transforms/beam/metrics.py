"""The pipeline's Beam metrics: namespaces and the count helpers every DoFn uses.

Counters in `METRICS_NAMESPACE` become the run manifest's counts (`pipeline.read_counts`); their names are
part of the manifest's format, so a rename is a format change. Lines read per input file go to their own
namespace, one counter per file URI (the manifest's `inputs`); how each file's reading ended goes to another,
one counter per file whose name carries the URI, status and error (counters carry only numbers, and the
manifest needs the text).

A counter update through Beam costs a few microseconds (a metric-name object, the step's container looked
up), and the per-conversation steps count several things per turn: their DoFns (`CountingDoFn`) sum counts in
a dict over a bundle and send each name to Beam once, when the bundle finishes. A name counted with 0 is still
sent, so the manifest lists the same names either way.
"""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.metrics import Metrics

METRICS_NAMESPACE = "flywheel"
# Lines read per input file: the counter's name is the file's URI.
INPUT_LINES_NAMESPACE = "flywheel.input_lines"
# How reading each input file ended: the counter's name is JSON [uri, status, error], its value 1.
INPUT_STATUS_NAMESPACE = "flywheel.input_status"


def count(name: str, value: int = 1) -> None:
    """Add `value` to the counter `name` of the run (summed over workers and steps)."""
    Metrics.counter(METRICS_NAMESPACE, name).inc(value)


class CountingDoFn(beam.DoFn):
    """A DoFn whose counts (`self.count`) reach Beam once per name per bundle, in `finish_bundle`.

    A bundle that fails sends none of its counts; its retry counts them. Subclasses that define
    start_bundle or finish_bundle call these too."""

    def start_bundle(self):
        self._bundle_counts: dict[str, int] = {}

    def count(self, name: str, value: int = 1) -> None:
        """Add `value` to the counter `name`, sent to Beam when the bundle finishes."""
        self._bundle_counts[name] = self._bundle_counts.get(name, 0) + value

    def finish_bundle(self):
        for name, value in self._bundle_counts.items():
            count(name, value)
        self._bundle_counts = {}


def count_input_lines(uri: str, lines: int) -> None:
    Metrics.counter(INPUT_LINES_NAMESPACE, uri).inc(lines)


def report_input_file(uri: str, status: str, error: str | None) -> None:
    Metrics.counter(INPUT_STATUS_NAMESPACE, json.dumps([uri, status, error])).inc()


def parse_input_file_report(name: str) -> tuple[str, str, str | None]:
    """(uri, status, error) from a counter name written by `report_input_file`."""
    uri, status, error = json.loads(name)
    return uri, status, error
