"""Street address patterns (entity type ADDRESS): US / UK addresses, continental streets, units.

The street-suffix and state lists are data; :data:`STREET_SUFFIXES_ALL` is also read by the NER
gate (:mod:`transforms.scrub.ner_gate`) to tell a street from a person's name.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub.patterns.address_block import (  # noqa: F401 (re-exported)
    ADDRESS_BLOCK_RULES, MILITARY_ADDRESS_RE, PO_BOX_RE, address_block_span, address_lines_end,
)
from transforms.scrub.patterns.rules import rule


# --------------------------------------------------------------------------------------------
# Street addresses (US / UK style), entity type ADDRESS
# --------------------------------------------------------------------------------------------
# "<house number> <Capitalized street words> [unit] [, City, ST 12345 | , City POSTCODE]".
# Confidence depends on which parts are there (see :func:`street_address_span`):
#   number + street + ", City, ST[ 12345]" (or a UK postcode)      0.95 (0.85 without a suffix)
#   number + Name(s) + common street suffix [+ unit]               0.6  ("42 Oak Street", "9 Elm Rd #4")
#   number + Name(s) + any USPS suffix, with a unit or a 3+ digit  0.6  ("090 Rogers Mount Apt. 713",
#     house number that is no year                                      "4866 Bryant Creek")
#   number + Name(s) + unit, no suffix                             0.5
#   UK "[Flat 3, ][12 ]Name Suffix, [Town, ]POSTCODE"              0.9  (:data:`UK_ADDRESS_RE`)
# Street words must be Capitalized here (lower-case streets need a street word and no common word:
# :mod:`.address_block`); a suffix never counts as the first street word ("5 Drive Safely"). Every
# rule below also takes the house numbers before the street and the address lines after it.

# Suffixes that make "<number> <Name> <Suffix>" an address on their own: the common USPS suffixes
# and abbreviations plus UK street types.
STREET_SUFFIXES_COMMON = frozenset(
    "Street St Avenue Ave Av Road Rd Lane Ln Drive Dr Court Ct Boulevard Blvd Way Place Pl Terrace "
    "Ter Terr Parkway Pkwy Highway Hwy Circle Cir Square Sq Trail Trl Crescent Cres Close Alley Aly "
    "Loop Row Plaza Plz Pike Turnpike Tpke Expressway Expy Freeway Fwy Route Rte Mews Walk Gardens "
    "Grove Causeway Cswy Crossing Xing Esplanade Promenade Wharf Quay".split()
)
# Every USPS / Faker en_US street suffix: plausible street endings, but also ordinary words
# ("3 Great Lakes", "top 5 Parks"), so they count only with a unit or a city/state tail.
STREET_SUFFIXES_ALL = STREET_SUFFIXES_COMMON | frozenset(
    "Alley Avenue Branch Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center "
    "Centers Circle Circles Cliff Cliffs Club Common Corner Corners Course Court Courts Cove Coves "
    "Creek Crescent Crest Crossing Crossroad Curve Dale Dam Divide Drive Drives Estate Estates "
    "Expressway Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords Forest Forge "
    "Forges Fork Forks Fort Freeway Garden Gardens Gateway Glen Glens Green Greens Grove Groves Harbor "
    "Harbors Haven Heights Highway Hill Hills Hollow Inlet Island Islands Isle Junction Junctions Key "
    "Keys Knoll Knolls Lake Lakes Land Landing Lane Light Lights Loaf Lock Locks Lodge Loop Mall Manor "
    "Manors Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval "
    "Overpass Park Parks Parkway Parkways Pass Passage Path Pike Pine Pines Place Plain Plains Plaza "
    "Point Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridge Ridges River Road Roads "
    "Route Row Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs Square Squares "
    "Station Stravenue Stream Street Streets Summit Terrace Throughway Trace Track Trafficway Trail "
    "Tunnel Turnpike Underpass Union Unions Valley Valleys Via Viaduct View Views Village Villages "
    "Ville Vista Walk Walks Wall Way Ways Well Wells".split()
)
# Street "names" that are products / counters, not streets ("2 Google Drive folders").
_NOT_STREET_WORDS = frozenset(
    "Google Microsoft Apple Amazon Azure Hard Flash Cloud Data Power Solid Supreme Team Project Step "
    "Chapter Page Level Version Part Phase Series Season Episode Days Hours Minutes Years Weeks "
    "Months Top Best Easy Simple Quick".split()
)
US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP FM MH PW AA AE AP"
).split()
US_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|"
    "Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|"
    "New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|"
    "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|"
    "Wisconsin|Wyoming"
)
_UNIT_WORDS = r"Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Bldg|Building|Box"
_ADDR_WORD = (
    r"(?!(?:" + _UNIT_WORDS + r")\b)"
    r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:['’\-][A-Za-z][a-z]+)?|O['’][A-Z][a-z]+"
    r"|[0-9]{1,3}(?:st|nd|rd|th)|[NS][EW]\.?|[NSEW]\.?)"
)
_CITY = r"(?:St\.?[ ])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[ \-][A-Z][a-z]+){0,2}"
_UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}"
STREET_ADDRESS_RE = re.compile(
    r"(?<![0-9A-Za-z.,:/#$€£\-])(?P<num>[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,5}[A-Za-z]?)?)"
    r"[ ](?P<street>" + _ADDR_WORD + r"(?:[ ]" + _ADDR_WORD + r"){0,5})"
    r"(?P<unit>(?:\.?(?:,?[ \t]+|,?[ \t]*\n[ \t]*)(?:#[ ]?|(?:" + _UNIT_WORDS + r")\.?[ ]?#?)"
    r"[0-9A-Za-z][0-9A-Za-z\-]{0,5}(?![0-9A-Za-z])){1,2})?"
    r"(?P<tail>\.?(?:,[ \t]*|[ \t]*\n[ \t]*)" + _CITY + r"(?:,[ \t]*|[ \t]+)"
    r"(?:(?:" + "|".join(US_STATE_CODES) + "|" + US_STATE_NAMES + r")(?![A-Za-z0-9])"
    r"(?:,?[ \t]+[0-9]{5}(?:-[0-9]{4})?(?![0-9]))?"
    r"|" + _UK_POSTCODE + r"(?![A-Za-z0-9])))?"
)


def _house_number_is_strong(number: str) -> bool:
    """3+ digit house numbers that are not years ("1383 Jeffrey Views", not "2024 Apple Park")."""
    digits = number.split("-")[0].rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    if len(digits) < 3:
        return False
    return not (len(digits) == 4 and digits[0] != "0" and 1900 <= int(digits) <= 2099)


def street_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`STREET_ADDRESS_RE` match, None when it is not an address."""
    words = match.group("street").split(" ")
    has_unit = match.group("unit") is not None
    if match.group("tail") is not None:  # ", City, ST 12345": an address whatever the street is
        has_suffix = any(w.rstrip(".") in STREET_SUFFIXES_ALL for w in words[1:])
        return match.start(), match.end(), 0.95 if has_suffix or has_unit else 0.85
    if any(w.rstrip(".") in _NOT_STREET_WORDS for w in words):
        return None
    broad = has_unit or _house_number_is_strong(match.group("num"))
    suffix_at = -1
    for i in range(len(words) - 1, 0, -1):
        word = words[i].rstrip(".")
        if word in STREET_SUFFIXES_COMMON or (broad and word in STREET_SUFFIXES_ALL):
            suffix_at = i
            break
    if suffix_at < 0:
        return (match.start(), match.end("unit"), 0.5) if has_unit else None
    if suffix_at == len(words) - 1:
        end = match.end("unit") if has_unit else match.end("street")
    else:  # words after the suffix belong to the sentence: "42 Oak Street With ..."
        end = match.start("street") + len(" ".join(words[:suffix_at + 1]))
    return match.start(), end, 0.6


