"""Presidio compatibility: the private API transforms.scrub.presidio_adapter relies on is still there.

Real Presidio, no mocks. When ``presidio-analyzer`` is upgraded past the range pinned in pyproject.toml,
these tests fail loudly and name what moved, instead of the scrubber silently losing NER entities,
context boosts or speed. Each test names the adapter piece that depends on what it checks.
"""

from __future__ import annotations

import inspect

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from transforms.scrub.presidio_adapter import (
    FixedRegistryAnalyzerEngine,
    NerOnlySpacyNlpEngine,
    _LazyNlpArtifacts,
    _NerEntity,
    ner_entities_and_scores,
)


def parameters(function) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def test_spacy_engine_private_entity_methods_exist():
    # ner_entities_and_scores: label mapping / ignore list and scores of sentence-level NER
    assert parameters(SpacyNlpEngine._get_scores_for_entities) == ["doc"]
    assert parameters(SpacyNlpEngine._get_updated_entities) == ["entities", "scores"]


def test_spacy_engine_load_sets_nlp_and_ner_configuration(presidio):
    # NerOnlySpacyNlpEngine.load replaces SpacyNlpEngine.load and sets these two attributes itself
    engine = presidio._engine
    assert isinstance(engine, NerOnlySpacyNlpEngine) and isinstance(engine, SpacyNlpEngine)
    assert set(engine.nlp) == {"en"}
    assert engine.ner_model_configuration.model_to_presidio_entity_mapping["GPE"] == "LOCATION"


def test_ner_entities_and_scores_maps_labels(presidio):
    doc = presidio._nlp("I met Sarah Johnson in Boston yesterday.")
    entities, scores = ner_entities_and_scores(presidio._engine, list(doc.ents), doc)
    assert [(e.label_, e.start_char, e.end_char) for e in entities] == [("PERSON", 6, 19), ("LOCATION", 23, 29)]
    assert len(scores) == 2 and all(0 < s <= 1 for s in scores)


def test_analyzer_private_context_enhancement_is_still_called():
    # FixedRegistryAnalyzerEngine overrides both; analyze must still go through them
    assert parameters(AnalyzerEngine._enhance_using_context) == [
        "text", "raw_results", "nlp_artifacts", "recognizers", "context"]
    assert parameters(AnalyzerEngine.get_supported_entities) == ["language"]
    source = inspect.getsource(AnalyzerEngine.analyze)
    assert "self._enhance_using_context(" in source and "self.get_supported_entities(" in source
    assert issubclass(FixedRegistryAnalyzerEngine, AnalyzerEngine)


def test_lazy_nlp_artifacts_offer_what_presidio_reads(presidio):
    # _LazyNlpArtifacts stands in for NlpArtifacts: same attributes, set_keywords still a static method
    real = NlpArtifacts(entities=[], tokens=presidio._nlp("x"), tokens_indices=[], lemmas=[],
                        nlp_engine=presidio._engine, language="en")
    lazy = _LazyNlpArtifacts(lambda: presidio._nlp.tokenizer("x"), [], [], presidio._engine, "en")
    missing = [name for name in vars(real) if not hasattr(lazy, name)]
    assert not missing, f"NlpArtifacts attributes _LazyNlpArtifacts lacks: {missing}"
    assert isinstance(inspect.getattr_static(NlpArtifacts, "set_keywords"), staticmethod)
    assert parameters(NlpArtifacts.set_keywords) == ["nlp_engine", "lemmas", "language"]
    assert lazy.keywords == ["x"]


def test_spacy_recognizer_reads_our_ner_entities(presidio):
    # _NerEntity carries only label_ / start_char / end_char: what SpacyRecognizer reads of a Span
    text = "I met Sarah Johnson in Boston yesterday."
    artifacts = _LazyNlpArtifacts(lambda: presidio._nlp.tokenizer(text), [_NerEntity("PERSON", 6, 19)], [0.85],
                                  presidio._engine, "en")
    recognizer = SpacyRecognizer(supported_language="en", supported_entities=["PERSON", "LOCATION"])
    results = recognizer.analyze(text, ["PERSON"], artifacts)
    assert [(r.entity_type, r.start, r.end, r.score) for r in results] == [("PERSON", 6, 19, 0.85)]


def test_analyzer_shortcuts_keep_context_boosts(regex):
    # Context words still raise a score (the enhancement is skipped only when nothing was found).
    with_context = {s.entity_type: s.score for s in regex.find_spans("my SSN is 536-22-1234")}
    without = {s.entity_type: s.score for s in regex.find_spans("value 536-22-1234")}
    assert with_context.get("US_SSN", 0) > without.get("US_SSN", 0)
