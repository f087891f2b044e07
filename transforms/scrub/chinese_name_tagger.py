"""A learned tagger of Chinese person names in running text: :class:`NameTagger`.

The rules of :mod:`.chinese_names` and :mod:`.chinese_running_names` each read one signal with a hand
threshold. This tagger weighs those signals together, learned from real text: a linear-chain CRF
(CRFsuite, via ``python-crfsuite``) gives every character its marginal probability of being part of
a person name. Features per character (:func:`char_features`):

* the character and its neighbours (window of 2 on each side, unigrams, bigrams, the trigram
  around it), and their script (Han, Latin, digit, punctuation, space);
* surname membership (single; first / second character of a compound surname), and a surname
  together with the given-name scores of the two characters after it;
* the given-name and transliteration log-likelihood ratios of :class:`.NameCharStats`, bucketed,
  for the character and its neighbours;
* jieba's cut: the POS tag of the word holding the character, the character's position in that
  word (B/M/E/S), the word's length and dictionary frequency (log bucket), the words and tags
  before and after it; and the dictionary lattice: which name / place / organisation words of
  jieba's dictionary cover the character whatever the cut chose;
* LAC's analysis (:mod:`.chinese_lexical`, Baidu's news-trained lexical analyser): the tag of the
  LAC word holding the character (PER / LOC / ORG / TIME or a POS tag), its place in that word,
  the word's length, the tags around it, whether the word is a PER of 2-4 Han characters starting
  with a surname, and LAC's own marginal probability that the character is in a name (tenths);
* context words: whether the word before is a left context of names (@, 感谢, 和, 记者, 总统 ...)
  and the text after the word starts with a right context (说, 先生, 表示 ...), the lists of
  :mod:`.chinese_running_names`;
* the rules' own detections (which rule found a span covering the character): the tagger learns
  how far to trust each rule in which context;
* Latin-script words (names inside Chinese text, "和Tom说"): whether the word is a given name of
  some locale (:func:`.ner_gate.given_names`), capitalised, or all upper case.

The decision (made by :class:`.ChinesePersonRecognizer`): a name is a run of letters whose
probabilities reach :data:`THRESHOLD` with one character at :data:`PEAK` (:func:`name_spans`); the
rules' detections stand next to it, those of :data:`RULES_BEYOND_TAGGER` always, the others unless
the tagger's mean probability on them is under :data:`RULE_VETO` (:func:`rule_stands`). The three
settings are chosen by cross-validation on train (``python -m bench.train_chinese_names``).

Model: ``chinese_names.crfsuite`` next to this module (package data, ~1 MB), trained by
``python -m bench.train_chinese_names`` (fixed seed, reproducible) on Weibo NER's train split
(hltcoe/golden-horse, CC BY-SA 3.0; the weights are derived from that data and carry its licence).
Labels are the BIO tags of all its entity types, so the model also learns what places,
organisations and nominal mentions (老师, 小伙伴: not names) look like; only ``PER.NAM`` counts as
a name here.

In: a text, its jieba tokens (the CJK runs cut by :class:`.ChinesePersonRecognizer`), LAC's
analysis of it and the rules' detections. Out: per-character name probabilities, and name spans from them. Refuses
nothing; the recognizer filters the spans with the same "never a name" rules as its other
detectors.
"""

from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from transforms.scrub.chinese_lexical import Analysis
from transforms.scrub.chinese_name_stats import NameCharStats
from transforms.scrub.chinese_running_names import LEFT_CONTEXT, RIGHT_CONTEXT, TITLES, Token
from transforms.scrub.chinese_surnames import CN_COMPOUND_SURNAMES, CN_SURNAMES

