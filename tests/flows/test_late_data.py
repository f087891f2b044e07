"""Late data (issue 9 point 1): late feedback reaches its answer, a conversation spanning midnight is one,
events beyond the window are kept and counted, and only final dates are exported by default.

End to end through the CLI (`flywheel run` per date, `flywheel export`), with hand-written event logs. Where a
conversation goes, in plain Python: tests/ingest/test_lateness.py.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datalake.commits import read_commit
from datalake.manifests import FINAL, PROVISIONAL, date_finality, read_manifests
from datalake.reader import read_partitions
from flywheel.cli import EXIT_FAILED, EXIT_OK, main

D = date(2026, 11, 27)
ANSWER = "A MacBook Air weighs about 1.24 kg for the 13-inch model, a little more for the 15-inch one."


def at(day: date, hh: int, mm: int, ss: int = 0) -> str:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def message(conversation: str, mid: str, parent: str | None, role: str, content: str, ts: str) -> dict:
    return {"type": "message", "conversation_id": conversation, "message_id": mid, "parent_id": parent,
            "role": role, "content": content, "user_id": "u7", "model": "gpt-4o" if role == "assistant" else None,
            "timestamp": ts}


def feedback(conversation: str, mid: str, kind: str, ts: str, **extra) -> dict:
    return {"type": "feedback", "conversation_id": conversation, "message_id": mid, "kind": kind, "user_id": "u7",
            "timestamp": ts, **extra}


QUESTIONS = [
    ("How do I reverse a list in Python?", "Use slicing: items[::-1] returns a reversed copy; items.reverse() "
                                           "reverses it in place."),
    ("What does HTTP status 404 mean?", "404 Not Found: the server has nothing at that URL. Check the path for "
                                        "typos or a removed page."),
    ("Give me a synonym for happy.", "Cheerful, content or joyful all work, depending on how strong a feeling "
                                     "you want to describe."),
]


def filler(day: date) -> list[dict]:
    """Three ordinary, liked conversations of the day (texts differ per day: dedup keeps every one)."""
    rows = []
    for i, (question, answer) in enumerate(QUESTIONS):
        c = f"{day.isoformat()}-fill-{i}"
        rows += [message(c, f"{c}-q", None, "user", f"{question} (asked on {day:%A %B %d})", at(day, 10, i)),
                 message(c, f"{c}-a", f"{c}-q", "assistant", f"{answer} Asked on {day:%A %B %d}.", at(day, 10, i, 5)),
                 feedback(c, f"{c}-a", "thumbs_up", at(day, 10, i, 30))]
    return rows


def write_day(source: Path, day: date, rows: list[dict]) -> None:
    folder = source / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def scenario_logs(source: Path, day: date) -> None:
    """D: the answer at 23:59:30, copied at 23:59:50; a chat that goes on after midnight. D+1: the rest."""
    nxt = day + timedelta(days=1)
    write_day(source, day, filler(day) + [
        message("late", "q1", None, "user", "How heavy is a MacBook Air?", at(day, 23, 59, 0)),
        message("late", "a1", "q1", "assistant", ANSWER, at(day, 23, 59, 30)),
        feedback("late", "a1", "copy", at(day, 23, 59, 50)),
        message("midnight", "m1", None, "user", "What is the capital of Australia?", at(day, 23, 58, 0)),
        message("midnight", "m2", "m1", "assistant", "The capital of Australia is Canberra, not Sydney.",
                at(day, 23, 58, 20)),
    ])
    write_day(source, nxt, filler(nxt) + [
        feedback("late", "a1", "thumbs_down", at(nxt, 0, 0, 10)),
        feedback("late", "a1", "report", at(nxt, 0, 0, 10), comment="wrong weight"),
        message("midnight", "m3", "m2", "user", "And how many people live there?", at(nxt, 0, 1, 0)),
        message("midnight", "m4", "m3", "assistant", "Canberra has about 470,000 inhabitants.", at(nxt, 0, 1, 30)),
    ])


@pytest.fixture
def lake(tmp_path):
    return {"source": tmp_path / "logs", "lake": tmp_path / "lake", "quarantine": tmp_path / "q"}


def flags(paths: dict) -> list[str]:
    return ["--source", str(paths["source"]), "--lake", str(paths["lake"]), "--quarantine", str(paths["quarantine"]),
            "--scrub-mode", "regex", "--shards", "1"]


def run(paths: dict, day: date) -> int:
    return main(["run", "--date", day.isoformat(), *flags(paths)])


def rows(paths: dict, table: str, day: date) -> list[dict]:
    table_rows, _ = read_partitions(str(paths["lake"]), table, [day])
    return table_rows.to_pylist()


def answer_state(paths: dict, day: date) -> dict:
    conversations = [c for c in rows(paths, "conversations", day) if c["conversation_id"] == "late"]
    turn = [t for c in conversations for t in c["turns"] if t["message_id"] == "a1"]
    return {
        "conversations": len(conversations),
        "label": turn[0]["label"] if turn else None,
        "sft": [r for r in rows(paths, "sft", day) if r["target_message_id"] == "a1"],
        "chosen_or_desirable": [r for r in rows(paths, "preferences", day) if r["conversation_id"] == "late" and (
            r["chosen_message_id"] == "a1" and (r["kind"] == "dpo" or r["desirable"]))],
    }


def table_snapshot(paths: dict, day: date) -> dict:
    return {t: sorted(json.dumps(r, sort_keys=True, default=str) for r in rows(paths, t, day))
            for t in ("conversations", "sft", "preferences")}


# --- end to end through the CLI ------------------------------------------------------------------------------


def test_late_feedback_reaches_its_answer_and_a_rerun_changes_nothing(prefect_harness, lake):
    nxt = D + timedelta(days=1)
    scenario_logs(lake["source"], D)
    day_logs = (lake["source"] / nxt.isoformat())
    held_back = lake["source"].parent / "held_back"
    day_logs.rename(held_back)  # night 1: D+1's logs do not exist yet

    assert run(lake, D) == EXIT_OK
    before = answer_state(lake, D)
    assert before["label"] == "positive" and len(before["sft"]) == 1 and before["chosen_or_desirable"]

    held_back.rename(day_logs)  # night 2: D+1's logs arrived, with the thumbs down and the report
    assert run(lake, nxt) == EXIT_OK
    after = answer_state(lake, D)
    assert after == {"conversations": 1, "label": "negative", "sft": [], "chosen_or_desirable": []}
    assert answer_state(lake, nxt)["conversations"] == 0  # the late feedback did not make a second copy

    # One conversation across midnight, in D's partition only, all four turns.
    spanning = [c for c in rows(lake, "conversations", D) if c["conversation_id"] == "midnight"]
    assert len(spanning) == 1 and [t["message_id"] for t in spanning[0]["turns"]] == ["m1", "m2", "m3", "m4"]
    assert not [c for c in rows(lake, "conversations", nxt) if c["conversation_id"] == "midnight"]

    # The manifests say which late events moved where.
    manifests = read_manifests(str(lake["lake"]))
    night2 = [m for m in manifests if m.dt == nxt.isoformat()][-1]
    assert night2.counts[f"late_events.{D}"] == 4 and night2.reopened_dates == [D.isoformat()]
    assert night2.counts.get("feedback_unattached", 0) == 0
    reopen = [m for m in manifests if m.dt == D.isoformat()][-1]
    assert reopen.flow == "reopen" and reopen.status == "succeeded"
    assert reopen.counts[f"late_arrivals.{nxt}"] == 4
    assert read_commit(str(lake["lake"]), D).run_id == reopen.run_id

    # Rerunning D+1 changes nothing: same rows on both dates, and D is not republished again.
    snapshot = {d: table_snapshot(lake, d) for d in (D, nxt)}
    assert run(lake, nxt) == EXIT_OK
    assert {d: table_snapshot(lake, d) for d in (D, nxt)} == snapshot
    rerun = [m for m in read_manifests(str(lake["lake"])) if m.dt == nxt.isoformat()][-1]
    assert rerun.reopened_dates == [] and read_commit(str(lake["lake"]), D).run_id == reopen.run_id


def test_first_run_after_all_logs_arrived_needs_no_reopen(prefect_harness, lake):
    """A date run once its next date's logs exist (a backfill) reads them directly: same answer, no republish."""
    nxt = D + timedelta(days=1)
    scenario_logs(lake["source"], D)
    assert run(lake, D) == EXIT_OK and run(lake, nxt) == EXIT_OK
    assert answer_state(lake, D)["label"] == "negative"
    night2 = [m for m in read_manifests(str(lake["lake"])) if m.dt == nxt.isoformat()][-1]
    assert night2.counts[f"late_events.{D}"] == 4 and night2.reopened_dates == []


