"""How lines look and how they land in files.

Two line formats: "events" (one `schemas.events` model per line, exactly its `model_dump_json()`) and
"openai" (an OpenAI-compatible gateway: one line per chat-completion call, the whole history repeated in
`request.messages`, no feedback). `malformed_line` derives a deliberately broken line from a valid one.
`Writer` rolls numbered files with reproducible gzip headers.
"""

from __future__ import annotations

import gzip as _gzip
import json
import random
import re
from pathlib import Path

from flywheel.sample_logs.pii import ALNUM, Pii
from flywheel.sample_logs.seeds import US, iso_ms, to_datetime
from flywheel.sample_logs.templates import MODELS
from schemas.events import FeedbackEvent, MessageEvent


def event_lines(items, start_us, conv_id, user_id, model) -> list[tuple[int, str]]:
    out = []
    for it in items:
        ts = start_us + it[1]
        if it[0] == "m":
            _, _, mid, parent, role, content, _ = it
            ev = MessageEvent(conversation_id=conv_id, user_id=user_id, timestamp=to_datetime(ts), message_id=mid,
                              parent_id=parent, role=role, content=content,
                              model=model if role == "assistant" else None)
        else:
            _, _, kind, target, extra, event_id = it
            ev = FeedbackEvent(conversation_id=conv_id, user_id=user_id, timestamp=to_datetime(ts), event_id=event_id,
                               message_id=target, kind=kind, **extra)
        out.append((ts, ev.model_dump_json()))
    return out


def openai_lines(r: random.Random, items, start_us, conv_id, user_id, model) -> list[tuple[int, str]]:
    out = []
    for it in items:
        if it[0] != "m" or it[4] != "assistant":
            continue  # gateways see calls, not feedback
        ts = start_us + it[1]
        content, request = it[5], it[6]
        prompt_chars = sum(len(c) for _, c in request)
        finish = "length" if len(content) > 1500 and r.random() < 0.1 else "stop"
        prompt_tokens, completion_tokens = prompt_chars // 4 + 3 * len(request), len(content) // 4 + 1
        record = {
            "timestamp": iso_ms(ts),
            "request": {"model": model, "messages": [{"role": role, "content": c} for role, c in request],
                        "temperature": 0.7},
            "response": {
                "id": "chatcmpl-" + "".join(r.choices(ALNUM, k=29)),
                "object": "chat.completion",
                "created": ts // US,
                "model": MODELS[model],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": finish}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            },
            "metadata": {"conversation_id": conv_id, "user_id": user_id},
        }
        out.append((ts, json.dumps(record, ensure_ascii=False, separators=(",", ":"))))
    return out


# --------------------------------------------------------------------------------------------------
# Malformed lines
# --------------------------------------------------------------------------------------------------

_BAD_TIMESTAMPS = ("2024-13-45T99:61:00Z", "not-a-timestamp", "31/02/2024 25:00", "", "yesterday", "2024-02-30T10:00Z")
_BAD_ROLES = ("bot", "narrator", "Assistant ", "human", "")


def malformed_line(line: str, fmt: str, ts_us: int, r: random.Random, pii: Pii) -> str:
    kind = r.choices(("truncated", "garbage", "missing", "timestamp", "role", "rating"), (30, 15, 15, 15, 15, 10))[0]
    if kind == "truncated":
        return line[: r.randint(1, len(line) - 2)]  # any proper prefix of a JSON object is invalid
    if kind == "garbage":
        g = r.randrange(6)
        if g == 0:
            return "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
        if g == 1:
            return ("Traceback (most recent call last):   File \"/app/gateway/log.py\", line 214, in emit     "
                    "KeyError: 'choices'")
        if g == 2:
            return f"{iso_ms(ts_us)} WARN gateway upstream timeout after 30000ms request_id=req_{r.getrandbits(48):012x}"
        if g == 3:
            return f"{iso_ms(ts_us)} ERROR auth failed for {pii.email()} from {pii.ip()}"
        return r.choice(("null", "[]", "\"message\"", "{\"type\": \"message\",,}", "ok"))
    record = json.loads(line)
    if kind == "missing":
        if fmt == "openai":
            if r.random() < 0.5:
                record["metadata"].pop("conversation_id")
            else:
                record.pop(r.choice(("request", "response")))
        else:
            fields = ["conversation_id", "timestamp"] + (["message_id", "role"] if record["type"] == "message" else ["kind"])
            record.pop(r.choice(fields))
    elif kind == "timestamp":
        record["timestamp"] = r.choice(_BAD_TIMESTAMPS)
    elif kind == "role" or (kind == "rating" and fmt == "openai"):
        if fmt == "openai":
            r.choice(record["request"]["messages"])["role"] = r.choice(_BAD_ROLES)
        elif record["type"] == "message":
            record["role"] = r.choice(_BAD_ROLES)
        else:
            record["kind"] = r.choice(("like", "star", "THUMBS_UP"))
    else:  # rating out of range, on an events line
        if record["type"] == "message":  # turn the message into a bogus rating
            for k in ("message_id", "parent_id", "role", "content", "model"):
                record.pop(k, None)
            record["type"] = "feedback"
        record["kind"] = "rating"
        record["rating"] = r.choice((0, 6, 10, -1, 4.5e9))
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------

OWN_FILE = re.compile(r"(events|openai)-\d{5}\.jsonl(\.gz)?")


class Writer:
    """Rolls `<prefix>-NNNNN.jsonl[.gz]` files every lines_per_file lines; reproducible gzip headers."""

    def __init__(self, day_dir: Path, prefix: str, gz: bool, lines_per_file: int, files: list[str]) -> None:
        self.day_dir, self.prefix, self.gz, self.limit, self.files = day_dir, prefix, gz, lines_per_file, files
        self.index = 0
        self.count = 0
        self.raw = None
        self.stream = None
        self.buf: list[str] = []

    def _open(self) -> None:
        path = self.day_dir / f"{self.prefix}-{self.index:05d}.jsonl{'.gz' if self.gz else ''}"
        self.index += 1
        self.count = 0
        self.raw = open(path, "wb")
        self.stream = _gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=self.raw, mtime=0) if self.gz \
            else self.raw
        self.files.append(str(path))

    def _flush(self) -> None:
        if self.buf:
            self.stream.write("".join(self.buf).encode("utf-8"))
            self.buf.clear()

    def write(self, line: str) -> None:
        if self.stream is None or self.count >= self.limit:
            self.close()
            self._open()
        self.buf.append(line + "\n")
        self.count += 1
        if len(self.buf) >= 2000:
            self._flush()

    def close(self) -> None:
        if self.stream is not None:
            self._flush()
            if self.gz:
                self.stream.close()
            self.raw.close()
            self.stream = self.raw = None
