"""The loop closes in the export: items rejected in review are left out, fixed answers are the targets
(derivation review_fix, the reviewer's hash where the format allows), the data card counts the reviews and
the counts reconcile; a lake without reviews of a kind exports that kind exactly as before.

Reviews are made the way people make them: a queue sampled with `review.queue.sample_queue`, verdicts
recorded with `review.verdicts.record_verdict` (regex scrubbing, for speed), appended to the lake's table."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import export as ex  # noqa: E402
from datalake.reviews import decide_items, reviewer_hash  # noqa: E402
from export.hf_parquet import HF_SCHEMA  # noqa: E402
from export.reviews import apply_reviews  # noqa: E402
from generated_lake import one_day_lake  # noqa: E402
from review.queue import sample_queue  # noqa: E402
from review.verdicts import record_verdict  # noqa: E402
from schemas.review import Review  # noqa: E402
from sql.catalog import open_catalog  # noqa: E402
from transforms.scrub.config import ScrubConfig  # noqa: E402
from transforms.scrub.scrubber import DEFAULT_SPACY_MODEL  # noqa: E402

DAY = date(2026, 11, 28)
REGEX = ScrubConfig(mode="regex", spacy_model=DEFAULT_SPACY_MODEL)
FIXED = "Use a list comprehension: [x * 2 for x in items]. It keeps the order of the items."


@pytest.fixture(scope="module")
def lakes(tmp_path_factory):
    """A generated day (40 conversations), copied: `plain` has no reviews; `reviewed` has alice's SFT verdicts
    (12 sampled at random: 5 rejected, 1 fixed, 6 accepted) and bob's on 3 preference rows (fix, reject,
    accept); `prefs_only` has only bob's preference verdicts."""
    root = tmp_path_factory.mktemp("reviews")
    one_day_lake(root / "base", DAY, conversations=40)
    lakes = {}
    for name in ("plain", "reviewed", "prefs_only"):
        shutil.copytree(root / "base" / "lake", root / name)
        lakes[name] = str(root / name)
    queue = sample_queue(lakes["reviewed"], "sft", DAY, DAY, 12, "random", "alice", seed=1)
    assert len(queue) == 12
    for i, item in enumerate(queue):
        if i < 5:
            record_verdict(lakes["reviewed"], item, "alice", "reject", reason="incorrect", scrub=REGEX)
        elif i == 5:
            record_verdict(lakes["reviewed"], item, "alice", "fix", fixed_answer=FIXED, scrub=REGEX)
        else:
            record_verdict(lakes["reviewed"], item, "alice", "accept", scrub=REGEX)
    for lake in (lakes["reviewed"], lakes["prefs_only"]):
        kto = [i for i in sample_queue(lake, "preference", DAY, DAY, 40, "random", "bob", seed=2)
               if i.content["kind"] == "kto"]
        record_verdict(lake, kto[0], "bob", "fix", fixed_answer=FIXED, scrub=REGEX)
        record_verdict(lake, kto[1], "bob", "reject", reason="wrong_order", scrub=REGEX)
        record_verdict(lake, kto[2], "bob", "accept", scrub=REGEX)
    return {"root": root, "queue": queue, "kto": kto[:3], **lakes}


def _export(lake: str, fmt: str, out: Path) -> ex.ExportResult:
    return ex.export_training_data(lake, DAY, DAY, fmt, str(out), validation_share=0.2)


def _jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _split_files(result: ex.ExportResult) -> list[str]:
    return [path for key, path in sorted(result.files.items())]


def test_the_reviews_table_holds_one_row_per_verdict(lakes):
    con = open_catalog(lakes["reviewed"])
    try:
        assert con.execute("SELECT count(*) FROM reviews WHERE item_kind = 'sft'").fetchone() == (12,)
        assert con.execute("SELECT decision, count(*) FROM review_decisions WHERE item_kind = 'sft' "
                           "GROUP BY ALL ORDER BY 1").fetchall() == [("accept", 6), ("fix", 1), ("reject", 5)]
    finally:
        con.close()


