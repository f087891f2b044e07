"""Reading the user's next message: which cue groups of transforms/label/phrases.py it says, and where.

Text only; transforms/label/signals.py turns the hits into rules and decisions. How a message is read:

1. Normalised: straight apostrophes, single spaces, a line break read as a sentence end, contractions expanded
   ("doesn't" -> "does not"), so a phrase is written once in its long form and found in both spellings. What
   stands inside quotes or code (a film title, pasted text, a line of code) is blanked before any cue is read.
2. A contrastive clause decides: when a cue stands after the last "but"/"however"/"但是", only the cues
   after it count ("thanks, but that is not what I asked" is a complaint; "not quite, but it works" praise).
3. Negative cues are matched after the NOT_FEEDBACK phrases are blanked ("no problem", "I don't think
   that's wrong"), positive ones after the NOT_PRAISE phrases are ("it would be helpful if you..."); praise
   and thanks are skipped right after a negator ("not helpful"), and dropped altogether next to ironic praise
   ("nice try", "great, another wrong answer"). Praise and agreement count only as statements the message
   does not turn from: "is it fixed?" asks, and "that worked, but now I get another error" is decided by what
   follows the "but" (with no cue there, by the judge); a "but" that goes on to the user's own plans or a
   further request ("although I'll tweak it", "but can you also...") turns nothing.
4. A complaint, correction or confusion must be about the answer: in a clause whose subject is the user
   ("I don't have a car any more") it counts only when the clause points at the answer (you, that, this,
   it...) or repeats the answer's own words. After an assistant turn that asked something, the reply
   answers it ("it's too long for my taste", "no, make it two tickets"): only a clause that addresses the
   assistant ("you forgot", "I said two") counts. Confusion, repetition, off-topic and name-calling said in a
   short clause of their own ("I don't understand", "you already asked me that", "that's random", "nonsense")
   count after any turn: they are about the assistant's turn, whatever that turn did.
5. A reply's opening "no" followed by what the user wanted instead (phrases.RESTATES), or directly by the
   detail it should have been (phrases.RESTATED_DETAIL: "no, for 3 people"), is RESTATING: a correction of
   what the assistant offered or confirmed, not a plain answer to it. Any other "no" said with thanks,
   praise or a closing ("no, you've been very helpful") declines something more: it is not read as a "no".

Both languages are tried on every message (a Chinese user's "thx" still counts); the message's own
language comes first. Also here: similarity of two user messages, for rephrase detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from transforms.label.cue_scripts import has_script, needs_script
from transforms.label.phrases import (
    ADDRESSES_ASSISTANT, ASKS_FOR_MORE, CONTRACTIONS, CONTRAST, CUES, FIRST_PERSON, NEGATORS, NOT_FEEDBACK,
    NOT_PRAISE, POINTS_AT_ANSWER, RESTATED_DETAIL, RESTATES, SIMILARITY_STOPWORDS,
)
from transforms.text import HAN_RUN_RE

# "Thanks" followed by at least this much other text is politeness before a new request, not a verdict.
MOVING_ON_WORDS = 6  # English words
MOVING_ON_CHARS = 8  # Chinese characters
EVIDENCE_CHARS = 80
# Confusion in a clause this short is about the assistant's turn even after a question ("I don't
# understand", "that makes no sense"); in a longer one it may be the user's opinion of the topic
# ("the third film had moments that did not make any sense").
BARE_CLAUSE_LENGTH = {"en": 5, "zh": 8}
# An answer word this long that the user repeats ties a complaint to the answer ("Rush Hour? hated it").
QUOTED_WORD_CHARS = 4

LANGUAGES = tuple(CUES)
POSITIVE_CUES = ("praise", "agreement", "approval", "thanks")
# Politeness: said after good and bad answers alike, so it never decides a message that turns.
POLITENESS_CUES = ("approval", "thanks")
# A verdict on the answer that labels on its own: it must be a statement, and not one the message turns from.
VERDICT_CUES = ("praise", "agreement")
# Cues that say what is wrong with the answer: they must be about it, not about the user's life.
ABOUT_THE_ANSWER_CUES = ("correction", "complaint", "confusion", "repetition", "off_topic", "insult")
# Said in a short clause of its own, these are about the assistant's last turn whatever it did, even a
# question ("what?", "that's random", "you already asked me that", "nonsense").
BARE_CUES = ("confusion", "repetition", "off_topic", "insult")
_FLAGS = re.IGNORECASE


class _Phrases:
    """One language's cue groups and NOT_FEEDBACK / NOT_PRAISE phrases, compiled, for messages with or without
    a character of its script (transforms.label.cue_scripts): without one, only the phrases that can match are
    kept."""

    def __init__(self, language: str, with_script: bool):
        def kept(patterns: tuple[str, ...]) -> list[str]:
            return [p for p in patterns if with_script or not needs_script(p, language, _FLAGS)]

        cues = {cue: kept(patterns) for cue, patterns in CUES[language].items()}
        self.cues = {cue: [re.compile(p, _FLAGS) for p in patterns] for cue, patterns in cues.items() if patterns}
        # Each cue group's patterns as one alternation: it finds something exactly when one of them does, so
        # most groups of most messages are ruled out by one scan instead of one per pattern.
        self.any_cue = {cue: re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)
                        for cue, patterns in cues.items() if patterns}
        self.not_feedback = [re.compile(p, _FLAGS) for p in kept(NOT_FEEDBACK[language])]
        self.not_praise = [re.compile(p, _FLAGS) for p in kept(NOT_PRAISE[language])]


_PHRASES = {(lang, with_script): _Phrases(lang, with_script) for lang in CUES for with_script in (True, False)}
_NEGATOR_PATTERNS = {lang: re.compile(p, _FLAGS) for lang, p in NEGATORS.items()}
_CONTRAST = {lang: re.compile(p, _FLAGS) for lang, p in CONTRAST.items()}
_FIRST_PERSON = {lang: re.compile(p, _FLAGS) for lang, p in FIRST_PERSON.items()}
_ADDRESSES_ASSISTANT = {lang: re.compile(p, _FLAGS) for lang, p in ADDRESSES_ASSISTANT.items()}
_POINTS_AT_ANSWER = {lang: re.compile(p, _FLAGS) for lang, p in POINTS_AT_ANSWER.items()}
_RESTATES = {lang: re.compile(p, _FLAGS) for lang, p in RESTATES.items()}
# "No thanks" opens with a "no" and its thanks is read as negated: a decline all the same.
_THANKS = re.compile(r"\W*(thanks|thank you)\b", _FLAGS)
_RESTATED_DETAIL = {lang: re.compile(p, _FLAGS) for lang, p in RESTATED_DETAIL.items()}
_ASKS_FOR_MORE = re.compile("|".join(ASKS_FOR_MORE.values()), _FLAGS)
_CONTRACTIONS = [(re.compile(p, _FLAGS), repl) for p, repl in CONTRACTIONS]
_HAN = HAN_RUN_RE
_WORD = re.compile(r"[a-z0-9_]+(?:'[a-z]+)?")
_UNPUNCTUATED_LINE_END = re.compile(r"([^\s.!?;:,。！？；：，…])[^\S\n]*\n\s*")
# Quoted or code spans: titles, pasted text, code (straight quotes only; an apostrophe is no quote mark).
_QUOTED = re.compile(r'```.*?```|`[^`]{1,200}`|"[^"]{1,300}"|“[^”]{1,300}”|「[^」]{1,300}」|『[^』]{1,300}』')
_NEGATION_STOP = re.compile(r'[.!?;\n。！？；"“”「」『』]')
_CLAUSE_END = re.compile(r"[.!?;\n。！？；]")
_CLAUSE_SPLIT = re.compile(r"[.!?;,:\n。！？；，：]")
# After a contrast word, the user's own plans or a further request do not turn a praise: "helpful, although I'll
# tweak the wording", "Thanks, that worked! But can you also add tests?".
_GOES_ON = {
    "en": re.compile(r"\s*,?\s*((i|we) (will|shall|am going to|are going to|might|may|can|could|probably)\b"
                     r"|(can|could|would|will) you (also|please also)\b|also\b|one more (thing|question)\b|next\b)", _FLAGS),
    "zh": re.compile(r"\s*[，,]?\s*(我(会|可以|自己|再|打算|准备)|(你)?(能|可以)(不能)?再|还想|另外|顺便)"),
}
# A sentence that asks: a question mark (normalise folds "？" into it) or a Chinese question particle.
_ASKS = {"en": re.compile(r"\?"), "zh": re.compile(r"\?|[吗么呢]$")}
# A clause opening like a question asks even when a comma comes before the question mark ("is it fixed now, or not?").
_QUESTION_OPENING = {
    "en": re.compile(r"(is|are|was|were|do|does|did|has|have|can|could|will|would|should|am)\b", _FLAGS),
    "zh": re.compile(r"(?!)"),  # a Chinese question shows at its end (吗, 呢, ？), not at its opening
}


@dataclass(frozen=True)
class CueHit:
    cue: str  # the cue group of phrases.CUES
    language: str
    evidence: str
    # How the hit is said, when that changes its meaning (None: plainly):
    # MOVING_ON, a "thanks" with a long new request around it; RESTATING, a "no" followed by what the
    # user wants instead ("no, I wanted a cheaper one").
    variant: str | None = None


MOVING_ON = "moving_on"
RESTATING = "restating"


# Messages whose reading is remembered per process: chat users repeat their short replies ("thanks", "that's
# wrong", "ok"), and a message is read for its cues, its similarity and its evidence.
MESSAGE_CACHE_SIZE = 4096


@lru_cache(maxsize=MESSAGE_CACHE_SIZE)
def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\uff1f", "?")
    # A line break ends a sentence: chat users send "I love it\nDid you see it?" as two.
    text = _UNPUNCTUATED_LINE_END.sub(r"\1. ", text.strip())
    text = re.sub(r"\s+", " ", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def short(text: str) -> str:
    text = text.strip(" ,.;:，。；：")
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def language_of(text: str) -> str:
    """"zh" when Chinese characters outnumber Latin words, else "en"."""
    return "zh" if sum(len(run) for run in _HAN.findall(text)) >= max(1, len(_WORD.findall(text.lower()))) else "en"


def _blank(text: str, patterns: list[re.Pattern]) -> str:
    # Same-length blanking keeps match offsets meaningful and cannot glue two words into a new cue.
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _blank_quoted(text: str) -> str:
    """Quoted and code spans blanked, their quote marks kept: a title ("The Amazing Spider-Man"), pasted text or
    code says nothing about the answer, whatever words it holds. Same length: offsets hold."""
    return _QUOTED.sub(lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], text)


def _negated(text_before: str, language: str) -> bool:
    # Within the sentence, and not across a title: "She has never seen it. What a good idea!", "I have not seen
    # "Toy Story", that is a good idea" negate nothing.
    stops = [m.end() for m in _NEGATION_STOP.finditer(text_before)]
    text_before = text_before[stops[-1]:] if stops else text_before
    return bool(_NEGATOR_PATTERNS[language].search(text_before.rstrip(" ,，") if language == "zh" else text_before))


def _matches(patterns: list[re.Pattern], text: str, language: str, check_negation: bool) -> list[re.Match]:
    found = sorted((m for p in patterns for m in p.finditer(text)), key=lambda m: m.start())
    return [m for m in found if not (check_negation and _negated(text[: _first_word(m)], language))]


def _first_word(match: re.Match) -> int:
    """Where a match's words start: a phrase may begin with the punctuation before it (". Great idea")."""
    said = match.group(0)
    return match.start() + len(said) - len(said.lstrip(" .!?,;:。！？，；："))