def test_events_beyond_the_window_are_kept_aside_and_counted(prefect_harness, lake):
    late = D + timedelta(days=3)  # window 2: too late for D
    scenario_logs(lake["source"], D)
    write_day(lake["source"], late, filler(late) + [feedback("late", "a1", "thumbs_down", at(late, 9, 0))])
    assert run(lake, late) == EXIT_OK
    manifest = [m for m in read_manifests(str(lake["lake"])) if m.dt == late.isoformat()][-1]
    assert manifest.counts["late_beyond_window.events"] == 1 and manifest.reopened_dates == []
    quarantined = [json.loads(line) for f in (lake["quarantine"] / f"dt={late}").glob("*.jsonl")
                   for line in f.read_text().splitlines()]
    assert [q["reason"].split(":")[0] for q in quarantined] == ["late beyond the window"]
    assert "late" in quarantined[0]["source_uri"]


def test_runs_and_export_tell_provisional_from_final(prefect_harness, lake, tmp_path, capsys):
    today = date.today()
    old, recent = today - timedelta(days=10), today - timedelta(days=1)
    for day in (old, recent):
        write_day(lake["source"], day, filler(day))
        assert run(lake, day) == EXIT_OK
    assert date_finality(str(lake["lake"]), old, 2, today) == FINAL
    assert date_finality(str(lake["lake"]), recent, 2, today) == PROVISIONAL
    assert date_finality(str(lake["lake"]), recent, 0, today) == FINAL

    capsys.readouterr()
    assert main(["runs", "--lake", str(lake["lake"])]) == EXIT_OK
    shown = capsys.readouterr().out
    assert re.search(rf"{recent.isoformat()}\W+provisional", shown) and re.search(rf"{old.isoformat()}\W+final", shown)

    out = tmp_path / "export"
    args = ["export", "--lake", str(lake["lake"]), "--from", old.isoformat(), "--to", recent.isoformat(),
            "--format", "openai-jsonl", "--out", str(out)]
    assert main(args) == EXIT_OK
    card = (out / "README.md").read_text()
    assert f"provisional, not exported: {recent.isoformat()}" in card
    exported = sum(1 for split in ("train", "validation") if (out / f"{split}.jsonl").exists()
                   for _ in (out / f"{split}.jsonl").open())
    assert exported == 3  # the old date's three examples only

    assert main([*args, "--include-provisional"]) == EXIT_OK
    assert sum(1 for split in ("train", "validation") if (out / f"{split}.jsonl").exists()
               for _ in (out / f"{split}.jsonl").open()) == 6

    only_recent = ["export", "--lake", str(lake["lake"]), "--from", recent.isoformat(), "--to", recent.isoformat(),
                   "--format", "openai-jsonl", "--out", str(tmp_path / "none")]
    assert main(only_recent) == EXIT_FAILED
    assert "provisional" in capsys.readouterr().err


