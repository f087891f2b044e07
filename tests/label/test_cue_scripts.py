"""Skipping a language's phrases on a message without its script changes nothing (transforms.label.cue_scripts)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from transforms.label import follow_ups
from transforms.label.cue_scripts import has_script, needs_script
from transforms.label.phrases import CUES, NOT_FEEDBACK

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.parametrize("pattern, language, needs", [
    (r"\bthanks?\b", "en", True),
    (r"^\?+$", "en", False),
    (r"👍|🙏", "en", False),
    (r"\bare you sure\b|^\?+$", "en", False),  # one branch needs no letter
    (r"(lol )?what\?", "en", True),  # optional part aside, "what" is always there
    (r"[a-z]+", "en", True),
    (r"[\w]+", "en", False),  # \w also matches digits and Han
    (r"(?=yes)\d", "en", False),  # a lookahead is not part of the match
    (r"谢谢|多谢", "zh", True),
    (r"3q|谢谢", "zh", False),
    (r"(你)?确定(吗|？)", "zh", True),
    (r"^(啊|嗯)\s*[？?]+$", "zh", True),
    (r"[？?]+", "zh", False),
])
def test_needs_script_reads_the_pattern(pattern, language, needs):
    assert needs_script(pattern, language) is needs


def test_the_latin_script_holds_every_character_an_ascii_letter_matches_case_insensitively():
    letters = re.compile("[a-z]", re.IGNORECASE)
    matched = [chr(c) for c in range(0x110000) if letters.fullmatch(chr(c))]
    assert all(has_script(ch, "en") for ch in matched)


def test_a_phrase_said_to_need_the_script_never_matches_a_text_without_it():
    """Every phrase, on texts built to lack the script: those said to need it find nothing."""
    rng = random.Random(7)
    pool = {"en": "0123456789 ?!.,;:'\"-()👍🙏🎉❤️谢谢你不对错了什么意思？！。，3q", "zh": "abcdefghijklmnopqrstuvwxyz ABC?!.,'0123456789👍🙏🎉3q ſK"}
    texts = {lang: ["".join(rng.choice(chars) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
             for lang, chars in pool.items()}
    texts["en"] += ["??", "?", "👍", "谢谢", "什么意思？", "3q"]
    texts["zh"] += ["3q", "thx", "what?", "ſorry"]
    for language, cues in CUES.items():
        patterns = [p for group in cues.values() for p in group] + list(NOT_FEEDBACK[language])
        for pattern in (p for p in patterns if needs_script(p, language)):
            compiled = re.compile(pattern, re.IGNORECASE)
            for text in texts[language]:
                assert has_script(text, language) or not compiled.search(text), (pattern, text)


def _real_messages() -> list[str]:
    messages = []
    for name in ("SGD", "CCPE"):
        path = SHARED_DATA / "uss" / f"{name}.txt"
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            messages += [ln.split("\t")[1] for ln in lines[:4000] if ln.startswith("USER\t") and "\t" in ln[5:]]
    oasst = SHARED_DATA / "oasst_en_100_tree.jsonl"
    if oasst.exists():
        for line in oasst.read_text(encoding="utf-8").splitlines()[:30]:
            stack = [json.loads(line)["prompt"]]
            while stack:
                node = stack.pop()
                messages.append(node["text"][:400])
                stack += node.get("replies", [])
    return messages


def test_the_cues_a_message_says_are_the_same_with_every_phrase_tried():
    """Real messages (the shared uss and OpenAssistant data) and Chinese, mixed and symbol-only ones written
    here: what each language's phrases find with the script filter equals what all of them find."""
    written = ["谢谢，但是还是报错", "你在说什么？", "不用了，谢谢", "好的👍", "3q", "??", "what?", "thx!", "ok 谢谢",
               "不是，是三个人", "no, for 3 people", "ſorry, that's wrong", "🙏", "…", "123"]
    messages = [follow_ups.normalise(m) for m in _real_messages() + written]
    assert len(messages) > 100
    for language in CUES:
        for text in messages:
            filtered = follow_ups._said.__wrapped__(text, language)
            everything = _said_with_every_phrase(text, language)
            assert [(cue, [m.span() for m in ms]) for cue, ms in filtered] == \
                   [(cue, [m.span() for m in ms]) for cue, ms in everything], (language, text)


def _said_with_every_phrase(text: str, language: str):
    original = follow_ups.has_script
    follow_ups.has_script = lambda _text, _language: True
    try:
        return follow_ups._said.__wrapped__(text, language)
    finally:
        follow_ups.has_script = original
