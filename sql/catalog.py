"""The analyst catalog: DuckDB views over the lake, built from sql/views.sql at every open.

Views point at the lake by an absolute path (a relative lake path is resolved against the working directory
at open time), so a catalog works from any directory, also when saved in a `.duckdb` file. A table with no
files yet is still a view, empty, with the columns derived from its pydantic model (read_parquet on a glob
without files is an error in DuckDB). Only `<lake>/<table>/dt=*/part-*.parquet`, `<lake>/reviews/part-*.parquet`
and `<lake>/_runs/*.json` are read: `_staging/`, `_trash/`, `_reviews/` (the reviewer-name key) and temporary
files never are; and of the partitions' files only those their date's commit record (`<lake>/_commits/dt=*.json`)
names, so a view never mixes two runs of a date, even while a run publishes or after one was killed doing it.
The reviews table is append-only and not a run's output: every one of its files counts (each is renamed into
place whole). The layout, the tables and the commit: `datalake.tables`.

Outside the project: `portable_sql` gives the same views as plain DuckDB SQL (`flywheel sql`) for the stock
`duckdb` CLI or a notebook of any recent DuckDB version; a saved catalog file is written in an old storage
format (CATALOG_STORAGE_VERSION) so older DuckDB clients open it too.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Literal, Sequence
from urllib.parse import unquote, urlparse

import duckdb
from pydantic import BaseModel

from schemas.errors import FlywheelError
from schemas.arrow import arrow_schema
from schemas.outputs import RunManifest
from datalake.tables import COMMITS_DIR, PART_GLOB, REVIEW_TABLES, RUNS_DIR, TABLES


class CatalogError(FlywheelError):
    """The catalog cannot be opened (no lake, unreadable files); the message says what to do."""


class QueryError(CatalogError):
    """An analyst query failed; the message is DuckDB's."""


@dataclass(frozen=True)
class LakeTable:
    """One table of the lake: where its files are (relative to the lake root) and which model they hold.

    kind: "parquet" (date partitions, committed files only), "appended" (append-only parquet files, all of
    them count: the reviews), "json" (run manifests).
    """

    name: str
    model: type[BaseModel]
    pattern: str
    kind: Literal["parquet", "appended", "json"]


# The lake's tables come from the one registry, datalake.tables (TABLES: date partitions; REVIEW_TABLES: the
# append-only reviews); a new table there needs only a view in views.sql that uses {table:<name>}. The dedup index (INDEX_TABLE) is deliberately not a view: it is the
# pipeline's bookkeeping (keys of published SFT rows), not analyst data, and the `sft` view already holds
# every published example.
LAKE_TABLES: tuple[LakeTable, ...] = tuple(
    LakeTable(name, model, f"{name}/dt=*/{PART_GLOB}", "parquet") for name, model in TABLES.items()
) + tuple(
    LakeTable(name, model, f"{name}/{PART_GLOB}", "appended") for name, model in REVIEW_TABLES.items()
) + (
    # [!.] skips hidden temporary files (a manifest being written under a dot-name).
    LakeTable("runs", RunManifest, f"{RUNS_DIR}/[!.]*.json", "json"),
)
TABLES_BY_NAME = {table.name: table for table in LAKE_TABLES}

# Views every catalog has (the ones views.sql defines).
VIEWS = ("conversations", "turns", "judgments", "signal_mix", "judge_agreement", "sft", "sft_mix", "preferences",
         "runs", "pii_summary", "label_summary", "reviews", "latest_reviews", "review_decisions", "review_agreement",
         "review_fleiss", "review_labels", "review_vs_labels", "review_vs_rules", "rule_precision")

_PLACEHOLDER = re.compile(r"\{(?:table:(?P<table>[A-Za-z_][A-Za-z0-9_]*)|(?P<lake>lake))\}")
_URI_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_HIVE_OPTIONS = "hive_partitioning = true, union_by_name = true, hive_types = {'dt': 'DATE'}"


# --------------------------------------------------------------------------------------------- opening


