"""Helpers the tests share for a lake made from generated logs: build one, and read every file of it as text.

Imported as `from generated_lake import ...` (pytest puts tests/ on the path: pyproject's `pythonpath`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from flows.day import process_day
from flows.settings import load_settings
from flywheel.sample_logs import generate_logs


def one_day_lake(root: Path, day: date, conversations: int = 6, seed: int = 3) -> Path:
    """`conversations` generated conversations of `day` through the real pipeline (regex scrubbing, one shard,
    no Prefect) into root/lake, with root/logs and root/quarantine beside it; returns `root`."""
    generate_logs(root / "logs", [day], conversations, seed=seed, gzip=False)
    settings = load_settings(source_uri=str(root / "logs"), lake_uri=str(root / "lake"),
                             quarantine_uri=str(root / "quarantine"), scrub_mode="regex", shards=1)
    assert process_day(settings, day).status == "succeeded"
    return root


def file_texts(root: Path) -> dict[str, str]:
    """Every file under `root` as searchable text, by path (Parquet decoded: its pages are compressed)."""
    texts = {}
    for path in sorted(root.rglob("*")):
        if path.suffix == ".parquet":
            texts[str(path)] = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        elif path.is_file():
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def lake_text(root: Path) -> str:
    """Every file under `root` as one searchable text."""
    return "\n".join(file_texts(root).values())
