"""Training-data export: every format from a small generated lake, split, determinism, data card."""

from __future__ import annotations

import filecmp
import json
import os
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

from schemas.arrow import to_arrow_table  # noqa: E402
from schemas.outputs import ChatMessage, PreferencePair, RunManifest, SFTExample  # noqa: E402
import export as ex  # noqa: E402
from export import card as ex_card  # noqa: E402
from datalake.manifests import write_manifest
from datalake.tables import partition_name, shard_file_name  # noqa: E402

DAY1, DAY2, DAY3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)  # DAY2 has no partition
CATEGORIES = ["coding", "math", "writing", "qa"]
LANGUAGES = ["en", "de", "zh"]


def msg(role: str, content: str, train: bool = False) -> ChatMessage:
    return ChatMessage(role=role, content=content, train=train)


def sft(example_id: str, conversation_id: str, messages: list[ChatMessage], **extra) -> SFTExample:
    fields = dict(example_id=example_id, messages=messages, conversation_id=conversation_id,
                  target_message_id=f"{example_id}-t", target_turn_index=len(messages) - 1, label="positive",
                  source="events", category="qa", language="en")
    fields.update(extra)
    return SFTExample(**fields)


# Thirty distinct topics, so that no two generated questions are near-duplicates of each other ("question 1" and
# "question 2" alone share 5 of 7 character shingles: close enough to the threshold to link by chance).
TOPICS = ("apples", "bridges", "chess", "dolphins", "engines", "forests", "glaciers", "harbours", "insects",
          "jazz", "kites", "lanterns", "mosaics", "nebulae", "orchids", "pottery", "quartz", "rivers", "sailing",
          "tundra", "umbrellas", "volcanoes", "weaving", "xylophones", "yoghurt", "zeppelins", "archery",
          "beekeeping", "canyons", "deserts")


def question(i: int) -> str:
    return f"question {i} on {TOPICS[i]}"


def sft_rows(day: int) -> list[SFTExample]:
    rows = []
    for i in range(30):
        conv = f"conv-{day}-{i:02d}"
        extra = dict(category=CATEGORIES[i % 4], language=LANGUAGES[i % 3],
                     derivation="user_edit" if i % 5 == 0 else "original", sample_weight=1.0 + (i % 2))
        rows.append(sft(f"sft-{day}-{i:02d}-a", conv, [msg("user", question(i)),
                                                       msg("assistant", f"answer {i}", True)], **extra))
        if i % 3 == 0:  # a second example of the same conversation: history masked (loss on the last turn)
            rows.append(sft(f"sft-{day}-{i:02d}-b", conv, [
                msg("user", question(i)), msg("assistant", f"answer {i}"),
                msg("user", f"follow-up {i}"), msg("assistant", f"second answer {i}", True)], **extra))
    return rows


def special_rows() -> list[SFTExample]:
    return [
        # every assistant turn trains (loss scope "all"), with a system prompt
        sft("sft-all-turns", "conv-all", [msg("system", "be brief"), msg("user", "q1"), msg("assistant", "a1", True),
                                          msg("user", "q2"), msg("assistant", "a2", True)]),
        # a tool result between the user and the answer, and two user messages in a row
        sft("sft-tool", "conv-tool", [msg("user", "weather?"), msg("assistant", "calling"),
                                      msg("tool", '{"temp": 21}'), msg("user", "and tomorrow?"),
                                      msg("assistant", "21 today", True)]),
        # an assistant greeting before the first user message
        sft("sft-greeting", "conv-greeting", [msg("assistant", "hi, how can I help?"), msg("user", "q"),
                                              msg("assistant", "a", True)]),
        # a negative target: must never be exported
        sft("sft-negative", "conv-negative", [msg("user", "q"), msg("assistant", "wrong answer", True)],
            label="negative"),
    ]


