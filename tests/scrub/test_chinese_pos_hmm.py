"""The fast POS HMM (transforms/scrub/chinese_pos_hmm.py) finds jieba's own state paths and cuts,
on real Weibo runs, on random strings of dictionary characters (where the HMM's fallbacks matter)
and on characters the HMM has never seen."""

from __future__ import annotations

import random
import re
import sys

import jieba
import jieba.posseg
import pytest
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

from bench.eval_weiboner import load_split
from transforms.scrub.chinese_pos_hmm import PosTokenizer, _words, viterbi

jieba_viterbi = sys.modules["jieba.posseg.viterbi"].viterbi


def weibo_texts():
    try:
        return [s.text for s in load_split("dev")]
    except OSError:
        pytest.skip("Weibo NER data not available")


def random_runs(count: int, seed: int):
    rng = random.Random(seed)
    chars = sorted(char_state_tab_P)[::7] + ["ꀀ", "𠀀", "㐀"]  # the last three: unseen by the HMM
    return ["".join(rng.choice(chars) for _ in range(rng.randint(1, 10))) for _ in range(count)]


def test_same_paths_as_jiebas_viterbi():
    runs = [m.group() for text in weibo_texts() for m in re.finditer(r"[\u4e00-\u9fff]{2,}", text)]
    runs = runs[:800] + random_runs(600, seed=3) + ["ꀀꀁ𠀀", "的的的的", "李"]
    differ = [run for run in runs
              if viterbi(run) != jieba_viterbi(run, char_state_tab_P, start_P, trans_P, emit_P)[1]]
    assert differ == []


def test_same_cut_as_jiebas_tokenizer():
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    plain, fast = jieba.posseg.POSTokenizer(tokenizer), PosTokenizer(tokenizer)
    texts = weibo_texts()[:200] + random_runs(200, seed=5)
    cut = lambda pos, text: [(pair.word, pair.flag) for pair in pos.cut(text)]
    assert [cut(fast, text) for text in texts] == [cut(plain, text) for text in texts]


def test_words_read_like_jiebas_on_odd_paths():
    # paths the transitions never allow (E without B) still read as jieba reads them: a word
    # runs from the last B, the rest takes the tag of its first character
    pairs = lambda chars, path: [(p.word, p.flag) for p in _words(chars, path)]
    assert pairs("abcd", [("B", "nr"), ("E", "nr"), ("E", "n"), ("M", "x")]) == [
        ("ab", "nr"), ("abc", "n"), ("d", "x")]
    assert pairs("abc", [("M", "v"), ("S", "p"), ("B", "a")]) == [("b", "p"), ("c", "a")]