def _length(text: str, language: str) -> int:
    """Words (English) or Chinese characters."""
    if language == "zh":
        return sum(len(run) for run in _HAN.findall(text))
    return len(_WORD.findall(text.lower()))


def _is_moving_on(text: str, thanks: re.Match, language: str) -> bool:
    rest = text[: thanks.start()] + " " + text[thanks.end():]
    return _length(rest, language) >= (MOVING_ON_CHARS if language == "zh" else MOVING_ON_WORDS)


def _span(text: str, start: int, end: int, boundary: re.Pattern) -> tuple[int, int]:
    before = [m.end() for m in boundary.finditer(text, 0, start)]
    after = boundary.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _clause(text: str, start: int, end: int) -> str:
    """The sentence around a match: evidence a reader can judge without the whole message."""
    first, last = _span(text, start, end, _CLAUSE_END)
    return short(text[first:last])


def _answer_words(answer: str) -> set[str]:
    words = {w for w in _WORD.findall(answer.lower()) if len(w) >= QUOTED_WORD_CHARS}
    han = "".join(_HAN.findall(answer))
    return (words - SIMILARITY_STOPWORDS["en"]) | {a + b for a, b in zip(han, han[1:])}


def about_the_answer(text: str, match: re.Match, language: str, answer: str, asked: bool,
                     cue: str = "complaint") -> bool:
    """Whether the clause of a complaint is about the answer, not the user's own life (nor, when the
    assistant had asked something, the user's answer to it). Confusion said on its own ("what?", "I don't
    understand", "that makes no sense") is about the assistant's turn whatever that turn did."""
    first, last = _span(text, match.start(), match.end(), _CLAUSE_SPLIT)
    clause = text[first:last]
    if asked:
        bare = cue in BARE_CUES and _length(clause, language) <= BARE_CLAUSE_LENGTH[language]
        return bare or bool(_ADDRESSES_ASSISTANT[language].search(clause))
    if not _FIRST_PERSON[language].search(text[first:match.start()]):
        return True  # no other subject: "still not working", "that is wrong"
    if _POINTS_AT_ANSWER[language].search(clause):
        return True
    return bool(_answer_words(clause) & _answer_words(answer))


