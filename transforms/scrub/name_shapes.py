"""English names that NER misses because of how they are written (entity type PERSON).

* Lower case ("follow up with patricia desrosiers", "my name is borna jerković"): spaCy's small
  model finds no name without a capital, and the NER span cleaner drops lower-case spans.
  :func:`cased_copy` writes a copy of the NER input with the name candidates capitalized - a
  lower-case word that is a given name of some Faker locale (:func:`given_names`) and no English
  word (the spaCy model's dictionary, :func:`english_words`; :data:`COMMON_WORD_NAMES`, spaCy's
  stop words, Faker's English word list, the NER stop lists), plus the word after it (the surname) and a middle initial - so that NER,
  which still reads the context, decides. Same length, so its spans map back unchanged. Only texts
  with such a candidate get the copy (the NER gate sends no other lower-case text to spaCy).
* Name lines (:data:`NAME_LINE_RULES`, both modes): a line that is only a given name and one or two
  more name words (or name words ending in a surname; particles allowed: "Maika van de Noort"), as in a signature or an address block (">Rolando Lettiere\\n>Caspio\\n>..."),
  where NER sees the line alone; and a given name as a speaker label ("Destiny: Remember me").
* Titles (:func:`with_title`): "Dr." / "Mrs." / "Prof." before a name belong to the name's span.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub import patterns as pp
from transforms.scrub.ner_gate import _NER_STOPLIST, given_names, surnames
from transforms.scrub.patterns.rules import rule

# Given names that are also ordinary English words, beyond the stop-word and word lists below:
# written in lower case they are the word ("a rose", "by grace", "my mark").
COMMON_WORD_NAMES = frozenset(
    "rose grace mark bill frank joy faith dawn ruby pearl iris lily daisy holly ivy jade amber "
    "crystal sky river storm king love sunny autumn june april may august christian hunter miles "
    "drew lane dale jack pat ray rob rich nick max dean don earl victor royal angel star cash "
    "penny robin jewel ginger candy misty destiny harmony melody heaven trinity liberty journey "
    "genesis sage reed brook cliff glen heath forest stone wolf jay lark dove charity patience "
    "prudence constance mercy justice honor aurora luna nova norma will gay hardy rusty dusty buddy "
    "baby bud chip chuck doc duke fern gale hazel heather hope kay mason olive page rod sandy "
    "sterling ward win".split()
)
_TITLES = r"(?i:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|rev|fr|sr|sgt|capt|col|gen|lt|cmdr)"
_TITLE_BEFORE_RE = re.compile(r"(?<![\w])" + _TITLES + r"\.?[ ]$")
_WORD_RE = re.compile(r"[^\W\d_][\w'’\-]*")
_common: Optional[frozenset] = None


def _common_words() -> frozenset:
    global _common
    if _common is None:
        from faker.providers.lorem.en_US import Provider as EnglishWords
        from spacy.lang.en.stop_words import STOP_WORDS

        _common = frozenset(STOP_WORDS | set(EnglishWords.word_list) | pp.EN_NOT_NAME_WORDS
                            | _NER_STOPLIST | COMMON_WORD_NAMES)
    return _common


def english_words(nlp) -> frozenset:
    """The English dictionary words of a spaCy pipeline's lemmatizer (WordNet's index, 83k words
    in en_core_web_sm): a given name that is also a word ("worth", "golden", "grace") is no name
    when written in lower case. Empty when the pipeline has no lookup lemmatizer."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, AttributeError, ValueError):
        return frozenset()
    return frozenset(word for pos in table.keys() for word in table[pos])


def _is_name_candidate(word: str, dictionary: frozenset) -> bool:
    """A lower-case word that is a given name and no common or dictionary word."""
    return (len(word) >= 3 and word.islower() and word not in dictionary
            and word not in _common_words() and word[0].upper() + word[1:] in given_names())


def _capitalize(chars: list, start: int) -> None:
    upper = chars[start].upper()
    if len(upper) == 1:  # keeps the length ("ß" would become "SS")
        chars[start] = upper


def cased_copy(ner_text: str, dictionary: frozenset = frozenset()) -> Optional[str]:
    """``ner_text`` with its lower-case name candidates capitalized (see module docstring), or None
    when it has none. ``dictionary``: English words that are no candidates (:func:`english_words`)."""
    if not any(ch.islower() for ch in ner_text):
        return None
    words = list(_WORD_RE.finditer(ner_text))
    chars: Optional[list] = None
    for i, word in enumerate(words):
        if not _is_name_candidate(word.group(), dictionary):
            continue
        if chars is None:
            chars = list(ner_text)
        _capitalize(chars, word.start())
        # the surname (and a middle initial before it) right after the given name
        j = i + 1
        if j < len(words) and len(words[j].group()) == 1 and words[j].start() == words[i].end() + 1:
            _capitalize(chars, words[j].start())
            j += 1
        if (j < len(words) and words[j].group().islower() and len(words[j].group()) >= 2
                and words[j].group() not in _common_words()
                and ner_text[words[j - 1].end():words[j].start()] in (" ", ". ")):
            _capitalize(chars, words[j].start())
    return "".join(chars) if chars is not None else None


def with_title(text: str, start: int) -> int:
    """The start of a name span at ``start`` moved back over a title right before it ("Dr. ")."""
    title = _TITLE_BEFORE_RE.search(text, max(0, start - 6), start)
    return title.start() if title else start


# -- name lines -------------------------------------------------------------------------------------
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ\u0100-\u024F'’\-]+"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|la|le|ter|ten)"
NAME_LINE_RE = re.compile(
    r"^[ \t>?*\-]*(?P<name>" + _NAME_WORD + r"(?:[ ](?:[A-Z]\.?|" + _PARTICLE + r"|" + _NAME_WORD
    + r")){1,3})[ \t]*$"
    r"|^[ \t>]*(?P<speaker>" + _NAME_WORD + r")[ ]?:[ ]?[\"“A-Z]", re.MULTILINE)


# Words that label a line without naming anyone ("Note:", "Summary:", "User:").
_LABEL_WORDS = pp.EN_NOT_NAME_WORDS | _NER_STOPLIST | frozenset(
    "note notes summary user bot assistant system human question answer example input output "
    "tip warning error result title subject date time location address phone email name".split())


def _name_line_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    group = "name" if match.group("name") is not None else "speaker"
    words = match.group(group).split(" ")
    # a speaker label is a name by its shape ("Heather: ..."); a bare line needs a rarer word
    stop = _LABEL_WORDS if group == "speaker" else _common_words()
    # a line: a given name first or a surname last ("Maha Cazares", "Maika van de Noort")
    known = words[0] in given_names() or (group == "name" and words[-1] in surnames())
    if not known or words[0].casefold() in stop:
        return None
    for word in words[1:]:
        low = word.casefold().rstrip(".")
        if re.fullmatch(_PARTICLE, word):
            continue
        if len(low) > 1 and (low in _common_words() or word in pp.STREET_SUFFIXES_ALL):
            return None
    return match.start(group), match.end(group), 0.6


NAME_LINE_RULES = (
    rule("name on a line of its own / speaker label", NAME_LINE_RE.pattern, 0.6, refine=_name_line_span,
         flags=re.MULTILINE, prefilter=r"[A-Z][a-z]"),
)