MODEL_PATH = Path(__file__).with_name("chinese_names.crfsuite")
NAME_LABELS = ("B-PER.NAM", "I-PER.NAM")
# Marginal probability of a name label from which a character belongs to a name (THRESHOLD), and
# that one character of the name must reach (PEAK); chosen by 5-fold cross-validation on the
# training split (bench/train_chinese_names.py), never on dev.
THRESHOLD = 0.2
PEAK = 0.7
# Rules whose detections stand whatever the tagger says: naming phrases (rare in social media,
# common in chat and forms, so the tagger has seen few) and news titles (总统奥巴马: news is not
# what it was trained on). Other rules' detections stand unless the tagger's mean probability on
# them is under RULE_VETO (cross-validated like THRESHOLD).
RULES_BEYOND_TAGGER = ("naming context", "running text: name after a title")
RULE_VETO = 0.05
# A Han name has 2+ characters; a Latin one 2+ letters. Digits and punctuation end a name (the
# data's usernames such as xzz119 are no model for order numbers next to a name).
MIN_NAME_CHARS = 2
NAME_SCRIPTS = ("han", "lat", "alpha")

RuleName = Tuple[int, int, str]  # start, end, which rule of the recognizer found it

# Dictionary tags of the lattice features: names, places, organisations, other proper nouns.
LATTICE_TAGS = ("nr", "ns", "nt", "nz")

# Distinct characters whose per-character features are kept (:func:`_char_table`): a few MB.
CHAR_TABLE_ENTRIES = 1 << 15

_LATIN_RE = re.compile(r"[A-Za-z]+")
_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_SPACE = " \t\r\n\u3000"
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _script(ch: str) -> str:
    if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
        return "han"
    if ch.isascii() and ch.isalpha():
        return "lat"
    if ch.isdigit():
        return "dig"
    if ch in _SPACE:
        return "sp"
    if ch.isalpha():
        return "alpha"
    return "pun"


def _bucket(value: float) -> str:
    return str(max(-3, min(4, math.floor(value))))


@lru_cache(maxsize=CHAR_TABLE_ENTRIES)
def _char_table(stats: NameCharStats, ch: str) -> Tuple[str, str, Optional[Dict[str, Tuple[str, str]]]]:
    """What :func:`char_features` reads of one character whatever its neighbours: its script, its
    given-name bucket, and for a Han character its given-name and transliteration features as
    seen from itself (``""``) and from the characters before (``"-1"``) and after (``"+1"``) it.
    Computed once per character (``stats`` is never changed after it is built)."""
    script = _script(ch)
    given = _bucket(stats.given(ch))
    if script != "han":
        return script, given, None
    translit = _bucket(stats.translit(ch))
    return script, given, {name: (f"given{name}={given}", f"translit{name}={translit}")
                           for name in ("", "-1", "+1")}


def _words(text: str, tokens: Sequence[Token]) -> List[Tuple[int, str, str]]:
    """Every character of ``text`` in one word: jieba's tokens for the CJK runs, Latin letter runs
    as words tagged ``eng``, every other character a word of its own (tag: its script)."""
    words: List[Tuple[int, str, str]] = []
    by_start = {offset: (word, flag) for offset, word, flag in tokens}
    i = 0
    while i < len(text):
        if i in by_start:
            word, flag = by_start[i]
        else:
            latin = _LATIN_RE.match(text, i)
            word, flag = (latin.group(), "eng") if latin else (text[i], _script(text[i]))
        words.append((i, word, flag))
        i += len(word)
    return words


def lattice_prefixes(word_tags: Mapping[str, str]) -> FrozenSet[str]:
    """The first two characters of every dictionary word with a tag of :data:`LATTICE_TAGS`: where
    the text does not start one of them, :func:`_dictionary_lattice` has nothing to look up."""
    return frozenset(word[:2] for word, tag in word_tags.items() if tag.startswith(LATTICE_TAGS))


def _dictionary_lattice(text: str, word_tags: Mapping[str, str],
                        prefixes: Optional[FrozenSet[str]] = None) -> List[List[str]]:
    """Per character, the kinds of dictionary word of 2-4 characters that cover it, whatever
    jieba's cut chose (name / place / organisation / other proper noun), and where in the word
    the character stands: evidence the cut may have hidden (何/志强 vs 何志强). ``prefixes``
    (:func:`lattice_prefixes` of ``word_tags``) skips the positions where no such word starts:
    every word looked up at ``i`` starts with ``text[i:i + 2]``."""
    lattice: List[List[str]] = [[] for _ in text]
    for i in range(len(text)):
        if prefixes is not None and text[i:i + 2] not in prefixes:
            continue
        for length in (2, 3, 4):
            tag = word_tags.get(text[i:i + length])
            if tag is None or not tag.startswith(LATTICE_TAGS):
                continue
            kind = "nr" if tag.startswith("nr") else tag[:2]
            for j in range(i, min(i + length, len(text))):
                place = "B" if j == i else "E" if j == i + length - 1 else "M"
                lattice[j].append(f"dict_{kind}_{place}")
    return lattice


