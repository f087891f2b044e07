"""Bounded memory of a long-running worker: spaCy memory zones, pipeline reloads, heap release.

spaCy's vocab / StringStore grows with every new token it sees. The scrubber analyses each batch
inside ``Language.memory_zone()`` (see ``Scrubber._analyze_uncached``), which evicts what the batch
added; :class:`BoundedSpacyPipeline` (a base class of :class:`transforms.scrub.scrubber.Scrubber`)
owns the pipeline and reloads it when the vocab has still grown past a bound, then hands the old
pipeline's memory back to the OS (:func:`_release_memory`).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Bounded vocab growth (see module docstring). Memory zones keep the vocab at its loaded size, so
# reloads are a safety net: when the StringStore has still grown by this many strings since
# loading (en_core_web_sm starts with ~85k), or after RELOAD_EVERY_TEXTS analysed texts if set
# (0 = off: each reload costs ~0.3-1 s of CPU and leaves allocator fragments in RSS).
RELOAD_EVERY_TEXTS = 0
MAX_VOCAB_GROWTH = 100_000


def _release_memory() -> None:
    """Collect garbage and, on glibc, hand freed heap pages back to the OS (after a reload the
    old pipeline's arenas would otherwise stay in RSS)."""
    import gc

    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc / not Linux
        pass


class BoundedSpacyPipeline:
    """The spaCy pipeline of a scrubber and its bounded growth. Expects ``mode``, ``spacy_model``,
    ``include_nrp``, ``reload_every``, ``max_vocab_growth``, ``reloads``, ``_texts_since_reload``,
    ``_base_vocab_size`` and, once built, ``_analyzer`` on the instance (set by the scrubber)."""

    def _load_nlp(self):
        """(Presidio NLP engine, NER pipeline or None, the spaCy ``Language`` whose tokenizer
        makes context-word tokens and whose vocab the memory zones bound): the NER engine and its
        pipeline in mode ``presidio``; a no-op engine and a blank English pipeline in ``regex``."""
        if self.mode == "presidio":
            from transforms.scrub.presidio_adapter import make_ner_engine

            engine = make_ner_engine(self.spacy_model, self.include_nrp)
            nlp = engine.nlp["en"]
            return engine, nlp, nlp
        import spacy
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        engine = getattr(self, "_engine", None)
        if engine is None:
            engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
            engine.load()
        return engine, None, spacy.blank("en")

    @property
    def _tokenizer(self):
        return self._spacy.tokenizer

    def vocab_size(self) -> int:
        """Strings in the StringStore of the spaCy vocab in use (it grows with new tokens)."""
        return len(self._spacy.vocab.strings)

    def _maybe_reload(self, analysed: int) -> None:
        """Count ``analysed`` texts; reload the spaCy pipeline when the count or the vocab growth
        is over its bound. Called between batches, so no artifact of the old pipeline is still in
        use (and one still held elsewhere stays valid: nothing is torn down)."""
        self._texts_since_reload += analysed
        due = (self.reload_every > 0 and self._texts_since_reload >= self.reload_every) or (
            self.max_vocab_growth > 0
            and self.vocab_size() - self._base_vocab_size > self.max_vocab_growth)
        if not due:
            return
        self._texts_since_reload = 0
        try:
            engine, nlp, spacy_language = self._load_nlp()
        except Exception:  # keep working with the grown pipeline rather than fail the worker
            logger.exception("reloading spaCy pipeline %r failed; keeping the current one",
                             self.spacy_model)
            return
        self._engine, self._nlp, self._spacy = engine, nlp, spacy_language
        self._analyzer.nlp_engine = engine
        self._base_vocab_size = self.vocab_size()
        self.reloads += 1
        del engine, nlp, spacy_language
        _release_memory()