def preference_rows(day: int) -> list[PreferencePair]:
    prompt = [msg("system", "sys"), msg("user", "which is right?")]
    rows = []
    for i in range(12):
        conv = f"conv-{day}-{i:02d}"
        rows.append(PreferencePair(pair_id=f"dpo-{day}-{i:02d}", kind="dpo", prompt=prompt,
                                   chosen=f"GOOD answer {i}", rejected=f"BAD answer {i}", derivation="regeneration",
                                   conversation_id=conv, source="events", category=CATEGORIES[i % 4], language="en"))
        rows.append(PreferencePair(pair_id=f"kto-{day}-{i:02d}", kind="kto", prompt=prompt,
                                   completion=f"answer {i}", desirable=i % 2 == 0, derivation="thumbs",
                                   conversation_id=conv, source="events", category=CATEGORIES[i % 4], language="de"))
    return rows


def write_partition(lake: Path, table: str, day: date, model, rows) -> None:
    folder = lake / table / partition_name(day)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow_table(model, rows), folder / shard_file_name(0, 1))


def manifest(run_id: str, day: date, status: str, counts: dict[str, int]) -> RunManifest:
    now = datetime(2026, 3, 4, tzinfo=timezone.utc)
    return RunManifest(run_id=run_id, flow="test", dt=day.isoformat(), status=status, started_at=now,
                       config_hash="x", judge_mode="rules-only", counts=counts)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    day1 = sft_rows(1) + special_rows()
    day3 = sft_rows(3) + [day1[0]]  # the same example again on another date: exported once
    write_partition(root, "sft", DAY1, SFTExample, day1)
    write_partition(root, "sft", DAY3, SFTExample, day3)
    write_partition(root, "preferences", DAY1, PreferencePair, preference_rows(1))
    write_partition(root, "preferences", DAY3, PreferencePair, preference_rows(3))
    # DAY1: an older succeeded run, the latest succeeded one, then a failed rerun: only the middle one counts.
    write_manifest(str(root), manifest("2026-03-01_20260302T000000Z_aaaaaa", DAY1, "succeeded",
                                       {"filter.refusal": 100, "judge.calls": 100}))
    write_manifest(str(root), manifest("2026-03-01_20260302T010000Z_bbbbbb", DAY1, "succeeded",
                                       {"filter.refusal": 5, "filter.too_short": 2, "dedup.near": 4,
                                        "dedup.exact": 1, "judge.calls": 7, "judge.prompt_tokens": 700,
                                        "sft_examples": 44}))
    write_manifest(str(root), manifest("2026-03-01_20260302T020000Z_cccccc", DAY1, "failed",
                                       {"filter.refusal": 1000}))
    write_manifest(str(root), manifest("2026-03-03_20260304T000000Z_dddddd", DAY3, "succeeded",
                                       {"filter.refusal": 3, "dedup.near": 6, "judge.calls": 2,
                                        "judge.prompt_tokens": 200}))
    return root


def export(lake: Path, out: Path, fmt: str, share: float = 0.3, start=DAY1, end=DAY3) -> ex.ExportResult:
    return ex.export_training_data(str(lake), start, end, fmt, str(out), validation_share=share)


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def exported_sft_ids(lake: Path, out: Path) -> dict[str, set[str]]:
    """Conversation ids per split, from the hf-parquet export."""
    result = export(lake, out, "hf-parquet")
    return {split: set(pq.read_table(result.files[split]).column("conversation_id").to_pylist())
            for split in ex.SPLITS}


