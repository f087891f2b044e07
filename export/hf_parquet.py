"""hf-parquet: the SFT rows as a Hugging Face `messages` table with a parallel `train_mask` column.

`datasets.load_dataset("parquet", ...)` (or on the export directory) reads it. A trainer must honour
`train_mask`: TRL's SFTTrainer does not know the column, and on a `messages` dataset it trains every token
(or, with `assistant_only_loss=True`, every assistant turn, the negatively labelled ones in the context
too). For TRL use `trl-sft-jsonl`; with this file, build the labels yourself (README "Exports").
When the lake holds reviews, two more columns say who reviewed each row (`export.reviews.REVIEW_COLUMNS`).
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from export.reading import _Lists, _np
from export.reviews import REVIEW_COLUMNS

HF_SCHEMA = pa.schema([
    pa.field("example_id", pa.string()),
    pa.field("messages", pa.list_(pa.struct([pa.field("role", pa.string()), pa.field("content", pa.string())]))),
    # train_mask[i]: the loss covers messages[i] (the target always; earlier assistant turns when selected).
    pa.field("train_mask", pa.list_(pa.bool_())),
    pa.field("conversation_id", pa.string()),
    pa.field("category", pa.string()),
    pa.field("language", pa.string()),
    pa.field("source", pa.string()),
    pa.field("derivation", pa.string()),
    pa.field("model", pa.string()),
    pa.field("quality_score", pa.float64()),
    pa.field("sample_weight", pa.float64()),
])


def hf_table(table: pa.Table) -> pa.Table:
    """SFT rows as the Hugging Face `messages` table (built column-wise in Arrow, no Python rows)."""
    lists = _Lists.of(table["messages"])
    offsets = pa.array(np.concatenate([[0], np.cumsum(lists.lengths)]).astype(np.int32))
    messages = pa.ListArray.from_arrays(offsets, pa.StructArray.from_arrays(
        [lists.roles, lists.contents], names=["role", "content"]))
    train = _np(lists.child.field("train"), False).astype(bool)
    train[lists.starts + lists.lengths - 1] = True  # the target always trains
    train_mask = pa.ListArray.from_arrays(offsets, pa.array(train, pa.bool_()))
    # A reviewed lake's rows carry who reviewed them (export.reviews); other exports keep HF_SCHEMA exactly.
    schema = HF_SCHEMA
    if REVIEW_COLUMNS[0] in table.column_names:
        schema = pa.schema([*HF_SCHEMA, *(pa.field(name, pa.string()) for name in REVIEW_COLUMNS)])
    columns = {name: table[name].combine_chunks() for name in schema.names if name in table.column_names}
    columns.update(messages=messages, train_mask=train_mask,
                   sample_weight=pc.fill_null(columns["sample_weight"], 1.0))
    return pa.Table.from_arrays([columns[name].cast(f.type) for name, f in zip(schema.names, schema)], schema=schema)


def write_hf_parquet(folder: str, split: str, table: pa.Table, notes: Counter) -> dict[str, tuple[str, int]]:
    pq.write_table(hf_table(table), os.path.join(folder, f"{split}.parquet"), compression="zstd")
    return {split: (f"{split}.parquet", table.num_rows)}