def uk_address_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of a :data:`UK_ADDRESS_RE` match: "[Flat 3, ][12 ]Name Suffix, [Town, ]PC"."""
    words = match.group("street").split(" ")
    if match.group("pre") is None and words[-1] not in STREET_SUFFIXES_ALL:
        return None
    return match.start(), match.end(), 0.9


_LINE_SEP = r"(?:,[ \t]*|[ \t]*\n[ \t]*)"
# UK addresses without a leading house number: "Flat 37, Bennett Mall, East Harrietport, N8 8HN"
UK_ADDRESS_RE = re.compile(
    r"(?<![0-9A-Za-z])(?P<pre>(?:Flat|Studio|Apartment|Unit|Suite)[ ][0-9]{1,4}[A-Za-z]?" + _LINE_SEP
    + r"|[0-9]{1,4}[A-Za-z]?[ ])?(?P<street>" + _ADDR_WORD + r"(?:[ ]" + _ADDR_WORD + r"){0,3})"
    + _LINE_SEP + r"(?:" + _CITY + r"(?:" + _LINE_SEP + r"|[ \t]+))?" + _UK_POSTCODE + r"(?![A-Za-z0-9])"
)

# Continental European and Latin American streets: the number comes after the street name.
#   a street word first, 1-5 name words, then the number   "Rue de Virton 38", "Via delle Coste 41",
#                                                           "Avda. Rio Nalon 58", "ul. Narewska 94"
#   a name with a glued or separate street word, number    "Friedhofstrasse 33", "Koskikatu 25",
#                                                           "Rooseveltlaan 110", "Erzsébet tér 19"
# 0.6 alone; 0.85 with a postcode + town after it ("Koskikatu 25, 00100 Helsinki"). A unit alone
# ("Apt. 805", "Suite 377") is 0.5: the US pattern above takes it along when a street precedes it.
_INTL_NAME = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃČŠŽ][\w'’.\-]*"
_INTL_TOWN = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃČŠŽ][\w'’\-]*"  # no "." at the end: a town ends the sentence
_INTL_PARTICLE = (r"(?:d[aeiou]s?|de[ls]?|du|la|le|les|del|della|delle|degli|dei|di|do|dos|das|van|von"
                  r"|der|den|het|y|e|am|an|im|zum|zur)")
_INTL_STREET_FIRST = (r"(?:Rue|Avenue|Av\.|Avda\.|Avenida|Boulevard|Bd\.|Chemin|Allée|Impasse|Quai|Via|Viale"
                      r"|Piazza|Piazzetta|Corso|Largo|Vicolo|Calle|Carrer|Plaza|Paseo|Camino|Rua|Travessa"
                      r"|Praça|Estrada|Rambla|ul\.|ulica|al\.|Aleja|Plac|Odos|Leoforos)")
_INTL_STREET_LAST = (r"(?:stra(?:ss|ß)e|str\.|gasse|weg|platz|allee|damm|ufer|katu|kuja|tie|polku|gatan|vägen"
                     r"|väg|gränd|vej|veien|vegen|vegur|gata|gade|stræti|straeti|laan|straat|plein|gracht"
                     r"|kade|utca|út|tér|körút|ulice|náměstí|tee|iela|gatvė)")
_INTL_NUMBER = r"(?P<num>[0-9]{1,4}[A-Za-z]?(?:[/\-][0-9]{1,4}[A-Za-z]?)?)(?![0-9A-Za-z])"
_INTL_POSTAL_TAIL = (r"(?P<tail>\.?(?:,[ \t]*|[ \t]*\n[ \t]*)(?:[A-Z]{1,2}-)?[0-9]{4,5}(?:[ ][0-9]{2,3})?"
                     r"[ ]" + _INTL_TOWN + r"(?:[ \-]" + _INTL_TOWN + r")?)?")
INTL_STREET_RE = re.compile(
    r"(?<![\w.])(?:" + _INTL_STREET_FIRST + r"(?:[ ](?:" + _INTL_PARTICLE + r"|" + _INTL_NAME + r")){1,5}"
    r"|(?:" + _INTL_NAME + r"[ ]){0,2}[A-ZÀ-ÖØ-Þ][\w'’\-]{2,}" + _INTL_STREET_LAST
    + r"|(?:" + _INTL_NAME + r"[ ]){1,2}" + _INTL_STREET_LAST + r")"
    r"[ ]" + _INTL_NUMBER + _INTL_POSTAL_TAIL
)
# A unit on its own line, after a comma or after a house number ("the test Suite 2 failed" is none).
UNIT_RE = re.compile(r"(?:^|(?<=\n)|(?<=,)|(?<=[0-9]))[ \t>]*(?P<v>(?:Apt\.?|Apartment|Suite)[ ]?#?[0-9]{1,5}"
                     r"[A-Za-z]?)(?![\w])")


def intl_street_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """Span and score of an :data:`INTL_STREET_RE` match: the number must not be a year."""
    number = match.group("num")
    if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2099 and match.group("tail") is None:
        return None  # "Via Roma 2024" is more likely an event than an address
    return match.start(), match.end(), 0.85 if match.group("tail") else 0.6


def _unit_span(match: "re.Match[str]") -> Tuple[int, int, float]:
    return match.start("v"), match.end("v"), 0.5


def _with_address_lines(span_of):
    """A street rule's refine that also takes the house numbers before the street and the address
    lines after it (:func:`transforms.scrub.patterns.address_block.address_block_span`)."""
    def refine(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
        span = span_of(match)
        return None if span is None else address_block_span(match.string, *span)
    return refine


STREET_ADDRESS_RULES = (
    rule("street address", STREET_ADDRESS_RE.pattern, 0.6, refine=_with_address_lines(street_address_span),
         prefilter=r"[0-9][A-Za-z]?[ ][A-Z0-9]"),
    rule("uk address", UK_ADDRESS_RE.pattern, 0.9, refine=_with_address_lines(uk_address_span),
         prefilter=_UK_POSTCODE + r"(?![A-Za-z0-9])"),
    rule("street, number after the name", INTL_STREET_RE.pattern, 0.6,
         refine=_with_address_lines(intl_street_span), prefilter=r"[A-Za-zÀ-ÿ.][ ][0-9]"),
    rule("unit", UNIT_RE.pattern, 0.5, refine=_with_address_lines(_unit_span),
         prefilter=r"(?:Apt|Apartment|Suite)"),
) + ADDRESS_BLOCK_RULES
