"""Text helpers every stage shares: the CJK character classes, script detection, code and placeholders, and
the language of a message.

One place decides "is this Chinese": the Han class below. The scrubber's patterns, the feedback rules,
dedup's shingles, decontamination's tokens and the language detector all build on these classes.

A message's language (`detect_language`), in two steps:

1. Scripts, by our own character-class count: Han characters making 60% of the weighted text are "zh";
   kana or hangul among them make the text Japanese ("ja") or Korean ("ko"); Han next to Latin words
   (or another script) with neither at 60% is "mixed". A model is not needed to see Han characters, and
   no language model tells "mixed" apart.
2. Everything else (Latin, Cyrillic, Greek, Arabic... scripts) goes to py3langid, the maintained fork of
   langid.py (BSD; its naive Bayes model ships inside the wheel, nothing is downloaded), limited to
   `MODEL_LANGUAGES` (71 ISO 639-1 languages), so French, German and Spanish are told apart. Its first
   `LANGUAGE_SAMPLE_CHARS` characters are enough for that and keep the cost per message bounded.

Out: a two-letter ISO 639-1 code ("zh", "ja", "ko" or one of MODEL_LANGUAGES: "en", "fr", "de", "es",
"ru", ...), "mixed", or "und" (undetermined) when the text has fewer than `MIN_LANGUAGE_LETTERS` letters
(symbols, numbers, code only) or the model is less than `MIN_LANGUAGE_CONFIDENCE` sure ("hello", "Why?",
"TL;DR?"): a short reply is not guessed at. Measured by bench/eval_language.py.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

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
_KANA_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_CJK_OR_HANGUL_RE = re.compile(f"[{CJK_CHAR_CLASS}\\u31f0-\\u31ff\\uac00-\\ud7af\\u1100-\\u11ff]")
# A Latin word: ASCII letters plus the accented Latin-1/Latin Extended-A letters.
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u00ff\u0100-\u017f]+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_NON_LETTER_RE = re.compile(r"[\W\d_]+")

# One Latin word carries about as much text as one or two Chinese characters; without this weight a Chinese
# sentence naming one English term ("用Python写一个函数") would count as mixed.
LATIN_WORD_WEIGHT = 1.5
# Share of the weighted text a script needs to name the language; Han below it next to another script is "mixed".
DOMINANT_SHARE = 0.6
# Kana or hangul at least this share of the CJK characters make their Han characters Japanese or Korean.
KANA_HANGUL_SHARE = 0.1

MIXED = "mixed"
UNDETERMINED = "und"
# Every value detect_language returns matches this (what a training policy may filter on).
LANGUAGE_CODE_PATTERN = r"^(?:[a-z]{2}|mixed|und)$"
# Fewer letters than this carry no language ("ok", "42!", "?").
MIN_LANGUAGE_LETTERS = 3
# py3langid's probability (normalised over MODEL_LANGUAGES) below which a text is "und". Chosen on English chat
# turns and translated software messages (bench/eval_language.py): at 0.3, 0.1% of English chat turns and ~3%
# of other languages' messages get a wrong language; the doubt goes to "und" (8% of English chat turns, mostly
# replies of one to three words; 0.2 trades a third of those for three times the wrong English).
MIN_LANGUAGE_CONFIDENCE = 0.3
# The languages the model chooses among: py3langid's ISO 639-1 languages with a standard written form in wide
# use online. Left out are those that mostly catch short English or French by chance (Haitian Creole, Sesotho,
# Shona, Igbo, Volapük, Esperanto, Breton, Scottish Gaelic, Aragonese, Walloon...): with them "Can you elaborate?" is
# Haitian. Han, kana and hangul are decided before the model (zh, ja, ko).
MODEL_LANGUAGES: tuple[str, ...] = (
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "eu",
    "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ka", "kk", "km", "kn",
    "ky", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl", "no", "pa", "pl", "ps", "pt", "ro",
    "ru", "si", "sk", "sl", "sq", "sr", "sv", "sw", "ta", "te", "tg", "th", "tl", "tr", "uk", "ur", "uz", "vi",
)
# The model reads at most this many characters of a message: enough to tell its language, and the cost of a
# long answer stays that of a short one (py3langid walks the text byte by byte in Python).
LANGUAGE_SAMPLE_CHARS = 200
# The scripts are counted on at most this many characters of a message's prose, for the same reason.
SCRIPT_SAMPLE_CHARS = 2000
# Messages whose language is remembered per process: chat logs repeat themselves (system prompts, stock
# replies, a prompt resent, the history a gateway logs with every call), and the model's walk over a message
# is most of the cost of tagging a conversation. Keyed by the prose sample the decision reads (at most
# SCRIPT_SAMPLE_CHARS), so a worker's memory stays bounded (a few MB for typical messages).
LANGUAGE_CACHE_SIZE = 4096


def _natural_text(text: str) -> str:
    """The text without what carries no language: code, URLs and scrubber placeholders.

    Placeholders are uppercase ASCII (`<PERSON_1>`) and would tilt a Chinese sentence towards English;
    a prompt that is only code keeps its code, so "only code" is still read as something.
    """
    stripped = PLACEHOLDER_RE.sub(" ", _URL_RE.sub(" ", text))
    prose = CODE_RE.sub(" ", stripped)
    return prose if prose.strip() else stripped


def letter_count(text: str) -> int:
    """How many letters (of any script) the text holds."""
    return len(_NON_LETTER_RE.sub("", text))


@cache
def _identifier() -> Any:
    """py3langid's identifier over MODEL_LANGUAGES, loaded once per process (~0.4 s, ~110 MB).

    Loaded lazily and never pickled: a Beam worker loads its own on first use.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True,
                                                    min_confidence=MIN_LANGUAGE_CONFIDENCE)
    identifier.set_languages([code for code in MODEL_LANGUAGES if code in identifier.labels])
    return identifier


