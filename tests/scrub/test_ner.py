"""English NER (transforms.scrub.ner and the scrubber's NER pass): names and places, code masking, CJK
blanking, sentence segments, long texts, and the NER spans that are no names."""

from __future__ import annotations

import pytest

from scrub_helpers import found, types
from transforms.scrub import ner as scrub_module
from transforms.scrub.ner import mask_code


def test_english_names_and_places_scrubbed(presidio):
    text = "My name is Sarah Johnson and I live in Boston."
    out, spans = presidio.scrub_text(text)
    assert ("PERSON", "Sarah Johnson") in [(s.entity_type, text[s.start:s.end]) for s in spans]
    assert ("LOCATION", "Boston") in [(s.entity_type, text[s.start:s.end]) for s in spans]
    assert out == "My name is <PERSON_1> and I live in <LOCATION_1>."


def test_code_block_identifiers_are_not_persons(presidio):
    text = (
        "Why does this fail?\n```python\ndef get_user_name(first_name, last_name):\n"
        "    Johnson = lookup(first_name)\n    return Johnson.full_name\n```\n"
        "and `Mike Ross` is inline code."
    )
    assert "PERSON" not in types(presidio, text)


def test_code_block_still_scanned_for_secrets_and_contacts(presidio):
    key = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
    text = f'```python\nclient = OpenAI(api_key="{key}")\nADMIN = "ops@corp-mail.com"\n```'
    assert {"API_KEY", "EMAIL_ADDRESS"} <= types(presidio, text)


def test_mask_code_keeps_offsets():
    text = "a\n```py\nx = Mike\n```\nb `Ross` c"
    masked = mask_code(text)
    assert len(masked) == len(text) and "Mike" not in masked and "Ross" not in masked
    assert masked.count("\n") == text.count("\n")


def test_long_text_split_for_ner(presidio, monkeypatch):
    monkeypatch.setattr(scrub_module, "MAX_NER_CHARS", 60)
    text = ("Yesterday I met Sarah Johnson in Boston. " * 3) + "Then Michael Brown called me."
    pieces = scrub_module._split_for_ner(text)
    assert len(pieces) > 1 and "".join(pieces) == text
    found_values = {text[s.start:s.end] for s in presidio.find_spans(text + " ")}
    assert {"Sarah Johnson", "Michael Brown"} <= found_values


@pytest.mark.parametrize("text,name", [
    ("我的同事Katelyn Benjamin说server挂了。", "Katelyn Benjamin"),
    ("Joseph Sims的邮箱是jingtan@juandeng.cn", "Joseph Sims"),
])
def test_english_names_against_chinese_text(presidio, text, name):
    assert ("PERSON", name) in found(presidio, text)


def test_ner_input_blanks_cjk_keeping_offsets():
    text = "姓名：April，`code`"
    masked = scrub_module.ner_input(text)
    assert len(masked) == len(text)
    assert masked.strip().startswith("April") and "姓" not in masked and "code" not in masked


LONG_FILLER = [
    "this answer covers the setup step by step.",
    "first, install the package with your usual package manager.",
    "then open the configuration file and set the options you need.",
    "after that, restart the service so the changes take effect.",
]


