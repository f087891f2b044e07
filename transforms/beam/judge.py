"""The judge on Beam: `JudgeConversations`, rules-labeled conversations -> final conversations and judgments.

The judge itself (an OpenAI-compatible client with budgets, retries and a cache) is transforms.label.judge;
applying its verdicts is transforms.label.verdicts. Here: batching, the per-worker budget share, the cache of
earlier judgments, scrubbing the judge's own text, and the label counters.

The cache is the lake's `judgments` table, read on the workers (`ReadJudgeCache`: the file list is taken when
the graph is built, rows are read one file per work item) and joined by cache key with the day's turns to
judge, so each conversation arrives with the earlier verdicts of its own turns only: no step holds the history.

    conversations ─turns to judge─▶ (cache key, conversation id) ─┐
    judgments table ─ok rows─▶ (cache key, judgment) ─────────────┴─CoGroupByKey─▶ (conversation id, verdict)
    conversations ─by id─▶ CoGroupByKey with their verdicts ─▶ (conversation, {cache key: verdict}) ─▶ judge

The judge's free text (rationale, corrected answer) is untrusted input that reaches the lake: it goes through
the run's scrubber before anything else sees it, like the logs did (the judge saw scrubbed text, but may echo
or invent personal data). The scrubber is built on first need, so a run whose verdicts carry no text pays
nothing. The circuit breaker is the Judge's (one per worker): its counters (`judge.circuit_open` = workers
whose breaker opened, `judge.circuit_failed` = turns not judged because of it) reach the run manifest.

With no judge configured the stage is one step (`RulesOnlyDoFn`): no batches, no joins, no judgments. Counts
are summed per bundle (transforms.beam.metrics.CountingDoFn).
"""

from __future__ import annotations

import math
from collections import defaultdict

import apache_beam as beam
import pyarrow.compute as pc
from apache_beam.pvalue import TaggedOutput

from datalake.commits import table_partitions
from datalake.fs import filesystem, full_uri
from datalake.partitions import rows_of
from datalake.reader import read_table_file
from schemas.conversation import Conversation
from schemas.errors import FlywheelError
from schemas.outputs import Judgment
from transforms.beam import row_coders  # noqa: F401 - the row models' coder, picked by the output types below
from transforms.beam.metrics import CountingDoFn
from transforms.conversation_step import with_row_id
from transforms.label.judge import Judge
from transforms.label.judge_config import JudgeConfig
from transforms.label.judge_prompt import cache_key
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


# ------------------------------------------------------------------------------------- the judge cache

def read_cached_judgments(uri: str):
    """One file of the judgments table -> (cache key, Judgment) for its "ok" rows (only those are reused)."""
    data = read_table_file(uri, "judgments")
    for judgment in rows_of(Judgment, data.filter(pc.equal(data.column("status"), "ok"))):
        yield judgment.cache_key, judgment


class ReadJudgeCache(beam.PTransform):
    """pipeline -> (cache key, Judgment): the ok judgments of every committed date (this one included, so a
    rerun pays nothing). The file list is taken when the graph is built; the rows are read on the workers."""

    def __init__(self, lake_uri: str):
        super().__init__()
        fs, _ = filesystem(lake_uri)
        self._files = [full_uri(fs, path) for _, paths in table_partitions(lake_uri, "judgments") for path in paths]

    def expand(self, pbegin):
        files = pbegin | "Judgment files" >> beam.Create(self._files)
        if len(self._files) > 1:
            files = files | "Spread judgment files" >> beam.Reshuffle()
        return files | "Read ok judgments" >> beam.FlatMap(read_cached_judgments).with_output_types(
            tuple[str, Judgment])


class CacheKeysDoFn(beam.DoFn):
    """Conversation -> (cache key, conversation id) for each turn the judge would be asked about."""

    def __init__(self, config: JudgeConfig):
        self._config = config

    def process(self, conversation):
        cfg = self._config
        for item in items_to_judge(conversation, cfg.calibration_rate, cfg.seed):
            yield cache_key(item, cfg.rubric_version, cfg.model), conversation.conversation_id


