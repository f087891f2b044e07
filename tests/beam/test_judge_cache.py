"""The judge cache read from the lake inside the pipeline: only ok verdicts, only for the day's turns."""

from datetime import date, datetime, timezone

import apache_beam as beam
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from datalake.partitions import publish_day, staging_partition, write_rows
from schemas.outputs import Judgment
from transforms.beam.judge import ReadJudgeCache, verdicts_for_conversations

DAY = date(2026, 11, 27)


def judgment(i: int, key: str, status: str = "ok", hour: int = 1) -> Judgment:
    return Judgment(judgment_id=f"j{i}", cache_key=key, conversation_id=f"c{i}", message_id=f"m{i}", turn_index=1,
                    rubric_version="v1", model="m", reason="undecided", status=status, quality=8,
                    judged_at=datetime(2026, 11, 27, hour, tzinfo=timezone.utc))


def test_the_cache_is_the_lakes_ok_judgments_read_on_the_workers(tmp_path):
    lake = str(tmp_path)
    folder = staging_partition(lake, "run1", "judgments", DAY)
    write_rows(f"{folder}/part-00000-of-00002.parquet", Judgment, [judgment(1, "k1"), judgment(2, "k2", "failed")])
    write_rows(f"{folder}/part-00001-of-00002.parquet", Judgment, [judgment(3, "k3")])
    publish_day(lake, "run1", DAY, ["judgments"])
    with beam.Pipeline(runner=FnApiRunner()) as p:
        cache = p | ReadJudgeCache(lake)
        assert_that(cache | beam.Map(lambda kv: (kv[0], kv[1].judgment_id)), equal_to([("k1", "j1"), ("k3", "j3")]))


def test_each_wanted_conversation_gets_the_first_verdict_given_on_its_content():
    later, first = judgment(1, "k", hour=5), judgment(2, "k", hour=2)
    out = list(verdicts_for_conversations(("k", {"wanted": ["c9", "c8", "c9"], "cached": [later, first]})))
    assert out == [("c8", ("k", first)), ("c9", ("k", first))]
    assert list(verdicts_for_conversations(("k", {"wanted": ["c9"], "cached": []}))) == []