def _asks(text: str, match: re.Match, language: str) -> bool:
    """Whether the clause of a match asks ("is it fixed?", "有用吗"; "is it fixed now, or not?"), not only the
    sentence it is in ("that sounds like a great idea, how do I get there?" praises, then asks)."""
    end = match.start() + len(match.group(0).rstrip(".!?,;: 。！？，；："))  # "exactly." ends its own clause
    first, last = _span(text, match.start(), end, _CLAUSE_SPLIT)
    clause = text[first:last].strip()
    if _ASKS[language].search(text[last:last + 1]) or _ASKS[language].search(clause):
        return True
    _, sentence_end = _span(text, match.start(), end, _CLAUSE_END)
    return bool(_ASKS[language].search(text[sentence_end:sentence_end + 1])
                and _QUESTION_OPENING[language].match(clause))


def _variant(cue: str, text: str, match: re.Match, language: str) -> str | None:
    if cue == "thanks" and _is_moving_on(text, match, language):
        return MOVING_ON
    if cue == "leading_no" and (_RESTATES[language].search(text, match.end())
                                or _RESTATED_DETAIL[language].match(text, match.end())):
        return RESTATING
    return None


def _turns_at(text: str, turn: re.Match) -> bool:
    """Whether a contrast word has something after it in its sentence: "it is a good suggestion though" turns
    nothing."""
    end = _CLAUSE_END.search(text, turn.end())
    stop = end.start() if end else len(text)
    return bool(_WORD.search(text, turn.end(), stop) or _HAN.search(text, turn.end(), stop))


