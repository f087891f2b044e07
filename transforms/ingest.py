"""Ingest: find one day's log files, read their lines, and turn each line into events.

Three adapters turn a line into `MessageEvent`/`FeedbackEvent`s:
- "events": the flywheel's own JSONL, one event per line (`schemas.events`);
- "openai": OpenAI chat-completions request/response logs, as gateways (LiteLLM, Helicone, Portkey,
  OpenAI stored completions...) write them: one call per line, the whole history in the request;
- "oasst": OpenAssistant message trees, one tree per line (`transforms.oasst`).

A line that cannot be turned into events raises `MalformedLine`; its `reason` is safe to log, because
the line itself may hold raw PII and only ever goes to the owner-only quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import fsspec
from pydantic import TypeAdapter, ValidationError

from flywheel.errors import FlywheelError
from schemas.events import FeedbackEvent, MessageEvent, Role, log_event_adapter
from transforms.ids import stable_id

LOG_FORMATS = ("auto", "events", "openai", "oasst")
_SUFFIXES = (".jsonl", ".jsonl.gz")

# Where gateways put the conversation and the user: first hit wins, in this order.
_CONVERSATION_KEYS = ("conversation_id", "session_id", "thread_id")
_USER_KEYS = ("user_id", "user", "end_user")
# OpenAI's newer and older role names, folded onto the four roles the flywheel knows.
_ROLE_ALIASES = {"developer": Role.system, "function": Role.tool}
_TEXT_PART_TYPES = ("text", "input_text", "output_text")
# History messages are stamped this much earlier per position than the call, so that a call's own
# messages sort before its response (and after the previous call's response).
_HISTORY_STEP = timedelta(microseconds=1)

_datetime_adapter: TypeAdapter[datetime] = TypeAdapter(datetime)


class SourceError(FlywheelError):
    """The log source is not there at all: a configuration mistake, not an empty day."""


class MalformedLine(FlywheelError):
    """A log line that is not a valid event; `reason` is short and never holds the line's content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- source listing


def list_source_files(source_uri: str, day: date) -> list[str]:
    """The log files of one day, sorted.

    In: a source root (local path or any fsspec URI) and a day. Both layouts are read:
    `<source>/<YYYY-MM-DD>/**.jsonl[.gz]` and `<source>/dt=<YYYY-MM-DD>/**.jsonl[.gz]`.
    Out: the files' URIs (plain paths for a local source, full URIs otherwise); [] when the day has
    no directory or no files, so the caller can report an empty day.
    Refuses: a source root that does not exist (SourceError), since that is a configuration mistake,
    not an empty day.
    """
    fs, root = fsspec.core.url_to_fs(source_uri)
    root = root.rstrip("/") or root
    if not fs.exists(root) or not fs.isdir(root):
        raise SourceError(
            f"source directory not found: {source_uri} (set FLYWHEEL_SOURCE_URI or --source)"
        )
    stamp = day.isoformat()
    found: set[str] = set()
    for day_dir in (f"{root}/{stamp}", f"{root}/dt={stamp}"):
        if not fs.isdir(day_dir):
            continue
        for path in fs.find(day_dir):
            if path.endswith(_SUFFIXES):
                found.add(path)
    # A local source keeps plain paths (what users typed); a remote one needs its protocol back.
    local = "://" not in source_uri and not source_uri.startswith("file:")
    return sorted(path if local else fs.unstrip_protocol(path) for path in found)


# --------------------------------------------------------------------------- line reading


def read_lines(uri: str) -> Iterator[tuple[int, str]]:
    """The lines of one .jsonl or .jsonl.gz file.

    In: a file URI (local path or fsspec URI); gzip is inferred from the name.
    Out: (1-based line number, text without its newline) for every line, blank ones included, so
    counts and line numbers match the file (callers skip blanks; `parse_line` rejects them). Bytes
    that are not valid UTF-8 are replaced (U+FFFD) rather than failing the file: one bad line must
    not lose a day.
    Refuses: nothing itself; a file that cannot be opened or decompressed (missing, truncated .gz)
    raises the filesystem's or decompressor's OSError/EOFError, after the lines read before it.
    """
    with fsspec.open(uri, "rb", compression="infer") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte order mark is not part of the first event
            yield number, raw.decode("utf-8", errors="replace").rstrip("\r\n")


# --------------------------------------------------------------------------- parsing


