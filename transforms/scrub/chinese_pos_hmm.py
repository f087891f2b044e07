"""jieba's POS tagging of unknown words, with the same results in a fraction of the time:
:class:`PosTokenizer`.

jieba's POS cut (``jieba.posseg``) sends every run of characters missing from its dictionary
through an HMM over ~250 (word position, POS tag) states; its Viterbi (``jieba.posseg.viterbi``)
scores, for each character, every pair of a state of the previous character and a state of this
one, in a Python generator, although a state has on average only ~20 possible successors: all the
other pairs score minus infinity. On Weibo text that Viterbi was more than a third of the Chinese
name recognizer's time. :func:`viterbi` scores only the pairs with a transition, and falls back to
jieba's full scoring of a state whenever none of them is finite. Same states kept at each step,
same float additions in the same order, same ties (the larger state wins, as ``max`` over
``(score, state)`` tuples gives it): the same path to the bit (tests/scrub/test_chinese_pos_hmm.py
compares it with jieba's own on real text).

In: a run of Han characters that jieba's dictionary cut left as single unknown characters. Out:
jieba's (word, POS flag) pairs, as ``jieba.posseg.POSTokenizer.cut`` gives them.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterator, List, Mapping, Sequence, Tuple

import jieba.posseg
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

State = Tuple[str, str]  # word position (B, M, E, S), POS tag

# jieba's scores of a character a state never emits, and of a transition that does not exist
_MISSING_EMISSION = -3.14e100
_NO_TRANSITION = float("-inf")


def _predecessors(transitions: Mapping[State, Mapping[State, float]]) -> Dict[State, FrozenSet[State]]:
    """For each state, the states with a transition into it."""
    into: Dict[State, set] = {state: set() for state in transitions}
    for state, successors in transitions.items():
        for successor in successors:
            into.setdefault(successor, set()).add(state)
    return {state: frozenset(states) for state, states in into.items()}


_PREDECESSORS = _predecessors(trans_P)


def viterbi(chars: str, states: Mapping[str, Sequence[State]] = char_state_tab_P,
            start: Mapping[State, float] = start_P,
            transitions: Mapping[State, Mapping[State, float]] = trans_P,
            emissions: Mapping[State, Mapping[str, float]] = emit_P,
            predecessors: Mapping[State, FrozenSet[State]] = _PREDECESSORS) -> List[State]:
    """The most likely state of each character, as ``jieba.posseg.viterbi`` finds it (see the
    module docstring); ``predecessors`` must be :func:`_predecessors` of ``transitions``."""
    all_states = transitions.keys()
    scores = {state: start[state] + emissions[state].get(chars[0], _MISSING_EMISSION)
              for state in states.get(chars[0], all_states)}
    back: List[Dict[State, State]] = []
    for char in chars[1:]:
        # states of the previous character that lead anywhere, and this character's states that
        # one of them leads to (jieba's choice, including its fallbacks when there are none)
        previous = [state for state in scores if transitions[state]]
        previous_set = set(previous)
        current = [state for state in set(states.get(char, all_states))
                   if not previous_set.isdisjoint(predecessors.get(state, ()))]
        if not current:
            reachable = {nxt for state in previous for nxt in transitions[state]}
            current = reachable or all_states
        new_scores: Dict[State, float] = {}
        pointers: Dict[State, State] = {}
        for state in current:
            emission = emissions[state].get(char, _MISSING_EMISSION)
            best_score = best_state = None
            for before in previous_set & predecessors.get(state, frozenset()):
                score = scores[before] + transitions[before][state] + emission
                if best_state is None or score > best_score or (score == best_score and before > best_state):
                    best_score, best_state = score, before
            if best_state is None or not best_score > _NO_TRANSITION:
                # no finite transition: every candidate scores -inf, jieba's max picks the largest state
                best_score, best_state = max(
                    (scores[before] + transitions[before].get(state, _NO_TRANSITION) + emission, before)
                    for before in previous)
            new_scores[state] = best_score
            pointers[state] = best_state
        scores = new_scores
        back.append(pointers)
    _, state = max((score, state) for state, score in scores.items())
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return path


def _words(chars: str, path: Sequence[State]) -> Iterator[jieba.posseg.pair]:
    """The words of a run read off its state path, as jieba's ``__cut`` reads them: a word runs
    from the last B state to an E state and takes the E state's tag, an S state is a word of
    one character; the rest after the last word is one word with the tag of its first character."""
    begin = rest = 0
    for i, (position, tag) in enumerate(path):
        if position == "B":
            begin = i
        elif position == "E":
            yield jieba.posseg.pair(chars[begin:i + 1], tag)
            rest = i + 1
        elif position == "S":
            yield jieba.posseg.pair(chars[i], tag)
            rest = i + 1
    if rest < len(chars):
        yield jieba.posseg.pair(chars[rest:], path[rest][1])


class PosTokenizer(jieba.posseg.POSTokenizer):
    """``jieba.posseg.POSTokenizer`` whose HMM runs :func:`viterbi`: the same cut, faster. jieba
    calls its HMM through the private method ``__cut``; this class provides that method under
    its mangled name, which jieba's own calls (``self.__cut``) resolve to."""

    def _POSTokenizer__cut(self, sentence: str) -> Iterator[jieba.posseg.pair]:
        return _words(sentence, viterbi(sentence))
