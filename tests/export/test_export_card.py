"""The data card: provenance of the runs behind the rows, and stable across reruns that change no data."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import export as ex
from datalake.manifests import write_manifest
from schemas.outputs import PreferencePair, RunManifest, RunProvenance, SFTExample
from test_export import msg, sft, write_partition

DAYS = (date(2026, 6, 1), date(2026, 6, 2))


def provenance(**changes) -> RunProvenance:
    fields = dict(policy={"loss_scope": '"last"', "near_duplicate_threshold": "0.8", "decontamination_ngram": "8"},
                  policy_hash="p0licy", rules_version="v9", judge_model="qwen-judge", judge_rubric="judge_v1",
                  scrub_mode="presidio", scrub_replacement="surrogate", decontamination_sets=["mmlu.jsonl"])
    fields.update(changes)
    return RunProvenance(**fields)


def run(day: date, stamp: str, counts: dict[str, int], **changes) -> RunManifest:
    return RunManifest(run_id=f"{day.isoformat()}_{stamp}", flow="test", dt=day.isoformat(), status="succeeded",
                       started_at=datetime(2026, 6, 3, tzinfo=timezone.utc), config_hash="c0nfig",
                       judge_mode="llm-judge (qwen-judge)", counts=counts, provenance=provenance(**changes))


def make_lake(root: Path) -> Path:
    for n, day in enumerate(DAYS):
        write_partition(root, "sft", day, SFTExample, [
            sft(f"e{n}{i}", f"c{n}{i}", [msg("user", f"distinct question {n} {i} {'x' * i}"),
                                         msg("assistant", "answer", True)]) for i in range(5)])
        write_partition(root, "preferences", day, PreferencePair, [
            PreferencePair(pair_id=f"k{n}{i}", kind="kto", prompt=[msg("user", f"q {n} {i}")], completion="a",
                           desirable=i < 3, derivation="thumbs", conversation_id=f"c{n}{i}", source="events")
            for i in range(5)])
    return root


def test_card_names_what_made_the_rows(tmp_path):
    lake = make_lake(tmp_path / "lake")
    write_manifest(str(lake), run(DAYS[0], "20260603T000000Z_aaaaaa", {"dedup.near": 2}))
    write_manifest(str(lake), run(DAYS[1], "20260603T000100Z_bbbbbb", {"dedup.near": 1},
                                  policy={"loss_scope": '"all"', "decontamination_ngram": "8"}, policy_hash="0ther"))
    card = Path(ex.export_training_data(str(lake), DAYS[0], DAYS[1], "trl-sft-jsonl", str(tmp_path / "out"))
                .data_card).read_text()
    for line in ("| rules version | v9 |", "| judge model / rubric | qwen-judge / judge_v1 |",
                 "| PII scrub mode / replacement | presidio / surrogate |", "| config hash (run settings) | c0nfig |",
                 "| decontamination | ran against mmlu.jsonl (8-grams) |",
                 "| loss_scope | all (2026-06-02); last (2026-06-01) |",
                 "| training policy hash | 0ther (2026-06-02); p0licy (2026-06-01) |"):
        assert line in card, line
    prefs = Path(ex.export_training_data(str(lake), DAYS[0], DAYS[1], "trl-preference-jsonl", str(tmp_path / "p"))
                 .data_card).read_text()
    assert "### KTO balance (60.0% desirable)" in prefs and "| desirable |" in prefs and "| undesirable |" in prefs


def test_a_rerun_that_changes_no_data_changes_no_card(tmp_path):
    lake = make_lake(tmp_path / "lake")
    write_manifest(str(lake), run(DAYS[0], "20260603T000000Z_aaaaaa", {"dedup.near": 3, "dedup.exact_in_run": 1,
                                                                        "filter.truncated": 2}))
    write_manifest(str(lake), run(DAYS[1], "20260603T000100Z_bbbbbb", {"dedup.near": 1}))
    first = Path(ex.export_training_data(str(lake), DAYS[0], DAYS[1], "openai-jsonl", str(tmp_path / "one"))
                 .data_card).read_text()
    # Day 1 rerun after day 2 was published: its exact-key check now sees day 2's index and catches first what
    # the near-duplicate step caught before. Same rows, another counter, another run id.
    write_manifest(str(lake), run(DAYS[0], "20260604T000000Z_cccccc", {"dedup.near": 1, "dedup.exact_earlier": 2,
                                                                        "dedup.exact_in_run": 1,
                                                                        "filter.truncated": 2}))
    second = Path(ex.export_training_data(str(lake), DAYS[0], DAYS[1], "openai-jsonl", str(tmp_path / "two"))
                  .data_card).read_text()
    assert second == first
    assert f"| dedup.{ex.card.OTHER_DEDUP} | 4 |" in first and "| dedup.exact_in_run | 1 |" in first
