"""The export formats: which table each reads, which rows it can take, how a split becomes files.

    hf-parquet, openai-jsonl, openai-preference-jsonl, sharegpt-json, sharegpt-preference-json,
    trl-sft-jsonl, trl-preference-jsonl   (what each holds: `export`; writers in `hf_parquet`,
                                          `openai_jsonl`, `llamafactory`, `trl_jsonl`)

A writer gets (folder, split, rows sorted by id, notes) and returns {file key: (file name, rows written)};
`FORMATS` ties each format to its table, columns, id column, row checks, writer, data-card dimensions, the
`load_dataset` configs of its files and, for LLaMA-Factory, its dataset_info.json.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from export.common import PREFERENCES_TABLE, SFT_TABLE
from export.hf_parquet import HF_SCHEMA, hf_table, write_hf_parquet
from export.llamafactory import (dataset_info, sharegpt_record, sharegpt_records, write_sharegpt,
                                          write_sharegpt_preference)
from export.openai_jsonl import (OpenAIFineTuningLine, OpenAIPreferenceLine, openai_line,
                                          openai_preference_line, write_openai, write_openai_preference)
from export.reading import (PREFERENCE_COLUMNS, SFT_COLUMNS, _dpo_only_problems, _preference_problems,
                                     _sft_problems)
from export.trl_jsonl import trl_preference_line, trl_sft_lines, write_trl_preference, write_trl_sft

__all__ = [
    "FORMATS", "HF_SCHEMA", "OpenAIFineTuningLine", "OpenAIPreferenceLine", "dataset_info", "hf_table",
    "openai_line", "openai_preference_line", "sharegpt_record", "sharegpt_records", "trl_preference_line",
    "trl_sft_lines",
]


@dataclass(frozen=True)
class _Format:
    table: str  # its model and Arrow schema come from the registry (datalake.tables, datalake.reader)
    columns: dict[str, Any]  # column -> default for partitions written before the column existed
    id_column: str
    problems: Callable[[pa.Table], np.ndarray]
    # (folder, split, rows sorted by id, notes) -> {file key: (file name, rows written)}
    write: Callable[[str, str, pa.Table, Counter], dict[str, tuple[str, int]]]
    dimensions: tuple[str, ...]
    # `load_dataset(<export dir>)` configs: (config name, file key with "{split}" in it)
    configs: tuple[tuple[str, str], ...] = (("default", "{split}"),)
    # LLaMA-Factory's dataset_info.json from {file key: file name}, for the formats it reads
    index: Callable[[dict[str, str]], dict[str, Any]] | None = None


_SFT = dict(table=SFT_TABLE, columns=SFT_COLUMNS, id_column="example_id", problems=_sft_problems,
            dimensions=("category", "language", "source", "derivation"))
_PREFERENCES = dict(table=PREFERENCES_TABLE, columns=PREFERENCE_COLUMNS, id_column="pair_id",
                    problems=_preference_problems, dimensions=("kind", "category", "language", "source", "derivation"))
_DPO_KTO_CONFIGS = (("dpo", "dpo-{split}"), ("kto", "kto-{split}"))

FORMATS: dict[str, _Format] = {
    "hf-parquet": _Format(**_SFT, write=write_hf_parquet),
    "openai-jsonl": _Format(**_SFT, write=write_openai),
    "openai-preference-jsonl": _Format(**{**_PREFERENCES, "problems": _dpo_only_problems},
                                       write=write_openai_preference),
    "sharegpt-json": _Format(**_SFT, write=write_sharegpt,
                             configs=(("default", "{split}"), ("last_turn", "{split}_last_turn")), index=dataset_info),
    "sharegpt-preference-json": _Format(**_PREFERENCES, write=write_sharegpt_preference, configs=_DPO_KTO_CONFIGS,
                                        index=dataset_info),
    "trl-sft-jsonl": _Format(**_SFT, write=write_trl_sft),
    "trl-preference-jsonl": _Format(**_PREFERENCES, write=write_trl_preference, configs=_DPO_KTO_CONFIGS),
}
