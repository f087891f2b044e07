"""Analysts' SQL runs read-only: reads of the lake's views and files, nothing else.

`flywheel query` hands SQL typed by a person to DuckDB, which can also write files (COPY ... TO, EXPORT
DATABASE, ATTACH), read any file the process can (read_text('/etc/passwd'), the raw quarantine), install
extensions from the network and change its own settings. Two independent layers stop that, so a gap in one
is still covered by the other:

1. **Statements** (`read_statements`): the SQL is split with DuckDB's own parser before anything is opened,
   and every statement must be a read: SELECT (which also covers FROM-first, VALUES, TABLE, WITH,
   DESCRIBE, SHOW, SUMMARIZE), EXPLAIN of a read, or one of a few metadata PRAGMAs. One non-read in a
   script refuses the whole script. This is the layer that stops writes *inside* the lake: DuckDB's
   allowed_directories grants reading and writing alike.
2. **The connection** (`lock_down`): after the views are built (building them globs the lake with full
   access), file access is limited to the lake (`allowed_directories`, `enable_external_access = false`,
   which also turns off Python replacement scans and extension loading), extension auto-install and
   auto-load are off, and `lock_configuration = true` makes every later SET/RESET/PRAGMA-setting fail, so
   the SQL cannot undo any of it. The raw quarantine is outside the lake by default; when someone configures
   it inside, it is carved out of the allowed paths explicitly, since DuckDB has allow-lists only.

Checked against DuckDB 2.0.1 (see tests/sql/test_readonly_sql.py, which also asserts the settings took).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import duckdb

if TYPE_CHECKING:
    import pyarrow

from datalake.tables import PRIVATE_FILES
from schemas.errors import ConfigError
from sql.catalog import CatalogError, QueryError, open_catalog, resolve_lake

_URI_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
_EXPLAIN = re.compile(r"\AEXPLAIN\b\s*(?:\((?P<options>[^()]*)\)\s*)?(?:ANALY[SZ]E\b\s*)?(?P<inner>.*)\Z", re.I | re.S)
_PRAGMA_NAME = re.compile(r"\APRAGMA\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)", re.I)

# PRAGMAs that only describe the catalog. Every other PRAGMA is refused: IMPORT DATABASE parses as one, and
# the setting-like ones (profile_output, enable_profiling, ...) would write files or change the session.
READ_PRAGMAS = frozenset({"table_info", "show_tables", "show_tables_expanded", "show", "version", "platform"})

# What a refusal says the statement does, by DuckDB's statement type.
_WHY = {
    "COPY": "COPY reads or writes files",
    "COPY_DATABASE": "COPY FROM DATABASE writes a database",
    "EXPORT": "EXPORT DATABASE writes files",
    "ATTACH": "ATTACH opens or creates database files",
    "DETACH": "DETACH changes the attached databases",
    "LOAD": "INSTALL/LOAD fetches or loads extensions",
    "SET": "SET/RESET/USE/PRAGMA name = value change the session's configuration",
    "VARIABLE_SET": "SET VARIABLE changes the session",
    "CREATE": "CREATE writes to the catalog",
    "CREATE_FUNC": "CREATE MACRO/FUNCTION writes to the catalog",
    "INSERT": "INSERT writes data",
    "UPDATE": "UPDATE writes data",
    "DELETE": "DELETE writes data",
    "MERGE_INTO": "MERGE INTO writes data",
    "DROP": "DROP/DEALLOCATE removes catalog entries",
    "ALTER": "ALTER/COMMENT ON changes the catalog",
    "CALL": "CALL/CHECKPOINT runs procedures (use SELECT * FROM <table function>() to read one)",
    "PRAGMA": "this PRAGMA changes settings or imports data",
    "TRANSACTION": "transaction control is not needed for reads",
    "VACUUM": "VACUUM/ANALYZE changes the database",
    "PREPARE": "PREPARE/EXECUTE are not supported here",
    "EXECUTE": "PREPARE/EXECUTE are not supported here",
    "MULTI": "a PIVOT without an IN list creates types first (name the values: PIVOT t ON col IN ('a', 'b') USING ...)",
    "EXTENSION": "extension statements fetch or load code",
}


class RefusedStatement(QueryError):
    """The SQL asks for something `flywheel query` does not allow (a write, a file outside the lake, ...)."""


class QuarantineInLake(CatalogError, ConfigError):
    """The quarantine is configured where the query connection cannot keep it unreadable."""


# --------------------------------------------------------------------------------------------- statements


def read_statements(sql: str) -> list[duckdb.Statement]:
    """The statements of `sql`, parsed by DuckDB, if every one of them is a read; else RefusedStatement.

    Nothing runs here: the check happens before a connection to the lake is even opened.
    """
    if not sql or not sql.strip():
        raise QueryError("empty query")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from None
    except ValueError:  # a statement kind the Python binding cannot name: not a known read
        raise RefusedStatement(_refusal("a statement of a kind flywheel query does not know")) from None
    if not statements:
        raise QueryError("empty query")
    for number, statement in enumerate(statements, 1):
        why = _why_not_read(statement)
        if why:
            where = f" (statement {number} of {len(statements)})" if len(statements) > 1 else ""
            raise RefusedStatement(_refusal(why + where))
    return statements


def _refusal(why: str) -> str:
    return (f"refused: flywheel query runs read-only SQL (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, "
            f"PRAGMA table_info) over the lake: {why}. Writing to the lake is the pipeline's job.")


def _why_not_read(statement: duckdb.Statement) -> str | None:
    text = _LEADING_NOISE.sub("", statement.query)
    try:
        kind = statement.type.name
    except ValueError:
        # The parser knows a statement kind the Python binding has no name for (UPDATE EXTENSIONS in 2.0.1):
        # not a known read, so not allowed.
        first_word = (text.split(None, 1) or ["this"])[0].upper()
        return f"{first_word} is not allowed (not a statement kind flywheel query knows as a read)"
    if kind == "SELECT":
        return None
    if kind == "EXPLAIN":
        # EXPLAIN ANALYZE executes its statement, and EXPLAIN of a write is of no use to an analyst: the
        # inner statement must be a read itself.
        match = _EXPLAIN.match(text)
        if not match or not match.group("inner").strip():
            return "an EXPLAIN whose statement cannot be checked"
        try:
            inner = [s.type.name for s in duckdb.extract_statements(match.group("inner"))]
        except (duckdb.Error, ValueError):
            return "an EXPLAIN whose statement cannot be checked"
        if inner != ["SELECT"]:
            return "EXPLAIN is allowed for SELECT statements only"
        return None
    if kind == "PRAGMA":
        match = _PRAGMA_NAME.match(text)
        if match and match.group("name").lower() in READ_PRAGMAS:
            return None
        first = text.split(None, 2)[:2]
        return f"{' '.join(first) or 'PRAGMA'} is not allowed ({_WHY['PRAGMA']})"
    first_word = (text.split(None, 1) or [kind])[0].upper()
    return f"{first_word} is not allowed ({_WHY.get(kind, 'not a read')})"


# --------------------------------------------------------------------------------------------- connection


@contextlib.contextmanager
def read_only_catalog(lake_uri: str, deny: Sequence[str] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory catalog over the lake (sql.catalog.open_catalog), then locked down (`lock_down`).

    `deny`: paths that must stay unreadable even if they lie inside the lake (the raw quarantine).
    The connection is closed and its private spill directory removed on exit.
    """
    root = resolve_lake(lake_uri)
    denied = _denied_inside(root, deny)  # a misconfiguration is reported before any work
    denied += _private_files(root)
    spill = tempfile.mkdtemp(prefix="flywheel-query-")  # 0700, ours alone, removed below
    try:
        con = open_catalog(root)  # builds the views with full access: it globs and describes the lake
        try:
            lock_down(con, root, denied, temp_directory=spill)
            yield con
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def lock_down(con: duckdb.DuckDBPyConnection, lake_root: str, denied: Sequence[str] = (),
              temp_directory: str | None = None) -> None:
    """Limit `con` to reading the lake, turn extension auto-install/auto-load off, and lock the configuration.

    Irreversible for this connection's database: meant for one query's in-memory catalog.
    """
    dirs, paths = allowed_paths(lake_root, denied)
    try:
        if temp_directory is not None:
            # DuckDB adds its spill directory to the allowed directories by itself; the default is `.tmp`
            # under the working directory, which would open that to the SQL. A private empty one instead.
            con.execute(f"SET temp_directory = {_literal(temp_directory)}")
        con.execute(f"SET allowed_directories = {_list(dirs)}")
        con.execute(f"SET allowed_paths = {_list(paths)}")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET allow_community_extensions = false")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        # Trust, but verify: a DuckDB upgrade that renamed or ignored one of these must fail closed.
        got = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', "
            "'autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
    except duckdb.Error as exc:
        raise CatalogError(f"cannot make the query connection read-only: {exc}") from None
    expected = {"enable_external_access": "false", "lock_configuration": "true",
                "autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    if {k: str(v).lower() for k, v in got.items()} != expected:
        raise CatalogError(f"cannot make the query connection read-only: DuckDB reports {got}")


def allowed_paths(lake_root: str, denied: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(directories, files) the SQL may read: the lake root, minus the denied paths inside it.

    DuckDB matches allowed_directories as prefixes, so each ends with a separator (`/lake/` does not admit
    `/lake2/`). DuckDB has no deny-list: a denied path inside the lake is carved out by allowing, on each
    level from the root down to it, every sibling entry instead of the parent.
    """
    remote = bool(_URI_SCHEME.match(lake_root)) and not lake_root.lower().startswith("file://")
    sep = "/" if remote else os.sep
    if not denied:
        return [lake_root.rstrip(sep) + sep], []
    if remote:
        raise QuarantineInLake(f"cannot carve {', '.join(denied)} out of the remote lake {lake_root}: keep the "
                               "quarantine outside the lake")
    dirs: list[str] = []
    files: list[str] = []
    real_root = os.path.realpath(lake_root)
    blocked = {os.path.relpath(os.path.realpath(d), real_root) for d in denied}
    _carve(lake_root, blocked, dirs, files)
    return dirs, files


def _carve(directory: str, blocked: set[str], dirs: list[str], files: list[str]) -> None:
    """Allow everything under `directory` except the relative paths in `blocked`."""
    heads = {b.split(os.sep, 1)[0] for b in blocked}
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise CatalogError(f"cannot list {directory} to keep the quarantine unreadable: {exc}") from None
    for entry in entries:
        if entry.name not in heads:
            if entry.is_dir(follow_symlinks=False):
                dirs.append(entry.path + os.sep)
            else:
                files.append(entry.path)
            continue
        deeper = {b.split(os.sep, 1)[1] for b in blocked if b.split(os.sep, 1)[0] == entry.name and os.sep in b}
        whole = any(b == entry.name for b in blocked)
        if not whole and deeper and entry.is_dir(follow_symlinks=False):
            _carve(entry.path, deeper, dirs, files)


def _denied_inside(root: str, deny: Sequence[str]) -> list[str]:
    """The denied local paths that lie inside the lake (others are unreachable anyway); the lake itself may
    not be one of them."""
    if _URI_SCHEME.match(root) and not root.lower().startswith("file://"):
        inside = [d for d in deny if d and str(d).rstrip("/").startswith(root.rstrip("/") + "/")]
        if inside:
            raise QuarantineInLake(f"the quarantine {inside[0]} is inside the remote lake {root}: move it outside")
        return []
    real_root = os.path.realpath(root)
    found: list[str] = []
    for path in deny:
        if not path or _URI_SCHEME.match(str(path)):
            continue  # a remote quarantine is out of a local lake's reach
        real = os.path.realpath(os.path.expanduser(str(path)))
        if real == real_root:
            raise QuarantineInLake(f"the quarantine {path} is the lake itself: refusing to open it for queries")
        if real.startswith(real_root + os.sep):
            found.append(real)
    return found


def _private_files(root: str) -> list[str]:
    """The lake's own secrets that exist on a local lake (datalake.tables.PRIVATE_FILES). A remote lake cannot
    be carved (see allowed_paths): there the object store's permissions must keep them from analysts."""
    if _URI_SCHEME.match(root) and not root.lower().startswith("file://"):
        return []
    real_root = os.path.realpath(root)
    return [p for p in (os.path.join(real_root, *name.split("/")) for name in PRIVATE_FILES) if os.path.exists(p)]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_literal(i) for i in items) + "]"


def run_query(lake_uri: str, sql: str, *, deny: Sequence[str] = ()) -> tuple[list[str], list[tuple]]:
    """Run one analyst query (or a script; the last statement's result counts) over the lake's views.

    Read-only: every statement must be a read, else RefusedStatement before anything is
    opened; the connection can read the lake only (never the paths in `deny`, e.g. the raw quarantine), has
    extension auto-install/auto-load off and its configuration locked.
    """
    return _run(lake_uri, sql, deny, _rows)


def run_query_arrow(lake_uri: str, sql: str, *, deny: Sequence[str] = ()) -> "pyarrow.Table":
    """`run_query`, the result as an Arrow table (types kept: lists, structs, timestamps), under the same checks.

    For Parquet output: the caller writes the file from the table, never DuckDB, whose connection stays
    unable to write anything."""
    return _run(lake_uri, sql, deny, _arrow)


def check_output_outside_lake(lake_uri: str, path: str) -> None:
    """Refuse a query's output file inside the lake: the views glob the lake, so it would become lake data."""
    root = os.path.realpath(resolve_lake(lake_uri)) if not _URI_SCHEME.match(lake_uri) else None
    target = os.path.realpath(os.path.abspath(os.path.expanduser(path)))
    if root is not None and (target == root or target.startswith(root + os.sep)):
        raise RefusedStatement(f"refused: --out {path} is inside the lake {root}; flywheel query writes its "
                               "results outside it (writing to the lake is the pipeline's job)")


def _run(lake_uri: str, sql: str, deny: Sequence[str], fetch: Callable):
    statements = read_statements(sql)
    with read_only_catalog(lake_uri, deny=deny) as con:
        try:
            for statement in statements[:-1]:  # the very statements that were checked, not a re-parse of `sql`
                con.execute(statement)
            return fetch(con, statements[-1])
        except duckdb.PermissionException as exc:
            # DuckDB's own file-access check said no: a path outside the lake, or an extension.
            raise RefusedStatement(f"refused: flywheel query reads files inside the lake only: {exc}") from None
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from None


def _rows(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(statement)
    if cursor.description is None:
        return [], []
    return [d[0] for d in cursor.description], cursor.fetchall()


def _arrow(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> "pyarrow.Table":
    import pyarrow

    # A relation straight to Arrow (a DB-API result would copy the rows once more); from the checked
    # statement's own text, the one `read_statements` classified.
    relation = con.sql(statement.query)
    return relation.to_arrow_table() if relation is not None else pyarrow.table({})