def resolve_lake(lake_uri: str) -> str:
    """The lake root as DuckDB should see it: an absolute local path, or a remote URI unchanged.

    Raises CatalogError when a local lake directory does not exist.
    """
    uri = str(lake_uri).strip()
    if not uri:
        raise CatalogError("no lake given (set FLYWHEEL_LAKE_URI or pass --lake)")
    match = _URI_SCHEME.match(uri)
    if match and match.group("scheme").lower() != "file":
        return uri.rstrip("/")  # s3://, gs://, az://, hf://...: DuckDB reads them through its own filesystems
    if match:
        uri = unquote(urlparse(uri).path)
    path = os.path.abspath(os.path.expanduser(uri))
    if not os.path.isdir(path):
        what = "is not a directory" if os.path.exists(path) else "has no data yet"
        raise CatalogError(f"the lake at {path} {what} — run `flywheel run` first (or point --lake / FLYWHEEL_LAKE_URI at it)")
    return path


def open_catalog(lake_uri: str, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every view of sql/views.sql pointing at the lake by absolute path.

    `database` may be a `.duckdb` file: the views are (re)created in it, with absolute paths, so opening
    that file later from any directory still finds the lake.
    """
    root = resolve_lake(lake_uri)
    try:
        con = _connect(database)
    except duckdb.Error as exc:
        raise CatalogError(f"cannot open the DuckDB database {database}: {exc}") from None
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(render_views(con, root))
    except duckdb.Error as exc:
        con.close()
        raise CatalogError(f"cannot build the catalog views over the lake at {root}: {exc}") from None
    except BaseException:
        con.close()
        raise
    return con


# The storage format of a saved catalog file: DuckDB's default is its own newest format, which older clients
# cannot open (a file written by DuckDB 2.0 fails in the 1.5 CLI: "can only read versions between 64 and 68").
# A catalog holds view definitions only, so the oldest format of the 1.x line loses nothing.
CATALOG_STORAGE_VERSION = "v1.0.0"


def _connect(database: str) -> duckdb.DuckDBPyConnection:
    """A connection to `database`; a file in a newer storage format holding only catalog views is rebuilt.

    Such a file is one this module saved before it chose the format: it is remade rather than left
    unreadable for older clients. A file that holds anything else (tables, other views) is opened as it is.
    """
    if database == ":memory:":
        return duckdb.connect(database)
    config = {"storage_compatibility_version": CATALOG_STORAGE_VERSION}
    con = duckdb.connect(database, config=config)
    if _storage_version(con) in (None, CATALOG_STORAGE_VERSION + "+") or not _only_catalog_views(con):
        return con
    con.close()
    for path in (database, database + ".wal"):
        if os.path.exists(path):
            os.remove(path)
    return duckdb.connect(database, config=config)


def _storage_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The open file's storage format as DuckDB tags it ("v1.0.0+"); None where DuckDB does not say."""
    try:
        row = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() "
                          "WHERE database_name = current_database()").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _only_catalog_views(con: duckdb.DuckDBPyConnection) -> bool:
    tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()").fetchone()[0]
    views = {row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal").fetchall()}
    return tables == 0 and views <= set(VIEWS)


def portable_sql(lake_uri: str) -> str:
    """The catalog as plain DuckDB SQL: every view of views.sql, absolute paths, nothing of the project needed.

    For the stock `duckdb` CLI (`.read`), a notebook (`con.execute(sql)`) or a catalog file in the analyst's
    own DuckDB version (`duckdb my.duckdb < catalog.sql`). It keeps the committed-files rule: the views read
    the commit records when queried, so later runs' rows show without regenerating. What is fixed at
    generation, and said in the header: the lake's path, the columns, and which tables had no files (their
    views stay empty until the SQL is generated again).
    """
    root = resolve_lake(lake_uri)
    con = duckdb.connect()
    try:
        body = render_views(con, root, _without_header(views_sql()))
        empty = [t.name for t in LAKE_TABLES if not _has_files(con, f"{_glob_escape(root)}/{t.pattern}")]
        commits = _has_files(con, f"{_glob_escape(root)}/{COMMITS_DIR}/dt=*.json")
    except duckdb.Error as exc:
        raise CatalogError(f"cannot read the lake at {root}: {exc}") from None
    finally:
        con.close()
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    header = [
        f"-- The flywheel catalog over the lake at {_one_line(root)}: plain DuckDB SQL (generated {stamp}).",
        "-- Run it in any DuckDB client: `duckdb -c '.read catalog.sql'`, `duckdb my.duckdb < catalog.sql` (a catalog",
        "-- file in your DuckDB's own format), or con.execute(open('catalog.sql').read()) in a notebook.",
        "-- Views read only the files the lake's commit records name, looked up when queried: new runs show up",
        "-- without regenerating. Regenerate (`flywheel sql`) when the lake moves, after an upgrade of flywheel,",
        "-- or when a table listed below as empty gets its first files.",
        f"-- Tables without files at generation (their views stay empty): {', '.join(empty) or 'none'}.",
    ]
    if not commits:
        header.append("-- The lake had no commit records at generation: regenerate after its next run.")
    header += [
        "-- Column meanings: docs/COLUMNS.md of the flywheel repository.",
        "",
        "-- Timestamps are UTC instants; shown in UTC as `flywheel query` does (drop this line for local time).",
        "SET TimeZone = 'UTC';",
        "",
    ]
    return "\n".join(header) + "\n" + body.lstrip("\n")


def _without_header(template: str) -> str:
    """views.sql without its leading comment block (it explains the placeholders, gone once filled in)."""
    lines = template.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("--"):
        start += 1
    return "".join(lines[start:])


def _one_line(text: str) -> str:
    """A path for a `--` comment: a newline in it would end the comment and run the rest as SQL."""
    return escape_control(text)


def views_sql() -> str:
    """The view definitions, with placeholders (shipped as package data)."""
    return resources.files("sql").joinpath("views.sql").read_text(encoding="utf-8")


def render_views(con: duckdb.DuckDBPyConnection, lake_root: str, template: str | None = None) -> str:
    """views.sql with its placeholders filled for this lake (inspects the lake through `con`)."""
    template = views_sql() if template is None else template
    sources: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        if match.group("lake"):
            return _sql_string_body(lake_root)
        name = match.group("table")
        if name not in TABLES_BY_NAME:
            known = ", ".join(TABLES_BY_NAME)
            raise CatalogError(f"views.sql names an unknown lake table {{table:{name}}} (known: {known})")
        if name not in sources:
            sources[name] = table_source(con, lake_root, TABLES_BY_NAME[name])
        return sources[name]

    return _PLACEHOLDER.sub(fill, template)


def table_source(con: duckdb.DuckDBPyConnection, lake_root: str, table: LakeTable) -> str:
    """A parenthesised SQL table expression for one lake table (empty and typed when it has no files)."""
    glob = f"{_glob_escape(lake_root)}/{table.pattern}"
    has_files = _has_files(con, glob)
    model_columns = _model_columns(con, table.model)
    if table.kind == "parquet":
        if not has_files:
            return _empty_relation(model_columns + [("dt", "DATE")])
        reader = f"read_parquet('{_sql_string_body(glob)}', {_HIVE_OPTIONS}, filename = true)"
        present = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
        wanted = {name for name, _ in model_columns}
        select = [_model_column(name, type_, present.get(name)) for name, type_ in model_columns]
        # Columns some file has that the model does not (yet) know stay visible; dt comes last.
        select += [_ident(name) for name in present if name not in wanted and name not in ("dt", "filename")]
        select.append(_ident("dt"))
        return f"(SELECT {', '.join(select)} FROM {reader} WHERE {_committed_files_only(con, lake_root, table.name)})"
    if table.kind == "appended":
        # Ties in time (one import's lines) keep the order they were appended in: file name (UTC time first),
        # then row. The columns say which file, never a path.
        order = [("source_file", "VARCHAR"), ("file_row", "BIGINT")]
        if not has_files:
            return _empty_relation(model_columns + order)
        reader = (f"read_parquet('{_sql_string_body(glob)}', union_by_name = true, filename = true, "
                  f"file_row_number = true)")
        present = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
        select = [_model_column(name, type_, present.get(name)) for name, type_ in model_columns]
        select += ["parse_filename(filename) AS source_file", "file_row_number AS file_row"]
        return f"(SELECT {', '.join(select)} FROM {reader})"
    if table.kind == "json":
        extra = [("manifest_uri", "VARCHAR"), ("manifest_valid", "BOOLEAN")]
        if not has_files:
            return _empty_relation(model_columns + extra)
        # json.dumps: a type string can hold double quotes (STRUCT(..., "error" VARCHAR) for a keyword field).
        structure = json.dumps(dict(model_columns))
        fields = ", ".join(f"m.{_ident(name)} AS {_ident(name)}" for name, _ in model_columns)
        # A manifest that is not a JSON object with a run_id (truncated, hand-edited) becomes a row with
        # manifest_valid = false instead of an error for the whole view.
        return (
            f"(SELECT {fields}, manifest_uri, coalesce(m.run_id IS NOT NULL, false) AS manifest_valid FROM ("
            f"SELECT CASE WHEN ok THEN json_transform(content, '{_sql_string_body(structure)}') END AS m, "
            f"filename AS manifest_uri "
            f"FROM (SELECT filename, content, CASE WHEN json_valid(content) THEN json_type(content) = 'OBJECT' ELSE false END AS ok "
            f"FROM read_text('{_sql_string_body(glob)}'))))"
        )
    raise CatalogError(f"unknown kind {table.kind!r} for lake table {table.name}")


# A commit record (datalake.commits.CommitRecord) as DuckDB reads it: per table, the committed file names.
_COMMIT_STRUCTURE = json.dumps({"dt": "VARCHAR", "tables": "MAP(VARCHAR, STRUCT(run_id VARCHAR, files VARCHAR[]))"})
# The run id in a live file's name (datalake.tables.published_file_name); '' for a file from before commit records.
_FILE_RUN_ID = r"regexp_extract(parse_filename(filename), '^part-[^./]*\.([^./]+)\.parquet$', 1)"


def _committed_files_only(con: duckdb.DuckDBPyConnection, lake_root: str, table: str) -> str:
    """A WHERE condition keeping only the files the date's commit record names (the datalake.commits rule).

    A run killed between moving its files into the live tree and committing leaves files no record names;
    the view never reads them. A date without a record for the table (a lake from before commit records)
    reads its files without a run id in their name. Records are read when the view is queried; if the lake
    had none when the catalog was opened, only that second rule applies until the next open.
    """
    commits = f"{_glob_escape(lake_root)}/{COMMITS_DIR}/dt=*.json"
    legacy = f"{_FILE_RUN_ID} = ''"
    if not _has_files(con, commits):
        return legacy
    entries = (
        f"(SELECT r.dt AS dt, unnest(map_entries(r.tables)) AS e FROM (SELECT json_transform(content, "
        f"'{_sql_string_body(_COMMIT_STRUCTURE)}') AS r FROM read_text('{_sql_string_body(commits)}') "
        f"WHERE json_valid(content)) WHERE r.tables IS NOT NULL)"
    )
    name = _sql_string_body(table)
    committed = f"(SELECT dt || '/' || unnest(e.value.files) FROM {entries} WHERE e.key = '{name}')"
    covered = f"(SELECT dt FROM {entries} WHERE e.key = '{name}')"
    return (f"(strftime(dt, '%Y-%m-%d') || '/' || parse_filename(filename) IN {committed} "
            f"OR ({legacy} AND strftime(dt, '%Y-%m-%d') NOT IN {covered}))")


def _has_files(con: duckdb.DuckDBPyConnection, glob: str) -> bool:
    return con.execute("SELECT count(*) FROM glob(?)", [glob]).fetchone()[0] > 0


def _model_columns(con: duckdb.DuckDBPyConnection, model: type[BaseModel]) -> list[tuple[str, str]]:
    """(name, DuckDB type) per field, derived from the model's Arrow schema through DuckDB's own mapping."""
    relation = con.from_arrow(arrow_schema(model).empty_table())
    return [(name, str(type_)) for name, type_ in zip(relation.columns, relation.types)]


def _model_column(name: str, model_type: str, file_type: str | None) -> str:
    """One model column as the view shows it: typed NULL when no file has it yet, cast to the model's type
    when the files' type differs (a struct written before the model gained a field lacks it: DuckDB's
    struct cast matches fields by name and fills the missing ones with NULL), else as it is."""
    if file_type is None:
        return f"CAST(NULL AS {model_type}) AS {_ident(name)}"
    if file_type != model_type:
        return f"CAST({_ident(name)} AS {model_type}) AS {_ident(name)}"
    return _ident(name)


def _empty_relation(columns: list[tuple[str, str]]) -> str:
    select = ", ".join(f"CAST(NULL AS {type_}) AS {_ident(name)}" for name, type_ in columns)
    return f"(SELECT {select} WHERE false)"


def _glob_escape(path: str) -> str:
    """A literal path for DuckDB's glob: wildcard characters in the lake root itself match only themselves."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string_body(text: str) -> str:
    return text.replace("'", "''")


# --------------------------------------------------------------------------------------------- querying
# Analysts' SQL runs through sql/readonly.py: run_query (read statements only, lake files only).


def recent_runs(lake_uri: str, limit: int = 20) -> list[dict]:
    """The newest runs first (by start time), one dict per run with the columns of the `runs` view."""
    con = open_catalog(lake_uri)
    try:
        cursor = con.execute(
            "SELECT * FROM runs ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT ?", [max(int(limit), 0)]
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise CatalogError(f"cannot read the run manifests of the lake: {exc}") from None
    finally:
        con.close()


def named_queries() -> dict[str, str]:
    """The example analyst queries of sql/queries.sql, by name (`-- name: <name>` starts one)."""
    text = resources.files("sql").joinpath("queries.sql").read_text(encoding="utf-8")
    queries: dict[str, str] = {}
    name: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        header = re.match(r"^--\s*name:\s*(\S+)", line)
        if header:
            if name:
                queries[name] = "\n".join(body).strip()
            name, body = header.group(1), []
        elif name:
            body.append(line)
    if name:
        queries[name] = "\n".join(body).strip()
    return queries


# --------------------------------------------------------------------------------------------- display


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_rows: int = 50, max_width: int = 60) -> str:
    """A plain-text table for the terminal: aligned columns (numbers right), long cells cut, NULL shown."""
    if not columns:
        return "(no result)"
    shown = list(rows[: max(max_rows, 0)])
    cells = [[_cell(value, max_width) for value in row] for row in shown]
    headers = [_cut(escape_control(str(c)), max_width) for c in columns]
    numeric = [
        any(row[i] is not None for row in shown)
        and all(row[i] is None or _is_number(row[i]) for row in shown)
        for i in range(len(columns))
    ]
    widths = [max([_width(headers[i])] + [_width(row[i]) for row in cells]) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        parts = [_pad(v, widths[i], right=numeric[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    total = len(rows)
    if total > len(shown):
        out.append(f"({len(shown)} of {total} rows shown)")
    else:
        out.append(f"({total} row{'' if total == 1 else 's'})")
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _cell(value: Any, max_width: int) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:.6g}"
    elif isinstance(value, _dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, _dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")
    return _cut(escape_control(text), max_width)


# Characters a terminal acts on instead of showing: C0 controls (ESC starts ANSI sequences that recolour,
# move the cursor, clear the screen, set the window title or hyperlinks), DEL, C1 controls (\x9b is a
# one-byte CSI), line/paragraph separators, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_control(text: str) -> str:
    """`text` with every terminal control character shown as a visible escape (`\\x1b`, `\\u202e`).

    Lake values (ids, content, file names) come from users' logs: printed raw, they could drive the analyst's
    terminal. Newlines and tabs are escaped too; callers that want them kept split lines first.
    """
    return _CONTROL.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_char_width(c) for c in text)


def _cut(text: str, max_width: int) -> str:
    if _width(text) <= max_width:
        return text
    kept, used = [], 0
    for char in text:
        w = _char_width(char)
        if used + w > max_width - 1:
            break
        kept.append(char)
        used += w
    return "".join(kept) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
