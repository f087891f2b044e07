"""What an assistant turn did, read before the user's reply to it: gave an answer, asked a question,
offered options, or offered more help (a closing).

The same reply means different things after each: "no" after "Would you like me to book it?" answers the
question, "nope, all good" after "Anything else?" closes the conversation, and only "no, it's 1.6 kg" after
an answer corrects it. The rules (transforms/label/signals.py) and the judge's prompt read this act.

In: the assistant turn's (scrubbed) text. Out: one `DialogueAct`. Only the last two sentences count: a
turn that answers and then asks "anything else?" ends on the closing, which is what the user replies to.
The phrases are data: `transforms.label.phrases.ASSISTANT_ACTS`, both languages tried on every turn.
"""

from __future__ import annotations

import re
from enum import StrEnum

from transforms.label.phrases import ASSISTANT_ACTS

# The tail of a turn the user is replying to: its last sentences, up to this many characters.
TAIL_SENTENCES = 2
TAIL_CHARS = 240


class DialogueAct(StrEnum):
    answer = "answer"
    question = "question"
    options = "options"
    closing = "closing"


# First match wins: a closing offer is also a question, an offer of options usually is too.
_ORDER = (DialogueAct.closing, DialogueAct.options, DialogueAct.question)
# Each act's phrases (both languages) as one alternation: it finds something exactly when one of them does.
_PATTERNS = {act: re.compile("|".join(f"(?:{p})" for lang in ASSISTANT_ACTS.values() for p in lang[act.value]),
                             re.IGNORECASE)
             for act in _ORDER}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])\s*")


def tail(text: str) -> str:
    """The last sentences of a turn, the part a reply answers."""
    text = text.replace("\uff1f", "?").strip()
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    return " ".join(sentences[-TAIL_SENTENCES:])[-TAIL_CHARS:]


def assistant_act(text: str) -> DialogueAct:
    """The dialogue act of an assistant turn, from its last sentences."""
    end = tail(text)
    for act in _ORDER:
        if _PATTERNS[act].search(end):
            return act
    return DialogueAct.answer
