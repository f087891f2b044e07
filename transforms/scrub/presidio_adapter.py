"""The one place that knows Presidio's internals: our NLP engine, analyzer and NLP-artifact subclasses.

Everything else in :mod:`transforms.scrub` uses Presidio's public API only (``AnalyzerEngine.analyze``,
``RecognizerRegistry``, ``LocalRecognizer`` and the predefined recognizers). This module goes further,
for speed and to keep spaCy under control, and therefore pins ``presidio-analyzer`` to a minor
version range in ``pyproject.toml``; ``tests/scrub/test_presidio_adapter.py`` fails loudly when
any of these disappear or change shape:

* ``SpacyNlpEngine.load`` overridden and ``SpacyNlpEngine.nlp`` / ``.ner_model_configuration``
  set by us (:class:`NerOnlySpacyNlpEngine`: installed model only, NER component only).
* ``SpacyNlpEngine._get_scores_for_entities`` and ``SpacyNlpEngine._get_updated_entities``
  (private): the entity mapping and scores for NER run sentence by sentence
  (:func:`ner_entities_and_scores`).
* ``AnalyzerEngine._enhance_using_context`` (private) and ``get_supported_entities`` overridden
  (:class:`FixedRegistryAnalyzerEngine`).
* The steps of ``AnalyzerEngine.analyze`` redone by :class:`DirectAnalyzer` (the scrubber's fast
  path): ``recognizer.analyze`` in registry order with the supported entities, the recognizer id
  and name put in each result's ``recognition_metadata``, ``AnalyzerEngine.context_aware_enhancer``
  (``LemmaContextAwareEnhancer``: results of recognizers with context words only), the score
  threshold, ``EntityRecognizer.remove_duplicates``; no recognizer may override
  ``EntityRecognizer.enhance_using_context``.
* The attributes Presidio reads of ``NlpArtifacts`` (``entities``, ``scores``, ``tokens``,
  ``tokens_indices``, ``lemmas``, ``keywords``, ``nlp_engine``) and ``NlpArtifacts.set_keywords``
  (:class:`_LazyNlpArtifacts`), and those ``SpacyRecognizer`` reads of a spaCy ``Span``
  (``label_``, ``start_char``, ``end_char``: :class:`_NerEntity`).

Imports Presidio and spaCy at import time: the scrubber imports this module only when it builds its
engines, so importing :mod:`transforms.scrub.scrubber` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

from transforms.scrub.ner import DEFAULT_SPACY_MODEL


class NerOnlySpacyNlpEngine(SpacyNlpEngine):
    """A Presidio ``SpacyNlpEngine`` that loads ``model_name`` only if it is installed (never
    downloads) and runs only the NER component (plus whatever embedding layer NER listens to)."""

    def __init__(self, model_name: str, include_nrp: bool) -> None:
        self._ner_model_name = model_name
        self._include_nrp = include_nrp
        super().__init__(models=[{"lang_code": "en", "model_name": model_name}])

    def load(self) -> None:
        model_name, include_nrp = self._ner_model_name, self._include_nrp
        if not (spacy.util.is_package(model_name) or Path(model_name).exists()):
            raise ValueError(
                f"spacy_model {model_name!r} is not installed (as a package or a path); "
                f"install it or set spacy_model to an installed model such as "
                f"{DEFAULT_SPACY_MODEL!r} (models are never downloaded at run time)"
            )
        try:
            nlp = spacy.load(model_name)
        except Exception as exc:  # OSError, config errors, version mismatches
            raise ValueError(f"spacy_model {model_name!r} could not be loaded: {exc}") from exc
        if "ner" not in nlp.pipe_names:
            raise ValueError(f"spacy_model {model_name!r} has no 'ner' component")
        keep = {"ner"}
        for name, component in nlp.pipeline:
            if "ner" in (getattr(component, "listening_components", None) or ()):
                keep.add(name)  # shared tok2vec / transformer that NER listens to
        nlp.select_pipes(disable=[name for name in nlp.pipe_names if name not in keep])

        mapping = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION",
                   "LOC": "LOCATION", "FAC": "LOCATION"}
        if include_nrp:
            mapping["NORP"] = "NRP"
        labels = nlp.get_pipe("ner").labels
        self.ner_model_configuration = NerModelConfiguration(
            model_to_presidio_entity_mapping=mapping,
            labels_to_ignore=[label for label in labels if label not in mapping],
        )
        self.nlp = {"en": nlp}


def make_ner_engine(model_name: str, include_nrp: bool) -> NerOnlySpacyNlpEngine:
    """The loaded NER engine for ``model_name`` (``NORP`` spans become NRP when ``include_nrp``)."""
    engine = NerOnlySpacyNlpEngine(model_name, include_nrp)
    engine.load()
    return engine


def ner_entities_and_scores(engine: SpacyNlpEngine, ents, doc):
    """(entities, scores) of ``ents`` (spans of ``doc``, or :class:`_NerEntity`) after Presidio's
    label mapping and ignore list, with the scores it gives the model's entities: what
    ``SpacyNlpEngine`` would put in the NLP artifacts of ``doc``."""
    return engine._get_updated_entities(ents, engine._get_scores_for_entities(doc))


class FixedRegistryAnalyzerEngine(AnalyzerEngine):
    """Presidio's ``AnalyzerEngine`` without two pieces of per-call work whose result cannot change
    here (together ~20% of a call on short texts such as ids): the registry is fixed after
    construction, so its entity list is computed once; context enhancement only rescores results,
    so it is skipped when no recognizer found anything."""

    def get_supported_entities(self, language=None):
        key = language or ""
        cached = self._entities_by_language.get(key)
        if cached is None:
            cached = self._entities_by_language[key] = super().get_supported_entities(language)
        return list(cached)

    def _enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        if not raw_results:
            return []
        return super()._enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)


def make_analyzer(registry, nlp_engine) -> FixedRegistryAnalyzerEngine:
    """The analyzer over our fixed ``registry`` (English only: scripts, not languages, decide what
    runs)."""
    engine = FixedRegistryAnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                                         supported_languages=["en"])
    engine._entities_by_language = {}
    return engine


class DirectAnalyzer:
    """What ``analyzer.analyze(text, "en", nlp_artifacts=..., score_threshold=...)`` returns (the same
    results, scores included), for less: the recognizers run are those the text's triggers allow
    (:mod:`transforms.scrub.triggers`; the others cannot match it), called directly, and Presidio's
    per-call bookkeeping is left out where it cannot change the results (the recognizer list and
    entity list are computed once; results of recognizers without context words skip the context
    enhancer, which would only copy them; the decision process is not stripped: nothing reads it).

    Refuses (``ValueError``) a registry with a recognizer that rescored its own results in
    ``enhance_using_context``: that step is skipped here."""

    def __init__(self, analyzer: AnalyzerEngine, score_threshold: float):
        from transforms.scrub.triggers import RecognizerTriggers

        recognizers = analyzer.registry.get_recognizers(language="en", all_fields=True)
        for recognizer in recognizers:
            if type(recognizer).enhance_using_context is not EntityRecognizer.enhance_using_context:
                raise ValueError(f"{recognizer.name} rescores in enhance_using_context: "
                                 "use the full path (fast_path=False)")
            if not recognizer.is_loaded:  # what analyze does on its first call
                recognizer.load()
                recognizer.is_loaded = True
        self.recognizers = recognizers
        self.triggers = RecognizerTriggers(recognizers)
        self._entities = analyzer.get_supported_entities(language="en")
        self._by_id = {recognizer.id: recognizer for recognizer in recognizers}
        # Context words are matched as substrings of lower-cased tokens (the lemmas here), i.e. of
        # the lower-cased source text of the tokens: a recognizer none of whose (ASCII) words is in
        # it gets no boost. Non-ASCII words: not checked (lowering is not per character for all).
        self._context_words = {
            recognizer.id: tuple(w.lower() for w in recognizer.context)
            if all(w.isascii() for w in recognizer.context) else None
            for recognizer in recognizers if recognizer.context}
        self._enhancer = analyzer.context_aware_enhancer
        self._score_threshold = score_threshold

    def analyze(self, text: str, nlp_artifacts) -> List[RecognizerResult]:
        id_key, name_key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, RecognizerResult.RECOGNIZER_NAME_KEY
        results: List[RecognizerResult] = []
        for recognizer, rules in self.triggers.candidates(text):
            if rules is None:
                found = recognizer.analyze(text=text, entities=self._entities, nlp_artifacts=nlp_artifacts)
            else:  # a RegexRecognizer, some of whose rules cannot match the text
                found = recognizer.analyze(text=text, entities=self._entities, nlp_artifacts=nlp_artifacts,
                                           rules=rules)
            if not found:
                continue
            for result in found:
                if not result.recognition_metadata:
                    result.recognition_metadata = {}
                result.recognition_metadata.setdefault(id_key, recognizer.id)
                result.recognition_metadata.setdefault(name_key, recognizer.name)
            results.extend(found)
        if not results:
            return []
        # Presidio regroups results by the recognizer id they carry: one naming no recognizer of
        # the registry is dropped there
        results = [r for r in results if r.recognition_metadata[id_key] in self._by_id]
        boostable = [i for i, r in enumerate(results)
                     if self._may_boost(r.recognition_metadata[id_key], nlp_artifacts)]
        if boostable:  # each result is rescored on its own: passing only these changes nothing
            boosted = self._enhancer.enhance_using_context(
                text=text, raw_results=[results[i] for i in boostable], nlp_artifacts=nlp_artifacts,
                recognizers=self.recognizers, context=None)
            for i, result in zip(boostable, boosted):
                results[i] = result
        results = [r for r in results if r.score >= self._score_threshold]
        return EntityRecognizer.remove_duplicates(results)

    def _may_boost(self, recognizer_id: str, nlp_artifacts) -> bool:
        """Whether the context enhancer could rescore a result of this recognizer."""
        if recognizer_id not in self._context_words:
            return False  # no context words
        words = self._context_words[recognizer_id]
        source = getattr(nlp_artifacts, "source", None)
        if words is None or source is None:
            return True
        lowered = source.lower()
        return any(word in lowered for word in words)


class _LazyNlpArtifacts:
    """Presidio ``NlpArtifacts`` whose tokens are built only when asked for.

    Presidio reads ``tokens`` / ``tokens_indices`` / ``lemmas`` / ``keywords`` only to boost a
    pattern match with context words ("ssn 536221234", a phone next to "call"), i.e. for few
    texts; building them for every text costs ~10% of the run. ``tokens`` is a function making
    the Doc (tokenizer only: NER ran on sentences, see ``Scrubber._ner_artifacts``), called
    inside the batch's memory zone. The lemmatizer is disabled, so
    lower-cased tokens stand in for lemmas (Presidio's context words are lower-case already).
    ``source``: the text the tokens are made of, when known (:class:`DirectAnalyzer` skips the
    context enhancer when no context word occurs in it).
    """

    def __init__(self, tokens, entities, scores, nlp_engine, language: str, source: Optional[str] = None):
        self._tokens = tokens
        self.source = source
        self.entities = entities
        self.scores = scores
        self.nlp_engine = nlp_engine
        self.language = language
        self._lemmas = None
        self._indices = None
        self._keywords = None

    @property
    def tokens(self):
        if callable(self._tokens):
            self._tokens = self._tokens()
        return self._tokens

    @property
    def lemmas(self) -> List[str]:
        if self._lemmas is None:
            self._lemmas = [token.lower_ for token in self.tokens]
        return self._lemmas

    @property
    def tokens_indices(self) -> List[int]:
        if self._indices is None:
            self._indices = [token.idx for token in self.tokens]
        return self._indices

    @property
    def keywords(self) -> List[str]:
        if self._keywords is None:
            self._keywords = NlpArtifacts.set_keywords(self.nlp_engine, self.lemmas, self.language)
        return self._keywords


class _NerEntity:
    """An NER entity of a full text (offsets mapped back from its segment): what Presidio's
    ``SpacyRecognizer`` reads of a spaCy ``Span``."""

    __slots__ = ("label_", "start_char", "end_char")

    def __init__(self, label: str, start_char: int, end_char: int):
        self.label_ = label
        self.start_char = start_char
        self.end_char = end_char

    @property
    def label(self) -> str:
        return self.label_

