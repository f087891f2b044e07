"""Which cue patterns cannot match a message, known from the message's script alone.

Both languages' phrases are tried on every message (a Chinese user's "thx" still counts), yet almost every
Chinese phrase needs a Han character to match and almost every English one a Latin letter. A pattern that
needs one can be skipped on a message that has none, with the same result: `needs_script` proves it from the
pattern's parsed form, so no list of exceptions is kept by hand ("3q" and 👍 among the Chinese phrases, "??"
among the English ones still run everywhere).

Used by transforms/label/follow_ups.py. Exact by construction; tests/label/test_cue_scripts.py also checks it
against every phrase on real and random texts.
"""

from __future__ import annotations

import re
from re import _constants as sre  # noqa: PLC2701 - the parsed form of a pattern: opcodes and their arguments
from re import _parser as sre_parse  # noqa: PLC2701

from transforms.text import HAN_CHAR_CLASS

# A message "has the script" when it holds one of these characters. The Latin class also holds the four
# non-ASCII characters that match an ASCII letter case-insensitively in Python's re (İ, ı, ſ, K): without
# them, "ſorry" could match an English phrase in a message this module calls Latin-free.
SCRIPT_CHARS: dict[str, re.Pattern] = {
    "en": re.compile("[A-Za-z\u0130\u0131\u017f\u212a]"),
    "zh": re.compile(f"[{HAN_CHAR_CLASS}]"),
}

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


def _char_in(code: int, script: re.Pattern) -> bool:
    return script.fullmatch(chr(code)) is not None


def _class_in(items: list, script: re.Pattern) -> bool:
    """Whether every character a [...] class matches is of the script (a negated class or a category never is)."""
    for op, arg in items:
        if op is sre.LITERAL:
            if not _char_in(arg, script):
                return False
        elif op is sre.RANGE:
            low, high = arg
            if not all(_char_in(code, script) for code in range(low, high + 1)):
                return False
        else:  # NEGATE, CATEGORY (\w, \d...), anything else
            return False
    return bool(items)


def _needs(parsed, script: re.Pattern) -> bool:
    """Whether every match of this parsed sequence holds a character of the script."""
    for op, arg in parsed:
        if op is sre.LITERAL and _char_in(arg, script):
            return True
        if op is sre.IN and _class_in(arg, script):
            return True
        if op is sre.SUBPATTERN and _needs(arg[-1], script):
            return True
        if op is sre.BRANCH and all(_needs(branch, script) for branch in arg[1]):
            return True
        if op in _REPEATS and arg[0] >= 1 and _needs(arg[2], script):
            return True
        # Anything else (anchors, lookarounds, \w, ., optional parts) may match without the script.
    return False


def needs_script(pattern: str, language: str, flags: int = re.IGNORECASE) -> bool:
    """Whether `pattern` can only match a text holding a character of `language`'s script (SCRIPT_CHARS)."""
    return _needs(sre_parse.parse(pattern, flags), SCRIPT_CHARS[language])


def has_script(text: str, language: str) -> bool:
    return SCRIPT_CHARS[language].search(text) is not None