def test_hf_parquet_loads_with_datasets_in_trl_chat_format(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "hf", "hf-parquet")
    assert set(result.files) == {"train", "validation"}
    loaded = datasets.load_dataset("parquet", data_files=result.files, cache_dir=str(tmp_path / "cache"))
    # Exactly the chat format TRL reads: a list of {role, content}.
    assert loaded["train"].data.schema.field("messages").type == pa.list_(
        pa.struct([("role", pa.string()), ("content", pa.string())]))
    total = loaded["train"].num_rows + loaded["validation"].num_rows
    assert total == result.counts["split.train"] + result.counts["split.validation"]
    # 2 x 40 examples + 3 special; the negative one and the cross-date duplicate are left out.
    assert total == 83 and result.counts["duplicates"] == 1 and result.counts["skipped.negative_label"] == 1
    rows = {r["example_id"]: r for split in loaded.values() for r in split}
    assert "sft-negative" not in rows
    assert rows["sft-1-00-a"]["messages"] == [{"role": "user", "content": question(0)},
                                              {"role": "assistant", "content": "answer 0"}]
    assert rows["sft-all-turns"]["train_mask"] == [False, False, True, False, True]
    assert rows["sft-1-00-b"]["train_mask"] == [False, False, False, True]
    assert [m["role"] for m in rows["sft-tool"]["messages"]] == ["user", "assistant", "tool", "user", "assistant"]
    assert rows["sft-1-01-a"]["sample_weight"] == 2.0 and rows["sft-1-01-a"]["category"] == "math"
    # The export directory itself loads through the card's `configs`.
    again = datasets.load_dataset(str(tmp_path / "hf"), cache_dir=str(tmp_path / "cache2"))
    assert again["train"].num_rows == loaded["train"].num_rows


def test_openai_jsonl_matches_the_fine_tuning_line_schema(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "oa", "openai-jsonl")
    loaded = datasets.load_dataset("json", data_files=result.files, cache_dir=str(tmp_path / "cache"))
    assert loaded["train"].num_rows == result.counts["train"]
    by_content = {}
    for key in ("train", "validation"):
        for line in read_jsonl(result.files[key]):
            assert set(line) == {"messages"}
            ex.OpenAIFineTuningLine.model_validate(line)
            for m in line["messages"]:
                assert m["role"] in {"system", "user", "assistant"}
                assert set(m) == ({"role", "content", "weight"} if m["role"] == "assistant" else {"role", "content"})
                assert m.get("weight", 0) in (0, 1)
            assert line["messages"][-1]["role"] == "assistant" and line["messages"][-1]["weight"] == 1
            by_content[line["messages"][-1]["content"]] = line["messages"]
    assert [m.get("weight") for m in by_content["a2"]] == [None, None, 1, None, 1]  # loss scope "all"
    assert [m.get("weight") for m in by_content["second answer 0"]] == [None, 0, None, 1]  # history masked
    assert [m["role"] for m in by_content["21 today"]] == ["user", "assistant", "user", "user", "assistant"]
    assert "wrong answer" not in by_content
    # The schema refuses what OpenAI refuses.
    bad_lines = [
        {"messages": [{"role": "user", "content": "q", "weight": 1}, {"role": "assistant", "content": "a", "weight": 1}]},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 0}]},
        {"messages": [{"role": "tool", "content": "q"}, {"role": "assistant", "content": "a", "weight": 1}]},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 1}], "x": 1},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 2}]},
    ]
    for bad in bad_lines:
        with pytest.raises(ValueError):
            ex.OpenAIFineTuningLine.model_validate(bad)


def llamafactory_sharegpt_ok(record: dict, ranking: bool = False) -> bool:
    """LLaMA-Factory's sharegpt converter rules: human/observation at odd positions, gpt/function_call at even
    ones; an even number of turns (odd for a ranking record, whose chosen/rejected are gpt messages)."""
    turns = record["conversations"]
    sides = (("human", "observation"), ("gpt", "function_call"))
    if any(t["from"] not in sides[i % 2] for i, t in enumerate(turns)):
        return False
    if ranking:
        return len(turns) % 2 == 1 and record["chosen"]["from"] == record["rejected"]["from"] == "gpt"
    return len(turns) % 2 == 0


