"""Verdicts: one recorded from the web app (`record_verdict`), or a file of them imported (`import_verdicts`).

In: a reviewer's name, a verdict (accept / reject / fix), a reason code of the item kind's guideline, and for
a fix the corrected answer. Out: `Review` rows appended to the lake's `reviews` table; the name stored only
as its keyed hash, the fixed answer only scrubbed (the lake's scrubber: what a reviewer types is as untrusted
as a log line, and may carry a real name or number).

Rules (`verdict_problems`): a reject needs a reason code; a reason, when given, is one of the guideline's
codes; a fix needs a non-blank fixed answer, and only a fix carries one; judgments take no fix (a judgment
has no answer to rewrite: reject it with the reason that says how the judge was wrong).

An import file is one unit: every line is checked first, and when any line is bad nothing is written and
every bad line is reported by number (never quoting its text: it may hold personal data). Importing the same
file again adds nothing: a line's review id is its file's digest, line number and content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from datalake.reader import read_partitions
from datalake.reviews import append_reviews, read_reviews, reviewer_hash, sampled_strategies
from schemas.errors import FlywheelError
from schemas.review import (MAX_FIXED_ANSWER_CHARS, MAX_REVIEWER_CHARS, Review, ReviewItem, ReviewKind,
                            ReviewSource, VerdictLine)
from review.guidelines import load_guideline
from review.queue import ITEM_TABLES, read_queue
from transforms.ids import stable_id
from transforms.scrub.config import ScrubConfig
from transforms.scrub.scrubber import DEFAULT_SPACY_MODEL, Scrubber

# Reviewer text is scrubbed like the logs by default: Presidio with the project's spaCy model. The CLI passes
# the lake's own settings (`flows.settings.Settings.scrub`), so fixed answers read like the rest of the lake.
DEFAULT_REVIEW_SCRUB = ScrubConfig(mode="presidio", spacy_model=DEFAULT_SPACY_MODEL)
# A verdict line is a few short keys and one answer: anything longer is not a verdict.
MAX_LINE_BYTES = 4 * MAX_FIXED_ANSWER_CHARS + 4096
_KEYS = tuple(VerdictLine.model_fields)


class VerdictError(FlywheelError):
    """A verdict breaks the rules of its guideline; the message says which (never the reviewer's text)."""


@lru_cache(maxsize=2)
def _scrubber(config: ScrubConfig) -> Scrubber:
    return Scrubber.from_config(config)  # loading spaCy takes seconds: once per process and config


def scrub_answer(text: str, scrub: ScrubConfig) -> str:
    scrubbed, _ = _scrubber(scrub).scrub_text(text)
    return scrubbed


def verdict_problems(kind: ReviewKind, verdict: str, reason: str | None, fixed_answer: str | None) -> list[str]:
    """What is wrong with a verdict on an item of `kind` (empty: nothing)."""
    guideline = load_guideline(kind)
    problems = []
    if verdict == "reject" and not reason:
        problems.append(f"a reject needs a reason code: one of {', '.join(guideline.reason_codes)}")
    if reason and reason not in guideline.reason_codes:
        problems.append(f"unknown reason code for {kind} (guideline {guideline.version}): use one of "
                        f"{', '.join(guideline.reason_codes)}")
    if verdict == "fix" and kind == "judgment":
        problems.append("a judgment cannot be fixed: accept it or reject it with a reason code")
    elif verdict == "fix" and not (fixed_answer or "").strip():
        problems.append("a fix needs a non-empty fixed_answer")
    if verdict != "fix" and fixed_answer is not None:
        problems.append(f"fixed_answer is only for verdict 'fix', not {verdict!r}")
    return problems


def _review(*, review_id: str, item_id: str, kind: ReviewKind, day: date, strategy: str,
            reviewer: str, verdict: str, reason: str | None, fixed_answer: str | None, source: ReviewSource,
            reviewed_at: datetime) -> Review:
    return Review(review_id=review_id, item_id=item_id, item_kind=kind, item_day=day, reviewer=reviewer,
                  verdict=verdict, reason=reason or None, fixed_answer=fixed_answer, strategy=strategy,
                  guideline_version=load_guideline(kind).version, source=source, reviewed_at=reviewed_at)


def record_verdict(lake_uri: str, item: ReviewItem, reviewer: str, verdict: str, reason: str | None = None,
                   fixed_answer: str | None = None, source: ReviewSource = "web", *,
                   scrub: ScrubConfig = DEFAULT_REVIEW_SCRUB) -> Review:
    """Record one reviewer's verdict on a queue item; returns the row appended to the reviews table.

    Raises VerdictError for a verdict its guideline does not allow, or an empty or overlong name or answer.
    """
    if verdict not in ("accept", "reject", "fix"):
        raise VerdictError("unknown verdict: use accept, reject or fix")
    if not reviewer.strip() or len(reviewer) > MAX_REVIEWER_CHARS:
        raise VerdictError(f"a reviewer name needs 1 to {MAX_REVIEWER_CHARS} characters")
    if fixed_answer is not None and len(fixed_answer) > MAX_FIXED_ANSWER_CHARS:
        raise VerdictError(f"a fixed answer may have at most {MAX_FIXED_ANSWER_CHARS} characters")
    problems = verdict_problems(item.kind, verdict, reason, fixed_answer)
    if problems:
        raise VerdictError("; ".join(problems))
    who = reviewer_hash(lake_uri, reviewer)
    stored = scrub_answer(fixed_answer, scrub) if verdict == "fix" else None
    now = datetime.now(timezone.utc)
    row = _review(review_id=stable_id(source, item.item_id, who, verdict, reason, stored, now.isoformat()),
                  item_id=item.item_id, kind=item.kind, day=item.day, strategy=item.strategy, reviewer=who,
                  verdict=verdict, reason=reason, fixed_answer=stored, source=source, reviewed_at=now)
    append_reviews(lake_uri, [row])
    return row


# --- Import ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass
class ImportResult:
    written: int = 0
    already_imported: int = 0
    errors: list[LineError] = field(default_factory=list)
    # The reviews file written ("" when nothing was).
    path: str = ""


@dataclass(frozen=True)
class _Located:
    kind: ReviewKind
    day: date
    strategy: str | None  # None: not from a queue


def lake_items(lake_uri: str) -> dict[str, _Located]:
    """Every reviewable item id in the lake -> its kind and day (first occurrence)."""
    located: dict[str, _Located] = {}
    for kind, (table, id_column, _) in ITEM_TABLES.items():
        data, read = read_partitions(lake_uri, table, columns=[id_column])
        ids = data.column(id_column).to_pylist()
        start = 0
        for dt, count in read.rows_per_day.items():  # rows come in partition order, `count` per partition
            for item_id in ids[start:start + count]:
                located.setdefault(item_id, _Located(kind, date.fromisoformat(dt), None))
            start += count
    return located


def _field_problem(error: dict) -> str:
    """A pydantic error of a verdict line, said without quoting the line's values."""
    where = ".".join(str(p) for p in error["loc"]) or "line"
    shown = repr(where[:40])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {shown}: the keys are {', '.join(_KEYS)}"
    if kind == "missing":
        return f"missing key {shown}"
    if kind == "literal_error":
        return "unknown verdict: use accept, reject or fix"
    if kind == "string_too_long":
        return f"{shown} is longer than {error['ctx']['max_length']} characters"
    if kind == "string_too_short":
        return f"{shown} is empty"
    return f"{shown} must be a string"


def _lines(handle):
    """(number, bytes or None when over MAX_LINE_BYTES) per line, never holding more than one bounded line."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _parse(number: int, raw: bytes | None) -> tuple[VerdictLine | None, str | None]:
    if raw is None:
        return None, f"longer than {MAX_LINE_BYTES} bytes"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, "not a JSON object: a line is {item_id, reviewer, verdict, fixed_answer?, reason?}"
    try:
        return VerdictLine.model_validate(data), None
    except ValidationError as exc:
        return None, "; ".join(_field_problem(e) for e in exc.errors())


def import_verdicts(lake_uri: str, path: str | Path, queue: str | Path | None = None, *,
                    scrub: ScrubConfig = DEFAULT_REVIEW_SCRUB) -> ImportResult:
    """Import a JSONL file of verdict lines. Items are found in `queue` (a queue file) when given, else in the
    lake; an item a queue of the reviewer sampled keeps that strategy, any other is "unsampled".

    All or nothing: with any bad line, nothing is written and `errors` lists every bad line.
    """
    queued = {i.item_id: _Located(i.kind, i.day, i.strategy) for i in (read_queue(queue) if queue else [])}
    in_lake: dict[str, _Located] | None = None
    digest = _file_digest(path)
    result = ImportResult()
    accepted: list[tuple[int, VerdictLine, _Located]] = []
    with open(path, "rb") as handle:
        for number, raw in _lines(handle):
            if raw is not None and not raw.strip():
                continue
            line, problem = _parse(number, raw)
            if line is None:
                result.errors.append(LineError(number, problem))
                continue
            located = queued.get(line.item_id)
            if located is None:
                in_lake = lake_items(lake_uri) if in_lake is None else in_lake
                located = in_lake.get(line.item_id)
            if located is None:
                result.errors.append(LineError(number, "unknown item_id: in no queue given and not in the lake's "
                                                       "sft, preferences or judgments"))
                continue
            problems = verdict_problems(located.kind, line.verdict, line.reason, line.fixed_answer)
            if not line.reviewer.strip():
                problems.append("'reviewer' is blank")
            if problems:
                result.errors.append(LineError(number, "; ".join(problems)))
                continue
            accepted.append((number, line, located))
    if result.errors or not accepted:
        return result
    existing = {r.review_id for r in read_reviews(lake_uri)}
    now = datetime.now(timezone.utc)
    rows = []
    strategies: dict[tuple[str, str], dict[str, str]] = {}
    for number, line, located in accepted:
        who = reviewer_hash(lake_uri, line.reviewer)
        review_id = stable_id("import", digest, number, line.item_id, who, line.verdict, line.reason,
                              line.fixed_answer)
        if review_id in existing:
            result.already_imported += 1
            continue
        strategy = located.strategy
        if strategy is None:
            key = (who, located.kind)
            if key not in strategies:
                strategies[key] = sampled_strategies(lake_uri, who, located.kind)
            strategy = strategies[key].get(line.item_id, "unsampled")
        stored = scrub_answer(line.fixed_answer, scrub) if line.verdict == "fix" else None
        rows.append(_review(review_id=review_id, item_id=line.item_id, kind=located.kind, day=located.day,
                            strategy=strategy, reviewer=who, verdict=line.verdict, reason=line.reason,
                            fixed_answer=stored, source="import", reviewed_at=now))
        existing.add(review_id)
    result.path = append_reviews(lake_uri, rows)
    result.written = len(rows)
    return result


def _file_digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
