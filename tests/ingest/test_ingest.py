"""Ingest: source listing, line reading, and both adapters (events, OpenAI chat-completions logs)."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timezone

import fsspec
import pytest

from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent, Role
from transforms.ids import stable_id
from transforms.ingest.event_log import feedback_event_id
from transforms.ingest.files import SourceError, SourceReadError, list_source_files, read_lines
from transforms.ingest.lines import parse_line
from transforms.ingest.records import MalformedLine

CANARY = "canary-secret@example.com"
DAY = date(2024, 5, 1)


def _lines(uri):
    """(number, text) of every line, as read_lines yields them (problem lines included, as their text)."""
    return [(line.number, line.text) for line in read_lines(str(uri))]


def _write(path, lines, gz=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)


# --------------------------------------------------------------------------- list_source_files


def test_list_source_files_plain_day_layout(tmp_path):
    _write(tmp_path / "2024-05-01" / "b.jsonl", ["{}"])
    _write(tmp_path / "2024-05-01" / "a.jsonl.gz", ["{}"], gz=True)
    _write(tmp_path / "2024-05-01" / "nested" / "c.jsonl", ["{}"])
    _write(tmp_path / "2024-05-01" / "notes.txt", ["not a log"])
    _write(tmp_path / "2024-05-02" / "other-day.jsonl", ["{}"])

    files = list_source_files(str(tmp_path), DAY)

    assert files == sorted(files)
    assert [f.removeprefix(str(tmp_path)) for f in files] == [
        "/2024-05-01/a.jsonl.gz",
        "/2024-05-01/b.jsonl",
        "/2024-05-01/nested/c.jsonl",
    ]


def test_list_source_files_hive_layout(tmp_path):
    _write(tmp_path / "dt=2024-05-01" / "part-0.jsonl", ["{}"])
    _write(tmp_path / "dt=2024-04-30" / "part-0.jsonl", ["{}"])

    files = list_source_files(str(tmp_path), DAY)

    assert files == [str(tmp_path / "dt=2024-05-01" / "part-0.jsonl")]


def test_list_source_files_both_layouts_at_once(tmp_path):
    _write(tmp_path / "dt=2024-05-01" / "x.jsonl", ["{}"])
    _write(tmp_path / "2024-05-01" / "y.jsonl", ["{}"])
    assert len(list_source_files(str(tmp_path), DAY)) == 2


def test_list_source_files_empty_day_is_not_an_error(tmp_path):
    assert list_source_files(str(tmp_path), DAY) == []
    (tmp_path / "2024-05-01").mkdir()
    assert list_source_files(str(tmp_path), DAY) == []


def test_list_source_files_missing_root_says_what_to_set(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(SourceError) as err:
        list_source_files(str(missing), DAY)
    assert "source directory not found" in str(err.value)
    assert str(missing) in str(err.value)
    assert "FLYWHEEL_SOURCE_URI" in str(err.value) and "--source" in str(err.value)


def test_list_source_files_fsspec_uri_round_trips():
    fs = fsspec.filesystem("memory")
    fs.pipe("/flywheel-test-src/dt=2024-05-01/part-0.jsonl", b'{"a": 1}\n')
    try:
        files = list_source_files("memory://flywheel-test-src", DAY)
        assert files == ["memory:///flywheel-test-src/dt=2024-05-01/part-0.jsonl"]
        assert _lines(files[0]) == [(1, '{"a": 1}')]
    finally:
        fs.rm("/flywheel-test-src", recursive=True)


# --------------------------------------------------------------------------- read_lines


def test_read_lines_plain_and_gz_give_the_same_lines(tmp_path):
    lines = ['{"n": 1}', '{"n": 2}', '{"n": "ü"}']
    _write(tmp_path / "a.jsonl", lines)
    _write(tmp_path / "a.jsonl.gz", lines, gz=True)
    expected = [(1, lines[0]), (2, lines[1]), (3, lines[2])]
    assert _lines(tmp_path / "a.jsonl") == expected
    assert _lines(tmp_path / "a.jsonl.gz") == expected


def test_read_lines_keeps_blank_lines_and_numbering(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"n": 1}\r\n\n   \n{"n": 4}')
    assert _lines(path) == [(1, '{"n": 1}'), (2, ""), (3, "   "), (4, '{"n": 4}')]


def test_blank_line_is_malformed_with_its_own_reason():
    assert _reason("") == "empty line"
    assert _reason("   ") == "empty line"


def test_read_lines_invalid_utf8_is_a_problem_line_not_a_repaired_one(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"n": 1}\n{"bad": "\xff\xfe"}\n{"n": 3}\n')
    got = list(read_lines(str(path)))
    assert [line.number for line in got] == [1, 2, 3]
    assert got[0].problem is None and got[2].problem is None
    # Not U+FFFD: two different invalid byte strings must not become the same text.
    assert got[1].problem == "not valid UTF-8 (byte 10 of the line)"
    assert "\ufffd" not in got[1].text and "\\xff\\xfe" in got[1].text


def test_read_lines_truncated_gz_raises_after_the_lines_it_could_read(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    whole = gzip.compress("".join(f'{{"n": {n}}}\n' for n in range(1, 20001)).encode())
    path.write_bytes(whole[: len(whole) // 2])
    got = []
    with pytest.raises(SourceReadError) as err:
        for line in read_lines(str(path)):
            got.append((line.number, line.text))
    assert got and got == [(n, f'{{"n": {n}}}') for n in range(1, len(got) + 1)]
    assert err.value.status == "truncated"
    assert str(err.value) == f"{path}: truncated at line {len(got) + 1}: the compressed stream ends before its end marker (EOFError)"


# --------------------------------------------------------------------------- events adapter


def _message(**over):
    base = {
        "type": "message",
        "conversation_id": "c1",
        "user_id": "u1",
        "timestamp": "2024-05-01T10:00:00Z",
        "message_id": "m1",
        "role": "user",
        "content": "hello",
    }
    base.update(over)
    return json.dumps(base)


def _feedback(**over):
    base = {
        "type": "feedback",
        "conversation_id": "c1",
        "timestamp": "2024-05-01T10:01:00Z",
        "message_id": "m2",
        "kind": "thumbs_up",
    }
    base.update(over)
    return json.dumps(base)


def test_events_adapter_message():
    adapter, events = parse_line(_message())
    assert adapter == "events"
    (event,) = events
    assert isinstance(event, MessageEvent)
    assert event.role is Role.user and event.content == "hello"
    assert event.timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_events_adapter_feedback_keeps_its_event_id():
    _, (event,) = parse_line(_feedback(event_id="fb-7"))
    assert isinstance(event, FeedbackEvent) and event.event_id == "fb-7"


def test_events_adapter_feedback_without_id_gets_a_deterministic_one():
    _, (first,) = parse_line(_feedback(kind="rating", rating=4, comment="ok"))
    _, (again,) = parse_line(_feedback(kind="rating", rating=4, comment="ok"))
    _, (other,) = parse_line(_feedback(kind="rating", rating=5, comment="ok"))
    assert first.event_id == again.event_id != other.event_id
    assert first.event_id == stable_id(
        "feedback", "c1", "m2", "rating", first.timestamp.isoformat(), 4.0, None, "ok"
    )
    assert first.event_id == feedback_event_id(first)


def test_events_format_forced():
    adapter, _ = parse_line(_message(), log_format="events")
    assert adapter == "events"


# --------------------------------------------------------------------------- openai adapter


def _openai(history, answer="The answer.", **over):
    record = {
        "timestamp": "2024-05-01T10:00:00Z",
        "request": {"model": "gpt-4o-mini", "messages": history},
        "response": {
            "id": "chatcmpl-1",
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}],
        },
        "metadata": {"conversation_id": "conv-1", "user_id": "user-1"},
    }
    record.update(over)
    return json.dumps(record)


HISTORY = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "How heavy is it?"},
]


def test_openai_adapter_emits_history_and_answer():
    adapter, events = parse_line(_openai(HISTORY))
    assert adapter == "openai"
    assert [(e.role, e.content) for e in events] == [
        (Role.system, "Be brief."),
        (Role.user, "How heavy is it?"),
        (Role.assistant, "The answer."),
    ]
    assert all(e.conversation_id == "conv-1" and e.user_id == "user-1" for e in events)
    # A chain: each message's parent is the one before it.
    assert events[0].parent_id is None
    assert [e.parent_id for e in events[1:]] == [e.message_id for e in events[:-1]]
    # History sorts before the answer; the answer carries the call's timestamp and the served model.
    assert events[0].timestamp < events[1].timestamp < events[2].timestamp
    assert events[2].timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    assert events[2].model == "gpt-4o-mini-2024-07-18"
    assert events[2].message_id == stable_id("conv-1", 2, "assistant", "The answer.")


def test_openai_adapter_same_message_same_id_in_later_history():
    _, first = parse_line(_openai(HISTORY, answer="1.6 kg"))
    later_history = HISTORY + [
        {"role": "assistant", "content": "1.6 kg"},
        {"role": "user", "content": "And in pounds?"},
    ]
    _, second = parse_line(_openai(later_history, answer="3.5 lb", timestamp="2024-05-01T10:05:00Z"))
    assert [e.message_id for e in second[:3]] == [e.message_id for e in first]
    assert second[3].parent_id == first[2].message_id
    assert len({e.message_id for e in first + second}) == 5


@pytest.mark.parametrize(
    "over",
    [
        {"metadata": {"session_id": "conv-1", "user": "user-1"}},
        {"metadata": {"thread_id": "conv-1"}, "user_id": "user-1"},
        {"metadata": None, "conversation_id": "conv-1", "user": "user-1"},
        {"metadata": {}, "session_id": "conv-1"},
    ],
)
def test_openai_adapter_conversation_and_user_wherever_gateways_put_them(over):
    _, events = parse_line(_openai(HISTORY, **over))
    assert {e.conversation_id for e in events} == {"conv-1"}
    if "user" in json.dumps(over):
        assert {e.user_id for e in events} == {"user-1"}


def test_openai_adapter_user_from_request_and_metadata_in_request():
    record = json.loads(_openai(HISTORY))
    del record["metadata"]
    record["request"]["user"] = "user-9"
    record["request"]["metadata"] = {"thread_id": "t-1"}  # OpenAI stored completions
    _, events = parse_line(json.dumps(record))
    assert {(e.conversation_id, e.user_id) for e in events} == {("t-1", "user-9")}


@pytest.mark.parametrize(
    "stamp",
    [1714557600, 1714557600.0, 1714557600000, "2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00"],
)
def test_openai_adapter_timestamp_forms(stamp):
    _, events = parse_line(_openai(HISTORY, timestamp=stamp))
    assert events[-1].timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_openai_adapter_timestamp_from_response_created():
    record = json.loads(_openai(HISTORY))
    del record["timestamp"]
    record["response"]["created"] = 1714557600
    _, events = parse_line(json.dumps(record))
    assert events[-1].timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_openai_adapter_content_parts_keep_text_skip_the_rest():
    history = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                {"type": "text", "text": "this picture?"},
            ],
        }
    ]
    _, events = parse_line(_openai(history, answer=[{"type": "text", "text": "A cat."}]))
    assert events[0].content == "What is in\nthis picture?"
    assert events[1].content == "A cat."


def test_openai_adapter_tool_call_answer_and_developer_role():
    history = [{"role": "developer", "content": "Rules."}, {"role": "user", "content": "Hi"}]
    record = json.loads(_openai(history))
    record["response"]["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": []}
    _, events = parse_line(json.dumps(record))
    assert events[0].role is Role.system
    assert events[-1].role is Role.assistant and events[-1].content == ""


def test_openai_adapter_request_and_response_as_json_strings():
    record = json.loads(_openai(HISTORY))
    record["request"] = json.dumps(record["request"])
    record["response"] = json.dumps(record["response"])
    _, events = parse_line(json.dumps(record))
    assert len(events) == 3


def test_openai_adapter_failed_call_without_response_keeps_the_history():
    record = json.loads(_openai(HISTORY))
    record["response"] = None
    _, events = parse_line(json.dumps(record), log_format="openai")
    assert [e.role for e in events] == [Role.system, Role.user]


def test_openai_adapter_gz_file_end_to_end(tmp_path):
    path = tmp_path / "2024-05-01" / "gateway.jsonl.gz"
    _write(path, [_openai(HISTORY), _message()], gz=True)
    (file,) = list_source_files(str(tmp_path), DAY)
    parsed = [parse_line(text) for _, text in _lines(file)]
    assert [adapter for adapter, _ in parsed] == ["openai", "events"]
    assert [len(events) for _, events in parsed] == [3, 1]


# --------------------------------------------------------------------------- malformed lines


def _reason(line, log_format="auto"):
    with pytest.raises(MalformedLine) as err:
        parse_line(line, log_format)
    reason = err.value.reason
    assert str(err.value) == reason
    assert CANARY not in reason and "canary" not in reason.lower()
    return reason


@pytest.mark.parametrize(
    "line, expected",
    [
        ('{"type": "message", "content": "' + CANARY + '" "x"}', "invalid JSON: Expecting ',' delimiter (col"),
        ('{"content": "' + CANARY, "invalid JSON: Unterminated string"),
        (json.dumps([CANARY]), "unknown format: a JSON array, not an object"),
        (json.dumps(CANARY), "unknown format: a JSON string, not an object"),
        (json.dumps({"content": CANARY}), "unknown format: neither an event nor an OpenAI chat-completions log"),
        (json.dumps({"type": CANARY, "content": CANARY}), "invalid event: type: must be 'message' or 'feedback'"),
        (_message(timestamp=CANARY), "invalid event: timestamp: Input should be a valid datetime"),
        (_message(role=CANARY), "invalid event: role: Input should be"),
        (_message(content=None, user_id=CANARY), "invalid event: content: Input should be a valid string"),
        (_message(conversation_id=CANARY * 20), "invalid event: conversation_id: String should have at most 256"),
        (_feedback(kind=CANARY), "invalid event: kind: Input should be"),
        (_feedback(kind="rating", comment=CANARY), "invalid event: feedback of kind 'rating' needs a 'rating'"),
        (_feedback(kind="rating", rating=9, comment=CANARY), "invalid event: rating: Input should be less than or equal to 5"),
        (_feedback(kind="edit", comment=CANARY), "invalid event: feedback of kind 'edit' needs 'edited_text'"),
        (_openai(HISTORY, answer=CANARY, metadata={"user_id": CANARY}), "invalid openai log: no conversation id"),
        (_openai(HISTORY, answer=CANARY, timestamp=CANARY), "invalid openai log: timestamp: Input should be a valid datetime"),
        (_openai([{"role": CANARY, "content": CANARY}]), "invalid openai log: request.messages[0].role is not one of"),
        (_openai([{"role": "user", "content": {"x": CANARY}}]), "invalid openai log: request.messages[0].content is a JSON"),
        (_openai(CANARY), "invalid openai log: request.messages is a JSON string, not an array"),
        (_openai(HISTORY, request=CANARY), "invalid openai log: request is a string but not JSON"),
        (_openai([], response={"choices": []}, user=CANARY), "invalid openai log: no request messages and no response choice"),
        (_openai(HISTORY, metadata={"conversation_id": CANARY * 20}), "invalid openai log: conversation_id: String should have at most 256"),
    ],
)
def test_malformed_lines_have_safe_reasons(line, expected):
    assert CANARY in line
    assert _reason(line).startswith(expected)


def test_openai_without_any_timestamp():
    record = json.loads(_openai(HISTORY, answer=CANARY))
    del record["timestamp"]
    assert _reason(json.dumps(record)).startswith("invalid openai log: no timestamp")


def test_forcing_the_wrong_format_is_malformed_not_a_crash():
    assert _reason(_message(content=CANARY), log_format="openai").startswith("invalid openai log: no request messages")
    assert _reason(_openai(HISTORY, answer=CANARY), log_format="events").startswith("invalid event: type: missing")


def test_unknown_log_format_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_line(_message(), log_format="csv")


def test_bad_utf8_is_refused_before_parsing_and_its_quarantine_text_shows_the_bytes(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"type": "message", \xff"conversation_id": "c"}\n')
    (line,) = read_lines(str(path))
    assert line.problem == "not valid UTF-8 (byte 21 of the line)"
    assert line.text == '{"type": "message", \\xff"conversation_id": "c"}'
