"""A generated one-day lake for the review tests, built once per test process and copied for each test."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from pathlib import Path

from generated_lake import one_day_lake

DAY = date(2026, 11, 28)
# 40 generated conversations give 18 SFT rows and 43 preference rows (seed 3): enough for a queue of 12.
CONVERSATIONS = 40
_template: Path | None = None


def review_lake(dest: Path) -> Path:
    """A fresh copy of the generated lake at dest/lake (with logs/ and quarantine/ beside it); returns the lake."""
    global _template
    if _template is None:
        root = Path(tempfile.mkdtemp(prefix="review-lake-"))
        atexit.register(shutil.rmtree, root, True)
        _template = one_day_lake(root, DAY, CONVERSATIONS)
    shutil.copytree(_template, dest, dirs_exist_ok=True)
    return dest / "lake"
