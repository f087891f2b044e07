"""A digest of a lake's ROWS, per table and date, independent of how they are split into files and row groups.

    python -m bench.lake_rows_digest LAKE_DIR [LAKE_DIR ...]

`bench/lake_digest.sh` hashes files, so a change in how many files a partition has (datalake.config.LakeConfig
.shards_for) changes every digest even when not one row did. This reads each committed partition through the
lake's own reader (datalake.reader: the files the date's commit record names, in the table's current schema),
sorts its rows by their id, and hashes them. Columns that differ on every run by design are left out:
`judgments.judged_at` (when the judge answered). Prints one line per table and date: rows and sha256.

Compare two lakes: run it on each and `diff` the outputs (e.g. the scenario lakes of bench/lake_digest.sh
made from two commits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from datalake.commits import table_partitions
from datalake.reader import read_partitions
from datalake.tables import PUBLISHED_TABLES, INDEX_TABLE

# How a table's rows are ordered for the digest: their id (the index: exact key, then example id).
SORT_KEYS = {"conversations": ["row_id"], "judgments": ["judgment_id"], "sft": ["example_id"],
             "preferences": ["pair_id"], INDEX_TABLE: ["exact_key", "example_id"]}
# Columns that differ on every run by design.
VOLATILE = {"judgments": {"judged_at"}}


def partition_digest(lake: str, table: str, day: date) -> tuple[int, str]:
    data, _ = read_partitions(lake, table, [day])
    data = data.drop_columns([c for c in VOLATILE.get(table, ()) if c in data.column_names])
    data = data.sort_by([(key, "ascending") for key in SORT_KEYS[table]])
    digest = hashlib.sha256()
    for row in data.to_pylist():
        digest.update(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8") + b"\n")
    return data.num_rows, digest.hexdigest()


def lake_digest(lake: str) -> list[str]:
    lines = []
    for table in PUBLISHED_TABLES:
        for dt, _ in table_partitions(lake, table):
            rows, digest = partition_digest(lake, table, date.fromisoformat(dt))
            lines.append(f"{table} dt={dt} rows={rows} {digest}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.lake_rows_digest", description=__doc__.splitlines()[0])
    ap.add_argument("lakes", nargs="+", type=Path, help="lake directories")
    args = ap.parse_args(argv)
    for lake in args.lakes:
        if not lake.is_dir():
            print(f"not a directory: {lake}", file=sys.stderr)
            return 2
        for line in lake_digest(str(lake)):
            print(f"{lake.name} {line}" if len(args.lakes) > 1 else line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
