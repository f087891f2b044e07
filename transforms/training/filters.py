"""Quality filters for training answers: small named checks, each returning a drop reason or None.

A check takes the answer to judge (`Candidate`) and the training policy. `GOOD_ANSWER_FILTERS` is applied,
in order, to every answer a model would learn to imitate (SFT targets, DPO `chosen`, KTO desirable
completions); `ANY_ANSWER_FILTERS` to answers kept only as bad examples (DPO `rejected`, KTO undesirable
completions), where a refusal or a truncated answer is exactly what the row should teach against.
Low-information answers (pleasantries, filler, a user's note to self: transforms/training/low_information.py)
teach a model nothing it should imitate, so they are refused as good answers only.
The first check that objects names the reason ("filter.<name>"), which the caller counts.

Text the LLM judge wrote (a corrected answer) is untrusted input: on top of the checks any answer gets, it
must carry no chat-template role tags, prompt delimiters, system-prompt markers, HTML/script markup or
instruction-injection phrases (`judge_text`, "filter.judge_injection"). Answers from the logs are not held
to it: a logged answer about HTML legitimately contains `<div>`.

All text here is scrubbed: placeholders like `<PERSON_1>` stand where personal data was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from transforms.training.low_information import added_note_to_self, is_low_information
from transforms.training.policy import TrainingPolicy
from schemas.conversation import Turn
from transforms.text import CJK_CHAR_CLASS, PLACEHOLDER_RE


@dataclass(frozen=True)
class Candidate:
    """One answer up for a training row, with what the checks need to know about it."""

    answer: str
    # Language of the prompt the answer responds to (transforms.conversation_tags.request_language): an
    # ISO 639-1 code, "mixed" or "und".
    prompt_language: str = "und"
    # The answer's turn was reported by a user or marked by the log (see `is_flagged`).
    flagged: bool = False
    # The text was written by the LLM judge (a corrected answer), not logged: `judge_text` screens it.
    judge_written: bool = False
    # A user's edit: the answer it was edited from (`note_to_self` looks at what the user added).
    edited_from: str | None = None


Check = Callable[[Candidate, TrainingPolicy], "str | None"]

# What marks a turn as flagged content: a user's report, or a decision from a rule that flags.
FLAG_FEEDBACK_KINDS = frozenset({"report"})
FLAG_RULE_IDS = frozenset({"explicit.report"})
FLAG_RULE_PREFIXES = ("moderation.", "flag.")


def is_flagged(turn: Turn) -> bool:
    """True when the turn has a report feedback or a flagging decision (moderation rules, log flags)."""
    return any(signal.kind in FLAG_FEEDBACK_KINDS for signal in turn.feedback) or any(
        decision.rule_id in FLAG_RULE_IDS or decision.rule_id.startswith(FLAG_RULE_PREFIXES)
        for decision in turn.decisions
    )


# --- truncation -------------------------------------------------------------------------------------

_FENCE_LINE_RE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)
# A cut-off: an ellipsis right after a letter ("and then we..."), or an answer that stops on a comma or a
# colon ("Here is the code:" and nothing after). Digits before "..." ("1, 2, 3...") are a legitimate
# ellipsis, and the Chinese "……" is a style, not a cut: neither is matched.
_CUT_OFF_END_RE = re.compile(r"(?:[^\W\d_](?:\.\.\.|…)|[,，:：、])\s*$")


def looks_truncated(text: str) -> bool:
    """True when the answer visibly stops early: an unclosed code fence, or a mid-sentence ending.

    Conservative on purpose: a false alarm throws away a good answer, a miss keeps one odd ending.
    """
    if len(_FENCE_LINE_RE.findall(text)) % 2 == 1:
        return True
    return bool(_CUT_OFF_END_RE.search(text))


# --- refusals ---------------------------------------------------------------------------------------

_APOS = "['’]"
_CANT = (rf"(?:can{_APOS}?t|cannot|can not|won{_APOS}t|will not|am unable|{_APOS}m unable|am not able|"
         rf"{_APOS}m not able|must decline)")
# Boilerplate refusals, looked for only at the start of an answer: "I can't" deep in a helpful answer
# ("if it still fails, I can't see your logs, so...") is not a refusal.
REFUSAL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^(?:I{_APOS}m|I am)\s+(?:really\s+|very\s+|so\s+|truly\s+)?sorry[,.!]?\s+(?:but\s+)?"
               rf"(?:I|as an AI)[^.!?\n]{{0,40}}?\b{_CANT}", re.IGNORECASE),
    re.compile(rf"^(?:sorry|unfortunately|apologies)[,.!]?\s+(?:but\s+)?I\s*{_CANT}", re.IGNORECASE),
    re.compile(rf"^I\s*{_CANT}(?:\s+to)?\s+(?:help|assist|provide|comply|do that|fulfil|fulfill|support|answer|"
               rf"engage|create|generate|write|share|give)", re.IGNORECASE),
    re.compile(rf"^I\s+must\s+(?:respectfully\s+|politely\s+)?decline", re.IGNORECASE),
    re.compile(rf"^As an AI(?: language model| assistant| model)?,?\s+I\s*(?:{_CANT}|do not|don{_APOS}t)",
               re.IGNORECASE),
    re.compile(r"^(?:很|非常|十分)?(?:抱歉|对不起|不好意思)[，,。.!！\s]*(?:但是?|不过)?[，,\s]*"
               r"(?:作为[^，,。]{0,12}[，,]?\s*)?我(?:无法|不能|没办法|不可以|不便|不会)"),
    re.compile(r"^作为(?:一个|一名)?\s*(?:AI|人工智能)\s*(?:语言模型|助手|模型)?[，,]?\s*我(?:无法|不能|没有办法)"),
    re.compile(r"^我(?:无法|不能|不可以)(?:提供|帮助|协助|回答|满足|完成|帮你|为你|为您|帮您)"),
)
# How far into the answer a refusal may start (after a short lead-in such as "Hello!").
REFUSAL_HEAD_CHARS = 300
_LEAD_IN_RE = re.compile(r"^(?:(?:hi|hello|hey)[^.!?\n]{0,20}[.!,]\s*|(?:你好|您好)[，,！!。]?\s*)", re.IGNORECASE)


def looks_like_refusal(text: str) -> bool:
    """True when the answer opens with a stock refusal (EN or ZH)."""
    head = _LEAD_IN_RE.sub("", text.strip()[:REFUSAL_HEAD_CHARS], count=1)
    return any(pattern.search(head) for pattern in REFUSAL_PATTERNS)


# --- placeholders -----------------------------------------------------------------------------------

# Words of a line, to weigh placeholders against: a placeholder, a Latin word or number, or two Han/kana
# characters (about one word's worth).
_LINE_TOKEN_RE = re.compile(rf"{PLACEHOLDER_RE.pattern}|[{CJK_CHAR_CLASS}]{{1,2}}|[^\W\d_{CJK_CHAR_CLASS}]+|\d+")


def _character_share(text: str) -> float:
    total = sum(map(len, text.split()))  # the non-space characters (str.split splits on exactly str.isspace)
    if total == 0:
        return 0.0
    return sum(len(match.group(0)) for match in PLACEHOLDER_RE.finditer(text)) / total


def _line_share(text: str) -> float:
    """Share of the non-empty lines that are mostly placeholders (placeholders are half its words or more)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    mostly = 0
    for line in lines:
        tokens = _LINE_TOKEN_RE.findall(line)
        placeholders = sum(1 for token in tokens if PLACEHOLDER_RE.fullmatch(token))
        mostly += placeholders > 0 and 2 * placeholders >= len(tokens)
    return mostly / len(lines)


