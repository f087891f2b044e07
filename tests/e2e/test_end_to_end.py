"""End to end on generated logs, through the CLI, the Prefect flow, Beam and Presidio."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flywheel.cli import main
from flywheel.sample_logs import generate_logs
from datalake.manifests import read_manifests
from generated_lake import file_texts

DAY = date(2026, 11, 20)


def leaked(values: set[str], texts: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, where) for where, text in texts.items() for value in values if value in text]


@pytest.fixture(scope="module")
def day_run(tmp_path_factory, prefect_harness):
    root = tmp_path_factory.mktemp("e2e")
    logs = generate_logs(root / "logs", [DAY], 30, seed=11, log_format="mixed", malformed_rate=0.05)
    args = ["run", "--date", DAY.isoformat(), "--source", str(root / "logs"), "--lake", str(root / "lake"),
            "--quarantine", str(root / "quarantine"), "--shards", "2"]
    return root, logs, args


def run_cli(args, capfd) -> tuple[int, str]:
    code = main(args)
    out, err = capfd.readouterr()
    return code, out + err


def test_run_writes_sft_rows_without_pii_and_reruns_identically(day_run, capfd):
    root, logs, args = day_run
    code, output = run_cli(args, capfd)
    assert code == 0, output
    lake = root / "lake"

    sft = pq.read_table(lake / "sft").to_pylist()
    assert sft, "no SFT rows"
    for row in sft:
        assert row["messages"][-1]["role"] == "assistant"
        assert all(set(m) == {"role", "content", "train"} for m in row["messages"])
        assert [m["train"] for m in row["messages"]][-1] is True
    # Thumbs-down (any negative) turns never become SFT targets nor `chosen` answers.
    # (A corrected example names the rejected original as its target and carries the better answer.)
    turns = {t["message_id"]: t for c in pq.read_table(lake / "conversations").to_pylist() for t in c["turns"]}
    negative_answers = {t["content"] for t in turns.values() if t["label"] == "negative"}
    for row in sft:
        if row["derivation"] == "original":
            assert turns[row["target_message_id"]]["label"] != "negative"
        assert row["messages"][-1]["content"] not in negative_answers
    preferences = pq.read_table(lake / "preferences").to_pylist()
    assert preferences
    assert all(p["chosen"] not in negative_answers for p in preferences if p["kind"] == "dpo")
    assert all(p["completion"] not in negative_answers for p in preferences if p["kind"] == "kto" and p["desirable"])

    # No planted PII anywhere under the lake, nor in what the run printed or logged.
    planted = {p.value for p in logs.planted_pii}
    assert planted
    assert leaked(planted, file_texts(lake)) == []
    assert leaked(planted, {"run output": output}) == []

    # Counts reconcile and malformed lines are in quarantine with reason, source and line number.
    manifest = read_manifests(str(lake))[-1]
    counts = manifest.counts
    assert manifest.status == "succeeded"
    assert counts["lines_read"] == counts["lines_accepted"] + counts["lines_quarantined"] + counts["lines_blank"]
    assert counts["lines_quarantined"] >= logs.malformed_lines > 0
    quarantined = [json.loads(line) for f in (root / "quarantine").rglob("*.jsonl") for line in f.open()]
    assert len(quarantined) == counts["lines_quarantined"]
    assert all(q["reason"] and q["source_uri"] and q["line_number"] > 0 for q in quarantined)

    conversation_ids = sorted(pq.read_table(lake / "conversations").column("row_id").to_pylist())
    sft_ids = sorted(row["example_id"] for row in sft)
    assert len(set(sft_ids)) == len(sft_ids)

    # Second run of the same date: same row ids, no duplicates, one set of partition files.
    code, output = run_cli(args, capfd)
    assert code == 0, output
    assert sorted(pq.read_table(lake / "conversations").column("row_id").to_pylist()) == conversation_ids
    assert sorted(pq.read_table(lake / "sft").column("example_id").to_pylist()) == sft_ids
    assert len(list((root / "quarantine").rglob("*.jsonl"))) == 1
    assert not (lake / "_staging").exists() or not any((lake / "_staging").iterdir())

    # Prefect artifacts carry the summary, never the content.
    async def artifact_texts():
        from prefect.client.orchestration import get_client

        async with get_client() as client:
            return {a.key or str(a.id): str(a.data) for a in await client.read_artifacts()}

    artifacts = asyncio.run(artifact_texts())
    assert any("flywheel-run" in key for key in artifacts)
    assert leaked(planted, artifacts) == []

    # ML engineers export it for a trainer; the export holds no PII either.
    export_dir = root / "export"
    code, output = run_cli(["export", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--format", "openai-jsonl",
                            "--out", str(export_dir), "--lake", str(lake)], capfd)
    assert code == 0, output
    exported = [json.loads(line) for f in export_dir.glob("*.jsonl") for line in f.open()]
    assert exported and all(line["messages"][-1]["role"] == "assistant" for line in exported)
    assert leaked(planted, file_texts(export_dir)) == []

    # Analysts see it through DuckDB from any directory.
    code, output = run_cli(["query", "SELECT count(*) AS n FROM sft", "--lake", str(lake)], capfd)
    assert code == 0 and str(len(sft)) in output