def verdicts_for_conversations(keyed):
    """(cache key, {"wanted": conversation ids, "cached": judgments}) -> (conversation id, (key, judgment)).

    Of several earlier verdicts on the same content, the first given (judged_at, then id) is reused."""
    key, grouped = keyed
    cached = list(grouped["cached"])
    if not cached:
        return
    verdict = min(cached, key=lambda j: (j.judged_at, j.judgment_id))
    for conversation_id in sorted(set(grouped["wanted"])):
        yield conversation_id, (key, verdict)


def with_cached_verdicts(keyed):
    """(conversation id, {"conversation": [c], "verdicts": [(key, judgment)]}) -> (c, {key: judgment})."""
    _, grouped = keyed
    verdicts = dict(grouped["verdicts"])
    for conversation in grouped["conversation"]:
        yield conversation, verdicts


class FinalConversationsDoFn(CountingDoFn):
    """What both ways of ending the Judge stage share: the verdicts folded into the turns, the row id set, and
    the label counters of the final conversation."""

    def _final(self, conversation: Conversation, judgments: dict[str, Judgment], skipped: set[str],
               cached_ids: set[str], judge_configured: bool) -> Conversation:
        final = with_row_id(apply_judgments(conversation, judgments, skipped, cached_ids,
                                            judge_configured=judge_configured))
        for turn in final.turns:
            self.count("feedback_attached", len(turn.feedback))
            if turn.role == "assistant":
                self.count("assistant_turns")
                self.count(f"label.{turn.label.value}")
                self.count(f"judge_status.{turn.judge_status}")
                offered = judgments.get(turn.message_id)
                if offered is not None and offered.corrected_answer and offered.reason == "undecided":
                    # kept: verdict and user agree the answer was bad; else the judge's text is dropped
                    self.count("judge.corrections_kept" if turn.corrected_answer
                               else "judge.corrections_unconfirmed")
        return final


class RulesOnlyDoFn(FinalConversationsDoFn):
    """Rules-labeled conversation -> final conversation, when no judge is configured: the turns the judge
    would have seen are marked `rules_only`, one element at a time (no batches, no cache join)."""

    def process(self, conversation):
        yield self._final(conversation, {}, set(), set(), judge_configured=False)


class JudgeConversationsDoFn(FinalConversationsDoFn):
    """Batches of (rules-labeled conversation, {cache key: earlier verdict}) -> final conversations (main) and
    Judgment rows ('judgments').

    The judge runs on the turns the rules left undecided plus a calibration sample, through one `Judge`
    per worker (its budget spans the worker's batches). Earlier verdicts on the same content come with each
    conversation, so reruns and backfills do not pay twice.
    """

    JUDGMENTS = "judgments"

    def __init__(self, judge_config: JudgeConfig, scrub: ScrubConfig | None = None):
        self._config = judge_config
        # None: the default ScrubConfig (the judge's text is never left unscrubbed).
        self._scrub_config = scrub
        self._judge: Judge | None = None
        self._scrubber = None

    def setup(self):
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
        self.count("judge.pii_scrubbed", sum(found.values()))
        return judgment.model_copy(update={"rationale": rationale, "corrected_answer": corrected})

    def teardown(self):
        if self._judge is not None:
            self._judge.close()

    def process(self, batch):
        cache: dict[str, Judgment] = {}
        for _, verdicts in batch:
            cache.update(verdicts)
        batch = [conversation for conversation, _ in batch]
        judgments: dict[str, dict[str, Judgment]] = defaultdict(dict)  # conversation id -> message id -> judgment
        skipped: dict[str, set[str]] = defaultdict(set)
        cached_ids: set[str] = set()
        rate, seed = self._config.calibration_rate, self._config.seed
        items = [item for c in batch for item in items_to_judge(c, rate, seed)]
        if items:
            run = self._judge.run(items, cache)
            for name, value in run.counts().items():
                self.count(name.replace("judge_", "judge."), value)
            for judgment in run.judgments:
                judgments[judgment.conversation_id][judgment.message_id] = self._scrubbed(judgment)
            for item in run.skipped:
                skipped[item.conversation_id].add(item.message_id)
            cached_ids = run.cached_ids
        for conversation in batch:
            cid = conversation.conversation_id
            yield self._final(conversation, judgments.get(cid, {}), skipped.get(cid, set()), cached_ids,
                              judge_configured=True)
        for by_message in judgments.values():
            for judgment in by_message.values():
                yield TaggedOutput(self.JUDGMENTS, judgment)