def test_sharegpt_alternates_and_routes_train_flags(lake, tmp_path):
    result = export(lake, tmp_path / "sg", "sharegpt-json")
    out = tmp_path / "sg"
    info = json.loads((out / "dataset_info.json").read_text())
    assert {e["file_name"] for e in info.values()} == {Path(p).name for p in result.files.values()}
    for entry in info.values():
        assert entry["formatting"] == "sharegpt" and entry["columns"]["messages"] == "conversations"
        assert entry["tags"]["observation_tag"] == "observation" and "ranking" not in entry
    records = {}
    for key, path in result.files.items():
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        assert len(data) == result.counts[key]
        for record in data:
            assert llamafactory_sharegpt_ok(record)
            records[record["example_id"]] = (key, record)
    # Every gpt turn trains: the default file, which LLaMA-Factory's default (mask_history: false) trains whole.
    key, record = records["sft-all-turns"]
    assert key in ("train", "validation") and record["system"] == "be brief"
    # An untrained answer in the history: the mask_history file, never the default one.
    assert records["sft-1-00-b"][0].endswith("_last_turn")
    assert records["sft-1-00-a"][0] in ("train", "validation")
    assert records["sft-1-01-a"][1]["sample_weight"] == 2.0
    tool_key, tool = records["sft-tool"]
    assert [t["from"] for t in tool["conversations"]] == ["human", "gpt", "human", "gpt"]
    assert tool["conversations"][2]["value"] == '{"temp": 21}\n\nand tomorrow?'  # a user message joined in
    assert tool_key.endswith("_last_turn")
    assert records["sft-greeting"][1]["conversations"][0] == {"from": "human", "value": "q"}
    assert "sft-negative" not in records
    card = Path(result.data_card).read_text()
    assert "mask_history: true" in card and "config_name: last_turn" in card


def test_sharegpt_tool_results_are_observation_turns_and_partial_history_splits():
    from collections import Counter

    notes = Counter()
    row = {"example_id": "e", "sample_weight": 1.0, "messages": [
        {"role": "user", "content": "weather?"}, {"role": "assistant", "content": "calling", "train": False},
        {"role": "tool", "content": "21C"}, {"role": "assistant", "content": "21 today", "train": True},
        {"role": "user", "content": "tomorrow?"}, {"role": "assistant", "content": "bad", "train": False},
        {"role": "user", "content": "and?"}, {"role": "assistant", "content": "22", "train": True}]}
    records = ex.sharegpt_records(row, notes)
    # One record per trained answer, each cut after it and routed to the mask_history file.
    assert [(len(r["conversations"]), every) for r, every in records] == [(4, False), (8, False)]
    assert [t["from"] for t in records[0][0]["conversations"]] == ["human", "gpt", "observation", "gpt"]
    assert all(llamafactory_sharegpt_ok(r) for r, _ in records)
    assert notes["sharegpt.examples_split_per_trained_answer"] == 1
    # Every answer trains: one record for the default file.
    for m in row["messages"]:
        m["train"] = m["role"] == "assistant"
    assert [(len(r["conversations"]), every) for r, every in ex.sharegpt_records(row)] == [(8, True)]


def test_trl_preferences_keep_direction_and_split_kto(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "trl", "trl-preference-jsonl")
    assert {k.split("-")[0] for k in result.files} == {"dpo", "kto"}
    dpo = [line for key, path in result.files.items() if key.startswith("dpo") for line in read_jsonl(path)]
    kto = [line for key, path in result.files.items() if key.startswith("kto") for line in read_jsonl(path)]
    assert len(dpo) == 24 and len(kto) == 24
    for line in dpo:
        assert set(line) == {"prompt", "chosen", "rejected"}
        assert line["prompt"] == [{"role": "system", "content": "sys"}, {"role": "user", "content": "which is right?"}]
        assert line["chosen"][0]["role"] == "assistant" and line["chosen"][0]["content"].startswith("GOOD")
        assert line["rejected"][0]["content"].startswith("BAD")
    for line in kto:
        assert set(line) == {"prompt", "completion", "label"} and isinstance(line["label"], bool)
    assert sum(line["label"] for line in kto) == 12
    loaded = datasets.load_dataset("json", data_files={k.split("-")[1]: v for k, v in result.files.items()
                                                       if k.startswith("dpo")}, cache_dir=str(tmp_path / "cache"))
    assert sum(d.num_rows for d in loaded.values()) == 24