def placeholder_share(text: str) -> float:
    """How much of the answer is placeholders, 0-1: the larger of two readings (0 for an empty text).

    By characters, placeholders inside prose weigh little; but a contact block or a letter's header
    ("<PERSON_1>" / "Email: <EMAIL_ADDRESS_1>" / "Phone: <PHONE_NUMBER_1>") is placeholders line after line
    while its characters are mostly the short labels around them. So the share of lines that are mostly
    placeholders counts too.
    """
    if PLACEHOLDER_RE.search(text) is None:
        return 0.0  # what both readings give then, without reading every line
    return max(_character_share(text), _line_share(text))


# --- injected instructions and markup (judge-written text) ------------------------------------------

# Chat-template and prompt-structure tokens: role tags (<|im_start|>, [INST], <<SYS>>, <start_of_turn>,
# <|system|>...), our own delimiter (<conversation>), and "system prompt" / "role: system" markers.
_ROLE_MARKERS = re.compile(
    r"<\|[^|>\n]{1,40}\|>"                                  # <|im_start|>, <|endoftext|>, <|system|>
    r"|\[/?(?:INST|SYS)\]|<</?SYS>>"                          # Llama 2
    r"|</?\s*(?:start_of_turn|end_of_turn|conversation|system|assistant|user|instructions?|s)\s*>"
    r"|^\s*(?:###\s*)?(?:system|assistant|user|human)\s*:"   # "System:" / "### Human:" at a line start
    r"|\bsystem\s+(?:prompt|message|instructions?)\b|\brole\s*[\"']?\s*:\s*[\"']?system\b",
    re.IGNORECASE | re.MULTILINE)
