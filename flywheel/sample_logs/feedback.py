"""Feedback events on assistant messages: thumbs, ratings, copy, edit, report, regenerate.

`add_feedback` appends abstract feedback items to a conversation being built (see `conversation.py`);
`formats.py` turns them into lines. About 10% carry no message_id and 10% no event_id, as real clients do.
"""

from __future__ import annotations

import random

from flywheel.sample_logs.seeds import random_hex
from flywheel.sample_logs.talk import Talk

_REPORT_EN = ("This answer is factually wrong.", "Inappropriate content.", "It ignored my instructions.",
              "The response contains someone's personal information.", "Spam")
_REPORT_ZH = ("回答内容不准确", "包含不当内容", "答非所问", "回答里泄露了个人信息")
_DOWN_EN = ("too long", "wrong answer", "didn't answer my question", "code doesn't work")
_DOWN_ZH = ("太长了", "答案错误", "没有回答我的问题", "代码跑不通")


def add_feedback(r: random.Random, talk: Talk, items: list, aid: str, answer: str, lang: str, t: int,
                 regenerations: int) -> bool:
    """Append feedback on one assistant message; True when the user asked to regenerate it."""
    fb: list[tuple[str, dict]] = []
    if r.random() < 0.08:
        fb.append(("copy", {}))
    u = r.random()
    down = False
    if u < 0.12:
        fb.append(("thumbs_up", {}))
    elif u < 0.18:
        down = True
        extra = {}
        if r.random() < 0.3:
            extra["comment"] = r.choice(_DOWN_EN if lang == "en" else _DOWN_ZH)
        fb.append(("thumbs_down", extra))
    if r.random() < 0.05:
        if down:
            rating = r.choice((1, 1, 2, 2, 3))
        else:
            rating = r.choices((1, 2, 3, 4, 5), (4, 6, 15, 35, 40))[0]
        fb.append(("rating", {"rating": rating}))
    if r.random() < 0.02:
        fb.append(("edit", {"edited_text": talk.edit(answer, lang)}))
    if r.random() < 0.005:
        fb.append(("report", {"comment": r.choice(_REPORT_EN if lang == "en" else _REPORT_ZH)}))
    regen = regenerations < 2 and r.random() < (0.285 if down else 0.035)
    if regen:
        fb.append(("regenerate", {}))
    for kind, extra in fb:
        t += r.randint(800_000, 40_000_000)
        target = None if r.random() < 0.10 else aid
        event_id = None if r.random() < 0.10 else "fb_" + random_hex(r)
        items.append(("f", t, kind, target, extra, event_id))
    return regen