def test_trl_sft_is_prompt_completion_with_one_row_per_trained_answer(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "trl-sft", "trl-sft-jsonl")
    loaded = datasets.load_dataset("json", data_files=result.files, cache_dir=str(tmp_path / "cache"))
    lines = [line for key in ("train", "validation") for line in read_jsonl(result.files[key])]
    # 83 examples, one with two trained answers; days 1 and 3 repeat 40 examples' content (other ids): once.
    assert sum(d.num_rows for d in loaded.values()) == len(lines) == 84 - 40
    assert "| trl_sft.repeated_lines_written_once | 40 |" in Path(result.data_card).read_text()
    by_answer = {}
    for line in lines:
        assert set(line) == {"prompt", "completion"}
        assert [m["role"] for m in line["completion"]] == ["assistant"]
        assert all(m["role"] in {"system", "user", "assistant"} for m in line["prompt"])
        assert any(m["role"] == "user" for m in line["prompt"])
        by_answer[line["completion"][0]["content"]] = line["prompt"]
    # loss scope "all": the earlier trained answer is a completion of its own, its prompt cut before it.
    assert by_answer["a1"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "q1"}]
    assert [m["content"] for m in by_answer["a2"]] == ["be brief", "q1", "a1", "q2"]
    # An untrained context answer stays in the prompt, never a completion.
    assert by_answer["second answer 0"][1] == {"role": "assistant", "content": "answer 0"}
    assert "calling" not in by_answer and "hi, how can I help?" not in by_answer and "wrong answer" not in by_answer
    assert "completion_only_loss" in Path(result.data_card).read_text()


def test_openai_preference_lines_match_the_documented_schema(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "oap", "openai-preference-jsonl")
    assert result.counts["skipped.kto_not_in_format"] == 24
    lines = [line for key in ("train", "validation") if key in result.files for line in read_jsonl(result.files[key])]
    assert len(lines) == 24
    for line in lines:
        assert set(line) == {"input", "preferred_output", "non_preferred_output"} and set(line["input"]) == {"messages"}
        ex.OpenAIPreferenceLine.model_validate(line)
        assert line["preferred_output"][0]["content"].startswith("GOOD")
        assert line["non_preferred_output"][0]["content"].startswith("BAD")
    loaded = datasets.load_dataset("json", data_files=result.files, cache_dir=str(tmp_path / "cache"))
    assert sum(d.num_rows for d in loaded.values()) == 24
    good = {"input": {"messages": [{"role": "user", "content": "q"}]},
            "preferred_output": [{"role": "assistant", "content": "a"}],
            "non_preferred_output": [{"role": "assistant", "content": "b"}]}
    bad_lines = [
        {**good, "non_preferred_output": [{"role": "assistant", "content": "a"}]},  # no choice
        {**good, "input": {"messages": [{"role": "assistant", "content": "q"}]}},  # nothing asked
        {**good, "preferred_output": [{"role": "assistant", "content": "a", "weight": 1}]},
        {**good, "preferred_output": [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "c"}]},
        {**good, "extra": 1},
        {**good, "input": {"messages": [{"role": "tool", "content": "q"}]}},
    ]
    ex.OpenAIPreferenceLine.model_validate(good)
    for bad in bad_lines:
        with pytest.raises(ValueError):
            ex.OpenAIPreferenceLine.model_validate(bad)


