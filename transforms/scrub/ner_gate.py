"""The NER gate: which texts and which NER spans may be a person's name (word lists and tests).

spaCy NER is the slow part of scrubbing, and most chat text has no name in it. :func:`needs_ner`
lets a text (or a sentence of it) go to spaCy only when a capitalized word outside code may start a
name or a place: not an acronym, not a single letter, not a word capitalized only because it starts
a sentence, a title or a chat instruction. :func:`org_span_is_person_name` is the other direction: an
ORG span of the small model that reads like a person's full name counts as PERSON.

Most of this module is data (word lists); the word lists are also read by the NER span cleaning
(:mod:`transforms.scrub.ner`) and by the name-part propagation (:mod:`transforms.scrub.replacement`).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub import patterns as pp


# Capital letters (ASCII + Latin-1): no capital, no English name worth running NER for.
_NAME_CHAR_RE = re.compile(r"[A-Z\u00C0-\u00D6\u00D8-\u00DE]")

# Words small spaCy models like to call PERSON / GPE in chat logs about software.
_NER_STOPLIST = frozenset(
    w.casefold()
    for w in (
        "ChatGPT", "GPT", "OpenAI", "Claude", "Gemini", "Copilot", "Llama", "Python", "Java",
        "JavaScript", "TypeScript", "Rust", "Go", "Golang", "Kotlin", "Swift", "Ruby", "Perl",
        "Scala", "Haskell", "SQL", "MySQL", "PostgreSQL", "Postgres", "SQLite", "MongoDB", "Redis",
        "JSON", "YAML", "HTML", "CSS", "XML", "CSV", "API", "REST", "Docker", "Kubernetes", "Linux",
        "Ubuntu", "Debian", "Windows", "macOS", "iOS", "Android", "Excel", "Word", "PowerPoint",
        "GitHub", "GitLab", "Git", "AWS", "Azure", "GCP", "React", "Vue", "Angular", "Django",
        "Flask", "FastAPI", "Pandas", "NumPy", "PyTorch", "TensorFlow", "Bash", "Hi", "Hello",
        "Hey", "Thanks", "Thank", "Dear", "Regards", "Sure", "Okay", "OK", "Yes", "No", "Please",
        "Markdown", "LaTeX", "Node", "npm", "pip", "Vim", "Emacs", "VS Code", "VSCode",
        "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Madam", "Us", "US",
    )
)
# NER gate: words written with a capital only because they start a sentence, a title or a chat
# instruction. A text whose capitalized words are all of these (or acronyms, or single letters)
# skips NER. spaCy's English stop words minus name-like ones, the NER stoplist above and a few
# frequent chat / tech words.
_NAME_LIKE_STOP_WORDS = frozenset({"will", "may", "june", "april", "august", "bill", "mark"})
_GATE_CHAT_WORDS = frozenset(
    "sure here yes no ok okay hi hello hey thanks thank please sorry great good yeah "
    "summarize translate write explain describe create generate list give tell help make fix "
    "convert rewrite show find check compare implement add use let note example step answer "
    "question error warning input output result results text data code file function "
    "python sql json api html css javascript".split()
)
_CAP_WORD_RE = re.compile(r"(?<![A-Za-z\u00C0-\u024F])[A-Z\u00C0-\u00D6\u00D8-\u00DE]"
                          r"[A-Za-z\u00C0-\u024F'’\-]*")
_gate_common: Optional[frozenset] = None


def _gate_common_words() -> frozenset:
    global _gate_common
    if _gate_common is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        _gate_common = frozenset(
            {w.casefold() for w in STOP_WORDS if w.casefold() not in _NAME_LIKE_STOP_WORDS}
            | _NER_STOPLIST | _GATE_CHAT_WORDS | _GATE_CALENDAR_WORDS)
    return _gate_common


# English contraction endings stripped before the common-word lookup ("You're", "Here's", "I'm",
# "Don't"); "Won't" / "Can't" / "Shan't" / "Ain't" leave a stem that is common by itself.
_CONTRACTION_RE = re.compile(r"(?:['’](?:s|re|m|ve|ll|d)|n['’]t)$", re.IGNORECASE)
_CONTRACTION_STEMS = frozenset({"wo", "ca", "sha", "ai"})
# Weekdays and months that are not also given names (April, May, June, August stay triggers).
_GATE_CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march july "
    "september october november december".split()
)


def needs_ner(ner_text: str) -> bool:
    """Whether ``ner_text`` (see :func:`ner_input`) has a capitalized word that may start a name
    or a place: not an acronym (all caps), not a single letter, not a common word (after
    stripping a contraction ending: "You're", "Here's"), not a weekday or month that is not also
    a given name."""
    if not _NAME_CHAR_RE.search(ner_text):
        return False
    common = _gate_common_words()
    for m in _CAP_WORD_RE.finditer(ner_text):
        word = m.group().rstrip("'’-")
        if "'" in word or "’" in word:
            stripped = _CONTRACTION_RE.sub("", word)
            if stripped != word and stripped.casefold() in _CONTRACTION_STEMS:
                continue
            word = stripped
        if len(word) < 2 or word.isupper():
            continue
        if word.casefold() not in common:
            return True
    return False


# The small English model often calls a person's full name an organisation ("Tomomi Nishiyama",
# "Sophie Lang", "Calquín Cazares" -> ORG). Such a span becomes PERSON when it reads like a name:
# 2-3 capitalized words, the first a given name of some Faker locale (~20k, Latin script), none an
# English stop word, an organisation word or a street word ("Morgan Stanley" still goes - masking
# an organisation is the cheap mistake here; "Rand Corporation", "Kent Street" do not).
_ORG_LIKE_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART"})
_ORG_WORDS = frozenset(
    "inc ltd llc plc gmbh corp corporation co company companies bank university college school "
    "academy hospital clinic club group foundation institute association society church airlines "
    "airways motors center centre press records studio studios labs research partners capital "
    "holdings investments systems solutions technologies services international global media "
    "network networks agency council committee department ministry office team".split())
_name_lists: dict = {}


def _faker_names(attrs: Tuple[str, ...]) -> frozenset:
    """The values of the Faker person-provider attributes ``attrs`` over every locale, Latin script
    only, capitalized, letters only (loaded once per attribute set, ~0.1 s)."""
    if attrs not in _name_lists:
        import importlib
        import pkgutil

        import faker.providers.person as person_providers

        names = set()
        for module in pkgutil.iter_modules(person_providers.__path__):
            provider = getattr(importlib.import_module(
                f"{person_providers.__name__}.{module.name}"), "Provider", None)
            for attr in attrs:
                values = vars(provider).get(attr) if provider is not None else None
                if not isinstance(values, (dict, list, tuple, set, frozenset)):
                    continue
                for name in values:
                    if (isinstance(name, str) and name[:1].isupper() and name.isalpha()
                            and max(name) < "\u0250"):  # every character below U+0250
                        names.add(name)
        _name_lists[attrs] = frozenset(names)
    return _name_lists[attrs]


def given_names() -> frozenset:
    """Given names of every Faker locale written in Latin script (loaded once, ~0.1 s)."""
    return _faker_names(("first_names", "first_names_male", "first_names_female",
                         "first_names_nonbinary", "first_romanized_names"))


def surnames() -> frozenset:
    """Surnames of every Faker locale written in Latin script (loaded once)."""
    return _faker_names(("last_names", "last_names_male", "last_names_female", "unisex_last_names",
                         "male_last_names", "female_last_names", "last_romanized_names"))


def org_span_is_person_name(value: str) -> bool:
    """Whether an ORG / PRODUCT / WORK_OF_ART span of the NER model reads like a person's name."""
    words = value.split()
    if not 2 <= len(words) <= 3 or words[0] not in given_names():
        return False
    from spacy.lang.en.stop_words import STOP_WORDS

    for word in words[1:-1]:  # a middle initial ("Nikolaj N Møller", "Ravil G. Yefimov")
        if len(word.rstrip(".")) == 1 and word[0].isupper():
            words.remove(word)
    for word in words:
        bare = word.replace("-", "").replace("'", "")
        low = word.casefold()
        if (not bare.isalpha() or not word[0].isupper() or word.isupper() or low in STOP_WORDS
                or low in _ORG_WORDS or low in _NER_STOPLIST
                or word in pp.STREET_SUFFIXES_ALL):
            return False
    return True
