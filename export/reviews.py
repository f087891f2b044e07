"""People's verdicts applied to an export: rejected items left out, fixed answers used as targets.

In: the rows read for the export (after repeated ids are dropped) and the lake's review decisions for their
kind (`datalake.reviews.item_decisions`: any reviewer's reject rejects an item, else the latest fix gives its
answer, else it is accepted). Out: the rows to export and the review counts for the data card.

    reject  the row is left out (`skipped.review_rejected`)
    fix     SFT: the reviewer's answer replaces the target (the last message, still trained);
            preference: it replaces the chosen answer (DPO) or becomes the completion, desirable (KTO).
            The row's derivation becomes "review_fix".
    accept  the row is exported as it is

Which reviewer decided rides along as two columns, `review_verdict` (accept / fix) and `reviewed_by` (the
reviewer's keyed hash, never a name), in the formats whose consumers ignore extra fields (hf-parquet,
sharegpt-json, sharegpt-preference-json); the OpenAI and TRL lines keep exactly their documented keys.
A lake without reviews of the kind gets neither columns nor counts: its export is what it was before reviews.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from datalake.reviews import ItemDecision
from export.common import PREFERENCES_TABLE, SFT_TABLE
from schemas.review import ReviewKind

REVIEW_KIND: dict[str, ReviewKind] = {SFT_TABLE: "sft", PREFERENCES_TABLE: "preference"}
FIXED_DERIVATION = "review_fix"
# The columns a reviewed export carries (present only when the lake has reviews of the export's kind).
REVIEW_COLUMNS = ("review_verdict", "reviewed_by")
REJECTED = "skipped.review_rejected"


def apply_reviews(table: pa.Table, id_column: str, decisions: dict[str, ItemDecision]) -> tuple[pa.Table, dict[str, int]]:
    """The rows with the review decisions applied, and the counts: review.reviewed / accepted / rejected /
    fixed over these rows, and skipped.review_rejected. No decisions: the table as it is, no counts."""
    if not decisions:
        return table, {}
    ids = table[id_column].to_pylist()
    decided = [decisions.get(item_id) for item_id in ids]
    verdicts = [d.verdict if d else None for d in decided]
    counts = {f"review.{name}": sum(v == verdict for v in verdicts)
              for name, verdict in (("accepted", "accept"), ("rejected", "reject"), ("fixed", "fix"))}
    counts = {"review.reviewed": sum(v is not None for v in verdicts), **counts}
    table = table.append_column("review_verdict", pa.array(verdicts, pa.string()))
    table = table.append_column("reviewed_by", pa.array([d.reviewer if d else None for d in decided], pa.string()))
    if counts["review.fixed"]:  # rows keep their order: a fixed row stays where it was
        rows = table.to_pylist()
        for row, verdict in zip(rows, verdicts):
            if verdict == "fix":
                _use_fixed_answer(row, decisions[row[id_column]])
        table = pa.Table.from_pylist(rows, schema=table.schema)
    table = table.filter(pa.array([v != "reject" for v in verdicts], pa.bool_()))
    if counts["review.rejected"]:
        counts[REJECTED] = counts["review.rejected"]
    return table, counts


def _use_fixed_answer(row: dict[str, Any], decision: ItemDecision) -> None:
    """The fixed answer becomes what is learned (see the module docstring)."""
    if "messages" in row:  # an SFT row: the last message is the target (a row without one is skipped later)
        if row["messages"]:
            row["messages"] = [*row["messages"][:-1], {**row["messages"][-1], "content": decision.fixed_answer}]
    elif row.get("kind") == "kto":
        row["completion"], row["desirable"] = decision.fixed_answer, True
    else:
        row["chosen"] = decision.fixed_answer
    row["derivation"] = FIXED_DERIVATION