def test_sharegpt_preferences_register_ranking_and_kto_entries(lake, tmp_path):
    import datasets

    result = export(lake, tmp_path / "sgp", "sharegpt-preference-json")
    info = json.loads((tmp_path / "sgp" / "dataset_info.json").read_text())
    assert set(info) == {f"flywheel_{key}" for key in result.files}
    for key, path in result.files.items():
        entry = info[f"flywheel_{key}"]
        records = json.loads(Path(path).read_text())
        assert len(records) == result.counts[key]
        if key.startswith("dpo-"):
            assert entry["ranking"] is True and entry["columns"]["chosen"] == "chosen"
            assert all(llamafactory_sharegpt_ok(r, ranking=True) for r in records)
            assert all(r["chosen"]["value"].startswith("GOOD") for r in records)
        else:
            assert "ranking" not in entry and entry["columns"]["kto_tag"] == "kto_tag"
            assert all(llamafactory_sharegpt_ok(r) and isinstance(r["kto_tag"], bool) for r in records)
        assert all(r["system"] == "sys" for r in records)
        loaded = datasets.load_dataset("json", data_files=path, split="train", cache_dir=str(tmp_path / "c" / key))
        assert loaded.num_rows == len(records)
    kto = [r for k, p in result.files.items() if k.startswith("kto-") for r in json.loads(Path(p).read_text())]
    assert len(kto) == 24 and sum(r["kto_tag"] for r in kto) == 12


def test_split_is_by_conversation_and_cluster_and_matches_across_tables(lake, tmp_path):
    splits = exported_sft_ids(lake, tmp_path / "a")
    assert splits["train"] and splits["validation"]
    assert not splits["train"] & splits["validation"]
    # Every preference row asks the same question: their conversations are one near-duplicate cluster, so
    # their SFT examples share a split too, whatever each conversation alone would hash to.
    clustered = {f"conv-{day}-{i:02d}" for day in (1, 3) for i in range(12)}
    assert clustered <= splits["train"] or clustered <= splits["validation"]
    assert len({ex.split_of(c, "flywheel", 0.3) for c in clustered}) == 2  # alone, they would be split
    # Preference rows of a conversation land in the same split as its SFT examples.
    result = export(lake, tmp_path / "p", "trl-preference-jsonl")
    pref_validation = sum(n for k, n in result.counts.items() if k.endswith("-validation"))
    assert pref_validation == 2 * len(clustered & splits["validation"])
    assert result.counts["split.near_duplicate_links"] > 0
    # Another seed gives another split; share 0 puts everything in train.
    other = ex.export_training_data(str(lake), DAY1, DAY3, "hf-parquet", str(tmp_path / "b"), seed="other",
                                    validation_share=0.3)
    assert set(pq.read_table(other.files["validation"]).column("conversation_id").to_pylist()) != splits["validation"]
    none = export(lake, tmp_path / "c", "hf-parquet", share=0.0)
    assert set(none.files) == {"train"} and none.counts["split.validation"] == 0


@pytest.mark.parametrize("fmt", ex.EXPORT_FORMATS)
def test_rerun_is_byte_identical_and_replaces_in_place(lake, tmp_path, fmt):
    first = export(lake, tmp_path / "one", fmt)
    export(lake, tmp_path / "two", fmt)
    names = sorted(os.listdir(tmp_path / "one"))
    assert names == sorted(os.listdir(tmp_path / "two"))
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", names, shallow=False)
    assert not mismatch and not errors
    # Exporting again over the same directory replaces it, leaving no temp directories behind.
    again = export(lake, tmp_path / "one", fmt)
    assert again.counts == first.counts
    assert sorted(os.listdir(tmp_path)) == ["one", "two"]


