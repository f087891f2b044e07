"""The judge on Beam: `JudgeConversations`, rules-labeled conversations -> final conversations and judgments.

The judge itself (an OpenAI-compatible client with budgets, retries and a cache) is transforms.label.judge;
applying its verdicts is transforms.label.verdicts. Here: batching, the per-worker budget share, the cache of
earlier judgments as a side input, and the label counters.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.outputs import Judgment
from transforms.beam.metrics import count
from transforms.conversation_step import with_row_id
from transforms.label.judge import Judge
from transforms.label.judge_config import JudgeConfig
from transforms.label.verdicts import apply_judgments, items_to_judge


def judge_share(config: JudgeConfig | None, workers: int) -> JudgeConfig | None:
    """Each worker's share of the run's judge budget (one Judge per worker keeps its own count)."""
    if config is None or workers <= 1:
        return config
    share = {k: math.ceil(getattr(config, k) / workers) for k in ("max_calls", "max_tokens")
             if getattr(config, k) is not None}
    return config.model_copy(update=share)


class JudgeConversationsDoFn(beam.DoFn):
    """Batches of rules-labeled conversations -> final conversations (main) and Judgment rows ('judgments').

    The judge runs on the turns the rules left undecided plus a calibration sample, through one `Judge`
    per worker (its budget spans the worker's batches). Earlier judgments arrive as the `cache` side
    input, so reruns and backfills do not pay twice. With no judge configured, turns are only marked.
    """

    JUDGMENTS = "judgments"

    def __init__(self, judge_config: JudgeConfig | None):
        self._config = judge_config
        self._judge: Judge | None = None

    def setup(self):
        if self._config is not None:
            self._judge = Judge(self._config)

    def teardown(self):
        if self._judge is not None:
            self._judge.close()

    def process(self, batch, cache):
        judgments: dict[str, dict[str, Judgment]] = defaultdict(dict)  # conversation id -> message id -> judgment
        skipped: dict[str, set[str]] = defaultdict(set)
        cached_ids: set[str] = set()
        if self._judge is not None:
            rate, seed = self._config.calibration_rate, self._config.seed
            items = [item for c in batch for item in items_to_judge(c, rate, seed)]
            if items:
                run = self._judge.run(items, cache)
                for name, value in run.counts().items():
                    count(name.replace("judge_", "judge."), value)
                for judgment in run.judgments:
                    judgments[judgment.conversation_id][judgment.message_id] = judgment
                for item in run.skipped:
                    skipped[item.conversation_id].add(item.message_id)
                cached_ids = run.cached_ids
        for conversation in batch:
            cid = conversation.conversation_id
            final = with_row_id(apply_judgments(conversation, judgments.get(cid, {}), skipped.get(cid, set()),
                                                cached_ids, judge_configured=self._judge is not None))
            for turn in final.turns:
                count("feedback_attached", len(turn.feedback))
                if turn.role == "assistant":
                    count("assistant_turns")
                    count(f"label.{turn.label.value}")
                    count(f"judge_status.{turn.judge_status}")
            yield final
        for by_message in judgments.values():
            for judgment in by_message.values():
                yield TaggedOutput(self.JUDGMENTS, judgment)


class JudgeConversations(beam.PTransform):
    """Conversation (rules-labeled) -> {"conversations": final Conversation, "judgments": Judgment}.

    judge: this run's JudgeConfig (None = rules only); its budget is split over `workers`.
    judge_cache: earlier judgments (this date's included); only "ok" ones are reused.
    """

    CONVERSATIONS = "conversations"
    JUDGMENTS = "judgments"

    def __init__(self, judge: JudgeConfig | None, workers: int = 1, judge_cache: Iterable[Judgment] = ()):
        super().__init__()
        self._config = judge_share(judge, workers)
        self._cache = [(j.cache_key, j) for j in judge_cache if j.status == "ok"]

    def expand(self, conversations):
        cache = conversations.pipeline | "Earlier judgments" >> beam.Create(self._cache)
        judged = (
            conversations
            # Batches let the judge keep several requests in flight across conversations.
            | "Batch for the judge" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
            | "Judge undecided turns" >> beam.ParDo(
                JudgeConversationsDoFn(self._config), cache=beam.pvalue.AsDict(cache)).with_outputs(
                JudgeConversationsDoFn.JUDGMENTS, main="conversations")
        )
        return {self.CONVERSATIONS: judged.conversations, self.JUDGMENTS: judged[JudgeConversationsDoFn.JUDGMENTS]}
