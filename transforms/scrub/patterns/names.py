"""English names and places announced by their context (entity types PERSON, LOCATION, both modes).

"my name is X", "call X Y", "Dear X", "Mr. X"; "grew up in X", "flew to X". :data:`EN_NOT_NAME_WORDS`
(a word list) ends a name and is also read by the NER span cleaning (:mod:`transforms.scrub.ner`).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from transforms.scrub.patterns.rules import rule


# --------------------------------------------------------------------------------------------
# English names announced by their context, entity type PERSON
# --------------------------------------------------------------------------------------------
# spaCy's small model misses names in plenty of sentences ("You could also call Philip Ingram"),
# the context pins them down. 1-3 Capitalized words (a middle initial allowed) after:
#   strong  "my name is", "my name's", "call me", "I'm called", "Dear", "signed", "regards,",
#           "sincerely,", "cheers,", "Thanks,<newline>": 1+ words (0.6, 2+ words 0.7);
#           "Name:" needs 2+ words (YAML "name: Build" is not a person)
#   weak    "I'm", "I am": 1+ words (0.5); "this is", "it's", "contact", "email", "call", "ask",
#           "tell", "text", "message", "ping", "cc", "meet", "thanks", "hi", "hello", "hey",
#           "named", "called", "name", "attn", "ship / send / email / give / talk (+ up to 3
#           words) to" ("email the result to X Y"), "addressed to", "payable to", "on behalf of":
#           2+ words (0.6)
#   title   "Mr.", "Mrs", "Ms", "Dr.", "Prof." + 1-2 words (0.6; the title itself is kept)
# Words in :data:`EN_NOT_NAME_WORDS` (function words, brands, tech, roles, nationalities) end the
# name; a name that loses its words that way is dropped.
EN_NOT_NAME_WORDS = frozenset(
    w.casefold()
    for w in (
        # function words / frequent sentence words that get capitalized in titles
        "a an the this that these those it its i me my we us our you your he him his she her they "
        "them their what which who whom whose when where why how all any both each few more most "
        "other some such no nor not only own same so than too very can will just should now is am "
        "are was were be been being have has had do does did doing would could might must shall may "
        "and but if or because as until while of at by for with about against between into through "
        "during before after above below to from up down in out on off over under again further then "
        "once here there also still even really actually maybe please sorry thanks thank hi hello "
        "hey dear yes no ok okay sure well new old good great best better fine happy glad sure ready "
        "really totally literally currently finally basically honestly seriously absolutely "
        "definitely probably simply exactly truly clearly certainly totally fully kind "
        "excited confused stuck tired worried married retired based located pleased curious "
        "afraid aware able unable sorry lost late free busy sick new here there not just future "
        "self "
        "trying looking going working using writing asking wondering interested new back done here "
        "today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january "
        "february march april may june july august september october november december morning "
        "evening afternoon night everyone everybody all team guys folks sir madam ma'am friend "
        "friends colleagues customer customers client clients user users member members student "
        "students parent parents applicant candidate recruiter committee editor admissions hiring "
        "manager managers support service services help desk helpdesk sales marketing billing "
        "account accounts admin administrator hr it tech technical human resources department office "
        "center centre team staff security legal finance operations engineering product design "
        "research development developer engineer software data scientist analyst designer teacher "
        "doctor nurse lawyer officer assistant bot ai model system assistant agent owner landlord "
        "tenant neighbor neighbour boss coworker mom mum dad mother father brother sister wife "
        "husband son daughter uncle aunt grandma grandpa baby kid kids family "
        # nationalities / languages
        "american british english chinese french german spanish italian japanese korean indian "
        "canadian australian russian brazilian mexican dutch swedish polish turkish arabic arab "
        "vietnamese thai filipino irish scottish welsh african european asian latino hispanic "
        "mandarin cantonese portuguese greek jewish christian muslim catholic buddhist hindu "
        # brands / products / tech (plus the scrubber's NER stoplist below)
        "google siri alexa cortana bard bing microsoft apple amazon meta facebook twitter instagram "
        "linkedin whatsapp slack zoom teams discord reddit youtube netflix spotify uber tesla samsung "
        "huawei xiaomi baidu tencent alibaba wechat chatgpt gpt openai claude anthropic gemini "
        "copilot llama mistral python java javascript typescript rust go golang kotlin swift ruby "
        "perl scala haskell sql mysql postgresql postgres sqlite mongodb redis json yaml html css xml "
        "csv api rest docker kubernetes linux ubuntu debian windows macos ios android excel word "
        "powerpoint outlook office github gitlab git aws azure gcp react vue angular django flask "
        "fastapi pandas numpy pytorch tensorflow bash markdown latex node npm pip vim emacs vscode "
        "code build test deploy setup run install update release world machine learning deep "
        "neural network networks programming object oriented artificial intelligence science "
        "computer language natural processing web app application server client framework "
        "library function class module package file folder database cloud computing quantum "
        "chapter section part step lesson unit example exercise question answer summary "
        "introduction conclusion overview guide tutorial tips tip notes note"
    ).split()
)
_EN_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)"
# inner capitals only after name prefixes (McDonald, DeLuca): "MyClass Helper" is code
# Latin letters of any European language ("Jónás", "Møller", "Żaneta")
_UPPER = r"A-ZÀ-ÖØ-Þ\u0100-\u017E"
_LOWER = r"a-zß-öø-ÿ\u0100-\u017F"
_EN_NAME_WORD = (r"(?:(?:Mc|Mac|De|Di|Da|La|Le|Van|Von)?[" + _UPPER + r"][" + _LOWER + r"]+"
                 r"(?:['’\-][" + _UPPER + r"]?[" + _LOWER + r"]+)?"
                 r"|O['’][A-Z][a-z]+)(?![\w])")
_EN_NAME = r"(?P<name>" + _EN_NAME_WORD + r"(?:[ ](?:[A-Z]\.?[ ])?" + _EN_NAME_WORD + r"){0,2})"
EN_NAME_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z])(?=[A-Za-z])(?:"
    r"(?P<strong>(?i:(?:my|her|his|their|your)[ ](?:full[ ]|first[ ]|last[ ]|real[ ]|maiden[ ]|middle[ ])?name"
    r"|(?:last|first|family|maiden|middle)[ ]name|surname)(?:[ ]is|['’]s|\?)|(?i:call[ ]me)"
    r"|I['’]m[ ]called|(?i:dear)|(?i:signed),?|(?i:regards|sincerely|cheers|yours[ ]truly),"
    r"|(?i:thanks|thank[ ]you|best),?(?=[ \t]*\n))"
    r"|(?P<label>(?i:my[ ](?:full[ ])?name|name|(?:directed|written|produced|composed|narrated)[ ]by)"
    r"[ ]?:)"
    r"|(?P<iam>I['’]m|I[ ]am)"
    r"|(?P<weak>(?i:this[ ]is|it['’]s|contact|e-?mail|call|ask|tell|text|message|ping|cc|meet"
    r"|thanks|thank[ ]you|hi|hello|hey|named|called|name|attn|attention"
    r"|(?:ship|send|e-?mail|mail|deliver|forward|address|post|give|pass|hand|report|reply|write"
    r"|talk|speak|reach[ ]out|introduce[ ]me|refer[ ]me)(?:[ ][a-z]+){0,3}?[ ]to"
    r"|addressed[ ]to|made[ ]out[ ]to|payable[ ]to|on[ ]behalf[ ]of)),?:?"
    r")[ \t]*\n?[ \t]*(?:" + _EN_TITLES + r"\.?[ ])?" + _EN_NAME
    + r"|(?<![A-Za-z])" + _EN_TITLES + r"\.?[ ](?P<titled>" + _EN_NAME_WORD + r"(?:[ ]"
    + _EN_NAME_WORD + r")?)"
)
_EN_NAME_WORD_RE = re.compile(_EN_NAME_WORD)


def en_name_context_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """The name of an :data:`EN_NAME_CONTEXT_RE` match cut at the first non-name word."""
    group = "titled" if match.group("titled") is not None else "name"
    start = match.start(group)
    end = start
    words = 0
    for word in _EN_NAME_WORD_RE.finditer(match.group(group)):
        if word.group().casefold() in EN_NOT_NAME_WORDS:
            break
        end = start + word.end()
        words += 1
    if words == 0:
        return None
    if group == "titled":
        return start, end, 0.6
    if match.group("strong") is not None:
        return start, end, 0.7 if words >= 2 else 0.6
    if match.group("iam") is not None:
        first = match.group("name").split(" ")[0]
        if len(first) > 5 and first.endswith(("ing", "ful", "ous", "ive", "able", "ible")):
            return None  # "I'm Feeling Lucky", "I Am Grateful"
        return start, end, 0.6 if words >= 2 else 0.5
    return (start, end, 0.6) if words >= 2 else None  # label / weak context: a full name


EN_NAME_CONTEXT_RULES = (
    rule("english name in context", EN_NAME_CONTEXT_RE.pattern, 0.6, refine=en_name_context_span,
         prefilter=r"[A-Z][a-z]"),
)

# Places a person comes from, lives in or travels to, after a phrase that says so ("I'm
# originally from Tujetsch", "flew to LEPPEN", "grew up in Sund", "based in Poznań"): the small
# NER model calls many towns ORG or misses all-caps ones. 1-3 capitalized or all-caps words,
# cut at the first common word (:data:`EN_NOT_NAME_WORDS`: "I'm in Python", "flew to the").
# Generic phrases ("went to", "move to", "is from", "comes from") are no context: too many
# non-places follow them ("move to Settings", "the data is from Kaggle").
_EN_PLACE_WORD = (r"[A-ZÀ-ÖØ-Þ\u0100-\u024F][A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024F'’]*"
                  r"(?:-[A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024F]+)*")
# Common words that start place names ("New York", "Great Falls"): they count when a place word follows.
_EN_PLACE_LEADS = frozenset("new old great north south east west upper lower big little saint port "
                            "fort mount lake".split())
EN_PLACE_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z])(?i:(?:originally|I[ ]am|I['’]m|hails?|moved|emigrated|immigrated) from"
    r"|(?:flew|fly|flying|flies|travel(?:l)?(?:ed|ing)?|travels|moved|moving|relocat(?:e|ed|ing)"
    r"|emigrat(?:e|ed|ing)|commut(?:e|ed|ing)) (?:back )?to"
    r"|(?:arrived|arriving|landed|landing) (?:in|at)"
    r"|(?:live[sd]?|living|based|born|raised|grew up|growing up|reside[sd]?|residing|settled"
    r"|stationed) in)"
    r"[ ](?P<place>" + _EN_PLACE_WORD + r"(?:[ ]" + _EN_PLACE_WORD + r"){0,2})"
)
_EN_PLACE_WORD_RE = re.compile(_EN_PLACE_WORD)


def en_place_context_span(match: "re.Match[str]") -> Optional[Tuple[int, int, float]]:
    """The place of an :data:`EN_PLACE_CONTEXT_RE` match, cut at the first common word."""
    start = end = match.start("place")
    words = list(_EN_PLACE_WORD_RE.finditer(match.group("place")))
    for i, word in enumerate(words):
        low = word.group().casefold()
        if low in EN_NOT_NAME_WORDS and not (i == 0 and low in _EN_PLACE_LEADS and len(words) > 1):
            break
        end = match.start("place") + word.end()
    return (start, end, 0.6) if end > start + 1 else None


EN_PLACE_CONTEXT_RULES = (
    rule("english place in context", EN_PLACE_CONTEXT_RE.pattern, 0.6, refine=en_place_context_span,
         prefilter=r"(?i:from|to|in|at)[ ][A-ZÀ-Þ\u0100-\u024F]"),
)
