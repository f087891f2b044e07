"""The rest of a postal address (entity type ADDRESS): the lines after a street, and the address
forms that have no street name at all.

An address is written as a block: the street, then a unit, the town, a state or region, the country
and the postcode, on their own lines or after commas, in any order and any script
("3378 217 Lovers Lane\\n Suite 680\\n Port Whangarei\\n New Zealand 15896"). A street rule of
:mod:`.address` finds the street; :func:`address_block_span` then takes the house numbers written
before it ("6750 Koskikatu 25": building number, then the street number after the name) and the
address lines that follow it (:func:`address_lines_end`).

Forms without a street name, each one rule:
  military   "PSC 3294, Box 9168 / APO AA 61487", "Unit 1293 Box 4311 DPO AE 01708",
             "USNS Saibara / FPO AP 12428" (US military post: APO / FPO / DPO + AA / AE / AP + ZIP)
  P.O. box   "P.O. Box 104", "PO Box 5", "Post Office Box 12"
  no street  "0138 Brisas 6802 / Suite 084 / ...": a house number, 1-3 name words (any script) and a
  word       number, taken only when address lines (a unit, a town, a postcode) follow it
  lowercase  "42 oak street", "36 rue de pologne" (also "14 Rue de la Paix"), "hegyalja út 98": lower-case streets need a street
             word (a common USPS suffix after the name, or a street word before it) and no common word
             among the name words ("2 blocks down the road" is none)
  postcode   "my zip code is 90010-170", "ZIP: 1098": a postcode after its label
  corner     "the corner of Dalbraut 99 and Frederikke Coves": both sides, the first with a number or
             a street word, the second ending at one
  phrase     "lives on Rua Diadema 1903", "drops you off at 87818 Dalmatinova 68 St.": name words and a
             number right after an address phrase (lives on / at, address is, located at, ...)

Address lines may carry quote marks (">", "|", "???"); after a blank line only a last line is
taken ("\n\n Estonia 62488": country or town + postcode, a unit, a postcode).

Pure Python; word lists are data (:data:`EN_NOT_NAME_WORDS` of :mod:`.names` stops an address line:
"42 Oak Street, Thanks" ends at the street).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub.patterns.names import _EN_PLACE_LEADS, EN_NOT_NAME_WORDS
from transforms.scrub.patterns.rules import rule

MAX_ADDRESS_LINES = 5  # lines / comma parts after the street: unit, town, state, country, postcode
MAX_LINE_WORDS = 4
# Where the next address line starts: a comma and / or a line break (e-mail quote marks allowed).
# Quote marks at the start of a line: e-mail ">", "|", and "???" (a bullet lost to an encoding).
_QUOTE = r"(?:>|\||\?{3})"
_LINE_BREAK_RE = re.compile(r"[ \t]*(?:,[ \t]*(?:\n[ \t]*" + _QUOTE + r"?[ \t]*)?"
                            r"|\n(?:[ \t]*" + _QUOTE + r"?[ \t]*\n)?[ \t]*" + _QUOTE + r"?[ \t]*(?:,[ \t]*)?)")
# After a blank line only the last line of an address: "Estonia 62488", "Apt. 050" or a postcode.
_LAST_LINE_RE = re.compile(r"[^\W\d_][\w'’.()\-]*(?:[ ][^\W\d_][\w'’.()\-]*){0,2}[ ]"
                           r"(?:[0-9]{3}[ ][0-9]{2}|[0-9]{4,6}(?:-[0-9]{3,4})?)[ \t]*(?=\n|$|[.?!,]\s)")
_UNIT_WORDS = r"(?i:apt\.?|apartment|suite|ste\.?|unit|room|rm\.?|floor|fl\.?|flat|box|bldg\.?|building)"
_UNIT_LINE_RE = re.compile(_UNIT_WORDS + r"[ ]?#?[ ]?[0-9][0-9A-Za-z\-]{0,5}(?![\w])")
_UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}"
# a postcode ends its line part: "416 60 039 office" is a phone number
_POSTCODE_RE = re.compile(r"(?:[0-9]{3}[ ][0-9]{2}|[0-9]{4,6}(?:-[0-9]{4})?|" + _UK_POSTCODE
                          + r")(?![\w]|[ \-.][0-9])")
_REGION_CODE_RE = re.compile(r"(?:[A-Z]{2}|[a-z]{2})(?![\w])")
# A word of a town / region / country line, any script; "(Greek)" and "St." allowed.
_PLACE_WORD_RE = re.compile(r"\(?[^\W\d_][\w'’.\-]*\)?")
# Short words inside place names written in lower case ("Ostrov nad Ohrí", "Stratford upon Avon").
_PLACE_PARTICLES = frozenset("nad pod de la le du del der den di da do dos das van von am an upon on "
                             "y e i u z".split())


_LINE_DONE_RE = re.compile(r"[ \t]*(?:[,\n]|$|[.?!](?:\s|$))")


def _place_words_end(text: str, pos: int, own_line: bool) -> int:
    """End of the town / region / country words at ``pos`` (``pos`` when there are none). After a
    comma or a space the words must be capitalized; on a line of their own they may be lower case
    ("\ncyprus (greek) 26933"), but then they must fill the line. Common words end the place
    ("Springfield and ...")."""
    end = pos
    words = 0
    lower = False
    while words < MAX_LINE_WORDS:
        m = _PLACE_WORD_RE.match(text, pos)
        if m is None:
            break
        word = m.group().strip("()’'").rstrip(".")
        low = re.split(r"['’]", word.casefold())[0]  # "I'm", "we're": the pronoun
        if not word or low in EN_NOT_NAME_WORDS and not (
                words == 0 and low in _EN_PLACE_LEADS and _PLACE_WORD_RE.match(text, m.end() + 1)):
            break  # "New Zealand", "Port Louis" start with a common word
        if not word[0].isupper():
            if not own_line and not (words and low in _PLACE_PARTICLES):
                break
            lower = True
        # a "." ends the sentence unless it ends an abbreviation ("St.", "Mt.")
        end = m.end() if not m.group().endswith(".") or len(word) <= 3 else m.end() - 1
        words += 1
        if end < m.end() or not text.startswith(" ", end) or text.startswith("  ", end):
            break
        pos = end + 1
    if lower:
        code = _POSTCODE_RE.match(text, end + 1) if text.startswith(" ", end) else None
        if not _LINE_DONE_RE.match(text, code.end() if code else end):
            return -1
    return end


def _address_line_end(text: str, pos: int, own_line: bool) -> int:
    """End of one address line at ``pos``: a unit, a region code, a postcode, or place words with
    an optional postcode after them; ``pos`` when none of these is there."""
    for regex in (_UNIT_LINE_RE, _POSTCODE_RE):
        m = regex.match(text, pos)
        if m:
            return m.end()
    m = _REGION_CODE_RE.match(text, pos)
    if m and (own_line or m.group().isupper()):
        end = m.end()
        code = _POSTCODE_RE.match(text, end + 1) if text.startswith(" ", end) else None
        return code.end() if code else end
    end = _place_words_end(text, pos, own_line)
    if end < 0 or text.startswith(":", end):
        return pos  # lower-case words that do not fill their line (a sentence), a label ("Mobile:")
    if end > pos and text.startswith(" ", end):
        code = _POSTCODE_RE.match(text, end + 1)
        if code:
            return code.end()
    return end


def address_lines_end(text: str, end: int, after_unit: bool = False) -> Tuple[int, int]:
    """Where the address lines that follow an address part ending at ``end`` stop, and how many
    lines were taken. A line starts after a comma or a line break; right after a unit, place words
    may also follow a plain space ("Suite 451 HUTTON HENRY", "Apt. 405 Sindi PR")."""
    lines = 0
    while lines < MAX_ADDRESS_LINES:
        sep = _LINE_BREAK_RE.match(text, end)
        if sep is not None:
            start = sep.end()
            own_line = "\n" in sep.group()
        elif text.startswith(" ", end) and (after_unit or _UNIT_LINE_RE.match(text, end + 1)):
            start, own_line = end + 1, False  # "Calcirelli 13 Suite 694", "Apt. 405 Sindi PR"
        else:
            break
        if sep is not None and sep.group().count("\n") > 1:  # a blank line before this one
            last = _LAST_LINE_RE.match(text, start) or _UNIT_LINE_RE.match(text, start) \
                or _POSTCODE_RE.match(text, start)
            line_end = last.end() if last else start
        else:
            line_end = _address_line_end(text, start, own_line)
        if line_end <= start:
            break
        after_unit = bool(_UNIT_LINE_RE.fullmatch(text, start, line_end))
        end = line_end
        lines += 1
    return end, lines


_LEADING_NUMBER_RE = re.compile(r"(?<![\w.,:/#$€£\-])[0-9]{1,6}[A-Za-z]?[ ]$")


def address_block_span(text: str, start: int, end: int, score: float) -> Tuple[int, int, float]:
    """A street found at ``[start, end)`` with the house numbers before it and the address lines
    after it; the score rises to 0.85 when lines follow."""
    while True:  # "19607 107 Igias Street", "6750 Koskikatu 25": building and street numbers
        lead = _LEADING_NUMBER_RE.search(text, max(0, start - 8), start)
        if lead is None:
            break
        start = lead.start()
    after_unit = bool(re.search(_UNIT_WORDS + r"[ ]?#?[ ]?[0-9][0-9A-Za-z\-]{0,5}$", text[start:end]))
    new_end, lines = address_lines_end(text, end, after_unit)
    return start, new_end, max(score, 0.85) if lines else score


# -- address forms without a street name -----------------------------------------------------------
_MILITARY_POST = r"(?i:[AFD]PO)[ ](?:AA|AE|AP|aa|ae|ap)[ ][0-9]{5}(?![\w])"
MILITARY_ADDRESS_RE = re.compile(
    r"(?<![\w])(?:(?i:psc|cmr|unit)[ ][0-9]{3,5},?[ ](?i:box)[ ][0-9]{3,5}"
    r"|(?:USNS|USNV|USS|USCGC|usns|usnv|uss|uscgc)[ ][^\W\d_][\w'’\-]*(?:[ ][^\W\d_][\w'’\-]*)?)"
    r"(?:[ \t]*(?:,[ \t]*|\n[ \t>]*|[ ]))" + _MILITARY_POST
    + r"|(?<![\w])" + _MILITARY_POST
)
PO_BOX_RE = re.compile(r"(?<![\w])(?i:p\.?[ ]?o\.?[ ]?box|post[ ]office[ ]box)[ ]#?[0-9]{1,6}(?![\w])")
# "0138 Brisas 6802": number, 1-3 capitalized name words in any script, number (lines must follow)
_NAME_WORD = r"[^\W\d_][\w'’\-]*"
NUMBER_NAME_NUMBER_RE = re.compile(
    r"(?<![\w.,:/#$€£\-])[0-9]{1,6}[ ](?P<name>" + _NAME_WORD + r"(?:[ ]" + _NAME_WORD + r"){0,2})"
    r"[ ][0-9]{1,4}[A-Za-z]?(?![\w])")
_LOWER_SUFFIX = (r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl"
                 r"|terrace|parkway|pkwy|highway|hwy|circle|square|trail|crescent|close|alley)")
LOWERCASE_STREET_RE = re.compile(
    r"(?<![\w.,:/#$€£\-])(?P<num>[0-9]{1,6}[a-z]?)[ ](?P<name>[a-z][a-z'’\-]+(?:[ ][a-z][a-z'’\-]+){0,2})"
    r"[ ]" + _LOWER_SUFFIX + r"\.?(?![\w])"
    r"|(?<![\w])(?:rue|via|viale|calle|avenida|avda\.|rua|ul\.|piazza|plaza|paseo|carrer)"
    r"(?P<iname>(?:[ ][a-zà-ÿ][a-zà-ÿ'’\-]*){1,4})[ ][0-9]{1,4}[a-z]?(?![\w])"
    r"|(?<![\w.,:/#$€£\-])[0-9]{1,4}[a-z]?,?[ ](?i:rue|avenue|boulevard|bd|chemin|allée|impasse|quai)"
    r"(?P<fname>(?:[ ][a-zà-ÿ][a-zà-ÿ'’\-]*){0,3}[ ][A-Za-zÀ-ÿ][a-zà-ÿ'’\-]*)"
    r"|(?<![\w])[a-zà-ÿ][a-zà-ÿ'’\-]+[ ](?:út|utca|tér|vej|gade|gatan|katu|straße|strasse|laan|straat)"
    r"[ ][0-9]{1,4}[a-z]?(?![\w])"
)
# Words that follow a number without making a street ("10 minute walk", "a 2 lane road").
_NOT_STREET_NAME_WORDS = frozenset("minute minutes hour hours mile miles block blocks step steps day days "
                                   "week weeks year years time times lane lanes car cars km meter meters "
                                   "way ways door doors story stories storey floor floors".split())


# "the corner of Dalbraut 99 and Frederikke Coves": an intersection. Each side 1-5 words (numbers
# and abbreviations allowed); the first side needs a number or a street word, the second side ends
# at a street word or a number ("... and Alexander Flat?").
_SIDE_WORD = r"[\w'’./\-]+"
CORNER_RE = re.compile(
    r"(?<![\w])(?i:(?:the[ ])?corner[ ]of)[ ](?P<a>" + _SIDE_WORD + r"(?:[ ]" + _SIDE_WORD + r"){0,4}?)"
    r"[ ](?:and|&)[ ](?P<b>" + _SIDE_WORD + r"(?:[ ]" + _SIDE_WORD + r"){0,3})(?=[.,;:?!]?(?:\s|$))")
_STREET_WORDS_LOWER = frozenset(
    "street st str str. avenue ave av road rd lane ln drive dr boulevard blvd court ct place pl terrace "
    "way parkway highway circle square trail crescent close alley loop row plaza pike turnpike route "
    "mall flat flats forges forge greens green coves cove courts parks park pass bypass union rapids "
    "summit dam forks fork junction path walk gardens grove ridge hill hills heights crossing "
    "extension extensions meadows points islands glen glens estates harbor ville vista views "
    "ul. ul rue via calle rua gate gata gatan vej katu utca út u. tér körút".split())


def _street_word_or_number(word: str) -> bool:
    low = word.casefold()
    return any(ch.isdigit() for ch in word) or low in _STREET_WORDS_LOWER or low.rstrip(".") in _STREET_WORDS_LOWER


def _corner_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    side_a = match.group("a").split(" ")
    if not any(_street_word_or_number(w) for w in side_a):
        return None  # "the corner of my eye and ..."
    words = match.group("b").split(" ")
    last = max((i for i, w in enumerate(words) if _street_word_or_number(w.rstrip(".,"))), default=-1)
    if last < 0 or any(w.casefold() in EN_NOT_NAME_WORDS for w in words[:last + 1]):
        return None
    end = match.start("b") + len(" ".join(words[:last + 1]))
    return match.start(), end, 0.85


# A street with the number after its name right after an address phrase ("lives on Rua Diadema
# 1903", "his address: 329 Arenales 9462", "drops you off at 87818 Dalmatinova 68 St."): 1-4 name
# words in any script, then a number that ends the phrase (or "St." / "street" follows).
_ADDRESS_PHRASE = (r"(?i:lives?[ ](?:on|at)|living[ ](?:on|at)|address(?:[ ]is|:)|located[ ]at"
                   r"|drops?[ ]you[ ]off[ ]at|side[ ]of|stop[ ]at|sent[ ]to|send[ ]it[ ]to"
                   r"|(?:office|restaurant|station|shop|store|house|apartment|flat|home)[ ]is[ ](?:at|on)"
                   r"|ship(?:ped)?[ ]to|deliver(?:ed)?[ ]to|moved[ ]to|refers[ ]to)")
STREET_AFTER_PHRASE_RE = re.compile(
    r"(?<![\w])" + _ADDRESS_PHRASE + r"[ ]+(?P<v>(?:[0-9]{1,6}[ ])?(?P<name>(?:[^\W\d_][\w'’.\-]*[ ]){1,4})"
    r"[0-9]{1,5}[A-Za-z]?\.?)(?=(?:[ ](?i:st\.|street))?(?:[.,;?!]?(?:\s|$)))")


def _street_after_phrase_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    words = match.group("name").split()
    if not words[0][0].isupper() or any(w.casefold() in EN_NOT_NAME_WORDS for w in words):
        return None  # "lives at the 2", "is at level 3"
    end = match.end("v") - (1 if match.group("v").endswith(".") else 0)
    return address_block_span(match.string, match.start("v"), end, 0.6)


# "my zip code is 90010-170", "ZIP: 1098", "postcode: SW1A 1AA": a postcode with its label.
POSTCODE_LABEL_RE = re.compile(
    r"(?<![\w.])(?:(?i:zip[ ]?code|post(?:al)?[ ]?code)(?:[ ](?i:is))?[ \t]*:?|(?i:zip)[ \t]*:)[ \t]*"
    r"(?P<v>[0-9]{3,5}(?:[ \-][0-9]{2,4})?|" + _UK_POSTCODE + r"|[A-Z][0-9][A-Z][ ]?[0-9][A-Z][0-9])(?![\w])")


def _no_street_name_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    words = match.group("name").split(" ")
    if not all(w[0].isupper() and w.casefold() not in EN_NOT_NAME_WORDS for w in words):
        return None
    start, end, score = address_block_span(match.string, match.start(), match.end(), 0.5)
    return (start, end, score) if score > 0.5 else None  # only with address lines after it


def _lowercase_street_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    name = match.group("name") or match.group("iname") or match.group("fname") or ""
    if any(w in EN_NOT_NAME_WORDS or w in _NOT_STREET_NAME_WORDS for w in name.split()):
        return None
    return address_block_span(match.string, match.start(), match.end(), 0.6)


def _with_address_lines(score: float):
    def refine(match: "re.Match[str]") -> Tuple[int, int, float]:
        return address_block_span(match.string, match.start(), match.end(), score)
    return refine


ADDRESS_BLOCK_RULES = (
    rule("military address", MILITARY_ADDRESS_RE.pattern, 0.85, refine=_with_address_lines(0.85),
         prefilter=r"(?i:[afd]po)[ ]"),
    rule("p.o. box", PO_BOX_RE.pattern, 0.7, refine=_with_address_lines(0.7), prefilter=r"(?i:box)"),
    rule("number, name, number + address lines", NUMBER_NAME_NUMBER_RE.pattern, 0.5,
         refine=_no_street_name_span, prefilter=r"[0-9][ ][^\W\d_]"),
    rule("lower-case street", LOWERCASE_STREET_RE.pattern, 0.6, refine=_lowercase_street_span,
         prefilter=r"[a-z][ ][0-9]|[0-9],?[ ][A-Za-z]"),
    rule("postcode with its label", POSTCODE_LABEL_RE.pattern, 0.7, group="v", prefilter=r"(?i:zip|post)"),
    rule("street corner", CORNER_RE.pattern, 0.85, refine=_corner_span, prefilter=r"(?i:corner of)"),
    rule("street after an address phrase", STREET_AFTER_PHRASE_RE.pattern, 0.6,
         refine=_street_after_phrase_span, prefilter=r"[^\W\d_][ ][0-9]"),
)
