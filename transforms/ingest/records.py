"""What every log format shares: a line as a JSON object, and `MalformedLine`, whose reason is safe to log.

A line may hold raw PII and only ever goes to the owner-only quarantine, so no reason built here quotes
the line's content or a field's value: only field names, JSON kinds and the parser's own wording.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from schemas.errors import FlywheelError


class MalformedLine(FlywheelError):
    """A log line that is not a valid event; `reason` is short and never holds the line's content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        raise MalformedLine(f"unknown format: a JSON {json_kind(record)}, not an object")
    return record


def json_kind(value: object) -> str:
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


def validation_reason(prefix: str, exc: ValidationError, drop_tag: bool = False) -> str:
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
