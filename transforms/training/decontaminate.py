"""Decontamination: drop training examples whose prompt overlaps an evaluation set's prompts.

Overlap test (the GPT-3 / Llama style n-gram test): a prompt is contaminated when it shares one token
n-gram (n = training.decontamination_ngram, default 8) with any eval prompt. Tokens are words for
space-separated scripts and single characters for Chinese and Japanese (Han, kana), so a mixed
"用Python写快速排序" is ["用", "python", "写", "快", "速", "排", "序"]; text is NFKC-normalized and casefolded
and punctuation is dropped, so formatting differences do not hide an overlap.

Eval prompts shorter than n tokens ("What is 2+2?") have no n-gram: they are kept whole and match a
training message whose whole token sequence is the same (not a longer message that contains them: with so
few tokens a containment test would drop ordinary prompts).

Only the user messages of an example's context are tested (each on its own): that is where an eval
question would be; answers and system prompts are not.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable, Iterator

import fsspec

from schemas.errors import ConfigError
from schemas.outputs import SFTExample
from transforms.text import CJK_CHAR_CLASS

# One token per Han/kana character; otherwise runs of letters and digits (\w without "_" and without CJK).
_CJK = CJK_CHAR_CLASS
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")

# JSONL fields that hold an eval prompt, in the order they are looked for (every one present is used).
PROMPT_FIELDS = ("prompt", "question", "text", "messages")
SETTING = "training.eval_sets (FLYWHEEL_TRAINING__EVAL_SETS)"


def tokens(text: str) -> list[str]:
    """Normalized tokens: words, and single characters for Han/kana."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def text_grams(toks: list[str], n: int) -> Iterator[str]:
    """The token n-grams of a token list as strings; a list shorter than n gives itself, whole."""
    if len(toks) < n:
        if toks:
            yield " ".join(toks)
        return
    for start in range(len(toks) - n + 1):
        yield " ".join(toks[start:start + n])


def _prompts_in_record(record: object, where: str) -> list[str]:
    if isinstance(record, str):
        return [record]
    if not isinstance(record, dict):
        raise ConfigError(f"{SETTING}: {where}: expected a JSON object or string")
    found = []
    for name in PROMPT_FIELDS:
        value = record.get(name)
        if isinstance(value, str):
            found.append(value)
        elif name == "messages" and isinstance(value, list):
            found.extend(m["content"] for m in value if isinstance(m, dict)
                         and m.get("role", "user") == "user" and isinstance(m.get("content"), str))
    if not found:
        raise ConfigError(f"{SETTING}: {where}: no {'/'.join(PROMPT_FIELDS)} field")
    return found


def read_eval_prompts(path: str) -> Iterator[str]:
    """An eval set's prompts: JSONL (.jsonl/.json, optionally .gz) with a prompt/question/text/messages field,
    or any other file as plain text, one prompt per line. Blank lines are skipped."""
    fs, local = fsspec.core.url_to_fs(path)
    if not fs.exists(local):
        raise ConfigError(f"{SETTING}: eval set not found: {path}")
    name = path.lower().removesuffix(".gz")
    is_json = name.endswith(".jsonl") or name.endswith(".json")
    number = 0
    try:
        with fsspec.open(path, "rt", encoding="utf-8", compression="infer") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                if not is_json:
                    yield line.rstrip("\n")
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise ConfigError(f"{SETTING}: {path} line {number}: not valid JSON") from None
                yield from _prompts_in_record(record, f"{path} line {number}")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{SETTING}: cannot read {path} after line {number}: {type(exc).__name__}") from None


def load_eval_ngrams(paths: Iterable[str], n: int) -> frozenset[str]:
    """Every eval prompt's token n-grams (and short prompts whole) from the eval set files.

    A missing or unreadable file raises ConfigError naming training.eval_sets. The set holds strings, so it
    can be pickled to workers (each rebuilds it with its own string hashing).
    """
    grams: set[str] = set()
    for path in paths:
        for prompt in read_eval_prompts(path):
            grams.update(text_grams(tokens(prompt), n))
    return frozenset(grams)


def is_contaminated(prompt: str, ngrams: frozenset[str] | set[str], n: int) -> bool:
    """True when the prompt shares an n-gram with the eval sets (or, if short, equals a short eval prompt)."""
    if not ngrams:
        return False
    return any(gram in ngrams for gram in text_grams(tokens(prompt), n))


def example_is_contaminated(example: SFTExample, ngrams: frozenset[str] | set[str], n: int) -> bool:
    """True when any user message of the example's context is contaminated."""
    return any(is_contaminated(m.content, ngrams, n) for m in example.messages[:-1] if m.role == "user")


def decontaminate(examples: Iterable[SFTExample], ngrams: frozenset[str] | set[str],
                  n: int) -> tuple[list[SFTExample], int]:
    """Examples -> (the clean ones, how many were dropped)."""
    kept, dropped = [], 0
    for example in examples:
        if example_is_contaminated(example, ngrams, n):
            dropped += 1
        else:
            kept.append(example)
    return kept, dropped
