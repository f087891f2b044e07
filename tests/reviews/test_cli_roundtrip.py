"""Issue 16's round trip through the real CLI: sample 12 SFT items, reject 5, fix 1, accept the rest."""

from __future__ import annotations

import json

from datalake.reviews import item_decisions
from flywheel.cli import main
from generated_lake import lake_text
from lake_for_review import DAY, review_lake
from review.queue import read_queue

FIXED = "Use pandas: df['amount'].mean(). Questions? Write to ada.lovelace@example.org."


def query(capsys, lake: str, sql: str) -> list[list[str]]:
    capsys.readouterr()
    assert main(["query", sql, "--lake", lake, "--output", "csv"]) == 0
    return [line.split(",") for line in capsys.readouterr().out.strip().splitlines()[1:]]


def test_sample_review_and_import_through_the_cli(tmp_path, capsys):
    lake = str(review_lake(tmp_path))
    day = DAY.isoformat()
    queue_file, verdicts_file = tmp_path / "queue.jsonl", tmp_path / "verdicts.jsonl"
    assert main(["review", "sample", "--from", day, "--to", day, "--n", "12", "--kind", "sft",
                 "--reviewer", "Alice Example", "--out", str(queue_file), "--lake", lake]) == 0
    items = read_queue(queue_file)
    assert len(items) == 12 and len({i.item_id for i in items}) == 12

    verdicts = ([{"item_id": i.item_id, "reviewer": "Alice Example", "verdict": "reject", "reason": "incorrect"}
                 for i in items[:5]]
                + [{"item_id": items[5].item_id, "reviewer": "Alice Example", "verdict": "fix", "fixed_answer": FIXED}]
                + [{"item_id": i.item_id, "reviewer": "Alice Example", "verdict": "accept"} for i in items[6:]])
    verdicts_file.write_text("".join(json.dumps(v) + "\n" for v in verdicts), encoding="utf-8")
    assert main(["review", "import", str(verdicts_file), "--lake", lake, "--scrub-mode", "regex"]) == 0

    assert query(capsys, lake, "select count(*) from reviews") == [["12"]]
    assert query(capsys, lake, "select verdict, count(*) from reviews group by verdict order by verdict") == [
        ["accept", "6"], ["fix", "1"], ["reject", "5"]]
    decisions = item_decisions(lake, "sft")
    assert {i.item_id for i in items[:5]} == {k for k, d in decisions.items() if d.verdict == "reject"}
    fixed = decisions[items[5].item_id]
    assert (fixed.verdict, fixed.fixed_answer) == ("fix", FIXED.replace("ada.lovelace@example.org", "<EMAIL_ADDRESS_1>"))
    text = lake_text(tmp_path / "lake")
    assert "Alice Example" not in text and "ada.lovelace@example.org" not in text

    # A second reviewer disagrees on an accepted item: both rows stay, and the reject decides.
    second = tmp_path / "bob.jsonl"
    second.write_text(json.dumps({"item_id": items[6].item_id, "reviewer": "bob", "verdict": "reject",
                                  "reason": "unsafe"}) + "\n", encoding="utf-8")
    assert main(["review", "import", str(second), "--lake", lake, "--scrub-mode", "regex"]) == 0
    assert query(capsys, lake, f"select verdict from reviews where item_id = '{items[6].item_id}' order by verdict") == [
        ["accept"], ["reject"]]
    assert item_decisions(lake, "sft")[items[6].item_id].reviewers == 2

    # The same reviewer's next queue holds none of the items they already have.
    assert main(["review", "sample", "--from", day, "--n", "12", "--kind", "sft", "--strategy", "random",
                 "--reviewer", "alice example", "--out", str(queue_file), "--lake", lake]) == 0
    assert not {i.item_id for i in read_queue(queue_file)} & {i.item_id for i in items}


def test_a_bad_verdicts_file_exits_1_names_each_bad_line_and_writes_nothing(tmp_path, capsys):
    lake = str(review_lake(tmp_path))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"item_id": "nope", "reviewer": "r", "verdict": "accept"}\n{oops\n', encoding="utf-8")
    assert main(["review", "import", str(bad), "--lake", lake, "--scrub-mode", "regex"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: unknown item_id" in err and f"{bad}:2: not JSON" in err and "nothing imported" in err
    assert query(capsys, lake, "select count(*) from reviews") == [["0"]]


def test_a_reversed_range_is_a_usage_error(tmp_path, capsys):
    assert main(["review", "sample", "--from", "2026-11-28", "--to", "2026-11-27", "--n", "3", "--kind", "sft",
                 "--reviewer", "r", "--out", str(tmp_path / "q.jsonl"), "--lake", str(tmp_path)]) == 2
    assert "--to 2026-11-27 is before --from 2026-11-28" in capsys.readouterr().err