def _lexical_features(text: str, lexical: Analysis) -> List[List[str]]:
    """Per character, what LAC's analysis says of the word holding it: its tag (PER, LOC, ORG, TIME
    or a POS tag), the character's place in the word (B/M/E/S), the word's length; the tags of the
    words before and after; and whether the word is name-shaped (PER, 2-4 Han characters starting
    with a surname: LAC's PER alone also covers usernames and noise); and LAC's own probability
    that the character is part of a name, in tenths, alone and with that shape."""
    features: List[List[str]] = [[] for _ in text]
    words = lexical.words
    for w, (offset, word, tag) in enumerate(words):
        before = words[w - 1][2] if w else "BOS"
        after = words[w + 1][2] if w + 1 < len(words) else "EOS"
        shaped = (tag == "PER" and 2 <= len(word) <= 4 and _HAN_RE.fullmatch(word) is not None
                  and (word[0] in CN_SURNAMES or word[:2] in CN_COMPOUND_SURNAMES))
        # the same for every character of the word: built once
        of_tag, of_length = f"lac={tag}", f"lac_len={tag}_{min(len(word), 5)}"
        around = (f"lac-1={before}", f"lac+1={after}")
        last = offset + len(word) - 1
        for i in range(offset, min(offset + len(word), len(text))):
            pos = "S" if len(word) == 1 else "B" if i == offset else "E" if i == last else "M"
            person = f"lac_p={min(9, int(lexical.person[i] * 10))}"
            f = [of_tag, f"lac_pos={tag}_{pos}", of_length, *around, person]
            if shaped:
                f += ["lac_surname_name", f"lac_surname_name_{pos}", f"lac_surname_name_{person}"]
            features[i] = f
    return features


def _word_features(text: str, words: Sequence[Tuple[int, str, str]], freq: Mapping[str, int],
                   latin_given_names: Callable[[str], bool]) -> List[List[str]]:
    """Per word of :func:`_words`, the features all its characters share after ``wpos`` / ``tag_wpos``:
    its length and dictionary frequency, the word itself, the words and tags around it, context
    words before and after it, and for Latin words their name-likeness and case."""
    shared: List[List[str]] = []
    for w, (offset, word, flag) in enumerate(words):
        f = [f"wlen={min(len(word), 4)}", f"wfreq={min(6, int(math.log10(freq.get(word, 0) + 1)))}"]
        if len(word) > 1:
            f.append(f"w={word}")
        if w:
            before, before_flag = words[w - 1][1], words[w - 1][2]
            f += [f"w-1={before}", f"tag-1={before_flag}"]
        else:
            f.append("w-1=BOS")
        if w + 1 < len(words):
            after, after_flag = words[w + 1][1], words[w + 1][2]
            f += [f"w+1={after}", f"tag+1={after_flag}"]
        else:
            f.append("w+1=EOS")
        if text.endswith(LEFT_CONTEXT, 0, offset):
            f.append("left_context")
        if text.startswith(RIGHT_CONTEXT, offset + len(word)):
            f.append("right_context")
        if flag == "eng":
            if latin_given_names(word):
                f.append("latin_given_name")
            f.append("latin_upper" if word.isupper() else "latin_cap" if word[0].isupper() else "latin_lower")
        shared.append(f)
    return shared


