"""The judge on Beam: `JudgeConversations`, rules-labeled conversations -> final conversations and judgments.

The judge itself (an OpenAI-compatible client with budgets, retries and a cache) is transforms.label.judge;
applying its verdicts is transforms.label.verdicts. Here: batching, the per-worker budget share, the cache of
earlier judgments as a side input, scrubbing the judge's own text, and the label counters.

The judge's free text (rationale, corrected answer) is untrusted input that reaches the lake: it goes through
the run's scrubber before anything else sees it, like the logs did (the judge saw scrubbed text, but may echo
or invent personal data). The scrubber is built on first need, so a run whose verdicts carry no text pays
nothing. The circuit breaker is the Judge's (one per worker): its counters (`judge.circuit_open` = workers
whose breaker opened, `judge.circuit_failed` = turns not judged because of it) reach the run manifest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.errors import FlywheelError
from schemas.outputs import Judgment
from transforms.beam.metrics import count
from transforms.conversation_step import with_row_id
from transforms.label.judge import Judge
from transforms.label.judge_config import JudgeConfig
from transforms.label.verdicts import apply_judgments, items_to_judge
from transforms.scrub.config import ScrubConfig


class JudgeOutage(FlywheelError):
    """The judge's circuit breaker opened and `JudgeConfig.fail_run_on_outage` says that fails the run."""


def check_judge_outage(config: JudgeConfig | None, counts: dict[str, int]) -> None:
    """After the pipeline: raise JudgeOutage when a breaker opened and the setting asks for a failed run.

    Off (the default), an outage only degrades the day to rules labels for the turns it left unjudged."""
    opened = counts.get("judge.circuit_open", 0)
    if config is not None and config.fail_run_on_outage and opened:
        raise JudgeOutage(
            f"LLM judge unreachable: circuit breaker opened on {opened} worker(s) after "
            f"{config.max_consecutive_failures} consecutive failures, {counts.get('judge.circuit_failed', 0)} "
            "turn(s) not judged; nothing published (judge.fail_run_on_outage is set)")


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

    def __init__(self, judge_config: JudgeConfig | None, scrub: ScrubConfig | None = None):
        self._config = judge_config
        # None: the default ScrubConfig (the judge's text is never left unscrubbed).
        self._scrub_config = scrub
        self._judge: Judge | None = None
        self._scrubber = None

    def setup(self):
        if self._config is not None:
            self._judge = Judge(self._config)

    def _scrubbed(self, judgment: Judgment) -> Judgment:
        """The judgment with its free text scrubbed (one pass, so a value gets one placeholder in both)."""
        texts = [judgment.rationale, judgment.corrected_answer]
        if not any(texts):
            return judgment
        if self._scrubber is None:
            from transforms.scrub.scrubber import Scrubber

            self._scrubber = Scrubber.from_config(self._scrub_config or ScrubConfig())
        (rationale, corrected), found = self._scrubber.scrub_conversation(
            texts, conversation_key=judgment.conversation_id)
        count("judge.pii_scrubbed", sum(found.values()))
        return judgment.model_copy(update={"rationale": rationale, "corrected_answer": corrected})

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
                    judgments[judgment.conversation_id][judgment.message_id] = self._scrubbed(judgment)
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
                    offered = judgments.get(cid, {}).get(turn.message_id)
                    if offered is not None and offered.corrected_answer and offered.reason == "undecided":
                        # kept: verdict and user agree the answer was bad; else the judge's text is dropped
                        count("judge.corrections_kept" if turn.corrected_answer else "judge.corrections_unconfirmed")
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

    def __init__(self, judge: JudgeConfig | None, workers: int = 1, judge_cache: Iterable[Judgment] = (),
                 scrub: ScrubConfig | None = None):
        super().__init__()
        self._config = judge_share(judge, workers)
        self._scrub = scrub
        self._cache = [(j.cache_key, j) for j in judge_cache if j.status == "ok"]

    def expand(self, conversations):
        cache = conversations.pipeline | "Earlier judgments" >> beam.Create(self._cache)
        judged = (
            conversations
            # Batches let the judge keep several requests in flight across conversations.
            | "Batch for the judge" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
            | "Judge undecided turns" >> beam.ParDo(
                JudgeConversationsDoFn(self._config, self._scrub), cache=beam.pvalue.AsDict(cache)).with_outputs(
                JudgeConversationsDoFn.JUDGMENTS, main="conversations")
        )
        return {self.CONVERSATIONS: judged.conversations, self.JUDGMENTS: judged[JudgeConversationsDoFn.JUDGMENTS]}
