"""Task category and language on every turn and on the conversation, so analysts can ask "which kind of
request, in which language, gets thumbs-down" of the `turns` and `conversations` views.

- A turn's language is its own message's (transforms.text.detect_language): an ISO 639-1 code, "mixed" or
  "und".
- A user turn's category is its request's (transforms.task_category.categorize); an assistant turn's is the
  category of the request it answers, with the answer as evidence: the same call an SFT or preference row
  of that answer makes. System and tool turns have none.
- The conversation's language is the one most of its users' letters are written in, so a "TL;DR?" at the
  end of a Chinese conversation leaves it "zh"; turns whose language is "und" do not vote, and the
  assistant's turns vote only when no user turn has a language.
- The conversation's category is the most common of its answers' categories (of its requests' when nothing
  was answered), ties going to the more specific task (CATEGORIES order); "other" only when nothing else.

Plain Python, run by the conversation step on scrubbed text (transforms/conversation_step.py); the training
rows read a request's language through `request_language`, so a row and its turn never disagree.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from schemas.conversation import Conversation, Turn
from transforms.task_category import CATEGORIES, categorize
from transforms.text import UNDETERMINED, detect_language, letter_count
from transforms.turns import ASSISTANT, USER, TurnLinks

OTHER_CATEGORY = "other"


def tag_conversation(conversation: Conversation) -> Conversation:
    """The conversation with `category` and `language` set on it and on each of its turns (a copy)."""
    links = TurnLinks(conversation)
    turns = [turn.model_copy(update={"category": _turn_category(links, turn), "language": detect_language(turn.content)})
             for turn in conversation.turns]
    return conversation.model_copy(update={
        "turns": turns, "category": conversation_category(turns), "language": conversation_language(turns),
    })


def request_of(links: TurnLinks, answer: Turn) -> Turn | None:
    """The user turn an answer responds to: the last user turn of what the model saw (None when there is none)."""
    users = [t for t in links.context(answer, max_turns=1) if t.role == USER]
    return users[-1] if users else None


def message_language(turn: Turn) -> str:
    """A turn's language: the one the conversation step set, or detected now for a turn it has not seen."""
    return turn.language if turn.language is not None else detect_language(turn.content)


def request_language(request: Turn | None, conversation_language: str) -> str:
    """The language of a request, the conversation's when the request alone does not tell ("TL;DR?", "ok")."""
    language = message_language(request) if request is not None else UNDETERMINED
    return conversation_language if language == UNDETERMINED else language


def conversation_language(turns: Iterable[Turn]) -> str:
    """The language most of the users' letters are in (the assistant's when no user turn has a language);
    "und" when no turn has one. Ties go to the language seen first."""
    letters: dict[str, Counter[str]] = {USER: Counter(), ASSISTANT: Counter()}
    for turn in turns:
        if turn.role in letters:
            language = message_language(turn)
            if language != UNDETERMINED:
                letters[turn.role][language] += max(1, letter_count(turn.content))
    for role in (USER, ASSISTANT):
        if letters[role]:
            return max(letters[role], key=letters[role].__getitem__)
    return UNDETERMINED


def conversation_category(turns: Iterable[Turn]) -> str | None:
    """The most common category of the answers (of the requests when there is no answer); ties go to the
    more specific task, "other" only when no turn has another category; None without user or assistant turns."""
    turns = list(turns)
    for role in (ASSISTANT, USER):
        categories = [t.category for t in turns if t.role == role and t.category is not None]
        if categories:
            counts = Counter(c for c in categories if c != OTHER_CATEGORY)
            if not counts:
                return OTHER_CATEGORY
            return max(CATEGORIES, key=lambda category: counts[category])
    return None


def _turn_category(links: TurnLinks, turn: Turn) -> str | None:
    if turn.role == USER:
        return categorize(turn.content)
    if turn.role == ASSISTANT:
        request = request_of(links, turn)
        return categorize(request.content if request is not None else "", turn.content)
    return None
