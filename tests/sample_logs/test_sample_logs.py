"""The sample log generator: deterministic, valid against the event contract, realistic enough to test on."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flywheel.sample_logs import ENTITY_TYPES, GeneratedLogs, PlantedPii, generate_logs, planted_values
from schemas.events import FeedbackEvent, MessageEvent, log_event_adapter

D1, D2 = date(2024, 5, 1), date(2024, 5, 2)
HAN = re.compile("[\u4e00-\u9fff]")


def _read_lines(path: str | Path) -> list[str]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def _all_text(logs: GeneratedLogs) -> str:
    return "\n".join("\n".join(_read_lines(p)) for p in logs.files)


def _parse_events(logs: GeneratedLogs) -> tuple[list[tuple[str, list]], int]:
    """Per file: the validated events in file order; plus the number of lines that failed validation."""
    out, bad = [], 0
    for path in logs.files:
        events = []
        for line in _read_lines(path):
            try:
                events.append(log_event_adapter.validate_json(line))
            except ValueError:
                bad += 1
        out.append((path, events))
    return out, bad


def _openai_ok(line: str) -> dict | None:
    """The gateway line as a dict when it is well formed, else None."""
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    if not isinstance(rec, dict) or not {"timestamp", "request", "response", "metadata"} <= rec.keys():
        return None
    try:
        datetime.fromisoformat(rec["timestamp"].replace("Z", "+00:00"))
    except (ValueError, TypeError, AttributeError):
        return None
    if not rec["metadata"].get("conversation_id"):
        return None
    roles = {m["role"] for m in rec["request"]["messages"]}
    if not roles <= {"system", "user", "assistant", "tool"}:
        return None
    return rec


@pytest.fixture(scope="module")
def events_logs(tmp_path_factory) -> GeneratedLogs:
    return generate_logs(tmp_path_factory.mktemp("events"), [D1, D2], 400, seed=11, malformed_rate=0.02)


@pytest.fixture(scope="module")
def parsed(events_logs):
    return _parse_events(events_logs)


@pytest.fixture(scope="module")
def openai_logs(tmp_path_factory) -> GeneratedLogs:
    return generate_logs(tmp_path_factory.mktemp("openai"), [D1], 150, seed=3, log_format="openai",
                         malformed_rate=0.03)


def test_layout_and_gzip(events_logs: GeneratedLogs, tmp_path: Path) -> None:
    assert [Path(p).relative_to(Path(p).parents[1]).as_posix() for p in events_logs.files] == [
        "2024-05-01/events-00000.jsonl.gz", "2024-05-02/events-00000.jsonl.gz"]
    for p in events_logs.files:
        with open(p, "rb") as f:
            assert f.read(2) == b"\x1f\x8b"
        assert _read_lines(p)
    plain = generate_logs(tmp_path, [D1], 5, gzip=False)
    assert plain.files == [str(tmp_path / "2024-05-01" / "events-00000.jsonl")]
    assert _read_lines(plain.files[0])[0].startswith("{")


def test_deterministic(tmp_path: Path) -> None:
    kw = dict(seed=5, log_format="mixed", malformed_rate=0.05, lines_per_file=300)
    a = generate_logs(tmp_path / "a", [D1, D2], 80, **kw)
    b = generate_logs(tmp_path / "b", [D1, D2], 80, **kw)
    assert len(a.files) == len(b.files) > 2
    for pa, pb in zip(a.files, b.files):
        assert Path(pa).relative_to(tmp_path / "a") == Path(pb).relative_to(tmp_path / "b")
        assert Path(pa).read_bytes() == Path(pb).read_bytes()
    assert a.planted_pii == b.planted_pii and (a.lines, a.malformed_lines, a.events) == (b.lines, b.malformed_lines,
                                                                                         b.events)
    c = generate_logs(tmp_path / "c", [D1, D2], 80, **{**kw, "seed": 6})
    assert Path(c.files[0]).read_bytes() != Path(a.files[0]).read_bytes()


def test_a_day_does_not_depend_on_the_other_days(tmp_path: Path) -> None:
    both = generate_logs(tmp_path / "both", [D1, D2], 30)
    alone = generate_logs(tmp_path / "alone", [D2], 30)
    assert Path(both.files[1]).read_bytes() == Path(alone.files[0]).read_bytes()


def test_every_line_validates_or_is_counted_malformed(events_logs: GeneratedLogs, parsed) -> None:
    files, bad = parsed
    total = sum(len(_read_lines(p)) for p in events_logs.files)
    assert total == events_logs.lines
    assert bad == events_logs.malformed_lines > 0
    assert sum(len(evs) for _, evs in files) == events_logs.events == events_logs.lines - events_logs.malformed_lines
    # the valid lines are exactly the models' JSON
    for _, evs in files:
        for ev in evs[:200]:
            assert log_event_adapter.validate_json(ev.model_dump_json()) == ev


def test_malformed_rate_and_kinds(tmp_path: Path) -> None:
    clean = generate_logs(tmp_path / "clean", [D1], 40, malformed_rate=0.0)
    assert clean.malformed_lines == 0
    assert _parse_events(clean)[1] == 0
    dirty = generate_logs(tmp_path / "dirty", [D1], 150, malformed_rate=0.25, gzip=False)
    _, bad = _parse_events(dirty)
    assert bad == dirty.malformed_lines
    assert 0.15 < dirty.malformed_lines / dirty.lines < 0.3
    lines = _read_lines(dirty.files[0])
    not_json = sum(1 for ln in lines if not _is_json(ln))
    assert not_json > 0  # truncated and garbage lines
    objects = [json.loads(ln) for ln in lines if _is_json(ln) and ln.startswith("{")]
    assert any("conversation_id" not in o for o in objects)
    assert any(o.get("role") not in (None, "system", "user", "assistant", "tool") for o in objects)
    assert any(o.get("kind") == "rating" and not 1 <= o.get("rating", 3) <= 5 for o in objects)
    assert any(_bad_ts(o.get("timestamp")) for o in objects)


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _bad_ts(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return True
    return False


def test_timestamps_in_day_and_sorted(parsed) -> None:
    files, _ = parsed
    for path, evs in files:
        day = date.fromisoformat(Path(path).parent.name)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        stamps = [ev.timestamp for ev in evs]
        assert stamps == sorted(stamps)
        assert start <= stamps[0] and stamps[-1] < start + timedelta(days=1)
        # conversations are interleaved, not grouped
        ids = [ev.conversation_id for ev in evs]
        runs = Counter(a for a, b in zip(ids, ids[1:] + [None]) if a != b)  # contiguous runs per conversation
        assert sum(1 for n in runs.values() if n > 1) > 0.1 * len(runs)


def test_conversation_structure_and_feedback(parsed) -> None:
    files, _ = parsed
    convs: dict[str, list] = defaultdict(list)
    for _, evs in files:
        for ev in evs:
            convs[ev.conversation_id].append(ev)
    kinds: Counter = Counter()
    no_target = 0
    user_turns = Counter()
    for cid, evs in convs.items():
        msgs: dict[str, MessageEvent] = {}
        last_assistant = None
        for ev in evs:
            if isinstance(ev, MessageEvent):
                assert ev.message_id not in msgs
                if ev.parent_id is not None:
                    assert ev.parent_id in msgs  # parents come first
                if ev.role == "assistant":
                    assert msgs[ev.parent_id].role == "user" and ev.model
                    last_assistant = ev
                elif ev.role == "user":
                    user_turns[cid] += 1
                msgs[ev.message_id] = ev
            else:
                assert isinstance(ev, FeedbackEvent)
                kinds[ev.kind] += 1
                assert last_assistant is not None
                if ev.message_id is None:
                    no_target += 1
                else:
                    # feedback follows its message, and no other answer came in between
                    assert ev.message_id == last_assistant.message_id
                if ev.kind == "regenerate":
                    target = msgs[ev.message_id] if ev.message_id else last_assistant
                    later = [m for m in evs if isinstance(m, MessageEvent) and m.timestamp > ev.timestamp]
                    assert later and later[0].role == "assistant" and later[0].parent_id == target.parent_id
                if ev.kind == "rating":
                    assert 1 <= ev.rating <= 5
                if ev.kind == "edit":
                    assert ev.edited_text and ev.edited_text != (msgs[ev.message_id].content if ev.message_id
                                                                 else last_assistant.content)
                if ev.kind == "report":
                    assert ev.comment
    assert set(kinds) == {"thumbs_up", "thumbs_down", "rating", "regenerate", "copy", "edit", "report"}
    total = sum(kinds.values())
    assert 0.04 < no_target / total < 0.2
    assert kinds["thumbs_up"] > kinds["thumbs_down"] > kinds["report"]
    assert max(user_turns.values()) >= 5 and min(user_turns.values()) == 1


def test_languages_templates_code_and_length(parsed) -> None:
    files, _ = parsed
    users = [ev for _, evs in files for ev in evs if isinstance(ev, MessageEvent) and ev.role == "user"]
    answers = [ev.content for _, evs in files for ev in evs if isinstance(ev, MessageEvent) and ev.role == "assistant"]
    systems = {ev.content for _, evs in files for ev in evs if isinstance(ev, MessageEvent) and ev.role == "system"}
    zh = sum(1 for u in users if HAN.search(u.content)) / len(users)
    assert 0.15 < zh < 0.4
    assert 3 <= len(systems) <= 12
    assert any(u.content.startswith("Summarize the following text") for u in users)
    assert any(u.content.startswith("把下面的内容翻译成英文") or u.content.startswith("请总结以下内容") for u in users)
    # templates repeat across conversations
    assert Counter(u.content for u in users).most_common(1)[0][1] >= 5
    assert any("```python\n" in a for a in answers)
    assert any(len(a.encode()) > 1000 for a in answers)
    assert {ev.user_id for ev in users if ev.user_id} and all(
        re.fullmatch(r"u_\d{6}", ev.user_id) for ev in users if ev.user_id)


def test_planted_pii_is_recorded_and_present(events_logs: GeneratedLogs, parsed) -> None:
    text = _all_text(events_logs)
    values = planted_values(events_logs)
    assert values and len(values) == len({p.value for p in events_logs.planted_pii})
    assert len(set(events_logs.planted_pii)) == len(events_logs.planted_pii)  # deduplicated
    missing = [p for p in events_logs.planted_pii if json.dumps(p.value, ensure_ascii=False)[1:-1] not in text]
    assert not missing
    types = Counter(p.entity_type for p in events_logs.planted_pii)
    assert set(types) == set(ENTITY_TYPES)
    assert all(isinstance(p, PlantedPii) for p in events_logs.planted_pii)

    # the rate: ~15% of user turns, a few percent of assistant turns
    files, _ = parsed
    pat = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    msgs = [ev for _, evs in files for ev in evs if isinstance(ev, MessageEvent)]
    users = [m for m in msgs if m.role == "user"]
    answers = [m for m in msgs if m.role == "assistant"]
    user_rate = sum(1 for m in users if pat.search(m.content)) / len(users)
    answer_rate = sum(1 for m in answers if pat.search(m.content)) / len(answers)
    assert 0.08 < user_rate < 0.25
    assert 0.01 < answer_rate < user_rate


def test_pii_values_are_well_formed(events_logs: GeneratedLogs) -> None:
    by_type = defaultdict(list)
    for p in events_logs.planted_pii:
        by_type[p.entity_type].append(p.value)
    for v in by_type["CREDIT_CARD"]:
        digits = [int(c) for c in re.sub(r"[ -]", "", v)]
        assert 13 <= len(digits) <= 19
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        assert total % 10 == 0, v
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for v in by_type["CN_RESIDENT_ID"]:
        assert re.fullmatch(r"\d{17}[\dX]", v)
        assert "10X98765432"[sum(int(c) * w for c, w in zip(v, weights)) % 11] == v[-1], v
    for v in by_type["API_KEY"]:
        assert re.fullmatch(r"sk-[A-Za-z0-9]{48}|AKIA[A-Z0-9]{16}|ghp_[A-Za-z0-9]{36}", v), v
    for v in by_type["CN_PHONE_NUMBER"]:
        assert re.fullmatch(r"1[3-9]\d{9}", re.sub(r"^\+86|[ -]", "", v)), v
    for v in by_type["IP_ADDRESS"]:
        assert all(0 <= int(x) <= 255 for x in v.split(".")) and v.count(".") == 3
    for v in by_type["EMAIL_ADDRESS"]:
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v), v
    for v in by_type["CN_PERSON"]:
        assert HAN.fullmatch(v[0]) and 2 <= len(v) <= 4
    for v in by_type["PERSON"]:
        assert len(v.split()) == 2


def test_chinese_pii_written_against_chinese_characters(events_logs: GeneratedLogs) -> None:
    text = _all_text(events_logs)
    assert re.search(r"[\u4e00-\u9fff]1[3-9]\d{9}", text)  # 手机13812345678
    assert re.search(r"身份证号\d{17}[\dX]", text)
    assert re.search(r"我叫[\u4e00-\u9fff]{2,4}", text)


def test_openai_format(openai_logs: GeneratedLogs) -> None:
    assert [Path(p).name for p in openai_logs.files] == ["openai-00000.jsonl.gz"]
    lines = _read_lines(openai_logs.files[0])
    assert len(lines) == openai_logs.lines
    good = [r for r in map(_openai_ok, lines) if r is not None]
    assert len(good) == openai_logs.events == openai_logs.lines - openai_logs.malformed_lines
    calls: dict[str, list[dict]] = defaultdict(list)
    for rec in good:
        assert rec["response"]["id"].startswith("chatcmpl-")
        choice = rec["response"]["choices"][0]
        assert choice["index"] == 0 and choice["message"]["role"] == "assistant" and choice["finish_reason"]
        assert {"prompt_tokens", "completion_tokens", "total_tokens"} <= rec["response"]["usage"].keys()
        assert rec["request"]["messages"][-1]["role"] == "user"
        assert rec["request"]["model"] and rec["response"]["model"].startswith(rec["request"]["model"][:4])
        assert rec["timestamp"].startswith("2024-05-01T")
        calls[rec["metadata"]["conversation_id"]].append(rec)
    multi = 0
    for recs in calls.values():
        recs.sort(key=lambda r: r["timestamp"])
        for prev, nxt in zip(recs, recs[1:]):
            p, n = prev["request"]["messages"], nxt["request"]["messages"]
            if n == p:
                continue  # a regenerated answer: same request
            multi += 1
            assert n[: len(p)] == p  # the whole history is repeated
            assert n[len(p)] == {"role": "assistant", "content": prev["response"]["choices"][0]["message"]["content"]}
    assert multi > 10
    text = _all_text(openai_logs)
    assert all(json.dumps(v, ensure_ascii=False)[1:-1] in text for v in planted_values(openai_logs))


def test_mixed_and_rollover(tmp_path: Path) -> None:
    logs = generate_logs(tmp_path, [D1], 120, log_format="mixed", lines_per_file=100, gzip=False)
    names = sorted(Path(p).name for p in logs.files)
    assert "events-00000.jsonl" in names and "openai-00000.jsonl" in names and "events-00001.jsonl" in names
    sizes = [len(_read_lines(p)) for p in logs.files]
    assert all(s <= 100 for s in sizes) and sum(sizes) == logs.lines
    # a rerun with fewer files leaves no stale ones behind
    again = generate_logs(tmp_path, [D1], 10, log_format="events", lines_per_file=10_000, gzip=False)
    assert sorted(p.name for p in (tmp_path / "2024-05-01").iterdir()) == [Path(p).name for p in again.files]


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_logs(tmp_path, [D1], 1, log_format="csv")
    with pytest.raises(ValueError):
        generate_logs(tmp_path, [D1], 1, malformed_rate=1.5)
    with pytest.raises(ValueError):
        generate_logs(tmp_path, [D1, D1], 1)
    empty = generate_logs(tmp_path, [D1], 0)
    assert empty.files == [] and empty.lines == 0


def test_every_planted_kind_is_an_entity_type_of_the_scrubbers_table():
    from flywheel.sample_logs.pii import scrubbed_as
    from transforms.scrub.entities import BY_NAME

    assert {scrubbed_as(kind) for kind in ENTITY_TYPES} <= set(BY_NAME)
    assert scrubbed_as("CN_PERSON") == "PERSON" and scrubbed_as("EMAIL_ADDRESS") == "EMAIL_ADDRESS"
