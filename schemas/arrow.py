"""Arrow schemas derived from the pydantic models: the one place types are mapped."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
    datetime: pa.timestamp("us", tz="UTC"),
    date: pa.date32(),
}


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
        raise TypeError(f"no Arrow type for a union of {args}")
    return annotation, False


def arrow_type(annotation: Any) -> pa.DataType:
    annotation, _ = _unwrap_optional(annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return pa.string()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([_field(name, info.annotation) for name, info in annotation.model_fields.items()])
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return pa.string()
    if origin is list:
        (item,) = typing.get_args(annotation)
        return pa.list_(arrow_type(item))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return pa.map_(arrow_type(key), arrow_type(value))
    raise TypeError(f"no Arrow type for {annotation!r}")


def _field(name: str, annotation: Any) -> pa.Field:
    _, nullable = _unwrap_optional(annotation)
    return pa.field(name, arrow_type(annotation), nullable=nullable)


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """The Arrow schema of a pydantic model: field order and nullability follow the model."""
    return pa.schema([_field(name, info.annotation) for name, info in model.model_fields.items()])


def to_arrow_table(model: type[BaseModel], rows: list[BaseModel]) -> pa.Table:
    """Rows of `model` as an Arrow table with the derived schema (enums as their string values)."""
    records = [row.model_dump(mode="python") for row in rows]
    return pa.Table.from_pylist(_plain(records), schema=arrow_schema(model))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
