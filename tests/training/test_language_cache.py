"""transforms/text.py remembers the language of recent messages: a remembered answer is the answer the
detector gives, and the memory is bounded."""

from __future__ import annotations

from transforms import text
from transforms.text import LANGUAGE_CACHE_SIZE, SCRIPT_SAMPLE_CHARS, detect_language

MESSAGES = [
    "Can you explain how a heat pump works?",
    "Peux-tu m'expliquer la différence entre une liste et un tuple en Python ?",
    "用Python写一个函数，计算两个日期之间的天数",
    "これは日本語の文章です。漢字も含まれています。",
    "Thanks <PERSON_1>, that worked! See https://example.org/x",
    "ok",
    "```\nx = 1\n```",
    "Kannst du mir bitte erklären, wie eine Wärmepumpe funktioniert?",
]


def test_a_remembered_language_is_the_one_the_detector_gives():
    text._language_of_prose.cache_clear()
    first = [detect_language(m) for m in MESSAGES]
    again = [detect_language(m) for m in MESSAGES]
    uncached = [text._language_of_prose.__wrapped__(text._natural_text(m)[:SCRIPT_SAMPLE_CHARS])
                for m in MESSAGES]
    assert first == again == uncached
    assert text._language_of_prose.cache_info().hits == len(MESSAGES)  # the second pass was all remembered


def test_the_memory_is_bounded_by_entries_and_by_the_sample_length():
    text._language_of_prose.cache_clear()
    for i in range(LANGUAGE_CACHE_SIZE + 10):
        detect_language(f"Message number {i} about the weather and the sea " * 100)
    info = text._language_of_prose.cache_info()
    assert info.currsize == LANGUAGE_CACHE_SIZE
    # Keys are prose samples: a long message is remembered by its first SCRIPT_SAMPLE_CHARS characters.
    assert detect_language("Voici la réponse à votre question sur les impôts. " * 400) == "fr"
    text._language_of_prose.cache_clear()