def test_rejected_items_are_left_out_and_the_fixed_answer_is_the_target(lakes, tmp_path):
    queue = lakes["queue"]
    rejected, fixed = {i.item_id for i in queue[:5]}, queue[5].item_id
    accepted = {i.item_id for i in queue[6:]}
    alice = reviewer_hash(lakes["reviewed"], "alice")

    result = _export(lakes["reviewed"], "hf-parquet", tmp_path / "hf")
    table = pa.concat_tables(pq.read_table(path) for path in _split_files(result))
    rows = {row["example_id"]: row for row in table.to_pylist()}
    assert rejected.isdisjoint(rows) and fixed in rows and accepted <= set(rows)
    assert rows[fixed]["messages"][-1]["content"] == FIXED and rows[fixed]["train_mask"][-1]
    assert (rows[fixed]["derivation"], rows[fixed]["review_verdict"], rows[fixed]["reviewed_by"]) == (
        "review_fix", "fix", alice)
    assert {rows[i]["review_verdict"] for i in accepted} == {"accept"}
    assert {r["review_verdict"] for i, r in rows.items() if i not in accepted | {fixed}} == {None}
    assert "alice" not in json.dumps(table.to_pylist(), default=str)

    # Counts reconcile: every row read is exported, a repeat, or skipped with a reason.
    counts = result.counts
    assert (counts["review.reviewed"], counts["review.accepted"], counts["review.rejected"],
            counts["review.fixed"]) == (12, 6, 5, 1)
    assert counts["skipped.review_rejected"] == 5
    skipped = sum(v for k, v in counts.items() if k.startswith("skipped."))
    assert counts["rows_read"] == counts["duplicates"] + skipped + counts["split.train"] + counts["split.validation"]
    card = Path(result.data_card).read_text(encoding="utf-8")
    for line in ("| reviewed | 12 |", "| accepted (exported as they are) | 6 |",
                 "| rejected (left out: skipped.review_rejected) | 5 |",
                 "| fixed (the reviewer's answer is the target, derivation review_fix) | 1 |",
                 "| skipped.review_rejected |  |  | 5 |", "| review_fix |"):
        assert line in card, line
    assert "`reviewed_by` columns" in card


def test_every_sft_format_carries_the_fix_and_its_consumers_schema_holds(lakes, tmp_path):
    from datasets import load_dataset

    queue = lakes["queue"]
    rejected_answers = {i.content["answer"] for i in queue[:5]}
    kept_answers = {i.content["answer"] for i in queue[5:]}
    assert rejected_answers.isdisjoint(kept_answers)  # so an answer's absence means its row is gone

    trl = _export(lakes["reviewed"], "trl-sft-jsonl", tmp_path / "trl")
    lines = [line for path in _split_files(trl) for line in _jsonl(path)]
    assert all(set(line) == {"prompt", "completion"} for line in lines)  # TRL's documented keys only
    completions = {line["completion"][0]["content"] for line in lines}
    assert FIXED in completions and rejected_answers.isdisjoint(completions)
    assert "not in them" in Path(trl.data_card).read_text(encoding="utf-8")

    openai = _export(lakes["reviewed"], "openai-jsonl", tmp_path / "oa")
    lines = [line for path in _split_files(openai) for line in _jsonl(path)]
    assert any(line["messages"][-1] == {"role": "assistant", "content": FIXED, "weight": 1} for line in lines)
    for line in lines:
        ex.OpenAIFineTuningLine.model_validate(line)  # exactly the documented keys: no reviewer field

    sharegpt = _export(lakes["reviewed"], "sharegpt-json", tmp_path / "sg")
    records = json.loads(Path(sharegpt.files["train"]).read_text(encoding="utf-8"))
    if "validation" in sharegpt.files:
        records += json.loads(Path(sharegpt.files["validation"]).read_text(encoding="utf-8"))
    fixed = [r for r in records if r["example_id"] == queue[5].item_id]
    assert fixed and fixed[0]["conversations"][-1] == {"from": "gpt", "value": FIXED}
    assert fixed[0]["reviewed_by"] == reviewer_hash(lakes["reviewed"], "alice")
    assert all(set(r) >= {"review_verdict", "reviewed_by"} for r in records)
    # The files load as their consumers load them (datasets' json builder: LLaMA-Factory; parquet: hf-parquet).
    loaded = load_dataset("json", data_files=sharegpt.files["train"], split="train")
    assert {"conversations", "system", "reviewed_by"} <= set(loaded.column_names)
    hf = _export(lakes["reviewed"], "hf-parquet", tmp_path / "hf")
    assert "reviewed_by" in load_dataset("parquet", data_files=hf.files["train"], split="train").column_names


