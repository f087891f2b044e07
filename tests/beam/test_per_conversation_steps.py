"""The per-conversation steps' Beam plumbing: counts sent once per bundle, the rows' coder, rules-only judging."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.typehints import typehints

from schemas.conversation import Conversation, Label, LabelDecision, Turn
from transforms.beam import metrics
from transforms.beam.judge import JudgeConversations
from transforms.beam.metrics import METRICS_NAMESPACE, CountingDoFn
from transforms.beam.row_coders import SIZE_SAMPLES, RowCoder
from transforms.beam.rows import BuildTrainingRows
from transforms.training.policy import TrainingPolicy

AT = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)


def conversation(cid: str, answer: str = "Paris is the capital of France.", label=Label.unknown) -> Conversation:
    # A labeled answer carries the user's thumbs up: decided, so no judge would be asked about it.
    decisions = [] if label == Label.unknown else [
        LabelDecision(rule_id="feedback.thumbs_up", rules_version="v1", label=label, confidence=0.95)]
    turns = [Turn(turn_index=0, message_id=f"{cid}-u", role="user", content="What is the capital of France?",
                  timestamp=AT),
             Turn(turn_index=1, message_id=f"{cid}-a", parent_id=f"{cid}-u", role="assistant", content=answer,
                  timestamp=AT, label=label, decisions=decisions)]
    return Conversation(row_id="", conversation_id=cid, source="test", started_at=AT, ended_at=AT, n_turns=2,
                        turns=turns)


class CountWordsDoFn(CountingDoFn):
    def process(self, text):
        self.count("words", len(text.split()))
        self.count("texts")
        yield text


def counters(result) -> dict[str, int]:
    return {c.key.metric.name: c.committed for c in result.metrics().query(MetricsFilter())["counters"]
            if c.key.metric.namespace == METRICS_NAMESPACE}


def test_bundle_counts_add_up_and_keep_names_counted_with_zero():
    with beam.Pipeline(runner=FnApiRunner()) as p:
        p | beam.Create(["a b", "", "c d e"]) | beam.ParDo(CountWordsDoFn())
    result = p.result
    assert counters(result) == {"words": 5, "texts": 3}
    with beam.Pipeline(runner=FnApiRunner()) as p:
        p | beam.Create([""]) | beam.ParDo(CountWordsDoFn())
    assert counters(p.result) == {"words": 0, "texts": 1}


def test_counts_wait_for_the_end_of_the_bundle(monkeypatch):
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(metrics, "count", lambda name, value=1: sent.append((name, value)))
    do_fn = CountWordsDoFn()
    do_fn.start_bundle()
    for text in ["a b", "c"]:
        list(do_fn.process(text))
    assert sent == []
    do_fn.finish_bundle()
    assert sorted(sent) == [("texts", 2), ("words", 3)]


def test_row_models_get_the_row_coder_and_batches_of_them_too():
    registry = beam.coders.registry
    assert isinstance(registry.get_coder(Conversation), RowCoder)
    batch_coder = registry.get_coder(typehints.List[Conversation])
    assert [type(c) for c in batch_coder._get_component_coders()] == [RowCoder]
    row = conversation("c1")
    assert RowCoder(Conversation).decode(RowCoder(Conversation).encode(row)) == row


def test_row_sizes_are_measured_then_estimated_by_their_mean():
    impl = RowCoder(Conversation).get_impl()
    rows = [conversation(f"c{i}", answer="x" * (100 + i)) for i in range(SIZE_SAMPLES)]
    sizes = [impl.estimate_size(row) for row in rows]
    assert sizes == [len(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)) for row in rows]
    huge = conversation("big", answer="x" * 100_000)
    assert impl.estimate_size(huge) == sum(sizes) // len(sizes)  # not encoded: the mean stands in


def test_rules_only_judge_marks_turns_and_rows_carry_their_types():
    with beam.Pipeline(runner=FnApiRunner()) as p:
        labeled = p | beam.Create([conversation("c1"), conversation("c2", label=Label.positive)]).with_output_types(
            Conversation)
        judged = labeled | JudgeConversations(None)
        rows = judged[JudgeConversations.CONVERSATIONS] | BuildTrainingRows(TrainingPolicy())
        assert judged[JudgeConversations.CONVERSATIONS].element_type is Conversation
        assert isinstance(beam.coders.registry.get_coder(rows[BuildTrainingRows.PREFERENCES].element_type), RowCoder)
        assert_that(judged[JudgeConversations.CONVERSATIONS]
                    | beam.Map(lambda c: (c.conversation_id, c.turns[1].judge_status, bool(c.row_id))),
                    equal_to([("c1", "rules_only", True), ("c2", "not_needed", True)]), label="marked")
        assert_that(judged[JudgeConversations.JUDGMENTS], equal_to([]), label="no judgments")
    counts = counters(p.result)
    assert (counts["assistant_turns"], counts["judge_status.rules_only"], counts["judge_status.not_needed"]) == (2, 1, 1)