def parse_line(line: str, log_format: str = "auto") -> tuple[str, list[MessageEvent | FeedbackEvent]]:
    """One log line as events.

    In: the line's text and the log format: "events", "openai", "oasst" or "auto" (a JSON object with
    "type" is an event; one with "request"/"response" is an OpenAI chat-completions log; one with
    "message_tree_id" and "prompt" is an OpenAssistant tree).
    Out: (adapter name, events): ("events", [one event]), ("openai", [messages of the call]) or
    ("oasst", [messages and feedback of the tree]).
    Refuses: anything that is not one of those (MalformedLine with a reason that names the problem
    and never the line's content or field values).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}: expected one of {', '.join(LOG_FORMATS)}")
    record = load_json_object(line)
    adapter = log_format if log_format != "auto" else _detect_format(record)
    if adapter == "events":
        return "events", [_parse_event(record)]
    if adapter == "oasst":
        # Imported here: transforms.oasst builds on this module (MalformedLine), so a top-level import
        # would be circular.
        from transforms.oasst import parse_oasst_record

        return "oasst", parse_oasst_record(record)
    return "openai", _parse_openai(record)


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


def load_json_object(line: str) -> dict[str, Any]:
    """A log line as a JSON object, or MalformedLine with a reason that quotes nothing of the line."""
    if not line.strip():
        raise MalformedLine("empty line")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        # exc.msg is the parser's own wording ("Expecting ',' delimiter"), never the document.
        raise MalformedLine(f"invalid JSON: {exc.msg} (col {exc.colno})") from None
    except RecursionError:
        raise MalformedLine("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise MalformedLine(f"unknown format: a JSON {_json_kind(record)}, not an object")
    return record


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _validation_reason(prefix: str, exc: ValidationError, drop_tag: bool = False) -> str:
    """The first error of a pydantic failure as `prefix: field: message`, built without its input."""
    error = exc.errors(include_url=False, include_input=False)[0]
    if error["type"] == "union_tag_invalid":
        # pydantic's message quotes the offending tag, which is line content.
        return f"{prefix}: type: must be 'message' or 'feedback'"
    if error["type"] == "union_tag_not_found":
        return f"{prefix}: type: missing"
    loc = list(error["loc"])
    if drop_tag and loc and loc[0] in ("message", "feedback"):
        loc = loc[1:]  # the discriminated union's tag, not a field
    where = ".".join(str(part) for part in loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{prefix}: {where}: {message}" if where else f"{prefix}: {message}"


def feedback_event_id(event: FeedbackEvent) -> str:
    """The deterministic id of a feedback event that came without one: same event, same id."""
    return stable_id(
        "feedback",
        event.conversation_id,
        event.message_id,
        event.kind.value,
        event.timestamp.isoformat(),
        event.rating,
        event.edited_text,
        event.comment,
    )


def _parse_event(record: dict[str, Any]) -> MessageEvent | FeedbackEvent:
    try:
        event = log_event_adapter.validate_python(record)
    except ValidationError as exc:
        raise MalformedLine(_validation_reason("invalid event", exc, drop_tag=True)) from None
    if isinstance(event, FeedbackEvent) and not event.event_id:
        event = event.model_copy(update={"event_id": feedback_event_id(event)})
    return event


# --------------------------------------------------------------------------- openai adapter


def _as_object(value: Any, what: str) -> dict[str, Any]:
    """A nested object; some gateways store request/response as a JSON string, so accept that too."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise MalformedLine(f"invalid openai log: {what} is a string but not JSON") from None
    if not isinstance(value, dict):
        raise MalformedLine(f"invalid openai log: {what} is a JSON {_json_kind(value)}, not an object")
    return value


def _first_id(places: list[dict[str, Any]], keys: tuple[str, ...]) -> str | None:
    for place in places:
        for key in keys:
            value = place.get(key)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (str, int)) and str(value).strip():
                return str(value).strip()
    return None


def _openai_timestamp(record: dict[str, Any], response: dict[str, Any]) -> datetime:
    # Gateways disagree on the key; the call's own timestamp wins over the response's `created`.
    for key in ("timestamp", "created_at", "startTime", "start_time"):
        if record.get(key) is not None:
            return _parse_timestamp(record[key], key)
    if response.get("created") is not None:
        return _parse_timestamp(response["created"], "response.created")
    raise MalformedLine("invalid openai log: no timestamp (timestamp or response.created)")


