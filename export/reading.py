"""Reading the sft/preferences partitions for a date range, and checking which rows can be exported.

Rows come from the lake's one reader (`datalake.reader`, layout in `datalake.tables`); this module picks the
columns an export needs, drops repeated ids and says, per row, why it cannot be exported (or None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from export.common import TEXT_ROLES, ExportError
from datalake.reader import PartitionsRead, SchemaMismatch, read_partitions

# Columns read from the lake (a column an older partition lacks reads as its default).
SFT_COLUMNS = {
    "schema_version": None, "example_id": None, "messages": None, "conversation_id": None, "label": None,
    "source": None, "model": None, "derivation": "original", "quality_score": None, "category": None,
    "language": None, "sample_weight": 1.0,
}
PREFERENCE_COLUMNS = {
    "schema_version": None, "pair_id": None, "kind": None, "prompt": None, "chosen": None, "rejected": None,
    "completion": None, "desirable": None, "derivation": None, "conversation_id": None, "source": None,
    "category": None, "language": None,
}


# --- Reading the lake ---------------------------------------------------------------------------------------


def _read_table(lake_uri: str, table: str, days: list[date],
                defaults: dict[str, Any]) -> tuple[pa.Table, PartitionsRead]:
    """The `defaults` columns of a table's partitions for `days`, in date then file order.

    A column an older partition lacks reads as its default (or null).
    """
    try:
        return read_partitions(lake_uri, table, days, columns=defaults, defaults=defaults)
    except SchemaMismatch as exc:  # the reader's message names the file and column only
        raise ExportError(str(exc)) from None


def _dedupe(table: pa.Table, key: str) -> tuple[pa.Table, int]:
    """First occurrence of each id (ids hash the content, so a repeat is the same row)."""
    seen: set[str] = set()
    keep = []
    for index, value in enumerate(table[key].to_pylist()):
        if value not in seen:
            seen.add(value)
            keep.append(index)
    if len(keep) == table.num_rows:
        return table, 0
    return table.take(pa.array(keep, pa.int64())), table.num_rows - len(keep)


# --- Row checks (vectorised: one reason per row, or None) ------------------------------------------------


def _np(array: pa.Array | pa.ChunkedArray, fill: Any) -> np.ndarray:
    return pc.fill_null(array, fill).to_numpy(zero_copy_only=False)


@dataclass
class _Lists:
    """A list<struct<role, content, ...>> column flattened: per row its start and length in `roles`."""

    lengths: np.ndarray
    starts: np.ndarray
    roles: pa.Array
    contents: pa.Array
    child: pa.StructArray

    @classmethod
    def of(cls, column: pa.ChunkedArray) -> "_Lists":
        lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        lengths = _np(pc.list_value_length(lists), 0).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if len(lengths) else lengths
        child = lists.flatten()  # StructArray; .field() honours its offset
        return cls(lengths, starts, child.field("role"), child.field("content"), child)

    def count_per_row(self, flags: np.ndarray, last_excluded: bool = False) -> np.ndarray:
        """Per row, how many of its messages have `flags` set (optionally not counting the last)."""
        cumulative = np.concatenate([[0], np.cumsum(flags.astype(np.int64))])
        ends = self.starts + self.lengths - (1 if last_excluded else 0)
        ends = np.maximum(ends, self.starts)
        return cumulative[ends] - cumulative[self.starts]

    def last(self, array: pa.Array) -> pa.Array:
        """Each row's last message's value (rows without messages read index 0: mask them yourself)."""
        index = np.maximum(self.starts + self.lengths - 1, 0)
        return array.take(pa.array(index)) if len(array) else pa.nulls(len(index), array.type)


def _first_reason(rules: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    reasons = np.full(n, None, dtype=object)
    for reason, failed in reversed(rules):  # the first rule that fails names the reason
        reasons[failed] = reason
    return reasons


def _nonblank(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return _np(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(array)), 0), False)


def _sft_problems(table: pa.Table) -> np.ndarray:
    """Why each SFT row cannot be exported, or None. The last message is the target and always trains."""
    n = table.num_rows
    lists = _Lists.of(table["messages"])
    has_messages = lists.lengths > 0
    last_role_ok = has_messages & _np(pc.equal(lists.last(lists.roles), "assistant"), False)
    last_nonblank = has_messages & _nonblank(lists.last(lists.contents))
    is_user = _np(pc.equal(lists.roles, "user"), False)
    unknown = ~_np(pc.is_in(lists.roles, value_set=pa.array(list(TEXT_ROLES))), False)
    return _first_reason([
        ("negative_label", _np(pc.equal(table["label"], "negative"), False)),  # never training data
        ("no_target", ~(last_role_ok & last_nonblank)),
        ("no_user_message", lists.count_per_row(is_user, last_excluded=True) == 0),
        ("unknown_role", lists.count_per_row(unknown) > 0),
    ], n)


def _preference_problems(table: pa.Table) -> np.ndarray:
    n = table.num_rows
    lists = _Lists.of(table["prompt"])
    kind = _np(table["kind"], "")
    is_dpo, is_kto = kind == "dpo", kind == "kto"
    chosen_ok, rejected_ok = _nonblank(table["chosen"]), _nonblank(table["rejected"])
    same = _np(pc.equal(table["chosen"], table["rejected"]), False)
    completion_ok = _nonblank(table["completion"]) & _np(pc.is_valid(table["desirable"]), False)
    is_user = _np(pc.equal(lists.roles, "user"), False)
    unknown = ~_np(pc.is_in(lists.roles, value_set=pa.array(list(TEXT_ROLES))), False)
    return _first_reason([
        ("unknown_kind", ~(is_dpo | is_kto)),
        ("no_user_message", lists.count_per_row(is_user) == 0),
        ("unknown_role", lists.count_per_row(unknown) > 0),
        ("dpo_missing_answer", is_dpo & ~(chosen_ok & rejected_ok)),
        ("dpo_identical_answers", is_dpo & same),
        ("kto_missing_completion_or_label", is_kto & ~completion_ok),
    ], n)


def _dpo_only_problems(table: pa.Table) -> np.ndarray:
    """The preference checks, and KTO rows left out: the format (OpenAI preference fine-tuning) has no
    unpaired form."""
    problems = _preference_problems(table)
    kto = (_np(table["kind"], "") == "kto") & (problems == None)  # noqa: E711 - elementwise
    problems[kto] = "kto_not_in_format"
    return problems
