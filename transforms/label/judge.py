"""The LLM judge client: grades the assistant turns the rules could not decide (plus a calibration sample).

Plain Python, no Beam: the Beam wrapper calls `Judge.run` / `judge_items` on batches. Its settings are
`judge_config.JudgeConfig`; what it sends and how it reads the answer are in `judge_prompt.py`.

- Any OpenAI-compatible endpoint through the official `openai` SDK (one client per `Judge`, the SDK's own
  retries off: this module retries 429 / 5xx / timeouts / connection errors itself, with exponential
  backoff, seeded jitter, and Retry-After honoured up to a cap).
- Structured outputs first (`response_format` json_schema, strict). An endpoint that rejects them (HTTP
  400/422 naming response_format / json_schema / "unsupported") is remembered for the rest of the run and
  asked for a plain JSON object instead. Every answer is validated against `JudgeVerdict`; an invalid
  one gets ONE repair request, then the turn is a `failed` judgment.
- Budget: max_calls (HTTP requests, retries and repairs included) and max_tokens (usage reported so far
  plus estimates for the calls in flight). Items the budget no longer covers come back in `skipped`.
- Cache: `judge_prompt.cache_key` (content + rubric version + model, not ids) into earlier ok judgments
  (`cache_from`); identical content twice in one batch is judged once.
- Circuit breaker: after `max_consecutive_failures` turns in a row failed because the endpoint was
  unreachable (connection refused, timeouts, 429/5xx after all retries, 401/403/404), the Judge makes no
  more calls for its lifetime (one run on one worker): in-flight items stop before their next attempt,
  later ones fail at once, all as `failed` judgments (the pipeline marks them judge_failed, rules labels
  kept). Without it, an endpoint refusing connections costs every item its full retries and backoff.
- The verdict's free text is untrusted: the rationale is cut and an overlong corrected answer discarded
  (`judge_prompt.bound_free_text`); what is left is scrubbed and filtered downstream.
- Logs carry counts and status codes only, never prompt or answer text.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from schemas.outputs import Judgment
from transforms.ids import stable_id
from transforms.label.judge_config import JudgeConfig
from transforms.label.judge_prompt import (
    InvalidAnswer, JudgeItem, JudgeVerdict, bound_free_text, build_messages, cache_key, load_rubric, parse_verdict,
    response_format,
)

logger = logging.getLogger(__name__)

_MAX_ERROR_CHARS = 300
_MAX_REPAIR_ECHO_CHARS = 4000
_CHARS_PER_TOKEN = 4  # rough, only for budget reservations and servers that report no usage
# The `error` note of an ok judgment whose corrected answer exceeded max_corrected_answer_chars.
_CORRECTION_TOO_LONG = "corrected_answer discarded: longer than max_corrected_answer_chars"


@dataclass
class JudgeRun:
    """The outcome of one `judge_items` call: every item is in exactly one of judgments / skipped."""

    # One per judged or cached item, in input order (status "ok" or "failed").
    judgments: list[Judgment] = field(default_factory=list)
    # HTTP requests made (retries, repairs and structured-output fallbacks included).
    calls: int = 0
    # Judgments copied from the cache or from an identical item earlier in the same batch: no call.
    cached: int = 0
    cached_ids: set[str] = field(default_factory=set)
    # Items the budget did not cover, in input order: never dropped, the pipeline marks them judge_skipped.
    skipped: list[JudgeItem] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failed: int = 0
    retries: int = 0
    repairs: int = 0
    # Set when the endpoint rejected structured outputs and the run used plain JSON mode.
    json_mode_fallback: bool = False
    # "max_calls" or "max_tokens" once a budget ran out, else None.
    budget_exhausted: str | None = None
    # The circuit breaker is open (the endpoint looked down): no more calls for the Judge's lifetime.
    circuit_open: bool = False
    # True only in the batch during which the breaker opened, so summing over batches counts openings.
    circuit_opened_now: bool = False
    # Failed judgments that made no further call because the breaker was open (included in `failed`).
    circuit_failed: int = 0
    # Corrected answers discarded for exceeding max_corrected_answer_chars.
    corrections_too_long: int = 0

    @property
    def ok(self) -> int:
        return sum(1 for j in self.judgments if j.status == "ok")

    def counts(self) -> dict[str, int]:
        """Counts for the run manifest (never content)."""
        return {
            "judge_ok": self.ok, "judge_failed": self.failed, "judge_cached": self.cached,
            "judge_skipped": len(self.skipped), "judge_calls": self.calls, "judge_retries": self.retries,
            "judge_repairs": self.repairs, "judge_prompt_tokens": self.prompt_tokens,
            "judge_completion_tokens": self.completion_tokens,
            "judge_circuit_open": int(self.circuit_opened_now), "judge_circuit_failed": self.circuit_failed,
            "judge_corrections_too_long": self.corrections_too_long,
        }


def _short(text: str, limit: int = _MAX_ERROR_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------------------------- the judge


class _Skip(Exception):
    """The budget does not cover another call for this item."""


class _Budget:
    """A Judge's call and token budget, shared by its threads and kept across its batches."""

    def __init__(self, max_calls: int | None, max_tokens: int | None):
        self.max_calls, self.max_tokens = max_calls, max_tokens
        self.calls = self.prompt_tokens = self.completion_tokens = 0
        self.in_flight_estimate = 0
        self.exhausted: str | None = None
        self._lock = threading.Lock()

    def reserve(self, estimate: int) -> None:
        with self._lock:
            if self.max_calls is not None and self.calls >= self.max_calls:
                self.exhausted = self.exhausted or "max_calls"
                raise _Skip
            used = self.prompt_tokens + self.completion_tokens + self.in_flight_estimate
            if self.max_tokens is not None and used >= self.max_tokens:
                self.exhausted = self.exhausted or "max_tokens"
                raise _Skip
            self.calls += 1
            self.in_flight_estimate += estimate

    def settle(self, estimate: int, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.in_flight_estimate -= estimate
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens


class _CircuitBreaker:
    """Consecutive outage failures of one Judge's items; open for good once they reach the threshold.

    Only failures that say the endpoint is unreachable count (the caller decides). A turn that got an
    answer (a 2xx, valid or not, or a 4xx about that request alone) resets the count, so a flaky endpoint
    whose retries still get through keeps going. Once open it stays open: no half-open probing within a run
    (the next run, or the next worker, tries again).
    """

    def __init__(self, threshold: int | None):
        self.threshold = threshold
        self.consecutive = 0
        self.is_open = False
        self._lock = threading.Lock()

    def failure(self) -> None:
        with self._lock:
            self.consecutive += 1
            if self.threshold is not None and not self.is_open and self.consecutive >= self.threshold:
                self.is_open = True
                logger.warning("judge: %d turns in a row failed on an unreachable endpoint: circuit breaker "
                               "open, no more calls in this run; the remaining turns are marked judge_failed",
                               self.consecutive)

    def success(self) -> None:
        with self._lock:
            if not self.is_open:
                self.consecutive = 0


# Statuses that say the endpoint itself is unusable (wrong URL, key or deployment), not the one request.
_OUTAGE_STATUSES = frozenset({401, 403, 404})
CIRCUIT_OPEN_ERROR = "not called: circuit breaker open (judge endpoint unreachable)"


@dataclass
class _Outcome:
    judgment: Judgment | None  # None: skipped by the budget
    retries: int = 0
    repairs: int = 0
    circuit: bool = False  # failed because the breaker was open


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _status_code(exc: Exception) -> int | None:
    return getattr(exc, "status_code", None)


def _rejects_structured_outputs(exc: Exception) -> bool:
    if _status_code(exc) not in (400, 422):
        return False
    text = f"{getattr(exc, 'message', '')} {exc} {json.dumps(getattr(exc, 'body', None), default=str)}".lower()
    return any(word in text for word in ("response_format", "json_schema", "structured output",
                                         "unsupported", "not supported"))


class Judge:
    """One endpoint, one rubric: create once (per worker), call `run` per batch.

    The call and token budget spans the Judge's lifetime, not one batch: a worker that judges many
    batches stops at `max_calls` / `max_tokens` in all. It also remembers endpoints that rejected
    structured outputs.
    """

    def __init__(self, config: JudgeConfig, client: Any = None, sleep=time.sleep):
        self.config = config
        self.rubric_version = config.rubric_version
        self.system_prompt = load_rubric(config.rubric)
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=config.base_url, api_key=config.api_key or "not-needed",
                            timeout=config.timeout_s, max_retries=0)
            self._owns_client = True
        else:
            self._owns_client = False
        self.client = client
        self._sleep = sleep
        self._endpoint = (str(getattr(client, "base_url", config.base_url)), config.model)
        self._plain_json: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._budget = _Budget(config.max_calls, config.max_tokens)
        self._breaker = _CircuitBreaker(config.max_consecutive_failures)
        self._breaker_reported = False

    @property
    def circuit_open(self) -> bool:
        return self._breaker.is_open

    # -- public

    def close(self) -> None:
        """Close the HTTP client if this Judge created it."""
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> "Judge":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, items: Sequence[JudgeItem], cache: Mapping[str, Judgment] | None = None) -> JudgeRun:
        cfg = self.config
        out = JudgeRun()
        budget = self._budget
        spent_before = (budget.calls, budget.prompt_tokens, budget.completion_tokens)
        keys = [cache_key(it, self.rubric_version, cfg.model) for it in items]
        results: list[Judgment | None] = [None] * len(items)
        from_cache: list[bool] = [False] * len(items)
        groups: dict[str, list[int]] = {}
        for i, (item, key) in enumerate(zip(items, keys)):
            hit = cache.get(key) if cache is not None else None
            if hit is not None and hit.status == "ok":
                results[i], from_cache[i] = self._copy(hit, item), True
            else:
                groups.setdefault(key, []).append(i)

        outcomes: dict[str, _Outcome] = {}
        if groups:
            workers = min(cfg.max_concurrency, len(groups))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="judge") as pool:
                futures = {key: pool.submit(self._judge_safely, items[idxs[0]], key, budget)
                           for key, idxs in groups.items()}
                for key, future in futures.items():
                    outcomes[key] = future.result()

        for key, idxs in groups.items():
            outcome = outcomes[key]
            out.retries += outcome.retries
            out.repairs += outcome.repairs
            out.circuit_failed += outcome.circuit * len(idxs)
            first, *duplicates = idxs
            results[first] = outcome.judgment
            for i in duplicates:  # identical content in the same batch: judged once
                if outcome.judgment is not None:
                    results[i] = self._copy(outcome.judgment, items[i])
                    from_cache[i] = outcome.judgment.status == "ok"

        for i, item in enumerate(items):
            judgment = results[i]
            if judgment is None:
                out.skipped.append(item)
                continue
            out.judgments.append(judgment)
            if from_cache[i]:
                out.cached += 1
                out.cached_ids.add(judgment.judgment_id)
            if judgment.status != "ok":
                out.failed += 1

        out.calls = budget.calls - spent_before[0]
        out.prompt_tokens = budget.prompt_tokens - spent_before[1]
        out.completion_tokens = budget.completion_tokens - spent_before[2]
        out.budget_exhausted = budget.exhausted
        out.json_mode_fallback = self._endpoint in self._plain_json
        out.circuit_open = self._breaker.is_open
        with self._lock:
            out.circuit_opened_now = out.circuit_open and not self._breaker_reported
            self._breaker_reported = self._breaker_reported or out.circuit_open
        out.corrections_too_long = sum(1 for j in out.judgments if j.error == _CORRECTION_TOO_LONG)
        logger.info(
            "judge %s: %d items -> %d ok, %d failed, %d cached, %d skipped; %d calls (%d retries, "
            "%d repairs), %d prompt + %d completion tokens%s%s%s",
            self.rubric_version, len(items), out.ok, out.failed, out.cached, len(out.skipped), out.calls,
            out.retries, out.repairs, out.prompt_tokens, out.completion_tokens,
            "; plain JSON mode" if out.json_mode_fallback else "",
            f"; budget exhausted ({out.budget_exhausted})" if out.budget_exhausted else "",
            f"; circuit breaker open ({out.circuit_failed} not called)" if out.circuit_open else "",
        )
        return out

    # -- internals

    def _copy(self, source: Judgment, item: JudgeItem) -> Judgment:
        """The same verdict for another item with the same content. Everything about how the verdict was
        made (model, rubric, tokens, attempts, judged_at) is the source's, so a rerun that hits the cache
        writes the same row the first run wrote. Cached text is bounded again: the table may hold verdicts
        written before the caps (bounding is idempotent, so newer rows come back unchanged)."""
        rationale, corrected, _ = bound_free_text(source.rationale, source.corrected_answer,
                                                  self.config.max_rationale_chars,
                                                  self.config.max_corrected_answer_chars)
        return source.model_copy(update={
            "judgment_id": stable_id(source.cache_key, item.conversation_id, item.message_id),
            "conversation_id": item.conversation_id, "message_id": item.message_id,
            "turn_index": item.turn_index, "reason": item.reason, "rules_label": item.rules_label,
            "rationale": rationale, "corrected_answer": corrected,
        })

    def _judgment(self, item: JudgeItem, key: str, *, verdict: JudgeVerdict | None = None,
                  error: str | None = None, prompt_tokens: int, completion_tokens: int,
                  attempts: int) -> Judgment:
        fields = verdict.model_dump() if verdict is not None else {}
        rationale, corrected, discarded = bound_free_text(
            fields.get("rationale"), fields.get("corrected_answer"), self.config.max_rationale_chars,
            self.config.max_corrected_answer_chars)
        if discarded and error is None:
            error = _CORRECTION_TOO_LONG  # the verdict stands; the note says why it has no corrected answer
        return Judgment(
            judgment_id=stable_id(key, item.conversation_id, item.message_id), cache_key=key,
            conversation_id=item.conversation_id, message_id=item.message_id, turn_index=item.turn_index,
            rubric_version=self.rubric_version, model=self.config.model, reason=item.reason,
            status="ok" if verdict is not None else "failed",
            quality=fields.get("quality"), rationale=rationale,
            satisfaction=fields.get("satisfaction"), feedback_category=fields.get("feedback_category"),
            corrected_answer=corrected, rules_label=item.rules_label,
            error=None if error is None else _short(error), prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, attempts=attempts, judged_at=datetime.now(timezone.utc),
        )

    def _judge_safely(self, item: JudgeItem, key: str, budget: _Budget) -> _Outcome:
        try:
            return self._judge_one(item, key, budget)
        except Exception as exc:  # a bug or an unexpected response shape: the item still gets an outcome
            logger.warning("judge: unexpected %s while judging one item", type(exc).__name__)
            return _Outcome(self._judgment(item, key, error=f"internal error: {type(exc).__name__}",
                                           prompt_tokens=0, completion_tokens=0, attempts=0))

    def _structured(self) -> bool:
        with self._lock:
            return self._endpoint not in self._plain_json

    def _judge_one(self, item: JudgeItem, key: str, budget: _Budget) -> _Outcome:
        from openai import APIConnectionError, APIStatusError  # APITimeoutError is an APIConnectionError

        cfg = self.config
        rng = random.Random(int(stable_id("backoff", cfg.seed, key, length=15), 16))
        messages = build_messages(item, self.system_prompt)
        attempts = transient = repairs = 0
        prompt_tokens = completion_tokens = 0

        breaker = self._breaker

        def done(circuit: bool = False, **kw: Any) -> _Outcome:
            return _Outcome(self._judgment(item, key, prompt_tokens=prompt_tokens,
                                           completion_tokens=completion_tokens, attempts=attempts, **kw),
                            retries=transient, repairs=repairs, circuit=circuit)

        while True:
            # Checked before every attempt, retries included: once the endpoint is known to be down,
            # nothing waits out its backoff for a call that would fail too.
            if breaker.is_open:
                return done(circuit=True, error=CIRCUIT_OPEN_ERROR)
            structured = self._structured()
            request: dict[str, Any] = {"model": cfg.model, "messages": messages}
            if cfg.temperature is not None:
                request["temperature"] = cfg.temperature
            if cfg.max_output_tokens is not None:
                request["max_tokens"] = cfg.max_output_tokens
            if structured:
                request["response_format"] = response_format()
            estimate = (sum(len(m["content"]) for m in messages) // _CHARS_PER_TOKEN
                        + (cfg.max_output_tokens or 1024))
            try:
                budget.reserve(estimate)
            except _Skip:
                return _Outcome(None, retries=transient, repairs=repairs)
            attempts += 1
            used_prompt = used_completion = 0
            try:
                response = self.client.chat.completions.create(**request)
            except (APIStatusError, APIConnectionError) as exc:
                budget.settle(estimate, 0, 0)
                status = _status_code(exc)
                if structured and _rejects_structured_outputs(exc):
                    with self._lock:
                        first = self._endpoint not in self._plain_json
                        self._plain_json.add(self._endpoint)
                    if first:
                        logger.warning("judge: endpoint rejected structured outputs (HTTP %s); "
                                       "using plain JSON mode for the rest of the run", status)
                    continue
                retryable = status is None or status in (408, 429) or status >= 500
                label = f"HTTP {status}" if status is not None else type(exc).__name__
                if not retryable:
                    if status in _OUTAGE_STATUSES:
                        breaker.failure()
                    else:  # the server answered about this request (e.g. context too long): it is up
                        breaker.success()
                    return done(error=f"{label}: {getattr(exc, 'message', str(exc))}")
                if transient >= cfg.max_retries:
                    breaker.failure()
                    return done(error=f"{label} after {attempts} attempts")
                transient += 1
                wait = _retry_after(exc)
                if wait is None:
                    wait = cfg.backoff_base_s * 2 ** (transient - 1) * (0.5 + rng.random())
                wait = min(wait, cfg.max_backoff_s)
                logger.debug("judge: %s, retry %d in %.2fs", label, transient, wait)
                if wait > 0:
                    self._sleep(wait)
                continue

            breaker.success()  # the endpoint answered; whether the answer is valid is another matter
            usage = getattr(response, "usage", None)
            choice = response.choices[0] if getattr(response, "choices", None) else None
            content = choice.message.content if choice is not None else None
            if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
                used_prompt = int(usage.prompt_tokens or 0)
                used_completion = int(usage.completion_tokens or 0)
            else:  # the server reports no usage: estimate, so the token budget still binds
                used_prompt = math.ceil(sum(len(m["content"]) for m in messages) / _CHARS_PER_TOKEN)
                used_completion = math.ceil(len(content or "") / _CHARS_PER_TOKEN)
            budget.settle(estimate, used_prompt, used_completion)
            prompt_tokens += used_prompt
            completion_tokens += used_completion

            try:
                if choice is None:
                    raise InvalidAnswer("no choices in the response")
                if content is None and getattr(choice.message, "refusal", None):
                    raise InvalidAnswer("the model refused")
                verdict = parse_verdict(content)
            except InvalidAnswer as problem:
                if getattr(choice, "finish_reason", None) == "length":
                    problem = InvalidAnswer(f"{problem} (truncated: finish_reason=length)")
                if repairs >= 1:
                    return done(error=f"invalid answer: {problem}")
                repairs += 1
                messages = messages + [
                    {"role": "assistant", "content": (content or "")[:_MAX_REPAIR_ECHO_CHARS]},
                    {"role": "user", "content": (
                        f"Your reply was not a valid verdict: {problem}. Reply again with exactly one "
                        "JSON object with the keys rationale, quality, satisfaction, feedback_category "
                        "and corrected_answer, as the rubric says, and nothing else.")},
                ]
                continue
            return done(verdict=verdict)


def judge_items(items: Sequence[JudgeItem], config: JudgeConfig,
                cache: Mapping[str, Judgment] | None = None, client: Any = None) -> JudgeRun:
    """Judge the items (see `Judge`). For many batches, create one `Judge` and call `run` on each."""
    with Judge(config, client=client) as judge:
        return judge.run(items, cache=cache)


def cache_from(judgments: Sequence[Judgment]) -> dict[str, Judgment]:
    """A judge cache from earlier judgments (the judgments table): only the ok ones count."""
    return {j.cache_key: j for j in judgments if j.status == "ok"}
