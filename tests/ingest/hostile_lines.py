"""A corpus of hostile log lines, as data: each kind is one line (bytes: some are not UTF-8) that ingest must
quarantine with a known reason, without failing its file or the night. Reused by the hostile-line test, the
fuzz test and anyone who wants a nasty day (`write_hostile_day`).

Every line carries CANARY where it can, so a test can check that no reason quotes the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DAY = date(2026, 11, 27)
CANARY = "canary-hostile@example.com"
# The corpus's over-long line is longer than this; tests run ingest with this cap.
MAX_LINE_BYTES = 16384


@dataclass(frozen=True)
class HostileLine:
    kind: str
    line: bytes
    reason: str  # the quarantine reason starts with this
    log_format: str = "auto"


def message(**over) -> dict:
    record = {"type": "message", "conversation_id": "hostile-c", "message_id": "m1", "parent_id": None,
              "role": "user", "content": f"mail {CANARY}", "user_id": "u1", "model": None,
              "timestamp": "2026-11-27T10:00:00Z"}
    record.update(over)
    return record


def feedback(**over) -> dict:
    record = {"type": "feedback", "conversation_id": "hostile-c", "message_id": "m2", "kind": "thumbs_up",
              "user_id": "u1", "timestamp": "2026-11-27T10:00:09Z", "comment": CANARY}
    record.update(over)
    return record


def gateway(**over) -> dict:
    record = {"timestamp": "2026-11-27T10:00:02Z", "metadata": {"conversation_id": "hostile-g", "user_id": "u7"},
              "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": f"I am {CANARY}"}]},
              "response": {"id": "chatcmpl-1", "model": "gpt-4o",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi."}}]}}
    record.update(over)
    return record


def oasst_tree(**emojis) -> dict:
    answer = {"message_id": "a1", "role": "assistant", "text": "Answer", "emojis": emojis, "replies": []}
    return {"message_tree_id": "hostile-t",
            "prompt": {"message_id": "p1", "role": "prompter", "text": CANARY, "replies": [answer]}}


def _j(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _swap(record: dict, placeholder: str, raw: str) -> bytes:
    """The record as JSON with a placeholder string value replaced by raw JSON text (a literal that
    json.dumps would never write: a lone surrogate escape, NaN, a 5,000-digit integer...)."""
    text = json.dumps(record, ensure_ascii=False)
    assert f'"{placeholder}"' in text
    return text.replace(f'"{placeholder}"', raw).encode("utf-8")


def _bad_bytes(record: dict, placeholder: str, raw: bytes) -> bytes:
    return _j(record).replace(placeholder.encode(), raw)


# The window of DAY with the default settings: [2026-11-20T00:00Z, 2026-11-29T00:00Z).
OUTSIDE = "timestamp outside the window"
UTC_RANGE = "invalid event: timestamp: not representable in UTC"
EPOCH = "unix timestamp is neither seconds nor milliseconds of years 2000-2099"

CORPUS: tuple[HostileLine, ...] = (
    # --- time: overflow, units, the window
    HostileLine("ts_9999_offset", _j(message(timestamp="9999-12-31T23:00:00-05:00")), UTC_RANGE),
    HostileLine("ts_0001_offset", _j(message(timestamp="0001-01-01T00:00:00+05:00")), UTC_RANGE),
    HostileLine("gateway_ts_0001", _j(gateway(timestamp="0001-01-01T00:00:00Z")),
                "invalid openai log: timestamp: too early to order the call's history"),
    HostileLine("gateway_ts_9999", _j(gateway(timestamp="9999-12-31T23:59:59Z")), OUTSIDE),
    HostileLine("epoch_seconds_year_10000", _j(gateway(timestamp=253402300800)), f"invalid openai log: timestamp: {EPOCH}"),
    HostileLine("event_epoch_seconds_year_10000", _j(message(timestamp=253402300800)), f"invalid event: timestamp: {EPOCH}"),
    HostileLine("epoch_negative", _j(message(timestamp=-1)), f"invalid event: timestamp: {EPOCH}"),
    HostileLine("epoch_microseconds", _j(message(timestamp=1_795_000_000_000_000)), f"invalid event: timestamp: {EPOCH}"),
    HostileLine("timestamp_true", _j(message(timestamp=True)), "invalid event: timestamp: a boolean is not a timestamp"),
    HostileLine("gateway_timestamp_false", _j(gateway(timestamp=False)), "invalid openai log: timestamp: not a timestamp"),
    HostileLine("timestamp_years_ago", _j(message(timestamp="2019-01-01T00:00:00Z")), OUTSIDE),
    HostileLine("timestamp_days_ahead", _j(feedback(timestamp="2026-11-30T00:00:00Z")), OUTSIDE),
    HostileLine("epoch_seconds_years_ago", _j(gateway(timestamp=1_000_000_000)), OUTSIDE),
    HostileLine("timestamp_infinity", _swap(message(timestamp="T"), "T", "Infinity"),
                "invalid JSON: Infinity is not a JSON number"),
    # --- numbers and strict types
    HostileLine("extra_field_5000_digit_integer", _swap(message(extra="N"), "N", "9" * 5000),
                "invalid JSON: a number has too many digits"),
    HostileLine("rating_true", _j(feedback(kind="rating", rating=True)), "invalid event: rating: Input should be a valid number"),
    HostileLine("rating_string", _j(feedback(kind="rating", rating="4")), "invalid event: rating: Input should be a valid number"),
    HostileLine("rating_nan", _swap(feedback(kind="rating", rating="R"), "R", "NaN"), "invalid JSON: NaN is not a JSON number"),
    HostileLine("rating_overflows_to_infinity", _swap(feedback(kind="rating", rating="R"), "R", "1e999"),
                "invalid event: rating: Input should be a finite number"),
    HostileLine("conversation_id_number", _j(message(conversation_id=42)),
                "invalid event: conversation_id: Input should be a valid string"),
    HostileLine("oasst_vote_true", _j(oasst_tree(**{"+1": True})),
                "invalid oasst tree: prompt.replies[0].emojis: vote count is a JSON boolean"),
    # --- text that is not valid Unicode, ids compared as received
    HostileLine("lone_surrogate_in_content", _swap(message(content="S"), "S", '"\\ud800"'), "not valid Unicode"),
    HostileLine("lone_low_surrogate_in_id", _swap(message(conversation_id="S"), "S", '"a\\udfff"'), "not valid Unicode"),
    HostileLine("lone_surrogate_in_gateway", _swap(gateway(user="S"), "S", '"\\udbff"'), "not valid Unicode"),
    HostileLine("lone_surrogate_in_key", _j(message()).replace(b'"type"', b'"\\ud800": 1, "type"'), "not valid Unicode"),
    HostileLine("lone_surrogate_in_nested_request_string",
                _j(gateway(request=json.dumps({"messages": [{"role": "user", "content": "\ud800"}]}))),
                "invalid openai log: request: not valid Unicode"),
    HostileLine("invalid_utf8_in_id", _bad_bytes(message(conversation_id="ID"), "ID", b"a\xff"), "not valid UTF-8"),
    HostileLine("other_invalid_utf8_in_id", _bad_bytes(message(conversation_id="ID"), "ID", b"a\xfe"), "not valid UTF-8"),
    HostileLine("overlong_utf8", _bad_bytes(message(content="X"), "X", b"\xc0\xaf"), "not valid UTF-8"),
    HostileLine("utf8_encoded_surrogate", _bad_bytes(message(content="X"), "X", b"\xed\xa0\x80"), "not valid UTF-8"),
    HostileLine("truncated_utf8_sequence", _bad_bytes(message(content="X"), "X", b"\xe2\x82"), "not valid UTF-8"),
    # --- structure and size
    HostileLine("line_too_long", _j(message(content=CANARY + "x" * (2 * MAX_LINE_BYTES))),
                f"line too long (> {MAX_LINE_BYTES} bytes)"),
    HostileLine("nested_too_deeply", b'{"type": "message", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
                "invalid JSON: nested too deeply"),
    HostileLine("nul_byte", _j(message()).replace(b"mail", b"ma\x00il"), "invalid JSON: Invalid control character"),
    HostileLine("cr_joined_lines", _j(message()) + b"\r" + _j(message()), "invalid JSON: Extra data"),
    HostileLine("json_array", json.dumps([CANARY]).encode(), "unknown format: a JSON array, not an object"),
    HostileLine("request_choices_not_list", _j(gateway(response={"choices": {"x": CANARY}})),
                "invalid openai log: response.choices is a JSON object, not an array"),
    HostileLine("id_too_long", _j(message(message_id=CANARY * 20)),
                "invalid event: message_id: String should have at most 256 characters"),
    HostileLine("html_error_page", b"<html><body>502 Bad Gateway " + CANARY.encode() + b"</body></html>",
                "invalid JSON: Expecting value"),
)

KINDS = {hostile.kind: hostile for hostile in CORPUS}
assert len(KINDS) == len(CORPUS), "kinds must be unique"


def good_lines(prefix: str) -> list[bytes]:
    """A small normal conversation (user, assistant, thumbs up) in DAY's window, ids under `prefix`."""
    return [
        _j(message(conversation_id=prefix, message_id=f"{prefix}-m1", content="How heavy is a MacBook Air?")),
        _j(message(conversation_id=prefix, message_id=f"{prefix}-m2", parent_id=f"{prefix}-m1", role="assistant",
                   content="About 1.24 kg.", timestamp="2026-11-27T10:00:02Z")),
        _j(feedback(conversation_id=prefix, message_id=f"{prefix}-m2", comment=None)),
    ]


# Where each kind's hostile line sits in its file (1-based): after two good lines, before one.
HOSTILE_LINE_NUMBER = 3


def write_hostile_day(day_dir: Path, kinds: list[str] | None = None) -> dict[str, Path]:
    """One file per kind under day_dir: good, good, HOSTILE, good (a conversation of its own per file).

    Returns kind -> file path.
    """
    day_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for kind in kinds or list(KINDS):
        good = good_lines(f"ok-{kind}")
        path = day_dir / f"hostile-{kind}.jsonl"
        path.write_bytes(b"\n".join([good[0], good[1], KINDS[kind].line, good[2]]) + b"\n")
        files[kind] = path
    return files