def test_segment_ner_finds_name_in_fifth_sentence(presidio, monkeypatch):
    sentences = [s.capitalize() for s in LONG_FILLER] + [
        "If it still fails, ask Katelyn Benjamin from the platform team.",
        "She has fixed this before.\nOtherwise, check the logs again."]
    text = " ".join(sentences)
    segments = scrub_module._ner_segments(text, scrub_module.ner_input(text))
    assert len(segments) == 1 and text[segments[0][0]:segments[0][1]] == sentences[4]
    seen = []
    real_pipe = type(presidio._nlp).pipe

    def spy(self, texts, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return real_pipe(self, texts, **kwargs)

    monkeypatch.setattr(type(presidio._nlp), "pipe", spy)
    spans = presidio.find_spans(text)
    assert seen == [sentences[4]]
    start = text.index("Katelyn Benjamin")
    assert [(s.entity_type, s.start, s.end) for s in spans] == [
        ("PERSON", start, start + len("Katelyn Benjamin"))]


def test_segment_ner_skips_long_answer_without_names(presidio, monkeypatch):
    text = " ".join(s.capitalize() for s in LONG_FILLER * 3) + \
        "\nYou're done. Here's a tip: on Monday, restart it again. Don't forget."
    calls = []
    monkeypatch.setattr(type(presidio._nlp), "pipe",
                        lambda self, texts, **kw: calls.append(list(texts)) or [])
    assert presidio.find_spans(text) == []
    assert calls == []


def test_segments_do_not_split_initials_or_titles():
    text = ("filler words without any capital letters at all here. " * 6
            + "We asked Mr. John F. Kennedy about it. then nothing more.")
    segments = scrub_module._ner_segments(text, text)
    assert [text[s:e] for s, e in segments] == ["We asked Mr. John F. Kennedy about it."]


def test_repeated_sentence_goes_through_spacy_once(presidio, monkeypatch):
    # Two different texts sharing a sentence: the second one's NER for it comes from the cache,
    # with offsets mapped into the second text.
    shared = "Please forward this to Katelyn Benjamin before Friday."
    first = f"Ticket 4411 is open. {shared}"
    second = f"{shared} Also attach the Q3 report."
    presidio.clear_caches()
    seen = []
    real_pipe = type(presidio._nlp).pipe

    def spy(self, texts, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return real_pipe(self, texts, **kwargs)

    monkeypatch.setattr(type(presidio._nlp), "pipe", spy)
    spans_first = presidio.find_spans(first)
    spans_second = presidio.find_spans(second)
    assert seen.count(shared) == 1
    for text, spans in ((first, spans_first), (second, spans_second)):
        start = text.index("Katelyn Benjamin")
        assert ("PERSON", start, start + len("Katelyn Benjamin")) in [
            (s.entity_type, s.start, s.end) for s in spans]


def test_person_called_org_by_the_model_is_scrubbed(presidio):
    text = "Billing address: Sophie Lang\n    3482 Via Franscini 71"
    ents = {e.text.strip(): e.label_ for e in presidio._nlp(text).ents}
    assert ents.get("Sophie Lang") == "ORG"  # the small model's mistake this guards against
    assert ("PERSON", "Sophie Lang") in found(presidio, text)


def test_unfenced_code_lines_are_hidden_from_ner_only():
    text = "I met John Smith yesterday.\nclass JohnsonParser {\n  this.cache = new Map();\n}\nHere is the list:"
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert "John Smith" in masked and "Here is the list:" in masked
    assert "JohnsonParser" not in masked and "Map" not in masked


@pytest.mark.parametrize("code", [
    "class JohnsonParser {\n  constructor(limit = 10) {\n    this.cache = new Map();\n  }\n}",
    "public class DijkstraRouter {\n    private final String firstName;\n}",
    'class KruskalMST:\n    """KruskalMST over an edge list."""',
    "if d + w < dist.get(v, 2147483647):\n    dist[v] = d + w",
])
def test_raw_code_without_pii_is_not_flagged(presidio, code):
    assert presidio.find_spans(code) == []


def test_pii_in_raw_code_is_still_found(presidio):
    code = 'numbers = ["13812345678"]\nowner = "ann@example.org";\nlet key = "sk-proj-abcDEF1234567890ghijKLMN";'
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS", "API_KEY"} <= types(presidio, code)
    assert ("PERSON", "Katelyn Benjamin") in found(presidio, "Ask Katelyn Benjamin about it.\nx = f(1);")


@pytest.mark.parametrize("text", [
    "The light-dependent reactions make ATP, and the Calvin cycle uses them to fix carbon.",
    "How do I compute Fibonacci numbers efficiently in Python?",
    "Explain Dijkstra's algorithm with an example.",
])
def test_concepts_named_after_people_are_not_scrubbed(presidio, text):
    assert "PERSON" not in types(presidio, text) and "LOCATION" not in types(presidio, text)


def test_a_person_with_an_eponym_name_is_still_a_person(presidio):
    assert ("PERSON", "Calvin") in found(presidio, "I asked Calvin about the report yesterday.")
