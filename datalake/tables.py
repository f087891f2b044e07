"""The lake's layout: the one registry of its tables and directories.

    <lake>/<table>/dt=YYYY-MM-DD/part-00000-of-00002.parquet     every table in TABLES
    <lake>/_index/sft_keys/dt=YYYY-MM-DD/part-*.parquet          INDEX_TABLE: exact keys of published SFT rows
    <lake>/_runs/<run_id>.json                                   one RunManifest per run
    <lake>/_staging/<run_id>/<table>/dt=...                      a run's output before it is published
    <quarantine>/dt=YYYY-MM-DD/<run_id>.jsonl                    raw rejected lines, outside the analyst tree

The SQL catalog, the flows, exports and the dedup index all take table names and models from here.
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


def partition_name(day: date) -> str:
    return f"dt={day.isoformat()}"


def shard_file_name(shard: int, shards: int) -> str:
    return f"part-{shard:05d}-of-{shards:05d}.parquet"
