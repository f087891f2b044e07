"""Code detection beyond fences: lines of unfenced code (:data:`CODE_LINE_RE`).

Fenced / inline code (``CODE_RE``) and the scrubber's placeholders (``PLACEHOLDER_RE``) live in
:mod:`transforms.text`. NER never reads code (:func:`transforms.scrub.ner.mask_code`); a bare number
in code is no phone (:func:`transforms.scrub.patterns.contact.phone_span_plausible`).
"""

from __future__ import annotations

import re


# Lines of unfenced code: ending in ; { } (prose lines almost never do), starting with a
# lower-case declaration keyword and holding code punctuation ("class KruskalMST:", "def f(x):"),
# or a Python block header ("if d < dist.get(v, 2147483647):").
CODE_LINE_RE = re.compile(
    r"(?m)^[^\n]*[;{}][ \t]*$"
    r"|^[ \t]*(?:if|elif|else|for|while|try|except|with)\b[^\n]*[()=<>\[\]][^\n]*:[ \t]*$"
    r"|^[ \t]*(?:class|def|function|func|fn|import|from|const|let|var|public|private|protected"
    r"|static|final|return|package|struct|interface|enum|async|export|module|#include|#define)"
    r"[ \t][^\n]*[(){}=:;][^\n]*$"
)
