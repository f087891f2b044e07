"""What the conversational rules cost: `label_turns` over every real conversation the feedback harness reads.

    python -m bench.bench_label_rules [--repeat 3] [--baseline /path/to/other/checkout]

The conversations are the uss dialogues and the OpenAssistant threads of bench/eval_feedback.py (both halves,
explicit feedback removed): real messages, of real lengths. Each pass labels all of them; the figure is the
CPU time (`time.process_time`) of the best pass, so a busy neighbour on a shared machine costs less than it
would in wall time. Message readings are cached per process (follow_ups.MESSAGE_CACHE_SIZE), and the caches
are cleared before every pass, so each pass reads every message afresh.

With --baseline, the same passes run in a child process on another checkout of the code (e.g. a worktree of
an earlier commit), in the same run, and the ratio is printed: absolute times on this machine mean little.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def best_pass_cpu_seconds(repeat: int, data: Path) -> tuple[float, int]:
    """(CPU seconds of the fastest pass, turns labeled per pass), with the rules importable from sys.path."""
    from bench.eval_feedback import load_all
    from transforms.label import follow_ups, signals

    conversations = [session.conversation for session in load_all(data, "loose")]
    caches = [cached for name in ("normalise", "_said", "similarity_features")
              if hasattr(cached := getattr(follow_ups, name, None), "cache_clear")]
    best = float("inf")
    for _ in range(repeat):
        for cache in caches:
            cache.cache_clear()
        started = time.process_time()
        for conversation in conversations:
            signals.label_turns(conversation)
        best = min(best, time.process_time() - started)
    return best, sum(len(c.turns) for c in conversations)


def _in_child(checkout: Path, repeat: int, data: Path) -> tuple[float, int]:
    """The passes in a fresh process whose `bench` and `transforms` packages come from `checkout`: this file
    runs as a script there, so a checkout that predates it can be timed too."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, __file__, "--child", "--repeat", str(repeat), "--data", str(data)],
                         env=env, cwd=checkout, capture_output=True, text=True, check=True)
    seconds, turns = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds, turns


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout of the code, timed in the same run")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(best_pass_cpu_seconds(args.repeat, args.data)))
        return
    seconds, turns = _in_child(REPO, args.repeat, args.data.resolve())
    print(f"this checkout: {turns:,} turns, best of {args.repeat}: {seconds:.2f} CPU s")
    if args.baseline:
        base_seconds, base_turns = _in_child(args.baseline.resolve(), args.repeat, args.data.resolve())
        print(f"baseline ({args.baseline}): {base_turns:,} turns, best of {args.repeat}: {base_seconds:.2f} CPU s")
        print(f"ratio this / baseline: {seconds / base_seconds:.2f}x")


if __name__ == "__main__":
    main()
