"""Training data as a trainer gets it, over a generated week: what each export would train, duplicates, leaks.

    python -m bench.eval_training_data [--work DIR] [--conversations 1000] [--reuse]

1. Generates 7 days of sample logs (`flywheel generate`), backfills them into a fresh lake (`flywheel backfill`,
   regex scrubbing, rules only) and exports the week in every format the code knows (`flywheel export`); all
   through the CLI, as a user would. `--reuse` keeps an existing lake under --work.
2. Measures, and prints one table:
   - negative tokens trained: tokens of negatively labelled answers (assistant turns labelled `negative` in
     the `conversations` table, matched by content; a content also labelled otherwise is left out as
     ambiguous) that each SFT export's documented recipe would train: trl-sft-jsonl the completions (TRL's
     completion-only loss); hf-parquet what its data card prescribes (TRL "as-is" = every message; else the
     `train_mask` messages); openai-jsonl the weight-1 messages; sharegpt-json each file under LLaMA-Factory's
     default (every gpt turn) and under the card's recipe (mask_history: true = the last gpt turn). For
     preference exports: negative answers as chosen / preferred / desirable. Tokens: words, CJK characters
     and punctuation marks (`TOKEN`), not a model tokenizer's.
   - exact and near-duplicate prompts across days in the exported SFT rows (the prompt: the context's
     non-system messages, normalized as the pipeline does): rows whose prompt is the same as, or has character-
     shingle Jaccard >= 0.8 with, a prompt of an earlier day. MinHash/LSH at 0.5 proposes candidates, every
     pair is verified by exact Jaccard of the shingle sets.
   - validation rows with a near-duplicate prompt (Jaccard >= 0.8) in train, per export with prompts.
   - share of pleasantry targets (`PLEASANTRY_OPENERS`, a target of at most 100 characters opening with one).
   - whether every file loads with `datasets` and fits its consumer's documented schema (checked here,
     independently of the exporter's own models).
Formats a version of the code does not have print n/a. Run it on two checkouts to compare (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402

import export as ex  # noqa: E402
from transforms.training.dedup import band_hashes, lsh_params, minhash_signatures, normalize_text  # noqa: E402
from transforms.text import is_mostly_cjk  # noqa: E402

START, END = date(2026, 5, 1), date(2026, 5, 7)
JACCARD = 0.8
CANDIDATE_THRESHOLD = 0.5  # LSH tuned well below the verified threshold: recall over speed
TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w+|[^\w\s]")
PLEASANTRY_OPENERS = ("you're welcome", "you are welcome", "glad it helped", "glad i could help", "happy to help",
                      "no problem", "anytime", "my pleasure", "不客气", "不用谢", "很高兴能帮到你", "很高兴帮到你")
SFT_FORMATS = ("trl-sft-jsonl", "hf-parquet", "openai-jsonl", "sharegpt-json")


def tokens(text: str) -> int:
    return len(TOKEN.findall(text))


def cli(python: str, *args: str) -> None:
    result = subprocess.run([python, "-m", "flywheel.cli", *args], capture_output=True, text=True)
    if result.returncode not in (0,):
        raise SystemExit(f"flywheel {' '.join(args[:1])} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def build_week(work: Path, python: str, conversations: int, reuse: bool) -> Path:
    lake = work / "lake"
    if reuse and lake.exists():
        return lake
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cli(python, "generate", "--out", str(work / "logs"), "--start", START.isoformat(), "--end", END.isoformat(),
        "--conversations", str(conversations), "--seed", "11")
    cli(python, "backfill", "--start", START.isoformat(), "--end", END.isoformat(), "--source", str(work / "logs"),
        "--lake", str(lake), "--quarantine", str(work / "quarantine"), "--scrub-mode", "regex")
    return lake


# --- Reading exports -----------------------------------------------------------------------------------------


def read_records(path: str) -> list[dict]:
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq
        return pq.read_table(path).to_pylist()
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text) if path.endswith(".json") else [json.loads(line) for line in text.splitlines()]


def loads_with_datasets(files: dict[str, str], cache: Path) -> bool:
    import datasets
    for key, path in files.items():
        kind = "parquet" if path.endswith(".parquet") else "json"
        loaded = datasets.load_dataset(kind, data_files=path, split="train", cache_dir=str(cache / key))
        if loaded.num_rows != len(read_records(path)):
            return False
    return True


def schema_ok(fmt: str, key: str, records: list[dict]) -> bool:
    """The consumer's documented schema, checked here (not with the exporter's own models)."""
    roles = {"system", "user", "assistant"}
    for r in records:
        if fmt == "openai-jsonl":
            ms = r["messages"]
            if set(r) != {"messages"} or not ms or ms[-1]["role"] != "assistant" or ms[-1].get("weight") != 1:
                return False
            if any(m["role"] not in roles or ("weight" in m) != (m["role"] == "assistant") for m in ms):
                return False
        elif fmt == "openai-preference-jsonl":
            if set(r) != {"input", "preferred_output", "non_preferred_output"} or set(r["input"]) != {"messages"}:
                return False
            if any(len(r[k]) != 1 or r[k][0]["role"] != "assistant" for k in ("preferred_output", "non_preferred_output")):
                return False
            if r["input"]["messages"][-1]["role"] != "user" or any(m["role"] not in roles for m in r["input"]["messages"]):
                return False
        elif fmt in ("sharegpt-json", "sharegpt-preference-json"):
            turns, ranking = r["conversations"], key.startswith("dpo-")
            sides = (("human", "observation"), ("gpt", "function_call"))
            if any(t["from"] not in sides[i % 2] for i, t in enumerate(turns)):
                return False
            if len(turns) % 2 != (1 if ranking else 0):
                return False
            if key.startswith("kto-") and not isinstance(r.get("kto_tag"), bool):
                return False
        elif fmt == "trl-sft-jsonl":
            if set(r) != {"prompt", "completion"} or [m["role"] for m in r["completion"]] != ["assistant"]:
                return False
        elif fmt == "trl-preference-jsonl":
            want = {"prompt", "chosen", "rejected"} if key.startswith("dpo-") else {"prompt", "completion", "label"}
            if set(r) != want:
                return False
        elif fmt == "hf-parquet":
            if len(r["messages"]) != len(r["train_mask"]) or not r["train_mask"][-1]:
                return False
    return True


# --- What each recipe trains -------------------------------------------------------------------------------


def trained_answers(fmt: str, key: str, record: dict, card: str, documented: bool) -> list[tuple[str, str]]:
    """(message before, answer) of each answer a record's recipe trains (documented recipe, or the
    consumer's defaults)."""
    if fmt == "trl-sft-jsonl":
        return [(record["prompt"][-1]["content"], m["content"]) for m in record["completion"]]
    if fmt in ("hf-parquet", "openai-jsonl"):
        messages = record["messages"]
        if fmt == "hf-parquet":
            as_is = "reads it as-is" in card or not documented  # TRL's defaults train every token
            trained = [as_is or t for t in record["train_mask"]]
        else:
            trained = [m.get("weight") == 1 for m in messages]
        return [(messages[i - 1]["content"] if i else "", m["content"]) for i, m in enumerate(messages)
                if m["role"] == "assistant" and trained[i]]
    if fmt == "sharegpt-json":
        turns = record["conversations"]
        gpt = [(turns[i - 1]["value"] if i else "", t["value"]) for i, t in enumerate(turns) if t["from"] == "gpt"]
        last_turn_files = ("_last_turn" in key) if "_last_turn.json`" in card else ("_all_turns" not in key)
        if documented and last_turn_files and "mask_history: true" in card:
            return gpt[-1:]
        return gpt
    if fmt == "trl-preference-jsonl":
        before = record["prompt"][-1]["content"]
        if key.startswith("dpo-"):
            return [(before, record["chosen"][0]["content"])]
        return [(before, record["completion"][0]["content"])] if record["label"] else []
    if fmt == "sharegpt-preference-json":
        turns = record["conversations"]
        if key.startswith("dpo-"):
            return [(turns[-1]["value"], record["chosen"]["value"])]
        return [(turns[-2]["value"], turns[-1]["value"])] if record["kto_tag"] else []
    if fmt == "openai-preference-jsonl":
        return [(record["input"]["messages"][-1]["content"], record["preferred_output"][0]["content"])]
    raise ValueError(fmt)


