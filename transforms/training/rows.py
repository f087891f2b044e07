"""Training rows from one scrubbed, labeled conversation: SFT examples and preference pairs (DPO, KTO).

`build_training_rows(conversation, policy)` is the step. What it selects, and why:

- SFT targets ("original"): assistant turns labeled positive, and undecided ones (unknown/neutral) the
  judge scored at least `policy.min_judge_quality` out of 10. A negative turn is never a target and never
  `chosen`: a user's "this is bad" is not outvoted by anything.
- Better answers the logs hold, each giving an SFT example AND a DPO pair (better = chosen, original =
  rejected):
  "user_edit"            the user's edited text of an answer (an `edit` feedback);
  "regenerated_accepted" a regeneration the user accepted (positive, or continued from without a
                         negative) after a rejected sibling (regenerate feedback or negative label); its
                         pairs have derivation "regeneration";
  "judge_correction"     the judge's rewrite of an answer from the user's correction (`corrected_answer`).
- DPO pairs between sibling answers (same prompt): by label when both are decided and differ, else by
  quality score; a tie or a missing score makes no pair and is counted.
- KTO rows: one per assistant turn labeled positive (desirable) or negative (undesirable).

Provenance: every row names the conversation, the message ids it came from and the rules that decided.
For an answer that is not a logged message, `chosen_message_id` names where it came from: the `edit`
feedback's event id (user_edit) or the user's follow-up message that carried the correction
(judge_correction); `rejected_message_id` and the SFT `target_message_id` name the original answer.

An example's context (the SFT messages before the target, a preference row's prompt) keeps at most
`policy.max_context_turns` turns besides its opening system messages (transforms.turns.trim_context):
every row repeats its context, so only that cap keeps a long conversation's rows linear in its length.
Rows with a cut context are counted (`TrainingCandidates.context_trimmed`).

Every answer a model would imitate passes the quality filters (transforms/training/filters.py). What is not
kept is counted in `dropped` by reason: filter reasons once per distinct answer (an answer refused as SFT
target and as KTO completion counts once), preference reasons once per pair of sibling answers. A DPO pair
whose answers differ only by stock phrases ("Certainly! " + the same text) is dropped ("filter.trivial_pair").

With `policy.loss_scope == "all"` an SFT example's earlier assistant messages carry `train=True` only when they
would be targets themselves: selected by the same rule (`_selected`, or an accepted regeneration) and passing the
same quality filters. Everything else in the context is conditioning only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from schemas.conversation import Conversation, Label, LabelDecision, Turn
from schemas.outputs import ChatMessage, PreferencePair, SFTExample
from transforms.conversation_tags import conversation_language, request_language
from transforms.ids import stable_id
from transforms.task_category import categorize
from transforms.turns import TurnLinks
from transforms.training.filters import (
    ANY_ANSWER_FILTERS, GOOD_ANSWER_FILTERS, Candidate, Check, drop_reason, is_flagged,
)
from transforms.training.low_information import differs_trivially
from transforms.training.policy import TrainingPolicy

ASSISTANT = "assistant"
USER = "user"

# Label order for sibling answers whose labels are both decided; unknown has no place in it (no evidence).
LABEL_RANK = {Label.positive: 2, Label.neutral: 1, Label.negative: 0}
# Undecided labels the judge can lift into the SFT set.
JUDGE_SELECTABLE = frozenset({Label.unknown, Label.neutral})
# Signal families that decide a preference row's derivation, most direct first; other user signals
# (copy, report, conversational rules) count as "thumbs", the judge alone as "judge".
SIGNAL_DERIVATIONS: tuple[tuple[str, str], ...] = (
    ("explicit.thumbs_", "thumbs"),
    ("explicit.rating_", "rating"),
    ("behavioural.regenerate", "regeneration"),
    ("behavioural.edit", "user_edit"),
)
JUDGE_RULE_PREFIX = "judge."
# Floating quality scores (q/10 from the judge) compared with this slack.
SCORE_EPSILON = 1e-9


@dataclass
class TrainingCandidates:
    """What one conversation yields: SFT examples, preference rows, and why anything was left out."""

    sft: list[SFTExample] = field(default_factory=list)
    preferences: list[PreferencePair] = field(default_factory=list)
    # Filter or selection reason -> count ("filter.refusal", "preference.tie", ...).
    dropped: Counter[str] = field(default_factory=Counter)
    # Rows kept (SFT examples and preference rows) whose context was cut to policy.max_context_turns.
    context_trimmed: int = 0


def answer_groups(conversation: Conversation) -> list[list[Turn]]:
    """Assistant turns grouped by the prompt they answer (siblings), each group in turn order.

    The prompt is the parent id when the log has one, else the nearest earlier non-assistant turn (the
    same reading conversation_context has of a log without parent ids). Answers with no prompt at all
    (an assistant turn opening the conversation) are left out.
    """
    groups: dict[str, list[Turn]] = {}
    last_prompt: str | None = None
    for turn in sorted(conversation.turns, key=lambda t: t.turn_index):
        if turn.role != ASSISTANT:
            last_prompt = turn.message_id
            continue
        key = turn.parent_id or last_prompt
        if key is not None:
            groups.setdefault(key, []).append(turn)
    return list(groups.values())


def build_training_rows(conversation: Conversation, policy: TrainingPolicy) -> TrainingCandidates:
    """SFT examples and preference pairs (DPO, KTO) from one labeled, scrubbed conversation.

    In: a conversation whose assistant turns carry their final label (and, when the judge ran, quality
    score, label source and corrected answer); the training policy. Out: `TrainingCandidates` with the SFT
    examples, the preference rows and the counts of what was dropped and why, in turn order and with
    deterministic ids. Refuses: negative turns as SFT targets or as chosen answers; answers without a
    user prompt before them ("filter.no_prompt"); answers a quality filter rejects ("filter.*"); pairs
    that cannot be ordered ("preference.tie", "preference.missing_score", ...).
    """
    return _RowBuilder(conversation, policy).build()


@dataclass(frozen=True)
class _Answer:
    """An answer up for a row: a logged turn's content, or a better text derived for that turn."""

    turn: Turn  # the turn whose position the answer takes
    text: str
    derivation: str  # "original", "user_edit", "regenerated_accepted", "judge_correction"
    # Where the text came from: the turn's message id, an edit's event id, a correction's follow-up id
    # (None when the user's follow-up is not in the log).
    source_id: str | None
    label: str
    quality_score: float | None
    rule_ids: tuple[str, ...]


