"""Text helpers every stage shares: the CJK character classes, script detection, code and placeholders.

One place decides "is this Chinese": the Han class below. The scrubber's patterns, the feedback rules,
dedup's shingles, decontamination's tokens and the prompt-language detector all build on these classes.

Prompt language, told by script: "en", "zh", "mixed" or "other". The flywheel's users write English and
Chinese, so the question a training policy asks is "how much of this text is Chinese characters, how
much Latin words, how much some other script". No model, no download: a character-class count is enough
to tell those apart and runs anywhere a worker runs.
"""

from __future__ import annotations

import re

# Han ideographs (CJK Unified Ideographs, Extension A, Compatibility Ideographs), as a regex class body.
HAN_CHAR_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Japanese kana (hiragana and katakana).
KANA_CHAR_CLASS = r"\u3040-\u30ff"
# Han or kana: the characters that carry a word each, with no spaces between words.
CJK_CHAR_CLASS = KANA_CHAR_CLASS + HAN_CHAR_CLASS
# CJK punctuation and full-width forms ("，", "：", "（").
CJK_PUNCTUATION_CLASS = r"\u3000-\u303f\uff00-\uffef"

HAN_RE = re.compile(f"[{HAN_CHAR_CLASS}]")
HAN_RUN_RE = re.compile(f"[{HAN_CHAR_CLASS}]+")
CJK_RE = re.compile(f"[{CJK_CHAR_CLASS}]")

# Placeholders the scrubber writes (``<PERSON_1>``): never re-detected as PII, no language of their own.
PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9]+>")
# Fenced code blocks (``` or ~~~, an unclosed fence runs to the end) and inline `code`.
CODE_RE = re.compile(r"(?s)```.*?(?:```|\Z)|`[^`\n]+`")


def has_han(text: str) -> bool:
    """True when the text holds a Han character: the one test of "is this (partly) Chinese"."""
    return HAN_RE.search(text) is not None


def is_mostly_cjk(text: str) -> bool:
    """True when at least half of the non-space characters are Han or kana."""
    letters = len(text) - text.count(" ")
    return letters > 0 and 2 * len(CJK_RE.findall(text)) >= letters


# Japanese kana and Korean hangul: Han characters next to these are Japanese or Korean, not Chinese.
_KANA_HANGUL_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
# A Latin word: ASCII letters plus the accented Latin-1/Latin Extended-A letters.
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u00ff\u0100-\u017f]+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")

# One Latin word carries about as much text as one or two Chinese characters; without this weight a Chinese
# sentence naming one English term ("用Python写一个函数") would count as mixed.
LATIN_WORD_WEIGHT = 1.5
# Share of the weighted text a script needs to name the language; anything between is "mixed".
DOMINANT_SHARE = 0.6


def _natural_text(text: str) -> str:
    """The text without what carries no language: code, URLs and scrubber placeholders.

    Placeholders are uppercase ASCII (`<PERSON_1>`) and would tilt a Chinese sentence towards English;
    a prompt that is only code keeps its code, so "only code" is still read as something.
    """
    stripped = PLACEHOLDER_RE.sub(" ", _URL_RE.sub(" ", text))
    prose = CODE_RE.sub(" ", stripped)
    return prose if prose.strip() else stripped


def detect_language(text: str | None) -> str:
    """The language of a (scrubbed) text.

    In: any text, or None. Out: "zh" when Han characters make up at least 60% of the weighted text,
    "en" when Latin words do, "other" when another script dominates (Cyrillic, Arabic, Japanese kana,
    Korean...) or there are no letters at all, "mixed" otherwise. Latin-script text counts as "en": the
    flywheel does not tell English from French. Refuses nothing.
    """
    if not text:
        return "other"
    natural = _natural_text(text)
    kana_hangul = len(_KANA_HANGUL_RE.findall(natural))
    han = len(HAN_RE.findall(natural))
    latin = LATIN_WORD_WEIGHT * len(_LATIN_WORD_RE.findall(natural))
    letters_elsewhere = sum(
        1 for ch in natural
        if ch.isalpha() and not HAN_RE.match(ch) and not _LATIN_WORD_RE.match(ch) and not _KANA_HANGUL_RE.match(ch)
    )
    other = kana_hangul + letters_elsewhere
    total = han + latin + other
    if total == 0:
        return "other"
    # Japanese writes Han characters among kana: any real share of kana or hangul means not Chinese.
    if kana_hangul and kana_hangul >= 0.1 * (han + kana_hangul):
        han, other = 0, other + han
    if han / total >= DOMINANT_SHARE:
        return "zh"
    if latin / total >= DOMINANT_SHARE:
        return "en"
    if other / total >= DOMINANT_SHARE or (other > han and other > latin):
        return "other"
    return "mixed"
