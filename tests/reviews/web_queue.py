"""A small review queue for the web app's tests: SFT items written by hand (one of them hostile), no pipeline run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from review.queue import write_queue
from schemas.review import ReviewItem
from transforms.scrub.config import ScrubConfig
from transforms.scrub.scrubber import DEFAULT_SPACY_MODEL

# Fixed answers scrubbed by patterns only: the tests need no spaCy model loaded.
REGEX_SCRUB = ScrubConfig(mode="regex", spacy_model=DEFAULT_SPACY_MODEL)

# Log text is untrusted: an item whose answer tries to run script in the reviewer's browser.
HOSTILE_ANSWER = '<script>document.title="owned"</script><img src=x onerror="alert(1)">'


def sft_item(n: int, answer: str) -> ReviewItem:
    return ReviewItem(
        item_id=f"ex-{n:03d}", kind="sft", day=date(2026, 11, 2), strategy="random", why="uniform sample",
        content={"messages": [{"role": "user", "content": f"Question {n}: how heavy is the laptop?"}],
                 "answer": answer},
        labels={"label": "positive", "rule_ids": ["thanks"], "category": "qa", "language": "en"},
    )


def write_small_queue(path: Path) -> list[ReviewItem]:
    """Four SFT items; the third is hostile."""
    items = [sft_item(1, "It weighs 1.6 kg."), sft_item(2, "About 2 kg, give or take."),
             sft_item(3, HOSTILE_ANSWER), sft_item(4, "Ask <PERSON_1>, they know.")]
    write_queue(items, path)
    return items