# --- provisional or final, plain Python over hand-made lake records ------------------------------------------


def _commit(lake_uri: str, day: date, started: datetime) -> None:
    from datalake.commits import CommitRecord, CommittedPartition, write_commit
    from datalake.manifests import write_manifest
    from datalake.tables import PUBLISHED_TABLES
    from schemas.outputs import RunManifest

    run_id = f"{day.isoformat()}_{started:%Y%m%dT%H%M%S}Z_abcdef"
    write_manifest(lake_uri, RunManifest(run_id=run_id, flow="nightly", dt=day.isoformat(), status="succeeded",
                                         started_at=started, config_hash="x", judge_mode="rules-only"))
    write_commit(lake_uri, CommitRecord(dt=day.isoformat(), run_id=run_id, committed_at=started, tables={
        table: CommittedPartition(run_id=run_id) for table in PUBLISHED_TABLES}))


def test_a_date_is_final_once_its_window_is_over_and_every_later_log_date_was_seen(tmp_path):
    lake_uri = str(tmp_path / "lake")
    night = lambda day: datetime.combine(day + timedelta(days=1), time(2), tzinfo=timezone.utc)  # noqa: E731
    today = D + timedelta(days=10)
    assert date_finality(lake_uri, D, 2, today) is None  # never committed
    _commit(lake_uri, D, night(D))  # run on the night after D: D+1 and D+2 not over yet
    assert date_finality(lake_uri, D, 2, D + timedelta(days=2)) == PROVISIONAL  # window not over
    assert date_finality(lake_uri, D, 2, today) == PROVISIONAL  # D+1, D+2 never run: late events may wait there
    _commit(lake_uri, D + timedelta(days=1), night(D + timedelta(days=1)))
    assert date_finality(lake_uri, D, 2, today) == PROVISIONAL
    _commit(lake_uri, D + timedelta(days=2), night(D + timedelta(days=2)))
    assert date_finality(lake_uri, D, 2, today) == FINAL
    # A backfill long after: the run itself read D+1's and D+2's finished logs, no later run is needed.
    later = D + timedelta(days=20)
    _commit(lake_uri, later, datetime.combine(later + timedelta(days=5), time(9), tzinfo=timezone.utc))
    assert date_finality(lake_uri, later, 2, later + timedelta(days=6)) == FINAL
    assert date_finality(lake_uri, later, 0, later + timedelta(days=1)) == FINAL


def test_the_late_window_must_fit_inside_the_ingest_event_window():
    from flows.settings import load_settings
    from schemas.errors import ConfigError

    with pytest.raises(ConfigError, match=r"late_window_days \(FLYWHEEL_LATE_WINDOW_DAYS\)"):
        load_settings(late_window_days=8)
    assert load_settings(late_window_days=7).late_window_days == 7
