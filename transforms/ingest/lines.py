"""Ingest: turn each log line into events, whatever its format.

Three adapters turn a line into `MessageEvent`/`FeedbackEvent`s:
- "events": the flywheel's own JSONL, one event per line (`schemas.events`);
- "openai": OpenAI chat-completions request/response logs, as gateways (LiteLLM, Helicone, Portkey,
  OpenAI stored completions...) write them: one call per line, the whole history in the request;
- "oasst": OpenAssistant message trees, one tree per line (`transforms.ingest.oasst`).

Files and lines: `transforms.ingest.files`; what formats share (`MalformedLine`): `transforms.ingest.records`;
one module per format: `event_log`, `openai_log`, `oasst`. This module only tells them apart.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from schemas.events import FeedbackEvent, MessageEvent
from transforms.ingest.event_log import parse_event_record
from transforms.ingest.oasst import parse_oasst_record
from transforms.ingest.openai_log import parse_openai_record
from transforms.ingest.records import MalformedLine, load_json_object
from transforms.ingest.window import EventWindow

# The source_format setting's values (flows.settings.Settings types it with this alias).
LogFormat = Literal["auto", "events", "openai", "oasst"]
LOG_FORMATS: tuple[str, ...] = get_args(LogFormat)


def parse_line(
    line: str, log_format: str = "auto", window: EventWindow | None = None
) -> tuple[str, list[MessageEvent | FeedbackEvent]]:
    """One log line as events.

    In: the line's text, the log format: "events", "openai", "oasst" or "auto" (a JSON object with
    "type" is an event; one with "request"/"response" is an OpenAI chat-completions log; one with
    "message_tree_id" and "prompt" is an OpenAssistant tree), and the run's event window (None: no
    window, OpenAssistant trees on their default day; a run always passes one).
    Out: (adapter name, events): ("events", [one event]), ("openai", [messages of the call]) or
    ("oasst", [messages and feedback of the tree], stamped on the window's day).
    Refuses: anything that is not one of those, or whose timestamps fall outside the window
    (MalformedLine with a reason that names the problem and never the line's content or field values).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}: expected one of {', '.join(LOG_FORMATS)}")
    record = load_json_object(line)
    adapter = log_format if log_format != "auto" else _detect_format(record)
    if adapter == "events":
        events: list[MessageEvent | FeedbackEvent] = [parse_event_record(record)]
    elif adapter == "oasst":
        # Trees carry no times: their synthetic clock runs on the partition date they were filed under.
        events = parse_oasst_record(record, day=window.day if window else None)
    else:
        events = parse_openai_record(record)
    if window is not None:
        window.check(events)
    return adapter, events


def _detect_format(record: dict[str, Any]) -> str:
    if record.get("type") in ("message", "feedback"):
        return "events"
    if "request" in record or "response" in record:
        return "openai"
    if "message_tree_id" in record and "prompt" in record:
        return "oasst"
    if "type" in record:
        return "events"  # let the events adapter say what is wrong with the type
    raise MalformedLine("unknown format: neither an event nor an OpenAI chat-completions log")