def _turned(text: str, match: re.Match, language: str) -> bool:
    """Whether the message turns from a praise: a contrast after it in its own sentence, or one that opens a
    later sentence ("That worked. But now I get a new error."); not a "but" inside a later sentence about
    something else ("Thanks, very helpful. Next I need the deployment side, but..."), nor one that goes on
    to the user's own plans or asks for more ("that's helpful, although I'll tweak the wording", "That worked!
    But can you also add tests?")."""
    _, sentence_end = _span(text, match.start(), match.end(), _CLAUSE_END)
    for turn in _CONTRAST[language].finditer(text, match.end()):
        if not _turns_at(text, turn) or _GOES_ON[language].match(text, turn.end()):
            continue
        sentence_start = _span(text, turn.start(), turn.end(), _CLAUSE_END)[0]
        opens_sentence = not text[sentence_start:turn.start()].strip(" ,")
        if turn.start() < sentence_end or opens_sentence:
            return True
    return False


def _decisive_start(text: str, language: str) -> int:
    """Where the last contrastive clause starts (0 when the message does not turn). A contrast word that ends
    its sentence turns nothing: "it is a good suggestion though"."""
    for turn in reversed(list(_CONTRAST[language].finditer(text))):
        if _turns_at(text, turn):
            return turn.end()
    return 0


