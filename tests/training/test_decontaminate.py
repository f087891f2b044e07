"""Decontamination against eval sets: English word n-grams, Chinese character n-grams, file formats, errors."""

from __future__ import annotations

import gzip
import json

import pytest

from schemas.errors import ConfigError
from schemas.outputs import ChatMessage, SFTExample
from transforms.training.decontaminate import (
    decontaminate,
    example_is_contaminated,
    is_contaminated,
    load_eval_ngrams,
    tokens,
)

EN_EVAL = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May."
ZH_EVAL = "小明有5个苹果，他给了小红2个，又买了3个，请问小明现在有几个苹果？"


def ex(example_id, *user_messages, answer="ok"):
    messages = [ChatMessage(role="user", content=m) for m in user_messages]
    messages.append(ChatMessage(role="assistant", content=answer, train=True))
    return SFTExample(example_id=example_id, messages=messages, conversation_id="c", target_message_id="m",
                      target_turn_index=len(messages) - 1, label="positive", source="events")


@pytest.fixture
def eval_files(tmp_path):
    jsonl = tmp_path / "gsm8k.jsonl"
    jsonl.write_text(json.dumps({"question": EN_EVAL, "answer": "72"}) + "\n\n"
                     + json.dumps({"messages": [{"role": "system", "content": "ignored system text of the set"},
                                                {"role": "user", "content": ZH_EVAL}]}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    text = tmp_path / "short.txt.gz"
    with gzip.open(text, "wt", encoding="utf-8") as handle:
        handle.write("What is 2+2?\n")
    return [str(jsonl), str(text)]


def test_tokens_are_words_and_cjk_characters():
    assert tokens("用Python写 快速排序, OK?") == ["用", "python", "写", "快", "速", "排", "序", "ok"]
    assert tokens("Ｈｅｌｌｏ,  WORLD!") == ["hello", "world"]


def test_english_overlap_is_caught_through_rewording_around_it(eval_files):
    grams = load_eval_ngrams(eval_files, 8)
    leaked = "Hi! natalia SOLD clips to 48 of her friends in april... can you solve it step by step?"
    assert is_contaminated(leaked, grams, 8)
    assert not is_contaminated("Natalia sold clips to friends; how many in total?", grams, 8)
    assert not is_contaminated("How do clips and friends relate in April?", grams, 8)


def test_chinese_overlap_uses_character_ngrams(eval_files):
    grams = load_eval_ngrams(eval_files, 8)
    assert is_contaminated("帮我算一下：小明有5个苹果，他给了小红2个，谢谢", grams, 8)
    assert not is_contaminated("小红有3个橘子，她吃了1个，还剩几个？", grams, 8)
    assert not is_contaminated("ignored system text of the set, and more words to make it long", grams, 8)


def test_short_eval_prompts_match_whole_messages_only(eval_files):
    grams = load_eval_ngrams(eval_files, 8)
    assert is_contaminated("what is 2 + 2 ?", grams, 8)
    assert not is_contaminated("What is 2+2? Explain why the answer is what it is, please.", grams, 8)


def test_examples_are_tested_on_user_messages_and_counted(eval_files):
    grams = load_eval_ngrams(eval_files, 8)
    clean = ex("a", "Tell me a joke", answer=EN_EVAL)  # an answer quoting the eval text does not count
    dirty = ex("b", "Hello", f"Now this: {EN_EVAL}")
    assert not example_is_contaminated(clean, grams, 8)
    kept, dropped = decontaminate([clean, dirty], grams, 8)
    assert [e.example_id for e in kept] == ["a"] and dropped == 1
    assert decontaminate([dirty], frozenset(), 8) == ([dirty], 0)  # no eval sets: nothing to drop


def test_a_missing_eval_set_names_the_setting(tmp_path):
    with pytest.raises(ConfigError, match=r"training\.eval_sets.*not found.*missing\.jsonl"):
        load_eval_ngrams([str(tmp_path / "missing.jsonl")], 8)


def test_a_bad_eval_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "fine"}\n{"id": 3}\n')
    with pytest.raises(ConfigError, match=r"training\.eval_sets.*bad\.jsonl line 2.*no prompt"):
        load_eval_ngrams([str(path)], 8)
    path.write_text('{"question": "fine"\n')
    with pytest.raises(ConfigError, match="line 1: not valid JSON"):
        load_eval_ngrams([str(path)], 8)
