"""English names that NER misses but their surroundings give away (entity type PERSON, mode ``presidio``).

NER reads a few tokens either side and knows the names it was trained on; a rare name alone
("Shovda is very reliable", "said Erle to Maurice"), a surname alone ("says Lugo") or a name in a
list ("our 3 founders: Eklund, Michael and Hodge") is often left out or called an organisation.
After NER and the patterns, :func:`person_cue_spans` adds:

* **a name next to a person cue** (:data:`CUES_BEFORE`, :data:`CUES_AFTER`): a verb or phrase that
  only people go with - "said", "shouted at", "my kid", "calls me", "X lives on", "X had given",
  "X's wife", "the X novel", "Name, can I ..." (a name called out at the start). The name is 1-3
  name words (a middle initial allowed); in lower case only after the strong naming cues ("my
  name is adam", "maiden name is nyberg", "call me višeslav") or as a signature ("- tracy").
* **a dialogue**: speaker labels at the start of two or more lines, one of them a given name
  ("Vinka: What a wife.\nLisa: Remember ...").
* **a list of names** ("A, B and C", "A and B"): when one member is already a PERSON span, or at
  least two members are given names or surnames, every member is a name. A list with a place or
  another non-person span in it is a list of places or things, and is skipped.

Every candidate word must read like a name (:func:`reads_like_name`): no common word (stop words,
:data:`transforms.scrub.patterns.EN_NOT_NAME_WORDS`, Faker's English words, brands), and either a
given name or surname of some Faker locale, or no English dictionary word (the spaCy model's
WordNet index): "ask Google" and "tell Python" stay, "ask Tracy" and "said Erle" go.

Other mentions of a detected name (the surname alone after the full name) are added by
:func:`transforms.scrub.replacement.with_repeats`, the same rule the replacement uses.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Sequence, Tuple

from transforms.scrub.name_shapes import _common_words
from transforms.scrub.patterns import EN_NOT_NAME_WORDS
from transforms.scrub.ner_gate import given_names, needs_ner, surnames
from transforms.scrub.spans import PiiSpan

CUE_SCORE = 0.6
LIST_SCORE = 0.55

# A name word in any European Latin script: "Jónás", "O'Neil", "Hauta-aho", "McKenzie".
_UP = r"A-ZÀ-ÖØ-Þ\u0100-\u017E"
_LO = r"a-zß-öø-ÿ\u0100-\u017F"
_CAP_WORD = r"(?:Mc|Mac|O['’])?[" + _UP + r"][" + _LO + r"]+(?:[\-'’][" + _UP + _LO + r"][" + _LO + r"]+)?"
_LOW_WORD = r"[" + _LO + r"]{2,}(?:[\-'’][" + _LO + r"]{2,})?"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|la|le|ter|ten|bin|al|el)"
_INITIAL = r"[" + _UP + r"]\.?"
# 1-3 name words: "Ravil G Yefimov", "Maika van de Noort", "Juliusz A. Kwiatkowski"
_CAP_NAME = (r"(?P<name>" + _CAP_WORD + r"(?:[ ](?:" + _INITIAL + r"[ ])?(?:" + _PARTICLE + r"[ ]){0,2}"
             + _CAP_WORD + r"){0,2})")
_LOW_NAME_BODY = _LOW_WORD + r"(?:[ ](?:[a-z]\.?[ ])?" + _LOW_WORD + r")?"
_LOW_NAME = r"(?P<lname>" + _LOW_NAME_BODY + r")"
_LOW_KNOWN_NAME = r"(?P<kname>" + _LOW_NAME_BODY + r")"
_B = r"(?<![\w'’])"  # a word starts here
_E = r"(?![\w])"

# Cues written before the name.
CUES_BEFORE = (
    r"said|says|shouted[ ]at|yelled[ ]at|screamed[ ]at|asked|told|tell|ask|married|marry|met|meet|hi|hello|hey"
    r"|texted|emailed|hug(?:ged)?|kissed|thanked|(?:speak|spoke|talk|talked|chat|chatted)[ ](?:to|with)"
    r"|heard|starring|featuring|feat\.|(?:directed|written|produced|painted|composed|sung)[ ]by"
    r"|named[ ](?:him|her|them)|calls?[ ]me"
    r"|my[ ](?:kid|son|daughter|child|wife|husband|partner|fianc[ée]e?|boyfriend|girlfriend|brother"
    r"|sister|friend|cousin|uncle|aunt|nephew|niece|grandson|granddaughter|grandma|grandpa|mom|mum"
    r"|dad|mother|father|boss|colleague|coworker|co-worker|neighbou?r|roommate|classmate|teacher"
    r"|doctor|lawyer|manager|client|patient|student|tenant|landlord)"
)
# Cues written after the name.
CUES_AFTER = (
    r"said|says|shouted|yelled|whispered|replied|answered|told|asked|wrote|writes|lives|lived"
    r"|spent|began|begins|started|grew[ ]up|was[ ]born|died|passed[ ]away|got[ ]married|is[ ]married"
    r"|had[ ]given|has[ ]given|will[ ]be[ ](?:talking|speaking|presenting)|is[ ]from|was[ ]from"
    r"|is[ ](?:a[ ])?very[ ](?:reliable|kind|nice|sympathetic|friendly|helpful|smart|talented)"
    r"|(?:is|was)[ ]so[ ](?:impulsive|kind|nice|rude|funny|smart|mean|sweet)"
)
_POSSESSED = (r"kid|kids|son|daughter|children|wife|husband|partner|boyfriend|girlfriend|brother|sister"
              r"|friend|friends|mother|father|mom|dad|parents|family|killers?|murderers?|funeral|birthday"
              r"|wedding|house|home|address|phone|email")
_WORK = r"novel|book|concert|song|album|film|movie|version|biography|memoir|poem|painting|show|tour"
# Strong naming cues that also take a lower-case name ("my name is adam").
_STRONG_LOWER = (r"(?:my|her|his|your)[ ](?:first[ ]|last[ ]|maiden[ ]|real[ ]|full[ ])?name[ ]is"
                 r"|(?:maiden|last|first)[ ]name[ ]is|surname[ ]is|calls?[ ]me|my[ ]name['’]s"
                 r"|i[ ]am[ ]called|people[ ]call[ ]me")

# One regex per kind of cue, with a ``name`` group (capitalized), an ``lname`` group (lower case
# after a strong cue: any name-like word), a ``kname`` group (lower case after a weak cue: a
# given name or surname of the lexicon only, "ask tracy" but not "sung by salarymen") or a
# ``gname`` group (a name called out: the lexicon only, "Danial, can I" but not "Nope, I").
# Each set runs only on the texts that can hold its kind of name (see :func:`_cue_spans`).
CAPITALIZED_CUE_RES = tuple(re.compile(pattern, re.MULTILINE) for pattern in (
    _B + r"(?i:" + CUES_BEFORE + r")[ ]" + _CAP_NAME + _E,
    _B + r"(?i:said|says|shouted|yelled)[ ]" + _CAP_WORD + r"[ ]to[ ]" + _CAP_NAME + _E,
    _B + r"(?i:the|a|an)[ ]" + _CAP_NAME + r"[ ](?i:" + _WORK + r")" + _E,
    _B + _CAP_NAME + r"(?:['’]s)?[ ](?:" + CUES_AFTER + r")" + _E,
    _B + _CAP_NAME + r"['’]s[ ](?:" + _POSSESSED + r")" + _E,
    r"(?:^|(?<=\n))[ \t]*" + _CAP_NAME.replace("?P<name>", "?P<gname>")
    + r",[ ](?:can|could|would|will|please|do|did|are|have|I|you|we)" + _E,
))
STRONG_LOWER_CUE_RES = tuple(re.compile(pattern, re.MULTILINE) for pattern in (
    _B + r"(?i:" + _STRONG_LOWER + r")[ ]" + _LOW_NAME + _E,
    r"(?:^|(?<=\n))[ \t]*[-–—~][ ]?" + _LOW_NAME + r"[ \t]*(?=\n|$)",  # a signature: "- tracy"
))
_STRONG_LOWER_PREFILTER_RE = re.compile(r"(?i:name|call)|^[ \t]*[-–—~]", re.MULTILINE)
KNOWN_LOWER_CUE_RES = tuple(re.compile(pattern, re.MULTILINE) for pattern in (
    _B + r"(?:" + CUES_BEFORE + r")[ ]" + _LOW_KNOWN_NAME + _E,
    _B + _LOW_KNOWN_NAME + r"[ ](?:" + CUES_AFTER + r")" + _E,
))

# "A, B and C", "A and B" (capitalized or all lower case members of 1-2 words).
_LIST_CAP_MEMBER = _CAP_WORD + r"(?:[ ]" + _CAP_WORD + r")?"
_LIST_LOW_MEMBER = _LOW_WORD
NAME_LIST_RE = re.compile(
    _B + r"(?P<cap>" + _LIST_CAP_MEMBER + r"(?:,[ ]" + _LIST_CAP_MEMBER + r")*,?[ ](?:and|&)[ ]"
    + _LIST_CAP_MEMBER + r")" + _E
    + r"|" + _B + r"(?P<low>" + _LIST_LOW_MEMBER + r"(?:,[ ]" + _LIST_LOW_MEMBER + r"){1,},?[ ]and[ ]"
    + _LIST_LOW_MEMBER + r")" + _E
)
_LIST_SPLIT_RE = re.compile(r",[ ](?:(?:and|&)[ ])?|[ ](?:and|&)[ ]")


def _in_dictionary(low: str, dictionary: frozenset) -> bool:
    return low in dictionary or (low.endswith("s") and low[:-1] in dictionary)


def reads_like_name(word: str, dictionary: frozenset) -> bool:
    """Whether one word can be a name: no common word, and a given name or surname of some Faker
    locale or no English dictionary word (``dictionary``: :func:`.name_shapes.english_words`)."""
    low = word.casefold().rstrip(".")
    if len(low) < 2 or low in _common_words():
        return False
    title = low[:1].upper() + low[1:]
    return title in given_names() or title in surnames() or not _in_dictionary(low, dictionary)


def _name_words(value: str) -> List[str]:
    return [w for w in value.split(" ") if len(w.rstrip(".")) > 1 and not re.fullmatch(_PARTICLE, w)]


def _in_lexicon(word: str) -> bool:
    title = word[:1].upper() + word[1:]
    return title in given_names() or title in surnames()


def _cue_spans(text: str, dictionary: frozenset, capitalized: bool) -> Iterable[Tuple[int, int]]:
    """Names next to a cue. ``capitalized``: the text has a capitalized word that may be a name
    (:func:`.ner_gate.needs_ner`); lower-case names after a weak cue are looked for only in text
    written all in lower case."""
    regexes = list(CAPITALIZED_CUE_RES) if capitalized else []
    if _STRONG_LOWER_PREFILTER_RE.search(text):
        regexes += STRONG_LOWER_CUE_RES
    if not any(ch.isupper() for ch in text):
        regexes += KNOWN_LOWER_CUE_RES
    for regex in regexes:
        group = next(g for g in ("name", "gname", "lname", "kname") if g in regex.groupindex)
        for m in regex.finditer(text):
            words = _name_words(m.group(group))
            if words and all(reads_like_name(w, dictionary) for w in words) and (
                    group not in ("kname", "gname") or _in_lexicon(words[0])):
                yield m.start(group), m.end(group)


def _list_member_word(word: str, dictionary: frozenset) -> bool:
    """A word of a list member: name-like, or a capitalized given name / surname that is also a
    word ("Graves, Reed and White")."""
    return reads_like_name(word, dictionary) or (
        word[:1].isupper() and _in_lexicon(word) and word.casefold() not in EN_NOT_NAME_WORDS)


def _list_spans(text: str, found: Sequence[PiiSpan], dictionary: frozenset) -> Iterable[Tuple[int, int]]:
    for m in NAME_LIST_RE.finditer(text):
        group = "cap" if m.group("cap") is not None else "low"
        start = m.start(group)
        members: List[Tuple[int, int]] = []
        pos = start
        for sep in _LIST_SPLIT_RE.finditer(m.group(group)):
            members.append((pos, start + sep.start()))
            pos = start + sep.end()
        members.append((pos, m.end(group)))
        first = members[0]
        while " " in text[first[0]:first[1]] and (
                text[first[0]:first[1]].split(" ")[0].casefold() in _common_words()):  # "Yesterday Alice and Bob"
            first = (first[0] + text[first[0]:first[1]].index(" ") + 1, first[1])
        members[0] = first
        others = [s for s in found if s.entity_type != "PERSON"]
        if any(s.start < e and b < s.end and not any(_in_lexicon(w) for w in text[b:e].split(" "))
               for b, e in members for s in others):
            continue  # a list of places / things (NER may call a surname a place: "Nakamura")
        if not all(_list_member_word(w, dictionary) for b, e in members for w in text[b:e].split(" ")):
            continue
        people = any(s.entity_type == "PERSON" and s.start < e and b < s.end
                     for b, e in members for s in found)
        known = sum(1 for b, e in members if any(_in_lexicon(w) for w in text[b:e].split(" ")))
        if people or known >= (1 if group == "cap" else 2):
            yield from members


# "Vinka: What a wife." - a speaker label at the start of a line.
_SPEAKER_RE = re.compile(r"(?:^|(?<=\n))[ \t>]*(?P<name>" + _CAP_WORD + r"(?:[ ]" + _CAP_WORD + r")?)[ ]?:",
                         re.MULTILINE)


def _dialogue_spans(text: str, dictionary: frozenset) -> Iterable[Tuple[int, int]]:
    """Speaker labels of a dialogue: two or more labelled lines, one label a given name."""
    if text.count(":") < 2:
        return []
    labels = [m.span("name") for m in _SPEAKER_RE.finditer(text)
              if all(reads_like_name(w, dictionary) for w in m.group("name").split(" "))]
    if len(labels) < 2 or not any(text[b:e].split(" ")[0] in given_names() for b, e in labels):
        return []
    return labels


def person_cue_spans(text: str, found: Sequence[PiiSpan], dictionary: frozenset) -> List[PiiSpan]:
    """PERSON spans of ``text`` (the NER input: code blanked) that its cues and lists give away
    (see module docstring); ``found``: what the other detectors found."""
    capitalized = needs_ner(text)
    spans = [PiiSpan("PERSON", s, e, CUE_SCORE) for s, e in _cue_spans(text, dictionary, capitalized)]
    if capitalized:
        spans += [PiiSpan("PERSON", s, e, CUE_SCORE) for s, e in _dialogue_spans(text, dictionary)]
    if capitalized or ("," in text and not any(ch.isupper() for ch in text)):
        spans += [PiiSpan("PERSON", s, e, LIST_SCORE)
                  for s, e in _list_spans(text, list(found) + spans, dictionary)]
    return spans