def test_a_preference_fix_replaces_the_answer_learned(lakes, tmp_path):
    fixed, rejected, accepted = lakes["kto"]
    result = _export(lakes["reviewed"], "trl-preference-jsonl", tmp_path / "trl")
    lines = [line for key, path in result.files.items() if key.startswith("kto-") for line in _jsonl(path)]
    assert all(set(line) == {"prompt", "completion", "label"} for line in lines)
    assert {"prompt": ex.trl_preference_line({"prompt": fixed.content["prompt"], "kind": "kto", "completion": "",
                                              "desirable": True})["prompt"],
            "completion": [{"role": "assistant", "content": FIXED}], "label": True} in lines
    assert (result.counts["review.fixed"], result.counts["review.rejected"], result.counts["skipped.review_rejected"]) \
        == (1, 1, 1)

    sharegpt = _export(lakes["reviewed"], "sharegpt-preference-json", tmp_path / "sg")
    records = [r for key, path in sharegpt.files.items() if key.startswith("kto-")
               for r in json.loads(Path(path).read_text(encoding="utf-8"))]
    fixes = [r for r in records if r["review_verdict"] == "fix"]
    assert len(fixes) == 1 and fixes[0]["kto_tag"] is True and fixes[0]["conversations"][-1]["value"] == FIXED
    assert fixes[0]["reviewed_by"] == reviewer_hash(lakes["reviewed"], "bob")


def test_a_dpo_fix_replaces_the_chosen_answer():
    rows = pa.Table.from_pylist([
        {"pair_id": "p1", "kind": "dpo", "chosen": "good", "rejected": "bad", "completion": None,
         "desirable": None, "derivation": "thumbs"},
        {"pair_id": "p2", "kind": "dpo", "chosen": "fine", "rejected": "worse", "completion": None,
         "desirable": None, "derivation": "rating"},
        {"pair_id": "p3", "kind": "dpo", "chosen": "ok", "rejected": "meh", "completion": None,
         "desirable": None, "derivation": "rating"}])
    at = datetime(2026, 11, 30, tzinfo=timezone.utc)
    reviews = [Review(review_id=f"r{i}", item_id=item, item_kind="preference", item_day=DAY, reviewer="rv-x",
                      verdict=verdict, reason="wrong_order" if verdict == "reject" else None,
                      fixed_answer="better" if verdict == "fix" else None, strategy="random",
                      guideline_version="preference-1", source="import", reviewed_at=at)
               for i, (item, verdict) in enumerate((("p1", "fix"), ("p2", "reject")))]
    table, counts = apply_reviews(rows, "pair_id", decide_items(reviews, "preference"))
    got = {r["pair_id"]: r for r in table.to_pylist()}
    assert set(got) == {"p1", "p3"}
    assert (got["p1"]["chosen"], got["p1"]["rejected"], got["p1"]["derivation"]) == ("better", "bad", "review_fix")
    assert got["p3"]["chosen"] == "ok" and got["p3"]["review_verdict"] is None
    assert counts == {"review.reviewed": 2, "review.accepted": 0, "review.rejected": 1, "review.fixed": 1,
                      "skipped.review_rejected": 1}


def test_without_reviews_of_a_kind_its_export_is_unchanged(lakes, tmp_path):
    # prefs_only holds preference reviews only: its SFT exports are the plain lake's, byte for byte.
    for fmt in ("hf-parquet", "sharegpt-json", "trl-sft-jsonl"):
        plain = _export(lakes["plain"], fmt, tmp_path / f"plain-{fmt}")
        other = _export(lakes["prefs_only"], fmt, tmp_path / f"other-{fmt}")
        names = sorted(os.listdir(tmp_path / f"plain-{fmt}"))
        assert names == sorted(os.listdir(tmp_path / f"other-{fmt}"))
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / f"plain-{fmt}", tmp_path / f"other-{fmt}", names,
                                                   shallow=False)
        assert mismatch == [] and errors == [], fmt
        assert not any(k.startswith("review.") for k in plain.counts) and plain.counts == other.counts
    assert pq.read_schema(tmp_path / "plain-hf-parquet" / "train.parquet").remove_metadata() == HF_SCHEMA
    assert "### Reviews" not in (tmp_path / "plain-hf-parquet" / "README.md").read_text(encoding="utf-8")
    records = json.loads((tmp_path / "plain-sharegpt-json" / "train.json").read_text(encoding="utf-8"))
    assert not any("reviewed_by" in r for r in records)
