"""The lake's layout: the one registry of its tables and directories, and how a date is committed.

    <lake>/<table>/dt=YYYY-MM-DD/part-00000-of-00001.<run_id>.parquet   every table in TABLES: the files of
                                                                        the run that committed the date
    <lake>/_index/sft_keys/dt=YYYY-MM-DD/part-*.<run_id>.parquet         INDEX_TABLE: keys and MinHash signatures
                                                                        of published SFT and preference rows
    <lake>/_commits/dt=YYYY-MM-DD.json                                   the date's commit record (CommitRecord)
    <lake>/_runs/<run_id>.json                                           one RunManifest per run ("running" first)
    <lake>/_locks/dt=YYYY-MM-DD.lock                                     held by the run that owns the date now
    <lake>/_staging/<run_id>/<table>/dt=.../part-*.parquet               a run's output before it is published
    <lake>/reviews/part-<utc>-<uuid>.parquet                             REVIEWS_TABLE: verdicts, append-only
    <lake>/_reviews/                                                     review bookkeeping (datalake.reviews)
    <quarantine>/dt=YYYY-MM-DD/<run_id>.jsonl                            raw rejected lines, outside the analyst tree
                                                                        (<run_id>.part-00000-of-0000N.jsonl when
                                                                        a day's lines fill several files)
    <quarantine>/_staging/<run_id>/dt=YYYY-MM-DD.jsonl                   a run's rejected lines before it commits

Committing a date (all its tables as one unit, crash-safe on local disk):

  1. the run takes the date's lock, writes its manifest as "running", and stages every table under
     _staging/<run_id>/ (file names without a run id);
  2. it moves each staged file into its live partition under a run-scoped name (`published_file_name`), next
     to the previous run's files: nothing is overwritten, so every file the current commit record names stays;
  3. it writes the commit record `_commits/dt=D.json` (temp file + rename: one atomic step; a single put on
     object stores) naming, per table, the run and the files that are current. THIS is the commit: before
     it the date is the previous run's, after it this run's;
  4. it deletes the live files the record does not name (the previous run's), publishes its quarantine,
     marks its manifest "succeeded", removes its staging and releases the lock.

Every reader takes a partition's files from the commit record (`datalake.commits`), never from a directory
listing, so it sees one run's tables or the previous run's, never a mix, whatever point a kill -9 hit.
The live tree holds other files than the committed ones only between steps 2 and 4 (milliseconds), or after
a run was killed there: the next run of any date sweeps them away (`datalake.recovery`), with dead runs'
staging, trash and quarantine staging, and marks their manifests failed (or succeeded, when the kill came
after the commit). An ad-hoc `read_parquet('lake/sft/**/*.parquet')` therefore sees a mix only in that window
or until the next run after such a kill; the catalog's views never do.

A date with no commit record (a lake written before commit records existed) reads its files without a run id
in their name, as it always did; its first new run commits it and removes them.

The SQL catalog, the flows, exports, the reader and the dedup index all take table names and models from here;
the other datalake modules describe only what they do and point here for the layout:

    fs.py           the one fsspec helper (local disk or any URI)
    commits.py      commit records: write one, read which files of a partition are current
    partitions.py   write a shard, stage a run's partitions, publish and commit a date; read a table as rows
    recovery.py     the per-date lock and the sweep of dead runs' leftovers
    reader.py       the one Arrow reader: a table's committed partitions, cast to its current schema
    manifests.py    run manifests under _runs/, and whether a date is complete
    quarantine.py   rejected raw lines
    dedup_index.py  the INDEX_TABLE partitions
    reviews.py      the REVIEWS_TABLE (people's verdicts) and the reviewer-name key
    export/         training-data exports (4 formats + data card) read from the sft and preferences tables
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from schemas.conversation import Conversation
from schemas.outputs import DedupKey, Judgment, PreferencePair, SFTExample
from schemas.review import Review

# The analyst tables and the model each one's rows follow (each one a DuckDB view of the same name).
TABLES: dict[str, type[BaseModel]] = {
    "conversations": Conversation,
    "judgments": Judgment,
    "sft": SFTExample,
    "preferences": PreferencePair,
}
# The lake's own bookkeeping table: the keys (exact and MinHash) of every published SFT and preference row, for
# dedup across days. One table for both (DedupKey.group tells them apart), so lakes from before preferences were
# indexed keep their commit records complete.
INDEX_TABLE = "_index/sft_keys"
# Every table a day's run publishes, as one unit.
PUBLISHED_TABLES: dict[str, type[BaseModel]] = {**TABLES, INDEX_TABLE: DedupKey}

# People's verdicts on lake rows (schemas.review.Review; datalake.reviews): append-only, not partitioned by date
# and not a run's output, so never in PUBLISHED_TABLES. REVIEWS_DIR holds their bookkeeping (key, sampled items).
REVIEWS_TABLE = "reviews"
REVIEW_TABLES: dict[str, type[BaseModel]] = {REVIEWS_TABLE: Review}
REVIEWS_DIR = "_reviews"
# Files inside the lake that analysts' SQL must never read (sql.readonly carves them out of a local lake): the
# reviewer-name key would let anyone test guessed names against the stored hashes.
PRIVATE_FILES = (f"{REVIEWS_DIR}/reviewer.key",)

RUNS_DIR = "_runs"
COMMITS_DIR = "_commits"
LOCKS_DIR = "_locks"
STAGING_DIR = "_staging"
# Where the directory-swapping publish of earlier versions moved a replaced partition; only swept now.
TRASH_DIR = "_trash"


# The shard files of a partition (shard_file_name, published_file_name): only these count, never a temporary file.
PART_GLOB = "part-*.parquet"
# A published shard file: part-00000-of-00001.<run_id>.parquet (a lake from before commit records: no run id).
_PUBLISHED_FILE = re.compile(r"^part-[^./]*(?:\.(?P<run_id>[^./]+))?\.parquet$")


def partition_name(day: date) -> str:
    return f"dt={day.isoformat()}"


def shard_file_name(shard: int, shards: int, name: str = "") -> str:
    """`part-00000-of-00002.parquet`; where several pipelines of one run stage files in one partition, each
    names its own: `part-w001of004-00000-of-00002.parquet` (a wave of a day run in waves,
    transforms.beam.waves), `part-sft-00000-of-00001.parquet` (the index keys of one table curated alone)."""
    return f"part-{name + '-' if name else ''}{shard:05d}-of-{shards:05d}.parquet"


def check_run_id(run_id: str) -> str:
    """A run id goes into file names: no dots (they separate it in a file name) and no path separators."""
    if not run_id or any(c in run_id for c in "./\\") or run_id.startswith("_"):
        raise ValueError(f"not a usable run id: {run_id!r}")
    return run_id


def published_file_name(staged_name: str, run_id: str) -> str:
    """A staged shard's name in the live partition: the run id goes in, so runs never overwrite each other."""
    return f"{staged_name[:-len('.parquet')]}.{check_run_id(run_id)}.parquet"


def run_of_file(name: str) -> str | None:
    """The run id in a live shard file's name; "" for a file from before commit records; None: not a shard."""
    match = _PUBLISHED_FILE.match(name)
    if not match:
        return None
    return match.group("run_id") or ""
