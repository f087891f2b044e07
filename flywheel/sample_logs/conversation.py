"""One conversation at a time: turns, regenerations and feedback on a timeline, then its lines.

`Builder.build` lays out a conversation as abstract items ("m" messages, "f" feedback) with offsets in
microseconds, squeezes it into the day when it would run past midnight, and hands the items to the line
writer of its format (`formats.py`).
"""

from __future__ import annotations

import random

from flywheel.sample_logs.feedback import add_feedback
from flywheel.sample_logs.formats import event_lines, openai_lines
from flywheel.sample_logs.seeds import US, random_hex
from flywheel.sample_logs.talk import Talk
from flywheel.sample_logs.templates import (
    INTROS_EN, INTROS_ZH, MODEL_NAMES, MODEL_WEIGHTS_EN, MODEL_WEIGHTS_ZH, SYSTEM_EN, SYSTEM_ZH, TOPIC_W_EN,
    TOPIC_W_ZH, TOPICS,
)

_TURNS = (1, 2, 3, 4, 5, 6)
_TURN_W = (35, 25, 17, 11, 7, 5)


class Builder:
    def __init__(self, rng: random.Random, talk: Talk, users: int) -> None:
        self.rng, self.talk, self.users = rng, talk, users

    def _hex(self, bits: int = 64) -> str:
        return random_hex(self.rng, bits)

    def build(self, start_us: int, day_end_us: int, fmt: str) -> list[tuple[int, str]]:
        """One conversation as (timestamp, line) pairs in time order."""
        r, talk = self.rng, self.talk
        lang = "en" if r.random() < 0.75 else "zh"
        conv_id = "conv_" + self._hex()
        user_id = None if r.random() < 0.03 else f"u_{r.randrange(self.users):06d}"
        model = r.choices(MODEL_NAMES, MODEL_WEIGHTS_EN if lang == "en" else MODEL_WEIGHTS_ZH)[0]
        used_ids: set[str] = set()

        def new_id() -> str:
            while True:
                mid = "msg_" + self._hex(48)
                if mid not in used_ids:
                    used_ids.add(mid)
                    return mid

        # Abstract items: ("m", ts, id, parent, role, content, history) / ("f", ts, kind, target, extra, event_id)
        items: list[tuple] = []
        t = 0
        history: list[tuple[str, str]] = []  # (role, content) of the chosen path, for the openai format
        parent: str | None = None
        if r.random() < 0.85:
            system = r.choice(SYSTEM_EN if lang == "en" else SYSTEM_ZH)
            sid = new_id()
            items.append(("m", t, sid, None, "system", system, None))
            history.append(("system", system))
            parent = sid
            t += r.randint(5_000, 900_000)
        topic = r.choices(TOPICS, TOPIC_W_EN if lang == "en" else TOPIC_W_ZH)[0]
        prev_answer = ""
        n_turns = r.choices(_TURNS, _TURN_W)[0]
        for turn in range(n_turns):
            tlang = lang
            if r.random() < 0.04:  # some users switch language mid-conversation
                tlang = "zh" if lang == "en" else "en"
            if turn == 0 or r.random() < 0.45 or not prev_answer:
                if turn > 0:
                    topic = r.choices(TOPICS, TOPIC_W_EN if tlang == "en" else TOPIC_W_ZH)[0]
                user, answer_fn = talk.task(tlang, topic)
                personal = topic == "personal"
            else:
                user, answer_fn = talk.followup(tlang, prev_answer)
                personal = True  # a follow-up ("shorter please") carries no PII of its own
            if not personal and r.random() < talk.USER_PII_RATE:
                user = talk.plant_user(user, tlang)
            if turn > 0:
                t += int(r.lognormvariate(17.3, 1.0)) + 2_000_000  # think time: median ~35 s
            uid = new_id()
            items.append(("m", t, uid, parent, "user", user, None))
            history.append(("user", user))
            request = list(history)
            regenerations = 0
            answers: set[str] = set()
            while True:
                answer = answer_fn()
                for _ in range(3):  # a regenerated answer differs from the ones before it
                    if answer not in answers:
                        break
                    answer = answer_fn()
                if answer in answers:
                    answer = (r.choice(INTROS_EN[1:]) if tlang == "en" else r.choice(INTROS_ZH[1:])) + answer
                answers.add(answer)
                if r.random() < talk.ASSISTANT_PII_RATE:
                    answer = talk.plant_assistant(answer, tlang)
                t += 600_000 + int(len(answer) / r.uniform(60, 250) * US)  # generation latency
                aid = new_id()
                items.append(("m", t, aid, uid, "assistant", answer, request))
                regen = add_feedback(r, talk, items, aid, answer, tlang, t, regenerations)
                t = items[-1][1] + 1
                if not regen:
                    break
                regenerations += 1
            history.append(("assistant", answer))
            prev_answer = answer
            parent = aid

        # squeeze into the day if the conversation would run past midnight
        last = start_us + items[-1][1]
        if last >= day_end_us:
            scale = (day_end_us - 1 - start_us) / items[-1][1]
            prev = -1
            squeezed = []
            for it in items:
                ts = max(prev + 1, int(it[1] * scale))
                squeezed.append((it[0], ts) + it[2:])
                prev = ts
            items = squeezed
        if fmt == "openai":
            return openai_lines(self.rng, items, start_us, conv_id, user_id, model)
        return event_lines(items, start_us, conv_id, user_id, model)