def char_features(text: str, tokens: Sequence[Token], rule_names: Sequence[RuleName],
                  stats: NameCharStats, freq: Mapping[str, int], word_tags: Mapping[str, str],
                  latin_given_names: Callable[[str], bool],
                  lexical: Analysis, lattice_starts: Optional[FrozenSet[str]] = None) -> List[List[str]]:
    """One feature list per character of ``text`` (see the module docstring); ``lexical`` is
    LAC's analysis of the same text (:func:`.chinese_lexical.analyse`); ``lattice_starts``:
    :func:`lattice_prefixes` of ``word_tags``, to skip the dictionary lookups that cannot hit
    (same features). What depends on a word or on a character alone (whatever its neighbours) is
    computed once per word or per distinct character; each list keeps its features in the order
    the model was trained with."""
    n = len(text)
    lattice = _dictionary_lattice(text, word_tags, lattice_starts)
    lac = _lexical_features(text, lexical)
    rules: List[List[str]] = [[] for _ in range(n)]
    for start, end, kind in rule_names:
        for i in range(start, end):
            rules[i] += [f"rule={kind}", f"rule_{'B' if i == start else 'I'}"]
        if end < n:
            rules[end].append("after_rule")
    text = _LONE_SURROGATE_RE.sub("\ufffd", text)  # CRFsuite wants UTF-8 feature names
    padded = "\x02\x02" + text + "\x03\x03"
    of_char = {ch: _char_table(stats, ch) for ch in set(padded)}
    scripts = [of_char[ch][0] for ch in padded]  # scripts[i + 2] is that of text[i]
    given = [of_char[ch][1] for ch in text]
    # per Han character, its given-name and transliteration features as seen from itself and
    # from the characters before and after it
    han = {ch: table[2] for ch, table in of_char.items() if table[2] is not None}
    words = _words(text, tokens)
    shared = _word_features(text, words, freq, latin_given_names)
    features: List[List[str]] = []
    for w, (offset, word, flag) in enumerate(words):
        last = offset + len(word) - 1
        for i in range(offset, offset + len(word)):
            ch = text[i]
            c = padded[i:i + 5]  # c[2] is ch
            f = [f"c={ch}", f"c-1={c[1]}", f"c+1={c[3]}", f"c-2={c[0]}", f"c+2={c[4]}",
                 f"c-1c={c[1:3]}", f"cc+1={c[2:4]}", f"c-2c-1={c[0:2]}", f"c+1c+2={c[3:5]}",
                 f"c-1cc+1={c[1:4]}",
                 f"s={scripts[i + 2]}", f"s-1={scripts[i + 1]}", f"s+1={scripts[i + 3]}",
                 *rules[i], *lattice[i], *lac[i]]
            if ch in CN_SURNAMES:
                f.append("surname")
            if text[i:i + 2] in CN_COMPOUND_SURNAMES:
                f.append("compound_surname_b")
            if i and text[i - 1:i + 1] in CN_COMPOUND_SURNAMES:
                f.append("compound_surname_e")
            if i and text[i - 1] in CN_SURNAMES:
                f.append("after_surname")
            # a surname and the given-name scores of the two characters after it, as one feature:
            # the CRF is linear, and a name is a surname AND name-like characters after it
            if ch in CN_SURNAMES and i + 1 < n:
                g1 = given[i + 1]
                g2 = given[i + 2] if i + 2 < n else "end"
                f += [f"surname_g1={g1}", f"surname_g1_g2={g1}_{g2}"]
            if ch in han:
                f += han[ch][""]
            if i and c[1] in han:
                f += han[c[1]]["-1"]
            if i + 1 < n and c[3] in han:
                f += han[c[3]]["+1"]
            pos = "S" if len(word) == 1 else "B" if i == offset else "E" if i == last else "M"
            f += [f"tag={flag}", f"wpos={pos}", f"tag_wpos={flag}_{pos}", *shared[w]]
            features.append(f)
    return features


def _without_title(text: str, start: int, end: int) -> int:
    """The end of a name span less a title written after the name (周建平先生 -> 周建平): the data
    marks 邓先生 as a name now and then, a title alone is no PII."""
    for title in TITLES:
        if text.endswith(title, start, end):
            return end - len(title)
    return end


