"""StageShardedRows and StageQuarantine on FnApiRunner: as many files as the rows' size needs, each sorted,
every row once, the same bytes whatever order the rows came in."""

import json
import zlib
from datetime import date

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from datalake.config import LakeConfig
from schemas.outputs import ChatMessage, QuarantinedLine, SFTExample
from transforms.beam.write import StageQuarantine, StageShardedRows

DAY = date(2026, 11, 27)


def example(i: int) -> SFTExample:
    return SFTExample(example_id=f"x{i:05d}", conversation_id=f"c{i % 97}", target_message_id=f"m{i}",
                      target_turn_index=1, label="positive", source="events",
                      messages=[ChatMessage(role="user", content=f"question {i}"),
                                ChatMessage(role="assistant", content=f"answer {i} " + "words " * 150)])


def stage(numbers, folder, lake):
    """Stage example(i) for i in numbers (made on the worker: a Create of the rows themselves is slow)."""
    with beam.Pipeline(runner=FnApiRunner()) as p:
        _ = (p | beam.Create(numbers) | beam.Map(example)
             | StageShardedRows(SFTExample, str(folder), ["example_id"], lambda r: r.conversation_id, lake,
                                counter="sft"))
    return sorted(folder.glob("*.parquet"))


def test_a_partition_gets_as_many_sorted_files_as_its_size_needs_and_the_same_bytes_on_a_rerun(tmp_path):
    numbers = list(range(2500))  # ~2.5 MB of Arrow data: 3 files of at most ~1 MB
    lake = LakeConfig(lake_uri=str(tmp_path), quarantine_uri=str(tmp_path / "q"), file_mb=1)
    files = stage(numbers, tmp_path / "a", lake)
    assert [f.name for f in files] == [f"part-{i:05d}-of-00003.parquet" for i in range(3)]
    seen = []
    for shard, path in enumerate(files):
        table = pq.read_table(path)
        ids = table.column("example_id").to_pylist()
        assert ids == sorted(ids)
        # a conversation's rows share a file: the one its id hashes to
        assert {zlib.crc32(c.encode()) % 3 for c in table.column("conversation_id").to_pylist()} == {shard}
        seen += ids
    assert sorted(seen) == [example(i).example_id for i in numbers]

    again = stage(list(reversed(numbers)), tmp_path / "b", lake)
    assert [f.read_bytes() for f in again] == [f.read_bytes() for f in files]


def test_a_small_partition_is_one_file_and_a_fixed_shard_count_wins(tmp_path):
    sized = LakeConfig(lake_uri=str(tmp_path), quarantine_uri=str(tmp_path / "q"))
    assert [f.name for f in stage(range(20), tmp_path / "a", sized)] == ["part-00000-of-00001.parquet"]
    fixed = sized.model_copy(update={"shards": 2})
    assert [f.name for f in stage(range(20), tmp_path / "b", fixed)] == [f"part-0000{i}-of-00002.parquet" for i in (0, 1)]


def test_the_quarantine_is_split_by_the_size_of_its_lines(tmp_path):
    def line(i):
        return QuarantinedLine(reason="invalid JSON", source_uri=f"f{i % 3}.jsonl", line_number=i, raw_line="{" * 5000)

    lake = LakeConfig(lake_uri=str(tmp_path / "lake"), quarantine_uri=str(tmp_path / "q"), file_mb=1)
    with beam.Pipeline(runner=FnApiRunner()) as p:  # 500 lines, 2.5 MB of raw lines
        _ = p | beam.Create(range(500)) | beam.Map(line) | StageQuarantine(lake, "run1", DAY)
    files = sorted((tmp_path / "q" / "_staging" / "run1").iterdir())
    assert [f.name for f in files] == [f"dt={DAY}.part-0000{i}-of-00003.jsonl" for i in range(3)]
    staged = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert sorted(q["line_number"] for q in staged) == list(range(500))
