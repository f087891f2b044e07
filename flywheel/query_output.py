"""`flywheel query` results as a table, CSV, JSON or Parquet.

In: the columns and rows of `sql.readonly.run_query` (an Arrow table for Parquet, `run_query_arrow`), an
output format and a destination (a file, or stdout). Out: the text or file. Refuses Parquet to stdout (a
binary file needs `--out`).

Text meant for a terminal (the table always; CSV and JSON when stdout is one) shows control characters as
escapes (`\\x1b`), so a value in the lake cannot drive the terminal; to a file or a pipe CSV and JSON carry
the values as they are. Nested values (lists, structs: `messages`, `turns`) are JSON inside a CSV cell.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Sequence

from schemas.errors import ConfigError
from sql.catalog import escape_control, format_table

OUTPUT_FORMATS = ("table", "csv", "json", "parquet")


def render_text(output: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, max_rows: int,
                for_terminal: bool) -> str:
    """The result as text in `output` (table, csv or json)."""
    if output == "table":
        return format_table(columns, rows, max_rows=max_rows)
    if output == "csv":
        text = _csv(columns, rows)
    elif output == "json":
        text = json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, default=_json_value,
                          indent=1) + "\n"
    else:
        raise ConfigError(f"--output {output}: not a text format ({', '.join(OUTPUT_FORMATS[:3])})")
    return "\n".join(escape_control(line) for line in text.split("\n")) if for_terminal else text


def write_parquet(table, out: str | None) -> None:
    """Write an Arrow table to `out` as Parquet (temp name, then rename: never half a file under that name)."""
    import os

    import pyarrow.parquet as pq

    if not out:
        raise ConfigError("--output parquet needs --out FILE (Parquet is binary: not for the terminal)")
    tmp = f"{out}.tmp-{os.getpid()}"
    pq.write_table(table, tmp)
    os.replace(tmp, out)


def _csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v if isinstance(v, (str, int, float, Decimal)) and not
                         isinstance(v, bool) else _csv_value(v) for v in row])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, default=_json_value)
    return _json_value(value)


def _json_value(value: Any) -> Any:
    """JSON for what DuckDB returns beyond JSON's types: dates and times as ISO 8601, decimals as text."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)  # Decimal (exact, as text), UUID