@lru_cache(maxsize=2 * MESSAGE_CACHE_SIZE)  # per message and language
def _said(text: str, language: str) -> tuple[tuple[str, tuple[re.Match, ...]], ...]:
    """The cue groups a normalised message says in one language, each with its matches in order, before
    any is tied to the answer (step 4): what the message alone decides, read once however many answers it
    follows. Quoted and code spans are blanked; then negative cues are matched with the NOT_FEEDBACK phrases
    blanked, positive ones with the NOT_PRAISE phrases blanked (same length: offsets hold)."""
    phrases = _PHRASES[language, has_script(text, language)]
    text = _blank_quoted(text)
    # Blanking only removes matches, so a cue group absent from the text is absent from its blanked form:
    # most messages say no cue of most groups, and are blanked only for the groups they might say.
    blanked: dict[bool, str] = {}
    said = []
    for cue, patterns in phrases.cues.items():
        if not phrases.any_cue[cue].search(text):
            continue
        positive = cue in POSITIVE_CUES
        if positive not in blanked:
            blanked[positive] = _blank(text, phrases.not_praise if positive else phrases.not_feedback)
        subject = blanked[positive]
        if phrases.any_cue[cue].search(subject):
            said.append((cue, tuple(_matches(patterns, subject, language, check_negation=positive))))
    return tuple(said)


def cue_hits(follow_up: str, answer: str = "", asked: bool = False) -> list[CueHit]:
    """Every cue group the follow-up says about the answer, at most one hit per (language, group).

    In: the user's next message; to tie a complaint to it, the answer it follows and whether that turn
    asked the user something (a question, an offer, "anything else?"). Out: hits, the message's own
    language first. See the module docstring for the reading.
    """
    text = normalise(follow_up)
    hits: list[CueHit] = []
    own = language_of(text)
    for language in sorted(LANGUAGES, key=lambda lang: lang != own):
        found: dict[str, re.Match] = {}
        decisive = _decisive_start(text, language)
        for cue, matches in _said(text, language):
            # After a question, praise is the user's answer ("I love sci-fi") unless it addresses the assistant.
            if cue in ABOUT_THE_ANSWER_CUES or (cue == "praise" and asked):
                matches = [m for m in matches if about_the_answer(text, m, language, answer, asked, cue)]
            if cue in VERDICT_CUES:
                matches = [m for m in matches if not _turned(text, m, language) and not _asks(text, m, language)]
            if matches:
                found[cue] = matches[-1] if cue not in ("leading_no", "confusion") else matches[0]
        # Politeness alone after the turn does not decide ("no, not that one, but thanks").
        if decisive and any(m.start() >= decisive and cue not in POLITENESS_CUES for cue, m in found.items()):
            found = {cue: m for cue, m in found.items() if m.start() >= decisive}
        if "irony" in found:
            found = {cue: m for cue, m in found.items() if cue not in POSITIVE_CUES}
        # "No, you've been very helpful", "no thanks, I'll watch the others": a "no" said with thanks, praise or a
        # closing declines something more; it does not reject the answer.
        # ("No, not that one, but thanks anyway" turns: its "no" stands, the thanks after "but" is politeness.)
        no = found.get("leading_no")
        if (no is not None and not decisive and _variant("leading_no", text, no, language) is None
                and (any(cue in found for cue in (*POSITIVE_CUES, "closing")) or _THANKS.match(text, no.end()))):
            del found["leading_no"]
        for cue, match in found.items():
            hits.append(CueHit(cue, language, _clause(text, match.start(), match.end()),
                               _variant(cue, text, match, language)))
    return hits


def asks_for_more(text: str) -> bool:
    """Whether the message asks for other or more options (phrases.ASKS_FOR_MORE), in either language."""
    return bool(_ASKS_FOR_MORE.search(normalise(text)))


@lru_cache(maxsize=MESSAGE_CACHE_SIZE)  # a user message is compared with the one before it and the one after
def similarity_features(text: str) -> frozenset[str]:
    """What a message is about, for comparing two messages: English content words (lower case, light
    stemming, stopwords out) and pairs of adjacent Chinese characters (function characters out)."""
    text = normalise(text).lower()
    features = set()
    for word in _WORD.findall(_HAN.sub(" ", text)):
        if word in SIMILARITY_STOPWORDS["en"]:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 2 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        features.add(word)
    # Function characters split a run instead of being dropped, so they never glue two words into a pair.
    pieces = "".join(" " if c in SIMILARITY_STOPWORDS["zh"] else c for c in " ".join(_HAN.findall(text))).split()
    for piece in pieces:
        if len(piece) == 1:
            features.add(piece)
        features.update(a + b for a, b in zip(piece, piece[1:]))
    return frozenset(features)
