"""Judge stage throughput against the local OpenAI-compatible stub, and cache effectiveness.

    python -m bench.bench_judge [--items N] [--latency SECONDS] [--concurrency 1,4,8]

1. Starts tests/openai_stub.py on 127.0.0.1 with a simulated latency per request (default 200 ms), the
   stand-in for a model endpoint; the judge talks to it through the real `openai` client.
2. Judges the same N distinct items at each concurrency level (no cache), and reports judgments/s and
   the speed-up over concurrency 1 measured in the same run.
3. Reruns the items with the cache built from the first run (a rerun / backfill), and the same content
   under other conversation ids (the next day): both should make zero calls.

Latency-bound: the ideal speed-up is the concurrency itself (until the server or the client saturates).
Absolute figures on a shared machine mean little; read the ratios. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.openai_stub import OpenAIStub  # noqa: E402
from transforms.label.judge import cache_from, judge_items  # noqa: E402
from transforms.label.judge_config import JudgeConfig  # noqa: E402
from transforms.label.judge_prompt import JudgeItem  # noqa: E402


def make_items(n: int, prefix: str = "conv") -> list[JudgeItem]:
    follow_ups = ["thanks, that worked", "that's wrong, it's 1.6 kg", None, "can you explain more?"]
    return [
        JudgeItem(
            conversation_id=f"{prefix}-{i}", message_id=f"msg-{i}", turn_index=1,
            context=[("user", f"Question {i}: how heavy is laptop model X{i}, and does it fit my bag?")],
            answer=f"Laptop model X{i} weighs about 1.{i % 10} kg and is 32 cm wide, so it fits most bags.",
            follow_up=follow_ups[i % len(follow_ups)],
        )
        for i in range(n)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.2, help="simulated seconds per request")
    parser.add_argument("--concurrency", default="1,4,8")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    items = make_items(args.items)

    print(f"judge bench: {args.items} items, stub latency {args.latency * 1000:.0f} ms, "
          f"concurrency {levels}")
    rows = []
    with OpenAIStub(latency_s=args.latency) as stub:
        def config(concurrency: int) -> JudgeConfig:
            return JudgeConfig(base_url=stub.base_url, model="stub-judge", max_concurrency=concurrency,
                               timeout_s=max(10.0, args.latency * 5), max_calls=None, max_tokens=None)

        first_run = None
        for concurrency in levels:
            stub.reset()
            started = time.perf_counter()
            run = judge_items(items, config(concurrency))
            seconds = time.perf_counter() - started
            first_run = first_run or run
            rows.append((f"concurrency {concurrency}", run, seconds))

        cache = cache_from(first_run.judgments)
        for label, batch in (("rerun, cached", items), ("next day, same content", make_items(args.items, "day2"))):
            stub.reset()
            started = time.perf_counter()
            run = judge_items(batch, config(levels[-1]), cache=cache)
            rows.append((label, run, time.perf_counter() - started))
            rows[-1][1].calls = len(stub.chat_requests)  # what the server saw

    base_rate = None
    print(f"\n{'variant':<24} {'seconds':>8} {'judgments/s':>12} {'vs c=1':>7} {'calls':>6} {'cached':>7} "
          f"{'ok':>4} {'failed':>6} {'skipped':>7} {'tokens':>8}")
    for label, run, seconds in rows:
        rate = len(run.judgments) / seconds if seconds > 0 else float("inf")
        if base_rate is None:
            base_rate = rate
        ratio = f"{rate / base_rate:.2f}x" if label.startswith("concurrency") else "-"
        tokens = run.prompt_tokens + run.completion_tokens
        print(f"{label:<24} {seconds:>8.3f} {rate:>12.1f} {ratio:>7} {run.calls:>6} {run.cached:>7} "
              f"{run.ok:>4} {run.failed:>6} {len(run.skipped):>7} {tokens:>8}")
    ideal = ", ".join(f"c={c}: {min(c, args.items)}x" for c in levels)
    print(f"\nideal (latency-bound) speed-ups: {ideal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