def detect_language(text: str | None) -> str:
    """The language of one (scrubbed) message: an ISO 639-1 code, "mixed" or "und" (see the module docstring).

    In: any text, or None. Refuses nothing.
    """
    if not text:
        return UNDETERMINED
    return _language_of_prose(_natural_text(text)[:SCRIPT_SAMPLE_CHARS])


@lru_cache(maxsize=LANGUAGE_CACHE_SIZE)
def _language_of_prose(natural: str) -> str:
    """The language of a message's prose sample (see detect_language): a pure function of the sample."""
    letters = letter_count(natural)
    if letters < MIN_LANGUAGE_LETTERS:
        return UNDETERMINED
    kana = len(_KANA_RE.findall(natural))
    hangul = len(_HANGUL_RE.findall(natural))
    han = len(HAN_RE.findall(natural))
    latin_words = _LATIN_WORD_RE.findall(natural)
    latin = LATIN_WORD_WEIGHT * len(latin_words)
    other = letters - han - kana - hangul - sum(map(len, latin_words))
    total = han + kana + hangul + latin + other
    if kana + hangul >= KANA_HANGUL_SHARE * (han + kana + hangul) > 0:
        # Japanese writes Han characters among kana, Korean among hangul: then none of them is Chinese.
        if han + kana + hangul >= DOMINANT_SHARE * total:
            return "ja" if kana >= hangul else "ko"
        han, other = 0, other + han + kana + hangul
    if han >= DOMINANT_SHARE * total:
        return "zh"
    if han and latin < DOMINANT_SHARE * total and not (other > han and other > latin):
        return MIXED
    # The scripts step has had its say on the CJK characters: the model reads the rest (it would call a
    # Latin sentence quoting three Chinese characters Chinese).
    sample = _CJK_OR_HANGUL_RE.sub(" ", natural)[:LANGUAGE_SAMPLE_CHARS]
    language, _ = _identifier().classify(sample)
    return language
