"""The hostile-line corpus (tests/ingest/hostile_lines.py): every kind is quarantined with its reason and line
number, the lines around it are read, counts reconcile, and a day holding all of them still publishes.

Two levels: the plain-Python file parse per kind (fast), and one real day through `process_day` (Beam on
FnApiRunner, regex scrubbing) with one file per kind.
"""

from __future__ import annotations

import json

import pytest

from flows.day import process_day
from flows.settings import load_settings
from schemas.outputs import QuarantinedLine
from transforms.ingest.config import IngestConfig
from transforms.ingest.log_file import LogFileParse, ParsedLine
from transforms.ingest.window import EventWindow

from hostile_lines import CANARY, CORPUS, DAY, HOSTILE_LINE_NUMBER, KINDS, MAX_LINE_BYTES, write_hostile_day

CONFIG = IngestConfig(max_line_bytes=MAX_LINE_BYTES)


def test_the_corpus_has_at_least_25_kinds():
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_hostile_line_is_quarantined_and_its_file_goes_on(tmp_path, kind):
    (path,) = write_hostile_day(tmp_path, [kind]).values()
    parse = LogFileParse(str(path), "auto", EventWindow.for_day(DAY, CONFIG), CONFIG)

    items = list(parse)

    quarantined = [item for item in items if isinstance(item, QuarantinedLine)]
    assert [(q.line_number, q.source_uri) for q in quarantined] == [(HOSTILE_LINE_NUMBER, str(path))]
    reason = quarantined[0].reason
    assert reason.startswith(KINDS[kind].reason), reason
    assert "canary" not in reason.lower() and "hostile-c" not in reason
    # The lines before and after it were read and accepted.
    assert [item.number for item in items if isinstance(item, ParsedLine)] == [1, 2, 4]
    assert parse.status == "read" and parse.error is None
    assert (parse.lines_read, parse.lines_accepted, parse.lines_quarantined, parse.lines_blank) == (4, 3, 1, 0)
    # The quarantine keeps (a bounded rendering of) the raw line for its owner, as valid text.
    assert len(quarantined[0].raw_line.encode("utf-8")) <= max(len(KINDS[kind].line) * 4, 1024)


@pytest.fixture(scope="module")
def hostile_day(tmp_path_factory):
    """All kinds in one day, one file each, through the real flow (Beam pipeline, publish, manifest)."""
    root = tmp_path_factory.mktemp("hostile_day")
    files = write_hostile_day(root / "logs" / DAY.isoformat())
    settings = load_settings(source_uri=str(root / "logs"), lake_uri=str(root / "lake"),
                             quarantine_uri=str(root / "quarantine"), scrub_mode="regex", shards=1,
                             ingest=CONFIG)
    manifest = process_day(settings, DAY)
    (published,) = (root / "quarantine" / f"dt={DAY.isoformat()}").glob("*.jsonl")
    quarantine = [json.loads(line) for line in published.read_text(encoding="utf-8").splitlines()]
    return files, manifest, quarantine, root


def test_a_day_with_every_hostile_kind_publishes_and_reconciles(hostile_day):
    files, manifest, quarantine, root = hostile_day
    assert manifest.status == "succeeded", manifest.error
    counts = manifest.counts
    assert counts["lines_read"] == 4 * len(CORPUS)
    assert counts["lines_quarantined"] == len(CORPUS) == len(quarantine)
    assert counts["lines_read"] == counts["lines_accepted"] + counts["lines_quarantined"] + counts["lines_blank"]
    assert {item.status for item in manifest.inputs} == {"read"}
    assert all(item.lines == 4 for item in manifest.inputs)
    # Every file's own conversation made it to the lake.
    assert counts["conversations"] == len(CORPUS)
    assert CANARY not in json.dumps(manifest.model_dump(mode="json"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_day_quarantines_each_kind_where_it_is(hostile_day, kind):
    files, _, quarantine, _ = hostile_day
    (record,) = [q for q in quarantine if q["source_uri"] == str(files[kind])]
    assert record["line_number"] == HOSTILE_LINE_NUMBER
    assert record["reason"].startswith(KINDS[kind].reason)
