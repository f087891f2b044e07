"""Dedup throughput, peak memory and accuracy on generated SFT examples with planted duplicates.

    python -m bench.bench_dedup [--examples 1000000] [--beam-examples N] [--variants plain,beam] [--json PATH]

The data (fixed seed, every example a pure function of its index, so a Beam worker can make its share):

    80% base prompts, each its own family. 85% of them English-like: 12-40 words from a 20,000-word
        made-up vocabulary, 30% of those opening with one of 20 shared phrases ("can you help me write a",
        ...) so that unrelated prompts share text as real ones do; 15% Chinese: 20-60 characters drawn
        from 3,000 Han characters.
    10% exact duplicates: a random base's prompt and answer, with its case and spacing changed (the
        normalized example is identical).
    10% near duplicates: a random base's prompt with one word replaced, inserted or deleted (Chinese:
        two adjacent characters replaced), with its own answer. Their true Jaccard similarity to the base
        (the same shingles MinHash uses, computed exactly with sets) is measured: short prompts fall below
        the threshold, and those are not expected to be caught.

    Copies pick their base at random, so a base can collect several copies (a family).

Variants, each in a fresh interpreter (so peak RSS is the variant's own):
    plain  the plain functions in one process: dedup.dedup_exact, then signatures + dedup.near_duplicate_losers
           (numpy band sorting), then caps/weights/index rows (curate_oracle.curate_examples does the same work).
    beam   transforms.beam.training.CurateTrainingExamples on FnApiRunner in_memory (no caps, no eval sets), the
           examples generated inside the pipeline (generation time is reported separately by `plain`).

Accuracy, per family (a base with its copies): planted duplicates = examples - families. Caught = copies
removed from families that kept a survivor; recall = caught / planted, also split by kind of copy.
False merges = families left with no survivor at all (their best member lost to an unrelated prompt) and,
in `plain`, losers whose winner belongs to another family. Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 11
THRESHOLD = 0.8
EXACT_SHARE = 0.10
NEAR_SHARE = 0.10
ZH_SHARE = 0.15
TEMPLATE_SHARE = 0.30
CHUNK = 2000  # examples per generation work item in the Beam variant

_SYLLABLES = ["ka", "lo", "mi", "ten", "ru", "sa", "vel", "no", "dri", "po", "ax", "qui", "zen", "bo", "tha",
              "lin", "mor", "es", "ut", "gra", "fi", "wen", "do", "rak", "sel", "ion", "pa", "ture", "ne", "cor"]
OPENERS = ["can you help me write a", "explain the difference between", "what is the best way to",
           "please summarize the following text about", "how do i fix an error with", "write a short story about",
           "translate this into french please", "give me three ideas for", "is it true that the",
           "what are the pros and cons of", "help me understand why my", "create a workout plan for",
           "suggest a name for my new", "how many calories are in a", "write an email to my boss about",
           "compare and contrast the", "why does my computer keep", "tell me a fun fact about",
           "draft a polite reply to", "what should i cook tonight with"]


def _vocabulary() -> list[str]:
    r = random.Random(SEED)
    words = set()
    while len(words) < 20000:
        words.add("".join(r.choice(_SYLLABLES) for _ in range(r.randint(1, 3))))
    return sorted(words)


VOCAB = _vocabulary()
HANZI = [chr(0x4E00 + i * 7) for i in range(3000)]  # spread over the block: all distinct, all Han


def layout(n: int) -> tuple[int, int]:
    """(number of bases, number of exact copies); the rest are near copies."""
    exact = int(n * EXACT_SHARE)
    near = int(n * NEAR_SHARE)
    return n - exact - near, exact


def base_prompt(j: int) -> tuple[str, bool]:
    """Base j's prompt and whether it is Chinese."""
    r = random.Random(SEED * 1_000_003 + j)
    if r.random() < ZH_SHARE:
        return "".join(r.choice(HANZI) for _ in range(r.randint(20, 60))), True
    words = [r.choice(VOCAB) for _ in range(r.randint(12, 40))]
    if r.random() < TEMPLATE_SHARE:
        words = OPENERS[r.randrange(len(OPENERS))].split() + words[:max(6, len(words) - 6)]
    return " ".join(words).capitalize() + "?", False