def targets(fmt: str, record: dict) -> list[str]:
    if fmt == "trl-sft-jsonl":
        return [record["completion"][0]["content"]]
    if fmt == "hf-parquet":
        return [record["messages"][-1]["content"]]
    return []


def prompt_of(fmt: str, key: str, record: dict) -> str | None:
    if fmt == "hf-parquet":
        context = record["messages"][:-1]
    elif fmt in ("trl-sft-jsonl", "trl-preference-jsonl"):
        context = record["prompt"]
    elif fmt == "openai-preference-jsonl":
        context = record["input"]["messages"]
    else:
        return None
    parts = [m["content"] for m in context if m["role"] != "system"] or [m["content"] for m in context]
    return normalize_text("\n".join(parts))


# --- Near-duplicates -------------------------------------------------------------------------------------


def shingles(text: str) -> frozenset:
    size = 2 if is_mostly_cjk(text) else 5
    return frozenset(text[i:i + size] for i in range(max(1, len(text) - size + 1)))


def neighbours(texts: list[str]) -> dict[str, set[str]]:
    """Distinct texts -> the other distinct texts with shingle Jaccard >= JACCARD (LSH candidates verified
    exactly). Identical texts are collapsed first, so a prompt asked 500 times costs one comparison."""
    unique = sorted({t for t in texts if t})
    signatures = minhash_signatures(unique)
    bands, rows = lsh_params(CANDIDATE_THRESHOLD, signatures.shape[1])
    hashes = band_hashes(signatures, bands, rows)
    sets = [shingles(t) for t in unique]
    found: dict[str, set[str]] = defaultdict(set)
    checked: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for i, h in enumerate(hashes[:, band]):
            buckets[int(h)].append(i)
        for members in buckets.values():
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    pair = (members[a], members[b])
                    if pair in checked:
                        continue
                    checked.add(pair)
                    x, y = sets[pair[0]], sets[pair[1]]
                    if len(x & y) / len(x | y) >= JACCARD:
                        found[unique[pair[0]]].add(unique[pair[1]])
                        found[unique[pair[1]]].add(unique[pair[0]])
    return found