def test_data_card_holds_counts_from_rows_and_manifests(lake, tmp_path):
    result = export(lake, tmp_path / "card", "openai-jsonl")
    card = Path(result.data_card).read_text()
    assert card.startswith("---\nconfigs:")
    assert "2026-03-01 .. 2026-03-03" in card and "schema_version: 1" in card and "sha256" in card
    assert f"| exported | {result.counts['split.train']} | {result.counts['split.validation']} | 83 |" in card
    assert "| skipped.negative_label |  |  | 1 |" in card
    assert "| coding |" in card and "| zh |" in card and "| user_edit |" in card and "| events |" in card
    # The run each date's commit names, else its latest succeeded one: DAY1's older and failed runs don't count.
    assert "| filter.refusal | 8 |" in card and "| filter.too_short | 2 |" in card
    # Dedup counters other than the date's own exact duplicates are summed (a rerun can move them).
    assert f"| dedup.{ex_card.OTHER_DEDUP} | 11 |" in card and "| dedup.near |" not in card
    assert "| judge.calls | 9 |" in card and "| judge.prompt_tokens | 900 |" in card
    assert "Dates with a run on record: 2026-03-01, 2026-03-03." in card
    assert "bbbbbb" not in card and "aaaaaa" not in card  # no run id: a rerun changing no data changes no card
    assert "No `sft` partition for: 2026-03-02." in card and "No succeeded run for: 2026-03-02." in card
    for content in (question(1), "answer 1", "be brief", "wrong answer"):
        assert content not in card


def test_empty_range_and_unsafe_targets_raise(lake, tmp_path):
    with pytest.raises(ex.ExportError, match=r"table 'sft' has no rows for 2025-01-01\.\.2025-01-03.*"
                                             r"no partition for 2025-01-01\.\.2025-01-03"):
        ex.export_training_data(str(lake), date(2025, 1, 1), date(2025, 1, 3), "openai-jsonl", str(tmp_path / "x"))
    with pytest.raises(ex.ExportError, match="table 'sft' has no rows.*no partition for 2026-03-02"):
        ex.export_training_data(str(lake), DAY2, DAY2, "hf-parquet", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
    with pytest.raises(ex.ExportError, match="unknown export format"):
        ex.export_training_data(str(lake), DAY1, DAY1, "csv", str(tmp_path / "x"))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ex.ExportError, match="not replacing"):
        ex.export_training_data(str(lake), DAY1, DAY1, "hf-parquet", str(tmp_path / "mine"))
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_failed_export_leaves_the_previous_one_whole(lake, tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = export(lake, out, "openai-jsonl")
    snapshot = {name: (out / name).read_bytes() for name in os.listdir(out)}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ex, "_data_card", broken)
    with pytest.raises(RuntimeError):
        export(lake, out, "openai-jsonl", share=0.5)
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == snapshot
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert before.counts["train"] == len(read_jsonl(before.files["train"]))


def test_older_partitions_and_fsspec_lakes(lake, tmp_path):
    import fsspec

    # A partition written before category/language/derivation/sample_weight existed reads with defaults.
    old = SFTExample(example_id="old-1", messages=[msg("user", "q"), msg("assistant", "a", True)],
                     conversation_id="conv-old", target_message_id="t", target_turn_index=1, label="positive",
                     source="events")
    table = to_arrow_table(SFTExample, [old]).drop_columns(["category", "language", "derivation", "sample_weight"])
    memory = fsspec.filesystem("memory")
    root = "memory://export-test-lake"
    with memory.open(f"{root}/sft/{partition_name(DAY1)}/{shard_file_name(0, 1)}", "wb") as handle:
        pq.write_table(table, handle)
    result = ex.export_training_data(root, DAY1, DAY1, "hf-parquet", str(tmp_path / "old"))
    row = pq.read_table(result.files["train"]).to_pylist()[0]
    assert row["category"] is None and row["derivation"] == "original" and row["sample_weight"] == 1.0
    assert "| (none) | 1 | 0 | 1 |" in Path(result.data_card).read_text()
    memory.rm(root, recursive=True)


def test_a_range_whose_rows_are_all_skipped_raises(tmp_path):
    write_partition(tmp_path / "lake", "sft", DAY1, SFTExample, [special_rows()[-1]])  # only a negative row
    with pytest.raises(ex.ExportError, match="skipped.negative_label=1"):
        ex.export_training_data(str(tmp_path / "lake"), DAY1, DAY1, "openai-jsonl", str(tmp_path / "out"))
    with pytest.raises(ex.ExportError, match="table 'preferences' has no rows"):
        ex.export_training_data(str(tmp_path / "lake"), DAY1, DAY1, "trl-preference-jsonl", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
