"""records.load_json decodes with one shared decoder: what it accepts and the reasons it gives are json.loads's."""

from __future__ import annotations

import json

import pytest

from transforms.ingest.records import MalformedLine, load_json

DOCUMENTS = [
    '{"a": 1, "b": [1.5, "x", null, true]}',
    '\ufeff{"a": 1}',  # a byte-order mark inside a file (json.loads refuses it)
    '  {"a": 1}  ',
    '{"a": NaN}',
    '{"a": -Infinity}',
    '{"a": 1',
    '{"a": 1} x',
    "",
    "[1, 2]",
    '"text"',
    '{"a": "\\ud83d\\ude00"}',
]


def _reference(text: str):
    def refuse(name):
        raise MalformedLine(f"invalid JSON: {name} is not a JSON number")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} (col {exc.colno})"
    except MalformedLine as exc:
        return exc.reason


@pytest.mark.parametrize("text", DOCUMENTS)
def test_load_json_answers_as_json_loads(text):
    try:
        got = load_json(text)
    except MalformedLine as exc:
        got = exc.reason
    assert got == _reference(text)