def cross_day_duplicates(lake: Path, exported_ids: set[str]) -> tuple[int, int, int]:
    """(exported SFT rows, rows whose prompt equals one of an earlier day, rows with only a near one)."""
    rows = duckdb.sql(f"SELECT example_id, CAST(dt AS VARCHAR) AS dt, messages FROM read_parquet("
                      f"'{lake}/sft/**/*.parquet', hive_partitioning=true)").fetchall()
    rows = [(dt, prompt_of("hf-parquet", "", {"messages": m})) for i, dt, m in rows if i in exported_ids]
    first_day: dict[str, str] = {}
    for dt, text in sorted(rows):
        first_day.setdefault(text, dt)
    near_texts = neighbours([t for _, t in rows])
    exact = sum(1 for dt, text in rows if first_day[text] < dt)
    near = sum(1 for dt, text in rows if first_day[text] == dt
               and any(first_day[other] < dt for other in near_texts.get(text, ())))
    return len(rows), exact, near


def validation_near_train(prompts: dict[str, list[str]]) -> tuple[int, int]:
    """(validation rows, validation rows with an exact or near-duplicate prompt in train)."""
    train, validation = set(prompts.get("train", [])), prompts.get("validation", [])
    near_texts = neighbours(list(train) + validation)
    hit = sum(1 for t in validation if t in train or near_texts.get(t, set()) & train)
    return len(validation), hit


# --- Main --------------------------------------------------------------------------------------------------------


