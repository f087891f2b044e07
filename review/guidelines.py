"""The written review standard per item kind: `guidelines/<kind>.md`, versioned, with its reason codes.

A guideline file starts with `Version: <version>`; its `## Reason codes` section lists one code per line as
``- `code`: what it means``. Every verdict records the version it was made under (`Review.guideline_version`),
so changing the standard means a new version line, and reviews under different versions stay apart.
Refuses (GuidelineError): a file without a version line or without reason codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import get_args

from schemas.errors import FlywheelError
from schemas.review import MAX_REASON_CHARS, ReviewKind

REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)

_VERSION = re.compile(r"\AVersion:\s*(?P<version>[A-Za-z0-9._-]+)\s*$", re.M)
_REASONS_HEADING = re.compile(r"^## Reason codes\s*$", re.M)
_REASON = re.compile(r"^- `(?P<code>[a-z][a-z0-9_]*)`:\s*(?P<meaning>.+)$")


class GuidelineError(FlywheelError):
    """A guideline file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Guideline:
    kind: str
    version: str
    markdown: str
    # code -> what it means, in the file's order.
    reason_codes: dict[str, str]


def parse_guideline(kind: str, markdown: str) -> Guideline:
    """A guideline from its Markdown text."""
    version = _VERSION.match(markdown)
    if not version:
        raise GuidelineError(f"guideline {kind}.md: the first line must be 'Version: <version>'")
    heading = _REASONS_HEADING.search(markdown)
    section = markdown[heading.end():].split("\n## ", 1)[0] if heading else ""
    codes = {m.group("code"): m.group("meaning").strip()
             for m in map(_REASON.match, section.splitlines()) if m and len(m.group("code")) <= MAX_REASON_CHARS}
    if not codes:
        raise GuidelineError(f"guideline {kind}.md: no reason codes under '## Reason codes'")
    return Guideline(kind=kind, version=version.group("version"), markdown=markdown, reason_codes=codes)


@cache
def load_guideline(kind: ReviewKind) -> Guideline:
    """The guideline reviewers of `kind` items follow (read once per process)."""
    if kind not in REVIEW_KINDS:
        raise GuidelineError(f"no guideline for {kind!r}: the kinds are {', '.join(REVIEW_KINDS)}")
    text = resources.files("review").joinpath("guidelines", f"{kind}.md").read_text(encoding="utf-8")
    return parse_guideline(kind, text)