class _RowBuilder:
    def __init__(self, conversation: Conversation, policy: TrainingPolicy):
        self.conversation = conversation
        self.policy = policy
        self.rows = TrainingCandidates()
        self.groups = answer_groups(conversation)
        self._links = TurnLinks(conversation)
        # Contexts are cut to the policy's cap once per turn and shared by every row of that turn; the
        # turns whose context was cut are remembered to count the rows that carry such a context.
        self._contexts: dict[str, list[Turn]] = {}
        self._trimmed: set[str] = set()
        self._screened: dict[tuple[str, str, str, bool], str | None] = {}  # (checks, turn, text, judge's) -> reason
        self._example_ids: set[str] = set()
        self._paired: set[frozenset[str]] = set()
        # Message ids of accepted regenerations: targets in their own right (see _trains_on).
        self._regeneration_targets: set[str] = set()
        self._conversation_language: str | None = None  # computed on first use

    # --- the steps --------------------------------------------------------------------------------

    def build(self) -> TrainingCandidates:
        accepted = self._accepted_regenerations()
        self._regeneration_targets = {better.turn.message_id for better, _ in accepted}
        for turn in self._assistant_turns():
            self._original_example(turn, accepted)
            self._user_edits(turn)
            self._judge_correction(turn)
        for better, worse in accepted:
            self._pair(better, self._original(worse), "regeneration")
        self._sibling_pairs()
        for turn in self._assistant_turns():
            self._kto_row(turn)
        return self.rows

    def _original_example(self, turn: Turn, accepted: list[tuple[_Answer, Turn]]) -> None:
        """The logged answer as SFT target, when its signals select it."""
        regenerated = [better for better, _ in accepted if better.turn.message_id == turn.message_id]
        if regenerated:
            self._sft(regenerated[0])
        elif self._selected(turn):
            self._sft(self._original(turn))

    def _selected(self, turn: Turn) -> bool:
        if turn.label == Label.positive:
            said_only = turn.label_source == "rules" and all(
                d.rule_id.startswith("conversational.") for d in turn.decisions if d.label == Label.positive)
            # quality = 0.5 + 0.5 * (positive - negative evidence): the rules' combined confidence, from it.
            return (not said_only or turn.quality_score is None or turn.quality_score + SCORE_EPSILON
                    >= 0.5 + 0.5 * self.policy.min_rules_positive_confidence)
        if turn.label in JUDGE_SELECTABLE and "judge" in (turn.label_source or "") and turn.quality_score is not None:
            return turn.quality_score + SCORE_EPSILON >= self.policy.min_judge_quality / 10
        return False

    def _user_edits(self, turn: Turn) -> None:
        """Each distinct edited text of an answer: SFT example + DPO pair (edited over original)."""
        seen: set[str] = set()
        for signal in turn.feedback:
            if signal.kind != "edit" or not signal.edited_text or signal.edited_text in seen:
                continue
            seen.add(signal.edited_text)
            self._better_than_original(turn, signal.edited_text, "user_edit", signal.event_id)

    def _judge_correction(self, turn: Turn) -> None:
        """The judge's corrected answer: SFT example + DPO pair (corrected over original).

        The judge's text is untrusted: the label stage keeps it only where verdict and user agree the answer
        was bad (transforms.label.verdicts.correction_agreed); here, defence in depth, only on a turn whose
        final label is negative, and `_admit` runs the judge-text check on top of the quality filters.
        """
        if turn.corrected_answer and turn.label != Label.negative:
            self.rows.dropped["selection.judge_correction_not_negative"] += 1
            return
        if turn.corrected_answer:
            follow_up = self._follow_up(turn)
            source_id = follow_up.message_id if follow_up else None
            self._better_than_original(turn, turn.corrected_answer, "judge_correction", source_id)

    def _better_than_original(self, turn: Turn, text: str, derivation: str, source_id: str | None) -> None:
        if text.strip() == turn.content.strip():
            self.rows.dropped["selection.unchanged_answer"] += 1
            return
        # The better text is endorsed by its derivation (the user wrote it, or the judge applied the
        # user's correction): its label is positive; its quality was never scored.
        better = _Answer(turn, text, derivation, source_id, Label.positive.value, None, _rule_ids(turn))
        self._sft(better)
        self._pair(better, self._original(turn), derivation)

    def _accepted_regenerations(self) -> list[tuple[_Answer, Turn]]:
        """(accepted regeneration, rejected earlier sibling) for every such pair, in turn order."""
        found = []
        for group in self.groups:
            for i, later in enumerate(group):
                if not self._accepted(later):
                    continue
                rejected = [earlier for earlier in group[:i] if _rejected(earlier)]
                if not rejected:
                    continue
                rule_ids = tuple(sorted(set(_rule_ids(later)).union(*(_rule_ids(t) for t in rejected))))
                # Accepting a regeneration after rejecting its sibling is itself the positive signal, so
                # the example is labeled positive like every other derived answer; only "original"
                # examples carry the turn's own label (unknown/neutral when the judge selected them).
                better = _Answer(later, later.content, "regenerated_accepted", later.message_id,
                                 Label.positive.value, later.quality_score, rule_ids)
                found.extend((better, earlier) for earlier in rejected)
        return found

    def _accepted(self, turn: Turn) -> bool:
        if turn.label == Label.negative:
            return False
        return turn.label == Label.positive or self._continued(turn)

    def _sibling_pairs(self) -> None:
        """DPO pairs between answers to the same prompt, ordered by label, else by quality score."""
        for group in self.groups:
            for i, first in enumerate(group):
                for second in group[i + 1:]:
                    if frozenset((first.message_id, second.message_id)) in self._paired:
                        continue
                    order = self._order(first, second)
                    if order is not None:
                        better, worse, decisions = order
                        self._pair(self._original(better), self._original(worse), _signal_derivation(decisions))

    def _order(self, a: Turn, b: Turn) -> tuple[Turn, Turn, list[LabelDecision]] | None:
        """(better, worse, the decisions that ordered them), or None with the reason counted."""
        if a.label in LABEL_RANK and b.label in LABEL_RANK and a.label != b.label:
            better, worse = (a, b) if LABEL_RANK[a.label] > LABEL_RANK[b.label] else (b, a)
            deciding = [d for t in (better, worse) for d in t.decisions if d.label == t.label]
            return better, worse, deciding
        if a.label == Label.negative and b.label == Label.negative:
            # Two rejected answers: whatever their scores, neither may be chosen.
            self.rows.dropped["preference.both_negative"] += 1
            return None
        if a.quality_score is None or b.quality_score is None:
            self.rows.dropped["preference.missing_score"] += 1
            return None
        if abs(a.quality_score - b.quality_score) <= SCORE_EPSILON:
            self.rows.dropped["preference.tie"] += 1
            return None
        better, worse = (a, b) if a.quality_score > b.quality_score else (b, a)
        if better.label == Label.negative or (worse.label == Label.positive and better.label != Label.positive):
            # The score contradicts the user (prefers the answer they rejected, or an unrated one over the
            # one they liked): the user's word stands, and it alone cannot order the two.
            self.rows.dropped["preference.conflict"] += 1
            return None
        return better, worse, [d for t in (better, worse) for d in t.decisions]

    def _kto_row(self, turn: Turn) -> None:
        if turn.label not in (Label.positive, Label.negative):
            return
        desirable = turn.label == Label.positive
        answer = self._original(turn)
        if not self._admit(answer, GOOD_ANSWER_FILTERS if desirable else ANY_ANSWER_FILTERS):
            return
        prompt = self._prompt_messages(turn)
        kind = "kto"
        pair_id = stable_id("preference", kind, self.conversation.conversation_id, turn.message_id,
                            _content_key(prompt, turn.content, desirable))
        self.rows.preferences.append(PreferencePair(
            pair_id=pair_id, kind=kind, prompt=prompt, completion=turn.content, desirable=desirable,
            derivation=_signal_derivation([d for d in turn.decisions if d.label == turn.label]),
            conversation_id=self.conversation.conversation_id,
            chosen_message_id=turn.message_id if desirable else None,
            rejected_message_id=None if desirable else turn.message_id,
            rule_ids=list(answer.rule_ids), source=self.conversation.source,
            category=categorize(self._prompt_text(turn), turn.content), language=self._language(turn),
        ))
        self._count_trimmed(turn)

    # --- row makers -------------------------------------------------------------------------------

    def _sft(self, answer: _Answer) -> None:
        if answer.turn.label == Label.negative and answer.derivation in ("original", "regenerated_accepted"):
            return  # defence in depth: a thumbs-down answer is never a target
        if not self._admit(answer, GOOD_ANSWER_FILTERS):
            return
        messages = [ChatMessage(role=t.role, content=t.content, train=self._trains_on(t))
                    for t in self._context(answer.turn)]
        messages.append(ChatMessage(role=ASSISTANT, content=answer.text, train=True))
        # Same recipe as v0: the id does not move with the loss scope, only with source and content.
        content_key = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False)
        example_id = stable_id("sft", self.conversation.conversation_id, answer.turn.message_id, content_key)
        if example_id in self._example_ids:
            return
        self._example_ids.add(example_id)
        category = categorize(self._prompt_text(answer.turn), answer.text)
        self.rows.sft.append(SFTExample(
            example_id=example_id, messages=messages, conversation_id=self.conversation.conversation_id,
            target_message_id=answer.turn.message_id, target_turn_index=answer.turn.turn_index,
            label=answer.label, rule_ids=list(answer.rule_ids), source=self.conversation.source,
            model=answer.turn.model, derivation=answer.derivation, quality_score=answer.quality_score,
            category=category, language=self._language(answer.turn),
            sample_weight=self.policy.category_weights.get(category, 1.0),
        ))
        self._count_trimmed(answer.turn)

    def _pair(self, chosen: _Answer, rejected: _Answer, derivation: str) -> None:
        if chosen.turn.label == Label.negative and chosen.derivation in ("original", "regenerated_accepted"):
            return  # defence in depth: a thumbs-down answer is never chosen
        if chosen.turn.message_id != rejected.turn.message_id:
            self._paired.add(frozenset((chosen.turn.message_id, rejected.turn.message_id)))
        if chosen.text.strip() == rejected.text.strip():
            self.rows.dropped["preference.identical"] += 1
            return
        if differs_trivially(chosen.text, rejected.text):
            # "Certainly! " + the same text: the pair would teach the filler, not a better answer.
            self.rows.dropped["filter.trivial_pair"] += 1
            return
        if not (self._admit(chosen, GOOD_ANSWER_FILTERS) and self._admit(rejected, ANY_ANSWER_FILTERS)):
            return
        prompt = self._prompt_messages(chosen.turn)
        kind = "dpo"
        pair_id = stable_id("preference", kind, self.conversation.conversation_id, chosen.turn.message_id,
                            chosen.source_id, rejected.source_id, _content_key(prompt, chosen.text, rejected.text))
        self.rows.preferences.append(PreferencePair(
            pair_id=pair_id, kind=kind, prompt=prompt, chosen=chosen.text, rejected=rejected.text,
            derivation=derivation, conversation_id=self.conversation.conversation_id,
            chosen_message_id=chosen.source_id, rejected_message_id=rejected.source_id,
            rule_ids=sorted(set(chosen.rule_ids) | set(rejected.rule_ids)), source=self.conversation.source,
            category=categorize(self._prompt_text(chosen.turn), chosen.text), language=self._language(chosen.turn),
        ))
        self._count_trimmed(chosen.turn)

    def _admit(self, answer: _Answer, checks: tuple[Check, ...]) -> bool:
        """Whether the answer passes the checks; a refusal is counted once per distinct answer."""
        key = ("good" if checks is GOOD_ANSWER_FILTERS else "any", answer.turn.message_id, answer.text,
               answer.derivation == "judge_correction")  # judge text gets one more check than the same user text
        if key not in self._screened:
            if not any(t.role == USER for t in self._context(answer.turn)):
                reason: str | None = "filter.no_prompt"
            else:
                candidate = Candidate(answer=answer.text, prompt_language=self._language(answer.turn),
                                      flagged=is_flagged(answer.turn),
                                      judge_written=answer.derivation == "judge_correction",
                                      edited_from=answer.turn.content if answer.derivation == "user_edit" else None)
                reason = drop_reason(candidate, self.policy, checks)
            if reason:
                self.rows.dropped[reason] += 1
            self._screened[key] = reason
        return self._screened[key] is None

    # --- small readers ----------------------------------------------------------------------------

    def _assistant_turns(self) -> list[Turn]:
        return [t for t in sorted(self.conversation.turns, key=lambda t: t.turn_index) if t.role == ASSISTANT]

    def _original(self, turn: Turn) -> _Answer:
        return _Answer(turn, turn.content, "original", turn.message_id, _label(turn), turn.quality_score,
                       _rule_ids(turn))

    def _context(self, turn: Turn) -> list[Turn]:
        if turn.message_id not in self._contexts:
            # Walks the parent chain no further than the cap keeps: time and memory linear in turns.
            kept, cut = self._links.cut_context(turn, self.policy.max_context_turns)
            if cut:
                self._trimmed.add(turn.message_id)
            self._contexts[turn.message_id] = kept
        return self._contexts[turn.message_id]

    def _count_trimmed(self, turn: Turn) -> None:
        if turn.message_id in self._trimmed:
            self.rows.context_trimmed += 1

    def _trains_on(self, turn: Turn) -> bool:
        """Loss on an earlier context message: with loss scope "all", an assistant answer that would be a
        target itself, i.e. selected (or an accepted regeneration) and passing the same quality filters.
        An unknown or neutral answer nobody selected stays conditioning only, as does a negative one."""
        if turn.role != ASSISTANT or self.policy.loss_scope != "all" or turn.label == Label.negative:
            return False
        if not (self._selected(turn) or turn.message_id in self._regeneration_targets):
            return False
        return self._admit(self._original(turn), GOOD_ANSWER_FILTERS)

    def _prompt_messages(self, turn: Turn) -> list[ChatMessage]:
        # A preference prompt is conditioning only: no message in it is trained on.
        return [ChatMessage(role=t.role, content=t.content) for t in self._context(turn)]

    def _request(self, turn: Turn) -> Turn | None:
        """The request the answer responds to: the last user message of its context."""
        users = [t for t in self._context(turn) if t.role == USER]
        return users[-1] if users else None

    def _prompt_text(self, turn: Turn) -> str:
        request = self._request(turn)
        return request.content if request is not None else ""

    def _language(self, turn: Turn) -> str:
        """The request's language as its turn carries it (the conversation's when the request alone does not
        tell): transforms.conversation_tags, so a row and its turn agree."""
        if self._conversation_language is None:
            self._conversation_language = self.conversation.language or conversation_language(self.conversation.turns)
        return request_language(self._request(turn), self._conversation_language)

    def _continued(self, turn: Turn) -> bool:
        """The conversation went on from this answer (a later turn is its child, or follows it directly)."""
        if any(t.parent_id == turn.message_id for t in self.conversation.turns):
            return True
        if turn.parent_id is None:
            after = sorted((t for t in self.conversation.turns if t.turn_index > turn.turn_index),
                           key=lambda t: t.turn_index)
            return bool(after) and after[0].role == USER
        return False

    def _follow_up(self, turn: Turn) -> Turn | None:
        """The user's next message after this answer (its child when the log links them)."""
        children = sorted((t for t in self.conversation.turns if t.parent_id == turn.message_id and t.role == USER),
                          key=lambda t: t.turn_index)
        if children:
            return children[0]
        later = sorted((t for t in self.conversation.turns if t.turn_index > turn.turn_index and t.role == USER),
                       key=lambda t: t.turn_index)
        return later[0] if later else None


def _rejected(turn: Turn) -> bool:
    """An answer the user turned away from: a regenerate click or a negative label."""
    return turn.label == Label.negative or any(signal.kind == "regenerate" for signal in turn.feedback)


def _label(turn: Turn) -> str:
    return turn.label.value if turn.label is not None else Label.unknown.value


def _rule_ids(turn: Turn) -> tuple[str, ...]:
    return tuple(sorted({d.rule_id for d in turn.decisions}))


def _signal_derivation(decisions: list[LabelDecision]) -> str:
    """How a preference came about, named after the most direct signal family among the deciding ones."""
    for prefix, derivation in SIGNAL_DERIVATIONS:
        if any(d.rule_id.startswith(prefix) for d in decisions):
            return derivation
    # No rule decided (a score with no decision behind it can only be the judge's), or the judge alone did.
    if all(d.rule_id.startswith(JUDGE_RULE_PREFIX) for d in decisions):
        return "judge"
    return "thumbs"


def _content_key(prompt: list[ChatMessage], *answers: object) -> str:
    return json.dumps([[[m.role, m.content] for m in prompt], *answers], ensure_ascii=False)