def _parse_timestamp(value: Any, where: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MalformedLine(f"invalid openai log: {where}: not a timestamp")
    try:
        # ISO strings, unix seconds and unix milliseconds (pydantic tells them apart by size);
        # MessageEvent then normalises it to UTC like every other event.
        return _datetime_adapter.validate_python(value)
    except ValidationError as exc:
        message = exc.errors(include_url=False, include_input=False)[0]["msg"]
        raise MalformedLine(f"invalid openai log: {where}: {message}") from None


def _content_text(content: Any, where: str) -> str:
    """Message content as text: a string, or the text parts of a content-part list (images etc. skipped)."""
    if content is None:
        return ""  # e.g. an assistant message that only calls tools
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") in _TEXT_PART_TYPES:
                text = part.get("text")
                if isinstance(text, str):
                    texts.append(text)
        return "\n".join(texts)
    raise MalformedLine(f"invalid openai log: {where}.content is a JSON {_json_kind(content)}")


def _role(value: Any, where: str) -> Role:
    if isinstance(value, str):
        if value in _ROLE_ALIASES:
            return _ROLE_ALIASES[value]
        if value in Role.__members__:
            return Role(value)
    # Which role it was stays out of the reason: it is a field value.
    raise MalformedLine(f"invalid openai log: {where}.role is not one of system, user, assistant, tool")


def _parse_openai(record: dict[str, Any]) -> list[MessageEvent | FeedbackEvent]:
    request = _as_object(record.get("request"), "request")
    response = _as_object(record.get("response"), "response")
    metadata = _as_object(record.get("metadata"), "metadata")
    # OpenAI stored completions keep metadata inside the request; others put it at the top level.
    request_metadata = _as_object(request.get("metadata"), "request.metadata")
    places = [metadata, request_metadata, record]

    conversation_id = _first_id(places, _CONVERSATION_KEYS)
    if conversation_id is None:
        raise MalformedLine(
            "invalid openai log: no conversation id "
            "(metadata.conversation_id / session_id / thread_id): cannot sessionize"
        )
    user_id = _first_id([metadata, request_metadata, request, record], _USER_KEYS)
    timestamp = _openai_timestamp(record, response)

    messages = request.get("messages", record.get("messages"))
    if messages is None:
        messages = []
    if not isinstance(messages, list):
        raise MalformedLine(f"invalid openai log: request.messages is a JSON {_json_kind(messages)}, not an array")

    history: list[tuple[Role, str, str | None]] = []
    for position, message in enumerate(messages):
        where = f"request.messages[{position}]"
        if not isinstance(message, dict):
            raise MalformedLine(f"invalid openai log: {where} is a JSON {_json_kind(message)}, not an object")
        history.append((_role(message.get("role"), where), _content_text(message.get("content"), where), None))

    request_model = request.get("model") if isinstance(request.get("model"), str) else None
    choices = response.get("choices")
    if choices is not None and not isinstance(choices, list):
        raise MalformedLine(f"invalid openai log: response.choices is a JSON {_json_kind(choices)}, not an array")
    answer: tuple[Role, str, str | None] | None = None
    if choices:
        # Only the first choice: with n>1 the user saw (and reacted to) the first one.
        choice = choices[0] if isinstance(choices[0], dict) else {}
        message = choice.get("message")
        if not isinstance(message, dict):
            raise MalformedLine("invalid openai log: response.choices[0].message is missing")
        content = message.get("content")
        if content is None and isinstance(message.get("refusal"), str):
            content = message["refusal"]
        model = response.get("model") if isinstance(response.get("model"), str) else request_model
        answer = (
            _role(message.get("role", "assistant"), "response.choices[0].message"),
            _content_text(content, "response.choices[0].message"),
            model,
        )
    if not history and answer is None:
        raise MalformedLine("invalid openai log: no request messages and no response choice")

    calls = history + ([answer] if answer else [])
    events: list[MessageEvent | FeedbackEvent] = []
    parent_id: str | None = None
    n_history = len(history)
    for position, (role, content, model) in enumerate(calls):
        # The id depends only on where the message sits and what it says, so the same message repeated
        # in every later call's history gets the same id and sessionize keeps one copy.
        message_id = stable_id(conversation_id, position, role.value, content)
        # History sorts before this call's response: earlier positions, earlier stamps.
        stamp = timestamp - _HISTORY_STEP * (n_history - position) if position < n_history else timestamp
        try:
            events.append(
                MessageEvent(
                    conversation_id=conversation_id,
                    user_id=user_id,
                    timestamp=stamp,
                    message_id=message_id,
                    parent_id=parent_id,
                    role=role,
                    content=content,
                    model=model,
                )
            )
        except ValidationError as exc:
            raise MalformedLine(_validation_reason("invalid openai log", exc)) from None
        parent_id = message_id
    return events
