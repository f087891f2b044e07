"""LAC's lexical analysis (transforms.scrub.chinese_lexical), the second opinion the name tagger reads."""

from __future__ import annotations

from transforms.scrub import chinese_lexical
from transforms.scrub.chinese_lexical import analyse


def test_words_give_the_text_back_with_offsets_and_tags():
    text = "记者王晓峰报道，emoji😀和 English words 也在。"
    words = analyse(text).words
    assert "".join(word for _, word, _ in words) == text
    assert all(text[offset:offset + len(word)] == word for offset, word, _ in words)
    assert (2, "王晓峰", "PER") in words


def test_person_probability_is_high_on_names_and_low_elsewhere():
    text = "美国总统奥巴马会见了德国总理默克尔。"
    person = analyse(text).person
    assert len(person) == len(text)
    assert min(person[4:7]) > 0.8 and min(person[14:17]) > 0.8  # 奥巴马, 默克尔
    assert max(person[:4] + person[7:14]) < 0.2


def test_empty_text_and_one_model_per_process():
    assert analyse("") == ([], [])
    analyse("你好")
    loaded = chinese_lexical._analyser()
    analyse("再见")
    assert chinese_lexical._analyser() is loaded


def test_lines_are_read_one_by_one_and_line_breaks_are_never_names():
    text = "# 关于雨天\n\n说起雨天，每个人都有自己的体会。\r\n记者王晓峰"
    analysis = analyse(text)
    assert "".join(word for _, word, _ in analysis.words) == text
    assert len(analysis.person) == len(text)
    breaks = [i for i, ch in enumerate(text) if ch in "\r\n"]
    assert [(i, text[i], "w") for i in breaks] == [w for w in analysis.words if w[1] in "\r\n"]
    assert all(analysis.person[i] == 0.0 for i in breaks)
    assert max(analysis.person[:text.index("记者")]) < 0.5
    assert (text.index("王晓峰"), "王晓峰", "PER") in analysis.words
