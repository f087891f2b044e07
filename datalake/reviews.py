"""The `reviews` table: people's verdicts on lake rows, append-only, one row per verdict.

    <lake>/reviews/part-<utc>-<uuid>.parquet             REVIEWS_TABLE: Review rows, one file per append
    <lake>/_reviews/reviewer.key                          the keyed-hash secret for reviewer names (0600)
    <lake>/_reviews/sampled/<reviewer>/queue-<utc>-<uuid>.jsonl   the queues sampled for that reviewer

Unlike a date's tables, reviews are not a run's output: they are never staged, committed or replaced, only
appended (each file written to a temporary name, then renamed), so a verdict once recorded stays. Which verdict
decides an item is read, not stored: `item_decisions`.

Refuses: nothing is validated here beyond the `Review` model; reviewer text is bounded and scrubbed by
`review.verdicts` before it reaches `append_reviews`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow.parquet as pq

from datalake.fs import filesystem, is_local, join, open_atomic
from datalake.tables import REVIEWS_DIR, REVIEWS_TABLE
from schemas.arrow import to_arrow_table
from schemas.review import Review, ReviewItem, ReviewKind

_KEY_FILE = "reviewer.key"
_SAMPLED_DIR = "sampled"
_REVIEWER_HASH_CHARS = 24


def _stamped_name(prefix: str, suffix: str) -> str:
    """A new file's name: UTC time first, so names sort in the order they were written; a uuid for uniqueness."""
    return f"{prefix}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex}{suffix}"


def append_reviews(lake_uri: str, reviews: list[Review]) -> str:
    """Append verdicts as one new Parquet file of the reviews table; the path written ("" for no reviews)."""
    if not reviews:
        return ""
    fs, root = filesystem(lake_uri)
    folder = join(root, REVIEWS_TABLE)
    fs.makedirs(folder, exist_ok=True)
    path = join(folder, _stamped_name("part", ".parquet"))
    tmp = join(folder, f".{os.path.basename(path)}.tmp")  # not part-*.parquet: no reader ever sees it
    with open_atomic(fs, path, tmp=tmp) as handle:
        pq.write_table(to_arrow_table(Review, reviews), handle, compression="zstd")
    return path


def read_reviews(lake_uri: str) -> list[Review]:
    """Every verdict in the lake, oldest first (by reviewed_at, then by the order they were appended)."""
    fs, root = filesystem(lake_uri)
    folder = join(root, REVIEWS_TABLE)
    if not fs.exists(folder):
        return []
    rows: list[Review] = []
    for path in sorted(fs.glob(join(folder, "part-*.parquet"))):
        with fs.open(path, "rb") as handle:
            rows.extend(Review.model_validate(r) for r in pq.read_table(handle).to_pylist())
    return sorted(rows, key=lambda r: r.reviewed_at)  # stable: same-time rows keep their append order


def _owner_only_dir(fs, path: str) -> None:
    fs.makedirs(path, exist_ok=True)
    if is_local(fs):
        os.chmod(path, stat.S_IRWXU)