def name_spans(text: str, probabilities: Sequence[float], latin_given_names: Callable[[str], bool],
               threshold: float = THRESHOLD, peak: float = PEAK) -> List[Tuple[int, int, float]]:
    """Runs of letters (Han or other scripts, never digits, spaces or punctuation) whose name
    probability reaches ``threshold``, with at least one character at ``peak`` or more: (start,
    end, mean probability). Runs of fewer than :data:`MIN_NAME_CHARS` characters are dropped, and
    so are Latin-script runs that are no given name of any locale (Email, OK: the tagger has seen
    Latin usernames, not Latin field labels). A title after the name is cut off (周建平先生)."""
    spans: List[Tuple[int, int, float]] = []
    start: Optional[int] = None
    for i, p in enumerate(list(probabilities) + [0.0]):
        if p >= threshold and i < len(text) and _script(text[i]) in NAME_SCRIPTS:
            if start is None:
                start = i
            continue
        if start is not None:
            end = _without_title(text, start, i)
            if (end - start >= MIN_NAME_CHARS and max(probabilities[start:end]) >= peak
                    and (not _LATIN_RE.fullmatch(text[start:end]) or latin_given_names(text[start:end]))):
                spans.append((start, end, sum(probabilities[start:end]) / (end - start)))
        start = None
    return spans


def rule_stands(kind: str, start: int, end: int, probabilities: Sequence[float],
                veto: float = RULE_VETO) -> bool:
    """Whether a detection of the recognizer's rules is kept next to the tagger's: always for the
    rules of :data:`RULES_BEYOND_TAGGER`, otherwise unless the tagger, which has read that very
    detection as a feature, gives its characters a mean name probability under ``veto``."""
    if kind.startswith(RULES_BEYOND_TAGGER):
        return True
    return sum(probabilities[start:end]) / max(1, end - start) >= veto


class NameTagger:
    """The trained CRF (see the module docstring): :meth:`probabilities` per character of one
    text, :meth:`names` the name spans they make. One CRFsuite tagger holds the text it scores
    between calls, so scoring is serialised by a lock (a scrubber may serve several threads)."""

    def __init__(self, stats: NameCharStats, freq: Mapping[str, int], word_tags: Mapping[str, str],
                 latin_given_names: Callable[[str], bool], model_path: Path = MODEL_PATH,
                 prefixes: Optional[FrozenSet[str]] = None):
        """``prefixes``: :func:`lattice_prefixes` of ``word_tags`` when already computed."""
        import pycrfsuite

        self._stats = stats
        self._freq = freq
        self._word_tags = word_tags
        self._latin_given_names = latin_given_names
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self._lock = threading.Lock()
        self._labels = [label for label in NAME_LABELS if label in self._tagger.labels()]
        self._lattice_prefixes = lattice_prefixes(word_tags) if prefixes is None else prefixes

    def features(self, text: str, tokens: Sequence[Token], rule_names: Sequence[RuleName],
                 lexical: Analysis) -> List[List[str]]:
        return char_features(text, tokens, rule_names, self._stats, self._freq, self._word_tags,
                             self._latin_given_names, lexical, self._lattice_prefixes)

    def probabilities(self, text: str, tokens: Sequence[Token], rule_names: Sequence[RuleName],
                      lexical: Analysis) -> List[float]:
        """Per character, the marginal probability that it belongs to a person name."""
        if not text:
            return []
        features = self.features(text, tokens, rule_names, lexical)
        with self._lock:
            self._tagger.set(features)
            marginal = self._tagger.marginal
            # label by label, added in the order sum() over the labels adds them: 0.0 + a + b
            probabilities = [0.0] * len(text)
            for label in self._labels:
                probabilities = [p + marginal(label, i) for i, p in enumerate(probabilities)]
            return probabilities

    def names(self, text: str, probabilities: Sequence[float]) -> List[Tuple[int, int, float]]:
        """Name spans of ``text`` from its probabilities (:func:`name_spans`)."""
        return name_spans(text, probabilities, self._latin_given_names)


def latin_given_name_lookup(names: Iterable[str]) -> Callable[[str], bool]:
    """Case-insensitive membership in a set of Latin-script given names (Tom, TOM, tom)."""
    lowered = frozenset(name.lower() for name in names)
    return lambda word: len(word) >= 2 and word.lower() in lowered