class JudgeConversations(beam.PTransform):
    """Conversation (rules-labeled) -> {"conversations": final Conversation, "judgments": Judgment}.

    judge: this run's JudgeConfig (None = rules only: the turns are marked, in one step); its budget is split
        over `workers`.
    cache: earlier judgments as (cache key, Judgment), e.g. `ReadJudgeCache` (None: no cache); only "ok" ones
        are reused, and only the ones of this day's turns ever leave the join.
    """

    CONVERSATIONS = "conversations"
    JUDGMENTS = "judgments"

    def __init__(self, judge: JudgeConfig | None, workers: int = 1, cache: beam.PCollection | None = None,
                 scrub: ScrubConfig | None = None):
        super().__init__()
        self._judge = judge
        self._config = judge_share(judge, workers)
        self._scrub = scrub
        self._cache = cache

    def expand(self, conversations):
        if self._judge is None:
            # Rules only: nothing to batch, join or ask; the judgments output stays empty.
            final = conversations | "Rules only" >> beam.ParDo(RulesOnlyDoFn()).with_output_types(
                Conversation, **{JudgeConversationsDoFn.JUDGMENTS: Judgment}).with_outputs(
                JudgeConversationsDoFn.JUDGMENTS, main="conversations")
            return {self.CONVERSATIONS: final.conversations,
                    self.JUDGMENTS: final[JudgeConversationsDoFn.JUDGMENTS]}
        # Output types are said outright on every step below: inferring them walks each function's bytecode
        # when the graph is built.
        if self._cache is None:
            with_verdicts = conversations | "No earlier verdicts" >> beam.Map(
                lambda c: (c, {})).with_output_types(tuple[Conversation, dict[str, Judgment]])
        else:
            wanted = conversations | "Turns to judge" >> beam.ParDo(CacheKeysDoFn(self._judge)).with_output_types(
                tuple[str, str])
            ok = self._cache | "Ok verdicts" >> beam.Filter(lambda keyed: keyed[1].status == "ok").with_output_types(
                tuple[str, Judgment])
            verdicts = (
                {"wanted": wanted, "cached": ok}
                | "Join turns with cache" >> beam.CoGroupByKey()
                | "Verdicts by conversation" >> beam.FlatMap(verdicts_for_conversations).with_output_types(
                    tuple[str, tuple[str, Judgment]])
            )
            by_id = conversations | "By id" >> beam.Map(lambda c: (c.conversation_id, c)).with_output_types(
                tuple[str, Conversation])
            with_verdicts = (
                {"conversation": by_id, "verdicts": verdicts}
                | "Join conversations with verdicts" >> beam.CoGroupByKey()
                | "With cached verdicts" >> beam.FlatMap(with_cached_verdicts).with_output_types(
                    tuple[Conversation, dict[str, Judgment]])
            )
        judged = (
            with_verdicts
            # Batches let the judge keep several requests in flight across conversations.
            | "Batch for the judge" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
            | "Judge undecided turns" >> beam.ParDo(
                JudgeConversationsDoFn(self._config, self._scrub)).with_output_types(
                Conversation, **{JudgeConversationsDoFn.JUDGMENTS: Judgment}).with_outputs(
                JudgeConversationsDoFn.JUDGMENTS, main="conversations")
        )
        return {self.CONVERSATIONS: judged.conversations, self.JUDGMENTS: judged[JudgeConversationsDoFn.JUDGMENTS]}