def negative_answers(lake: Path) -> tuple[set[tuple[str, str]], int]:
    """(message before, answer) of every negatively labelled assistant turn; a pair also labelled otherwise
    elsewhere (the same template answer to the same question) is ambiguous and left out."""
    turns = duckdb.sql(f"SELECT t.message_id, t.parent_id, t.role, t.content, t.label FROM (SELECT unnest(turns) AS t "
                       f"FROM read_parquet('{lake}/conversations/**/*.parquet', hive_partitioning=true))").fetchall()
    content = {message_id: text for message_id, _, _, text, _ in turns}
    kinds = defaultdict(set)
    for _, parent, role, text, label in turns:
        if role == "assistant":
            kinds[(content.get(parent, ""), text)].add(label == "negative")
    negative = {pair for pair, k in kinds.items() if k == {True}}
    return negative, sum(1 for k in kinds.values() if k == {True, False})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/eval_training_data")
    parser.add_argument("--conversations", type=int, default=1000, help="conversations per day")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the flywheel CLI")
    parser.add_argument("--reuse", action="store_true", help="keep the lake already under --work")
    args = parser.parse_args(argv)
    work = Path(args.work)
    lake = build_week(work, args.python, args.conversations, args.reuse)
    negative, ambiguous = negative_answers(lake)
    print(f"lake: {lake} ({START}..{END}); negatively labelled answers (by message before + answer): "
          f"{len(negative):,} (+{ambiguous:,} ambiguous, left out)")
    formats = ex.EXPORT_FORMATS
    results: dict[str, dict[str, str]] = {}
    exported_ids: set[str] = set()
    for fmt in ("hf-parquet", "openai-jsonl", "openai-preference-jsonl", "sharegpt-json", "sharegpt-preference-json",
                "trl-sft-jsonl", "trl-preference-jsonl"):
        if fmt not in formats:
            results[fmt] = {}
            continue
        out = work / "exports" / fmt
        cli(args.python, "export", "--from", START.isoformat(), "--to", END.isoformat(), "--format", fmt,
            "--out", str(out), "--lake", str(lake))
        card = (out / "README.md").read_text(encoding="utf-8")
        files = {p.stem: str(p) for p in sorted(out.iterdir()) if p.suffix in (".json", ".jsonl", ".parquet")
                 and p.name != "dataset_info.json"}
        negative_tokens = {True: 0, False: 0}
        rows = pleasantries = n_targets = 0
        schema = True
        prompts: dict[str, list[str]] = defaultdict(list)
        for key, path in files.items():
            records = read_records(path)
            rows += len(records)
            schema &= schema_ok(fmt, key, records)
            split = "validation" if "validation" in key else "train"
            for record in records:
                for documented in (True, False):
                    for pair in trained_answers(fmt, key, record, card, documented):
                        if pair in negative:
                            negative_tokens[documented] += tokens(pair[1])
                for target in targets(fmt, record):
                    n_targets += 1
                    norm = normalize_text(target)
                    pleasantries += len(target) <= 100 and norm.startswith(PLEASANTRY_OPENERS)
                text = prompt_of(fmt, key, record)
                if text is not None and not key.startswith("kto-"):
                    prompts[split].append(text)
                if fmt == "hf-parquet":
                    exported_ids.add(record["example_id"])
        n_val, leaked = validation_near_train(prompts) if prompts else (0, 0)
        results[fmt] = {
            "rows": f"{rows:,}",
            "negative tokens trained (documented recipe)": f"{negative_tokens[True]:,}",
            "negative tokens trained (consumer defaults)": f"{negative_tokens[False]:,}",
            "validation rows with near-dup prompt in train": f"{leaked}/{n_val} ({leaked / n_val:.1%})" if n_val else "n/a",
            "pleasantry targets": f"{pleasantries}/{n_targets} ({pleasantries / n_targets:.1%})" if n_targets else "n/a",
            "loads (datasets) + schema": "yes" if loads_with_datasets(files, work / "hf-cache" / fmt) and schema else "NO",
        }
    total, exact, near = cross_day_duplicates(lake, exported_ids)
    print(f"exported SFT rows: {total:,}; prompts repeated from an earlier day: exact {exact:,} ({exact / total:.1%}), "
          f"near-duplicate (Jaccard >= {JACCARD}) {near:,} ({near / total:.1%})")
    measures = [m for r in results.values() for m in r] or ["rows"]
    measures = list(dict.fromkeys(measures))
    print("| format | " + " | ".join(measures) + " |")
    print("|" + " --- |" * (len(measures) + 1))
    for fmt, r in results.items():
        print(f"| {fmt} | " + " | ".join(r.get(m, "n/a") for m in measures) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