def family_of(i: int, n: int) -> tuple[int, str]:
    """(base index, kind) of example i: kind is "base", "exact" or "near"."""
    bases, exact = layout(n)
    if i < bases:
        return i, "base"
    r = random.Random(SEED * 7_000_003 + i)
    return r.randrange(bases), ("exact" if i < bases + exact else "near")


def _shout(text: str, r: random.Random) -> str:
    text = text.upper() if r.random() < 0.5 else text.lower()
    return "  " + text.replace(" ", "   ") + " \n"


def _nudge(text: str, chinese: bool, r: random.Random) -> str:
    if chinese:
        k = r.randrange(len(text) - 1)
        return text[:k] + r.choice(HANZI) + r.choice(HANZI) + text[k + 2:]
    words = text.split(" ")
    k = r.randrange(len(words))
    action = r.random()
    if action < 0.5:
        words[k] = r.choice(VOCAB)
    elif action < 0.8:
        words.insert(k, r.choice(VOCAB))
    elif len(words) > 2:
        del words[k]
    return " ".join(words)


def make_record(i: int, n: int) -> dict:
    """Example i as plain fields (prompt, answer, score, family, kind)."""
    j, kind = family_of(i, n)
    text, chinese = base_prompt(j)
    r = random.Random(SEED * 13_000_027 + i)
    answer = f"Answer {j}: " + " ".join(VOCAB[(j * 7 + k) % len(VOCAB)] for k in range(8))
    if kind == "exact":
        text, answer = _shout(text, r), _shout(answer, r)
    elif kind == "near":
        text, answer = _nudge(text, chinese, r), f"Answer to copy {i}."
    return {"id": f"e{i:08d}", "prompt": text, "answer": answer, "score": round(r.random(), 4),
            "family": j, "kind": kind}


def make_example(i: int, n: int):
    from schemas.outputs import ChatMessage, SFTExample

    rec = make_record(i, n)
    return SFTExample(example_id=rec["id"], conversation_id=f"c{i}", target_message_id=f"m{i}", target_turn_index=1,
                      label="positive", source="bench", quality_score=rec["score"],
                      messages=[ChatMessage(role="user", content=rec["prompt"]),
                                ChatMessage(role="assistant", content=rec["answer"], train=True)])


def make_chunk(chunk: int, n: int):
    return [make_example(i, n) for i in range(chunk * CHUNK, min((chunk + 1) * CHUNK, n))]


# ------------------------------------------------------------------------------------------- accuracy

