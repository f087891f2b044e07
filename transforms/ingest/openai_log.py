"""OpenAI chat-completions gateway logs ("openai"), as LiteLLM, Helicone, Portkey or OpenAI stored completions
write them: one call per line, the whole history in the request, the answer in the response."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import TypeAdapter, ValidationError

from schemas.events import FeedbackEvent, MessageEvent, Role, as_utc, timestamp_value
from transforms.ids import stable_id
from transforms.ingest.records import MalformedLine, json_kind, load_json, validation_reason

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


def _as_object(value: Any, what: str) -> dict[str, Any]:
    """A nested object; some gateways store request/response as a JSON string, so accept that too."""
    if value is None:
        return {}
    if isinstance(value, str):
        # Checked like a line: nested JSON can hold a lone surrogate or a NaN as well.
        try:
            value = load_json(value)
        except MalformedLine as exc:
            if exc.reason.startswith("invalid JSON"):
                raise MalformedLine(f"invalid openai log: {what} is a string but not JSON") from None
            raise MalformedLine(f"invalid openai log: {what}: {exc.reason}") from None
    if not isinstance(value, dict):
        raise MalformedLine(f"invalid openai log: {what} is a JSON {json_kind(value)}, not an object")
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
        # ISO strings, or unix seconds / milliseconds by the events schema's one rule (timestamp_value);
        # then UTC, so that stepping the history back below cannot overflow on an offset.
        stamp = _datetime_adapter.validate_python(timestamp_value(value))
        return as_utc(stamp)
    except ValidationError as exc:
        message = exc.errors(include_url=False, include_input=False)[0]["msg"]
        raise MalformedLine(f"invalid openai log: {where}: {message}") from None
    except ValueError as exc:
        # Our own validators' messages (schemas.events) name the problem, never the value.
        raise MalformedLine(f"invalid openai log: {where}: {exc}") from None


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
    raise MalformedLine(f"invalid openai log: {where}.content is a JSON {json_kind(content)}")


def _role(value: Any, where: str) -> Role:
    if isinstance(value, str):
        if value in _ROLE_ALIASES:
            return _ROLE_ALIASES[value]
        if value in Role.__members__:
            return Role(value)
    # Which role it was stays out of the reason: it is a field value.
    raise MalformedLine(f"invalid openai log: {where}.role is not one of system, user, assistant, tool")


def parse_openai_record(record: dict[str, Any]) -> list[MessageEvent | FeedbackEvent]:
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
        raise MalformedLine(f"invalid openai log: request.messages is a JSON {json_kind(messages)}, not an array")

    history: list[tuple[Role, str, str | None]] = []
    for position, message in enumerate(messages):
        where = f"request.messages[{position}]"
        if not isinstance(message, dict):
            raise MalformedLine(f"invalid openai log: {where} is a JSON {json_kind(message)}, not an object")
        history.append((_role(message.get("role"), where), _content_text(message.get("content"), where), None))

    request_model = request.get("model") if isinstance(request.get("model"), str) else None
    choices = response.get("choices")
    if choices is not None and not isinstance(choices, list):
        raise MalformedLine(f"invalid openai log: response.choices is a JSON {json_kind(choices)}, not an array")
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
    if timestamp - datetime.min.replace(tzinfo=timezone.utc) <= _HISTORY_STEP * len(calls):
        # 0001-01-01T00:00:00Z: no room to stamp the history before it (the window refuses it anyway).
        raise MalformedLine("invalid openai log: timestamp: too early to order the call's history (year 1)")
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
            raise MalformedLine(validation_reason("invalid openai log", exc)) from None
        parent_id = message_id
    return events