def _reviewer_key(lake_uri: str) -> bytes:
    """The lake's secret for reviewer hashes, created on first use (owner-only on local disk).

    Two processes creating it at once agree: the key is linked into place only if none is there yet.
    """
    fs, root = filesystem(lake_uri)
    folder = join(root, REVIEWS_DIR)
    path = join(folder, _KEY_FILE)
    if fs.exists(path):
        return bytes.fromhex(fs.cat_file(path).decode("ascii").strip())
    _owner_only_dir(fs, folder)
    key = secrets.token_hex(32)
    if is_local(fs):
        tmp = join(folder, f".{_KEY_FILE}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        try:
            os.link(tmp, path)  # fails if another process made the key first: then theirs counts
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    else:  # object stores: a lost race means two keys for the instant of the race; the last write wins
        with fs.open(path, "w") as handle:
            handle.write(key)
    return bytes.fromhex(fs.cat_file(path).decode("ascii").strip())


def normalized_reviewer(name: str) -> str:
    """A reviewer's name as it is hashed: "Alice ", "alice" and "ＡＬＩＣＥ" are one reviewer."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def reviewer_hash(lake_uri: str, name: str) -> str:
    """A reviewer's keyed hash (HMAC-SHA256 with the lake's secret): stable within the lake, and nobody without
    the key file can confirm a guessed name by hashing it."""
    digest = hmac.new(_reviewer_key(lake_uri), normalized_reviewer(name).encode("utf-8"), hashlib.sha256)
    return f"rv-{digest.hexdigest()[:_REVIEWER_HASH_CHARS]}"


def record_sampled(lake_uri: str, reviewer: str, items: list[ReviewItem]) -> str:
    """Keep the items of a queue sampled for `reviewer` (a hash), as JSON lines (their content is scrubbed lake
    text): they are not sampled for that reviewer again, their verdicts keep the strategy, and the web app can
    serve them without the queue file. Returns the path written ("" for no items)."""
    if not items:
        return ""
    fs, root = filesystem(lake_uri)
    folder = join(root, REVIEWS_DIR, _SAMPLED_DIR, reviewer)
    fs.makedirs(folder, exist_ok=True)
    path = join(folder, _stamped_name("queue", ".jsonl"))
    with open_atomic(fs, path, "w", tmp=join(folder, f".{os.path.basename(path)}.tmp"), encoding="utf-8") as handle:
        handle.writelines(item.model_dump_json() + "\n" for item in items)
    return path


def sampled_queue(lake_uri: str, reviewer: str) -> list[ReviewItem]:
    """Every item sampled for `reviewer` (a hash), oldest queue first, each item once (its first sampling)."""
    fs, root = filesystem(lake_uri)
    folder = join(root, REVIEWS_DIR, _SAMPLED_DIR, reviewer)
    if not fs.exists(folder):
        return []
    items: dict[tuple[str, str], ReviewItem] = {}
    for path in sorted(fs.glob(join(folder, "queue-*.jsonl"))):  # names start with the time written
        for line in fs.cat_file(path).decode("utf-8").splitlines():
            item = ReviewItem.model_validate_json(line)
            items.setdefault((item.kind, item.item_id), item)
    return list(items.values())


def sampled_strategies(lake_uri: str, reviewer: str, kind: ReviewKind) -> dict[str, str]:
    """Items of `kind` sampled for `reviewer` (a hash) -> the strategy that first sampled them."""
    return {i.item_id: i.strategy for i in sampled_queue(lake_uri, reviewer) if i.kind == kind}


def sampled_items(lake_uri: str, reviewer: str, kind: ReviewKind) -> set[str]:
    """Items of `kind` already put in a queue for `reviewer` (a hash) or reviewed by them."""
    seen = set(sampled_strategies(lake_uri, reviewer, kind))
    seen.update(r.item_id for r in read_reviews(lake_uri) if r.reviewer == reviewer and r.item_kind == kind)
    return seen


@dataclass(frozen=True)
class ItemDecision:
    """What the reviews decided about one item: "reject", "fix" (with the fixed answer) or "accept".

    `reviewer` and `review_id` name the verdict that decided it; `reviewers` counts who reviewed the item.
    """

    verdict: str
    fixed_answer: str | None
    reviewer: str
    review_id: str
    reviewers: int


def item_decisions(lake_uri: str, kind: ReviewKind) -> dict[str, ItemDecision]:
    """Per reviewed item of `kind`, its decision: each reviewer's latest verdict counts; any reviewer's reject
    rejects the item (a training set takes no item a person objected to); else the latest fix gives the target;
    else it is accepted."""
    return decide_items(read_reviews(lake_uri), kind)


def decide_items(reviews: list[Review], kind: ReviewKind) -> dict[str, ItemDecision]:
    """`item_decisions` over given reviews (oldest first)."""
    latest: dict[str, dict[str, Review]] = {}
    for review in reviews:
        if review.item_kind == kind:
            latest.setdefault(review.item_id, {})[review.reviewer] = review  # later rows replace earlier
    decisions: dict[str, ItemDecision] = {}
    for item_id, by_reviewer in latest.items():
        final = sorted(by_reviewer.values(), key=lambda r: r.reviewed_at)
        deciding = ([r for r in final if r.verdict == "reject"][-1:] or [r for r in final if r.verdict == "fix"][-1:]
                    or final[-1:])[0]
        decisions[item_id] = ItemDecision(verdict=deciding.verdict, fixed_answer=deciding.fixed_answer,
                                          reviewer=deciding.reviewer, review_id=deciding.review_id,
                                          reviewers=len(by_reviewer))
    return decisions