def true_jaccard(a: str, b: str) -> float:
    from transforms.text import is_mostly_cjk
    from transforms.training.dedup import DEFAULT_CJK_SHINGLE_SIZE, DEFAULT_SHINGLE_SIZE, normalize_text

    def shingles(text):
        text = normalize_text(text)
        k = DEFAULT_CJK_SHINGLE_SIZE if is_mostly_cjk(text) else DEFAULT_SHINGLE_SIZE
        k = min(k, len(text))
        return {text[p:p + k] for p in range(len(text) - k + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def accuracy(n: int, kept_ids: set[str], lost_to: dict[str, str] | None = None) -> dict:
    families: dict[int, list[tuple[int, str]]] = {}
    for i in range(n):
        j, kind = family_of(i, n)
        families.setdefault(j, []).append((i, kind))
    planted = n - len(families)
    caught = lost_families = 0
    by_kind = {"exact": [0, 0], "near_above": [0, 0], "near_below": [0, 0]}  # [planted, caught] in 1-copy families
    near_similarity = []
    merged_below = []  # true Jaccard of near copies below the threshold that were merged anyway
    for j, members in families.items():
        survivors = sum(f"e{i:08d}" in kept_ids for i, _ in members)
        if survivors == 0:
            lost_families += 1
        else:
            caught += len(members) - survivors
        if len(members) == 2:
            (_, _), (copy, kind) = members
            if kind == "near":
                sim = true_jaccard(base_prompt(j)[0], make_record(copy, n)["prompt"])
                near_similarity.append(sim)
                kind = "near_above" if sim >= THRESHOLD else "near_below"
                if kind == "near_below" and survivors == 1:
                    merged_below.append(sim)
            by_kind[kind][0] += 1
            by_kind[kind][1] += survivors == 1
    out = {
        "examples": n, "families": len(families), "planted_duplicates": planted, "caught": caught,
        "recall": caught / planted if planted else None, "families_lost_entirely": lost_families,
        "kept": len(kept_ids),
        "single_copy_families": {k: {"planted": p, "caught": c, "recall": (c / p if p else None)}
                                 for k, (p, c) in by_kind.items()},
        "merged_below_threshold_true_jaccard": (
            {"min": min(merged_below), "median": sorted(merged_below)[len(merged_below) // 2]} if merged_below else None),
        "near_copies_true_jaccard_above_threshold": (
            sum(s >= THRESHOLD for s in near_similarity) / len(near_similarity) if near_similarity else None),
    }
    if lost_to is not None:
        family = {f"e{i:08d}": family_of(i, n)[0] for i in range(n)}
        out["cross_family_merges"] = sum(family[a] != family[b] for a, b in lost_to.items())
    return out


# --------------------------------------------------------------------------------------------- variants

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_plain(n: int) -> dict:
    from transforms.training.policy import TrainingPolicy
    from transforms.training.balance import apply_caps, apply_weight
    from transforms.training.dedup import (
        dedup_exact,
        index_rows,
        near_duplicate_losers,
        prompt_text,
        rank_key,
        signature_matrix,
    )

    t0 = time.perf_counter()
    examples = [make_example(i, n) for i in range(n)]
    generation = time.perf_counter() - t0
    rss_after_generation = _current_rss_mb()
    policy = TrainingPolicy(near_duplicate_threshold=THRESHOLD)

    timings = {}
    t = time.perf_counter()
    exact = dedup_exact(examples)
    timings["exact"] = time.perf_counter() - t
    t = time.perf_counter()
    signatures = signature_matrix(prompt_text(e) for e in exact.kept)
    timings["signatures"] = time.perf_counter() - t
    t = time.perf_counter()
    lost_to = near_duplicate_losers([e.example_id for e in exact.kept], [rank_key(e) for e in exact.kept],
                                    signatures, THRESHOLD)
    timings["lsh_resolve"] = time.perf_counter() - t
    t = time.perf_counter()
    near_kept = [e for e in exact.kept if e.example_id not in lost_to]
    balanced, _ = apply_caps(near_kept, policy.category_caps)
    final = sorted((apply_weight(e, policy.category_weights) for e in balanced), key=lambda e: e.example_id)
    rows = index_rows(final)
    timings["balance_and_index"] = time.perf_counter() - t
    total = sum(timings.values())
    peak = _rss_mb()
    kept_ids = {e.example_id for e in final}
    # Exact losers lose to a member of their own key group, which is their own family by construction.
    result = {
        "variant": "plain", "examples": n, "generation_seconds": generation, "dedup_seconds": total,
        "stage_seconds": timings, "examples_per_second": n / total,
        "rss_after_generation_mb": rss_after_generation, "peak_rss_mb": peak,
        "counts": {"dedup.exact_in_run": exact.dropped_in_run, "dedup.near": len(lost_to), "kept": len(final),
                   "index_rows": len(rows)},
    }
    del examples, exact, signatures, near_kept, balanced, final, rows
    result["accuracy"] = accuracy(n, kept_ids, lost_to)
    return result


def run_beam(n: int, workers: int) -> dict:
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    from transforms.training.policy import TrainingPolicy
    from transforms.beam.training import CurateTrainingExamples

    policy = TrainingPolicy(near_duplicate_threshold=THRESHOLD)
    out_file = Path(tempfile.mkdtemp(prefix="bench-dedup-")) / "kept.json"
    mode = "in_memory" if workers == 1 else "multi_processing"
    options = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])
    chunks = (n + CHUNK - 1) // CHUNK

    def write_ids(ids):
        out_file.write_text(json.dumps(sorted(ids)))

    t0 = time.perf_counter()
    pipeline = beam.Pipeline(runner=FnApiRunner(), options=options)
    examples = (
        pipeline
        | "Chunks" >> beam.Create(list(range(chunks)))
        | "Spread" >> beam.Reshuffle()
        | "Generate" >> beam.FlatMap(make_chunk, n)
    )
    out = examples | CurateTrainingExamples(policy, eval_ngrams=frozenset())
    (out["examples"] | beam.Map(lambda e: e.example_id) | beam.combiners.ToList() | beam.Map(write_ids))
    result = pipeline.run()
    result.wait_until_finish()
    seconds = time.perf_counter() - t0
    peak = _rss_mb()
    counts = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace("flywheel"))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        counts[counter.key.metric.name] = counts.get(counter.key.metric.name, 0) + int(value)
    kept_ids = set(json.loads(out_file.read_text()))
    out_file.unlink()
    out_file.parent.rmdir()
    return {"variant": "beam", "examples": n, "workers": workers, "seconds_including_generation": seconds,
            "examples_per_second_including_generation": n / seconds, "peak_rss_mb": peak,
            "peak_rss_note": "in_memory: the runner and its worker share this process" if workers == 1
            else "multi_processing: the driver process only (worker processes not included)",
            "counts": counts, "accuracy": accuracy(n, kept_ids)}


def child(variant: str, n: int, workers: int, result_file: str) -> None:
    try:
        result = run_plain(n) if variant == "plain" else run_beam(n, workers)
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        result = {"variant": variant, "examples": n, "status": "crashed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    Path(result_file).write_text(json.dumps(result))


def run_child(variant: str, n: int, workers: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = handle.name
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "bench.bench_dedup", "--child", variant, "--examples", str(n),
           "--workers", str(workers), "--result-file", result_file]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    try:
        result = json.loads(Path(result_file).read_text())
    except (OSError, json.JSONDecodeError):
        result = {"variant": variant, "examples": n, "status": "crashed",
                  "error": f"exit {proc.returncode}: {proc.stderr[-800:]}"}
    Path(result_file).unlink(missing_ok=True)
    result["process_wall_seconds"] = wall
    return result


def summarize(result: dict) -> str:
    if result.get("status") == "crashed":
        return f"{result['variant']:>5} n={result['examples']:>9,}: CRASHED {result['error']}"
    acc = result["accuracy"]
    kinds = acc["single_copy_families"]
    if result["variant"] == "plain":
        speed = (f"{result['examples_per_second']:>9,.0f} ex/s  dedup {result['dedup_seconds']:.1f}s "
                 f"(generation {result['generation_seconds']:.1f}s, stages "
                 + ", ".join(f"{k} {v:.1f}s" for k, v in result["stage_seconds"].items()) + ")")
    else:
        speed = (f"{result['examples_per_second_including_generation']:>9,.0f} ex/s  "
                 f"{result['seconds_including_generation']:.1f}s including generation")
    cross = f", cross-family merges {acc['cross_family_merges']}" if "cross_family_merges" in acc else ""
    return (f"{result['variant']:>5} n={result['examples']:>9,}: {speed}; peak RSS {result['peak_rss_mb']:,.0f} MB\n"
            f"        recall {acc['recall']:.4f} ({acc['caught']:,}/{acc['planted_duplicates']:,} planted); "
            f"1-copy families: exact {kinds['exact']['recall']:.4f}, near J>={THRESHOLD} "
            f"{kinds['near_above']['recall']:.4f}, near J<{THRESHOLD} {kinds['near_below']['recall']:.4f} "
            f"(near copies above threshold: {acc['near_copies_true_jaccard_above_threshold']:.1%}); "
            f"families lost entirely {acc['families_lost_entirely']}{cross}"
            + (f"; merged below the threshold: true Jaccard min {below['min']:.3f}, median {below['median']:.3f}"
               if (below := acc.get("merged_below_threshold_true_jaccard")) else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=1_000_000, help="examples for the plain variant")
    parser.add_argument("--beam-examples", type=int, default=None,
                        help="examples for the Beam variant (default: --examples; FnApiRunner is slower, see README)")
    parser.add_argument("--variants", default="plain,beam")
    parser.add_argument("--workers", type=int, default=1, help="Beam: 1 = in_memory, more = multi_processing")
    parser.add_argument("--json", help="also write every result as JSON here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.examples, args.workers, args.result_file)
        return 0

    bases, exact = layout(args.examples)
    print(f"data: {args.examples:,} examples = {bases:,} bases + {exact:,} exact copies + "
          f"{args.examples - bases - exact:,} near copies (seed {SEED}, {ZH_SHARE:.0%} of bases Chinese); "
          f"threshold {THRESHOLD}", flush=True)
    results = []
    for variant in args.variants.split(","):
        n = args.examples if variant == "plain" else (args.beam_examples or args.examples)
        result = run_child(variant, n, args.workers)
        results.append(result)
        print(summarize(result), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
