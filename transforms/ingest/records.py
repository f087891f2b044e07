"""What every log format shares: a line as a JSON object, and `MalformedLine`, whose reason is safe to log.

A line may hold raw PII and only ever goes to the owner-only quarantine, so no reason built here quotes
the line's content or a field's value: only field names, JSON kinds and the parser's own wording.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from schemas.errors import FlywheelError


class MalformedLine(FlywheelError):
    """A log line that is not a valid event; `reason` is short and never holds the line's content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_REASON_KIND_END = re.compile(r"[:(\[]")


def reason_kind(reason: str) -> str:
    """A quarantine reason's kind, for counting: its words before the first ':', '(' or '[' as a slug
    ("invalid JSON: ..." -> "invalid_json", "line too long (> 8388608 bytes)" -> "line_too_long",
    "timestamp outside the window [...)" -> "timestamp_outside_the_window"). Reasons are the project's own
    wording and never quote a line, so the kinds are a small fixed set safe for manifests and reports."""
    head = _REASON_KIND_END.split(reason, 1)[0]
    return "_".join(re.findall(r"[a-z0-9]+", head.lower()))[:48] or "other"


# A JSON \uXXXX escape of a UTF-16 surrogate (D800-DFFF). A valid pair decodes to one character; a lone one
# decodes to a Python str that cannot be encoded as UTF-8 and fails much later (Parquet, the quarantine).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _no_number_constants(name: str) -> float:
    # json.loads accepts NaN, Infinity and -Infinity, which are not JSON and poison every comparison.
    raise MalformedLine(f"invalid JSON: {name} is not a JSON number")


# One decoder for every line: json.loads(text, parse_constant=...) builds a new JSONDecoder per call, a fifth
# of the cost of decoding a log line.
_DECODER = json.JSONDecoder(parse_constant=_no_number_constants)


def _decode(text: str) -> Any:
    """json.loads(text, parse_constant=_no_number_constants), exactly (a leading BOM, or bytes, take its path)."""
    if isinstance(text, str) and not text.startswith("\ufeff"):
        return _DECODER.decode(text)
    return json.loads(text, parse_constant=_no_number_constants)


def load_json_object(line: str) -> dict[str, Any]:
    """A log line as a JSON object, or MalformedLine with a reason that quotes nothing of the line.

    Refuses, besides invalid JSON and non-objects, what `load_json` refuses.
    """
    if not line.strip():
        raise MalformedLine("empty line")
    record = load_json(line)
    if not isinstance(record, dict):
        raise MalformedLine(f"unknown format: a JSON {json_kind(record)}, not an object")
    return record


def load_json(text: str) -> Any:
    """Any JSON document (a line, or JSON a gateway nested in a string), checked like a line.

    Refuses (MalformedLine): invalid JSON, NaN/Infinity, integers longer than Python converts (4,300
    digits: a ValueError that used to escape the per-line handling), nesting deeper than the parser's
    recursion limit, and strings holding a lone surrogate escape (text that is not valid Unicode is
    quarantined, never repaired into U+FFFD).
    """
    try:
        record = _decode(text)
    except json.JSONDecodeError as exc:
        # exc.msg is the parser's own wording ("Expecting ',' delimiter"), never the document.
        raise MalformedLine(f"invalid JSON: {exc.msg} (col {exc.colno})") from None
    except RecursionError:
        raise MalformedLine("invalid JSON: nested too deeply") from None
    except ValueError:
        # int() refuses numbers of more than sys.get_int_max_str_digits() digits (CVE-2020-10735).
        raise MalformedLine("invalid JSON: a number has too many digits") from None
    if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(record):
        raise MalformedLine("not valid Unicode: a string holds a lone surrogate (\\ud800-\\udfff)")
    return record


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether any key or string in a decoded JSON value is not encodable as UTF-8 (iterative: no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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
