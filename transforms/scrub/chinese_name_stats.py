"""Character statistics of Chinese person names, derived at load time from jieba's shipped dictionary.

:class:`NameCharStats` answers three questions about one character, each as a log-likelihood ratio
against ordinary text (positive: typical of names, negative: typical of ordinary words):

* ``given(ch)``: how typical ``ch`` is of a given name. Counted over the dictionary's 3-character
  words tagged ``nr`` / ``nrfg`` that start with a common surname and are rare (frequency < 50:
  private names, not idioms), characters 2 and 3; ordinary text is every dictionary character
  weighted by its word's frequency. 琪 雯 玲 score high, 的 是 我 low.
* ``translit(ch)``: how typical ``ch`` is of a transliterated foreign word, from the dictionary's
  ``nrt`` words of 3+ characters (斯 尔 拉 特 瓦 high). Transliterated places and brands share
  these characters: the statistic says "foreign word", not "person".
* ``surname_length(text, i)``: 2 for a compound surname at ``i``, 1 for a single one (simplified or
  traditional form), 0 otherwise.

No list of names is kept: only counts per character. Built in ~0.3 s from the tokenizer jieba has
already loaded (its ``FREQ`` and the POS tagger's ``word_tag_tab``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Dict, Mapping

from transforms.scrub.chinese_surnames import CN_COMPOUND_SURNAMES, CN_SURNAMES

# Only rare dictionary names count: frequent nr words are idioms and ordinary words jieba mis-tags.
_MAX_NAME_FREQ = 50
# Add-k smoothing: k for name counts, and a floor for ordinary-text counts, so that a character
# seen a few times in names but never in text does not get an unbounded ratio.
_NAME_SMOOTHING = 0.5
_TEXT_FLOOR = 50
_LLR_CLIP = 5.0


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


class NameCharStats:
    """Per-character name statistics (see the module docstring)."""

    def __init__(self, freq: Mapping[str, int], word_tags: Mapping[str, str]):
        text: Counter = Counter()
        for word, count in freq.items():
            if count:
                for ch in word:
                    text[ch] += count
        given: Counter = Counter()
        translit: Counter = Counter()
        for word, tag in word_tags.items():
            if (tag in ("nr", "nrfg") and len(word) == 3 and word[0] in CN_SURNAMES
                    and freq.get(word, 0) < _MAX_NAME_FREQ):
                given.update(word[1:])
            elif tag == "nrt" and len(word) >= 3:
                translit.update(word)
        self._given = self._ratios(given, text)
        self._translit = self._ratios(translit, text)

    @staticmethod
    def _ratios(names: Counter, text: Counter) -> Dict[str, float]:
        n_names, n_text = sum(names.values()), sum(text.values())
        ratios = {}
        for ch in set(names) | set(text):
            if not _is_han(ch):
                continue
            llr = (math.log((names[ch] + _NAME_SMOOTHING) / n_names)
                   - math.log((text[ch] + _TEXT_FLOOR) / n_text))
            ratios[ch] = max(-_LLR_CLIP, min(_LLR_CLIP, llr))
        return ratios

    def given(self, ch: str) -> float:
        """Log-likelihood ratio of ``ch`` in given names vs ordinary text (unknown: 0)."""
        return self._given.get(ch, 0.0)

    def translit(self, ch: str) -> float:
        """Log-likelihood ratio of ``ch`` in transliterated words vs ordinary text (unknown: very low)."""
        return self._translit.get(ch, -_LLR_CLIP)

    @staticmethod
    def surname_length(text: str, i: int) -> int:
        if text[i:i + 2] in CN_COMPOUND_SURNAMES:
            return 2
        return 1 if i < len(text) and text[i] in CN_SURNAMES else 0
