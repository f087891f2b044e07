"""What a judge that refuses connections costs a run, without and with the circuit breaker.

    .venv/bin/python bench/bench_judge_outage.py [--items 200] [--only breaker|no-breaker]

A closed port on 127.0.0.1 stands for the outage; the JudgeConfig defaults otherwise (4 retries, backoff from
0.5 s, concurrency 4). Without the breaker (max_consecutive_failures=None, the behaviour before it existed)
every item pays its full retries and backoff; with it the Judge stops after 5 consecutive failed items.
Prints seconds and HTTP attempts; a benchmark, never an assertion.
"""

from __future__ import annotations

import argparse
import socket
import time

from transforms.label.judge import Judge
from transforms.label.judge_config import JudgeConfig
from transforms.label.judge_prompt import JudgeItem


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(items: int, breaker: int | None) -> tuple[float, int, int, bool]:
    config = JudgeConfig(base_url=f"http://127.0.0.1:{closed_port()}/v1", model="m",
                         max_consecutive_failures=breaker)
    batch = [JudgeItem(conversation_id=f"c{n}", message_id=f"m{n}", turn_index=1, context=[("user", f"q{n}")],
                       answer=f"a{n}") for n in range(items)]
    started = time.perf_counter()
    with Judge(config) as judge:
        run = judge.run(batch)
    return time.perf_counter() - started, run.calls, run.failed, run.circuit_open


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--only", choices=("breaker", "no-breaker"))
    args = parser.parse_args()
    for name, breaker in (("no-breaker", None), ("breaker", 5)):
        if args.only and args.only != name:
            continue
        seconds, calls, failed, opened = measure(args.items, breaker)
        print(f"{name:>10}: {args.items} turns -> {seconds:7.1f} s, {calls} HTTP attempts, {failed} judge_failed, "
              f"breaker open: {opened}", flush=True)


if __name__ == "__main__":
    main()
