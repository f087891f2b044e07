"""Helpers of the report's tests: a generated week processed into a lake, and headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from flows.day import process_day
from flows.settings import load_settings
from flywheel.sample_logs import generate_logs, planted_values
from openai_stub import OpenAIStub

START = date(2026, 11, 16)
DAYS = [START + timedelta(i) for i in range(3)]


@dataclass
class Week:
    root: Path
    lake: Path
    planted: set[str]


def make_week(root: Path, scrub_mode: str, conversations_per_day: int) -> Week:
    """Generated logs with planted PII, each day run through the real pipeline; the LLM judge is the local
    stub (a small call budget keeps it quick) so the judge's sections have data."""
    logs = generate_logs(root / "logs", DAYS, conversations_per_day, seed=5, log_format="mixed", malformed_rate=0.05)
    with OpenAIStub() as stub:
        settings = load_settings(
            source_uri=str(root / "logs"), lake_uri=str(root / "lake"), quarantine_uri=str(root / "quarantine"),
            scrub_mode=scrub_mode, shards=1,
            judge={"base_url": stub.base_url, "model": "stub-judge", "api_key": "x", "calibration_rate": 0.5,
                   "max_calls": 20})
        for day in DAYS:
            manifest = process_day(settings, day, flow="report-test")
            assert manifest.status == "succeeded", manifest.error
    return Week(root, root / "lake", planted_values(logs))


def chromium() -> str:
    """The headless browser, or a skip that says how to get it."""
    path = shutil.which("chromium")
    if not path:
        pytest.skip("needs Debian's `chromium` on PATH (apt-get install -y chromium) to render the report")
    return path


def run_chromium(browser: str, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium without network side trips; the report needs none (it is self-contained)."""
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--hide-scrollbars", *args], capture_output=True, text=True, timeout=120)


def check_rendered(path: str, tmp_path: Path) -> None:
    """Headless Chromium renders the report: an SVG in every section, the bad-case table, a drawn screenshot."""
    import re

    from PIL import Image

    from report.html import SECTIONS

    browser = chromium()
    dom = run_chromium(browser, "--dump-dom", f"file://{path}")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for section in SECTIONS:
        body = re.search(rf'<section id="{section}">(.*?)</section>', dom.stdout, re.S)
        assert body and "<svg" in body.group(1), section
    assert '<table class="bad-cases">' in dom.stdout
    screenshot = tmp_path / "report.png"
    shot = run_chromium(browser, "--window-size=1100,5200", f"--screenshot={screenshot}", f"file://{path}")
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    with Image.open(screenshot) as image:
        assert image.size == (1100, 5200)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20  # drawn charts, not a blank page