# Phrases that address the model reading the text instead of answering the user.
_INJECTION_PHRASES = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|all|your|the)\b"
    r"[^.\n]{0,30}?\b(?:instructions?|prompts?|rules|guidelines|directions|context)\b"
    r"|\byou\s+are\s+now\b|\bnew\s+instructions?\s*:|\bjailbreak|\bdeveloper\s+mode\b|\bDAN\s+mode\b"
    r"|\bdo\s+anything\s+now\b|\bpretend\s+(?:to\s+be|you\s+are)\b"
    r"|\bact\s+as\s+(?:an?\s+)?(?:unfiltered|jailbroken)"
    r"|\breveal\b[^.\n]{0,30}\b(?:system\s+prompt|instructions|hidden\s+prompt)"
    r"|忽略(?:之前|以上|前面|上述|所有)[^。\n]{0,10}(?:指令|指示|提示|规则)|无视[^。\n]{0,10}(?:指令|指示|规则)|系统提示",
    re.IGNORECASE)
# HTML that renders or runs: tags of the HTML vocabulary, comments, javascript: URLs, event handlers.
# Placeholders (<PERSON_1>) match none of these, nor does arithmetic ("a < b and c > d": no space after "<").
_HTML = re.compile(
    r"</?(?:script|style|iframe|object|embed|img|svg|a|div|span|p|br|hr|form|input|button|meta|link|"
    r"html|head|body|table|tr|td|th|ul|ol|li|h[1-6]|b|i|u|em|strong|pre|code|textarea|base|frame|frameset)"
    r"(?=[\s/>])[^<>]*>|<!--|-->|\bjavascript\s*:|\bon(?:error|load|click|mouseover)\s*=",
    re.IGNORECASE)
_FENCED_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.DOTALL)


def injection_reason(text: str) -> str | None:
    """What in the text addresses a model or renders as markup ("role_marker", "instruction", "markup"),
    or None. Role markers and instructions count anywhere, code included (they act on a chat template
    or a reader wherever they sit); HTML counts outside code spans and fences, where an answer about
    web pages legitimately shows it."""
    if _ROLE_MARKERS.search(text):
        return "role_marker"
    if _INJECTION_PHRASES.search(text):
        return "instruction"
    if _HTML.search(_FENCED_CODE.sub(" ", text)):
        return "markup"
    return None


# --- the checks -------------------------------------------------------------------------------------

def empty(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """An answer with no text (whitespace only) teaches nothing."""
    return "filter.empty" if not candidate.answer.strip() else None


def flagged(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """A reported or moderation-flagged answer never becomes a good example."""
    return "filter.flagged" if candidate.flagged else None


def language(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """The prompt is in a language the policy does not keep (no languages listed = all kept)."""
    if policy.languages and candidate.prompt_language not in policy.languages:
        return "filter.language"
    return None


def length(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """The answer (stripped) is shorter than min_answer_chars or longer than max_answer_chars."""
    size = len(candidate.answer.strip())
    if size < policy.min_answer_chars:
        return "filter.too_short"
    if size > policy.max_answer_chars:
        return "filter.too_long"
    return None


def placeholders(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """Scrubbing left mostly placeholders: the model would learn to emit `<PERSON_1>`."""
    return "filter.placeholders" if placeholder_share(candidate.answer) > policy.max_placeholder_share else None


def truncated(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """The answer was cut off (unclosed code fence, trailing "..." or comma)."""
    return "filter.truncated" if looks_truncated(candidate.answer) else None


def refusal(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """The answer is a stock refusal ("I'm sorry, but I can't...", "抱歉，我无法...")."""
    return "filter.refusal" if looks_like_refusal(candidate.answer) else None


def low_information(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """The answer is only pleasantries and filler ("You're welcome! Let me know if...", "不客气！")."""
    return "filter.low_information" if is_low_information(candidate.answer) else None


def note_to_self(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """A user's edit added a note to themselves ("Note: tested on our setup.", "已核对无误。")."""
    if candidate.edited_from is not None and added_note_to_self(candidate.answer, candidate.edited_from):
        return "filter.note_to_self"
    return None


# Cheap and decisive first; the first check that objects names the reason.
def judge_text(candidate: Candidate, policy: TrainingPolicy) -> str | None:
    """Judge-written text with role tags, delimiters, injected instructions or markup never becomes a target."""
    if candidate.judge_written and injection_reason(candidate.answer):
        return "filter.judge_injection"
    return None


# judge_text right after `empty`, so every injected correction is counted under its own reason.
GOOD_ANSWER_FILTERS: tuple[Check, ...] = (empty, judge_text, flagged, language, length, placeholders, truncated,
                                          refusal, low_information, note_to_self)
ANY_ANSWER_FILTERS: tuple[Check, ...] = (empty, language)


def drop_reason(candidate: Candidate, policy: TrainingPolicy,
                checks: tuple[Check, ...] = GOOD_ANSWER_FILTERS) -> str | None:
    """The first check's reason to drop this answer, or None to keep it.

    In: an answer with its prompt language and flag, the policy, and the checks to run (by default the
    ones for answers a model learns to imitate). Out: "filter.<reason>" or None. Refuses nothing.
    """
    for check in checks:
        reason = check(candidate, policy)
        if reason:
            return reason
    return None
