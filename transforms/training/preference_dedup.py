"""Deduplication of preference rows (DPO pairs, KTO rows): what makes two of them the same, for the rules of
transforms/training/dedup.py (exact key, MinHash near-duplicates, other days' rows win).

A preference row teaches a contrast, so the whole row is compared, not only its prompt:

    exact   normalized prompt (role + content of every message) + the answers (DPO: chosen and rejected;
            KTO: the completion) + the kind; a KTO row's desirable flag is its group.
    near    the prompt's non-system text followed by the answers. Two DPO pairs with the same prompt but other
            answers are different lessons and both stay; the same pair with a few words changed is one lesson.
    group   "dpo", "kto.desirable", "kto.undesirable": rows are compared within a group only, so a prompt's
            desirable and undesirable KTO completions never cancel each other out.
    rank    the smallest pair_id wins within a run (rows carry no score); rows of other days always win.
"""

from __future__ import annotations

from schemas.outputs import PreferencePair
from transforms.ids import stable_id
from transforms.training.dedup import DedupSubject, normalize_text

PREFERENCE_GROUPS = frozenset({"dpo", "kto.desirable", "kto.undesirable"})


def preference_group(pair: PreferencePair) -> str:
    if pair.kind == "kto":
        return "kto.desirable" if pair.desirable else "kto.undesirable"
    return pair.kind


def _answers(pair: PreferencePair) -> list[str]:
    if pair.kind == "kto":
        return [pair.completion or ""]
    return [pair.chosen or "", pair.rejected or ""]


def preference_exact_key(pair: PreferencePair) -> str:
    """A 128-bit hex key of the normalized prompt, the answers and the group."""
    prompt = "\x1e".join(f"{m.role}\x1f{normalize_text(m.content)}" for m in pair.prompt)
    return stable_id("preference-exact-v1", preference_group(pair), prompt,
                     *(normalize_text(answer) for answer in _answers(pair)))


def preference_text(pair: PreferencePair) -> str:
    """What near-duplicate detection compares: the prompt without system messages, then the answers."""
    parts = [m.content for m in pair.prompt if m.role != "system"] or [m.content for m in pair.prompt]
    return normalize_text("\n".join(parts + _answers(pair)))


def preference_rank(pair: PreferencePair) -> tuple[float, str]:
    return (0.0, pair.pair_id)


def _pair_id(pair: PreferencePair) -> str:
    return pair.pair_id


PREFERENCE_DEDUP = DedupSubject("dedup.preferences", PREFERENCE_GROUPS, _pair_id, preference_exact_key,
                                preference_text, preference_group, preference_rank)
