"""The lake's layout: the one registry of its tables and directories.

    <lake>/<table>/dt=YYYY-MM-DD/part-00000-of-00002.parquet     every table in TABLES
    <lake>/_index/sft_keys/dt=YYYY-MM-DD/part-*.parquet          INDEX_TABLE: exact keys of published SFT rows
    <lake>/_runs/<run_id>.json                                   one RunManifest per run
    <lake>/_staging/<run_id>/<table>/dt=...                      a run's output before it is published
    <lake>/_trash/<run_id>/<table>/dt=...                        a replaced partition, until publishing deletes it
    <quarantine>/dt=YYYY-MM-DD/<run_id>.jsonl                    raw rejected lines, outside the analyst tree

The SQL catalog, the flows, exports, the reader and the dedup index all take table names and models from here;
the other datalake modules describe only what they do and point here for the layout:

    fs.py           the one fsspec helper (local disk or any URI)
    partitions.py   write a shard, stage a run's partitions and swap them into place; read a table as rows
    reader.py       the one Arrow reader: a table's partitions, cast to its current schema
    manifests.py    run manifests under _runs/
    quarantine.py   rejected raw lines
    dedup_index.py  the INDEX_TABLE partitions
    export/         training-data exports (4 formats + data card) read from the sft and preferences tables
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from schemas.conversation import Conversation
from schemas.outputs import DedupKey, Judgment, PreferencePair, SFTExample

# The analyst tables and the model each one's rows follow (each one a DuckDB view of the same name).
TABLES: dict[str, type[BaseModel]] = {
    "conversations": Conversation,
    "judgments": Judgment,
    "sft": SFTExample,
    "preferences": PreferencePair,
}
# The lake's own bookkeeping table: the exact keys of every published SFT row, for dedup across days.
INDEX_TABLE = "_index/sft_keys"
# Every table a day's run publishes, as one unit.
PUBLISHED_TABLES: dict[str, type[BaseModel]] = {**TABLES, INDEX_TABLE: DedupKey}

RUNS_DIR = "_runs"
STAGING_DIR = "_staging"
TRASH_DIR = "_trash"


# The shard files of a partition (shard_file_name): readers match only these, so a temporary file never counts.
PART_GLOB = "part-*.parquet"


def partition_name(day: date) -> str:
    return f"dt={day.isoformat()}"


def shard_file_name(shard: int, shards: int) -> str:
    return f"part-{shard:05d}-of-{shards:05d}.parquet"
