"""Signals: rules that label assistant turns from what the user did and said about them.

Three families of signal, each declared once as data (`RULES`) and named in every decision it makes:

- explicit: the user judged the answer (thumbs, star rating, report);
- behavioural: the user acted on it (regenerate, copy, edit the answer, edit-and-resend the prompt, a very
  fast negative follow-up, leaving right after it);
- conversational: the user's next message in the same branch says something about it, after the taxonomy
  of natural user feedback (Don-Yehiya et al. 2024): UR1 repeat/rephrase, UR2 correction, UR3 "it is
  wrong / did not work" without the fix, UR4 clarification or confusion, UR5 positive. The phrases per
  language live in transforms/label/phrases.py, the reading of a message in transforms/label/follow_ups.py;
  rephrases are also found by word/character overlap with the previous user message.

v2 reads the reply in the light of what the assistant's turn did (transforms/label/dialogue_acts.py): a
"no" that answers the assistant's question or offer is an answer, after "anything else?" a closing, and
only after an answer a rejection. Each conversational rule's confidence is its precision measured on real
conversations at a balanced prior (transforms/label/calibration.py); a rule measured under MIN_PRECISION
does not label: its decision stays as provenance with label unknown and the turn goes to the judge. Bare
politeness ("thanks", "ok", "great": weak rules) never labels on its own either, whatever it measures:
users say it after wrong answers too; specific praise ("that worked", "exactly what I needed") does.
A "no" that says what the user wanted instead ("no, I wanted a cheaper one") rejects what the assistant
offered or confirmed; asking the previous question again counts only after an answer. Explicit and
behavioural rules keep their declared confidences.

`combine` turns a turn's decisions (rules and, later, the LLM judge's) into one label, a 0..1 quality
score and the label's source; `needs_judge` says which turns the rules leave undecided. Everything here
reads scrubbed text only (placeholders such as <PERSON_1> are ordinary words to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from schemas.conversation import Conversation, FeedbackSignal, Label, LabelDecision, Turn
from schemas.events import FeedbackKind, Role
from transforms.label.calibration import MIN_PRECISION, calibrated_confidence
from transforms.label.dialogue_acts import DialogueAct, assistant_act
from transforms.label.follow_ups import (
    LANGUAGES, MOVING_ON, RESTATING, asks_for_more, cue_hits, normalise, short, similarity_features,
)

# Recorded with every decision and in each run's provenance. v3: retry, another-one-please, "no" plus the
# right detail, the kinds of open and assistant chat (repetition, off-topic, name-calling, made-up answers,
# dislike of an offer, agreement), disappointment left to the judge, tighter corrections (bench/README.md).
# v4: praise must be a verdict on the answer (not a wish, advice, question, condition or someone else's taste)
# and is turned by a "but" only in its own sentence or the next; a line break ends a sentence; questions about the
# user's taste are no offers; more kinds of assistant-chat dissatisfaction; the user's own slip is no correction.
RULES_VERSION = "v4"

# --- the policy's numbers, in one place -------------------------------------------------------------

# Rephrase detection: Jaccard overlap of the content words (English) / character pairs (Chinese) of the
# follow-up and the previous user message. At or above REPEAT the user asked the same thing again.
# One word swapped in a three-word question ({a, b, c} vs {a, b, d}: 2/4) is a new question, not a rephrase,
# hence strictly above one half.
REPEAT_SIMILARITY = 0.8
REPHRASE_SIMILARITY = 0.55
# A follow-up needs this many content features to be compared at all ("yes, that works" is not a rephrase).
MIN_SIMILARITY_FEATURES = 3
# A negative follow-up sent this soon after the answer: the user did not need to read it to reject it.
FAST_FOLLOW_UP = timedelta(seconds=20)
# Decisions below this confidence are kept as provenance but do not set a label (e.g. leaving the chat).
EVIDENCE_FLOOR = 0.2
# The rules have decided a turn when the decisions behind its label reach this combined confidence and
# outweigh any opposing ones by CONFLICT_MARGIN; otherwise the judge should look at it.
DECIDED_CONFIDENCE = 0.6
CONFLICT_MARGIN = 0.3
# Two sides this close are a tie: the label is neutral.
TIE_MARGIN = 0.05

JUDGE_PREFIX = "judge."


# --- the rules, as data -----------------------------------------------------------------------------


def _always(feedback: FeedbackSignal) -> bool:
    return True


@dataclass(frozen=True)
class SignalRule:
    rule_id: str
    label: Label
    confidence: float
    why: str
    # Feedback taxonomy category (UR1..UR5) for rules about what the user said or did in the conversation.
    category: str | None = None
    # Rules on feedback events: the event kind and an extra condition on the event (ratings by value).
    kind: FeedbackKind | None = None
    when: Callable[[FeedbackSignal], bool] = _always
    # The user's own action on the answer (a click, an edit): its negative is never outvoted.
    user_action: bool = False
    # Conversational rules: the confidence is the rule's measured precision (transforms.label.calibration),
    # `prior` the declared confidence it was smoothed towards.
    calibrated: bool = False
    prior: float | None = None
    # Measured too imprecise to label: its decisions are provenance only and the judge decides.
    abstains: bool = False


def _rating_at_least(low: float) -> Callable[[FeedbackSignal], bool]:
    return lambda feedback: feedback.rating is not None and feedback.rating >= low


def _rating_at_most(high: float) -> Callable[[FeedbackSignal], bool]:
    return lambda feedback: feedback.rating is not None and feedback.rating <= high


def _rating_between(low: float, high: float) -> Callable[[FeedbackSignal], bool]:
    # Open interval: whatever is neither high (>= 4) nor low (<= 2), e.g. 3 or 3.5 on a 1-5 scale.
    return lambda feedback: feedback.rating is not None and low < feedback.rating < high


def _event_rule(rule_id, kind, label, confidence, why, when=_always) -> SignalRule:
    return SignalRule(rule_id, label, confidence, why, kind=kind, when=when, user_action=True)


# Feedback events. First matching rule per event wins; kinds are disjoint except the three rating bands.
EVENT_RULES: tuple[SignalRule, ...] = (
    _event_rule("explicit.thumbs_up", FeedbackKind.thumbs_up, Label.positive, 0.9, "the user said it was good"),
    _event_rule("explicit.thumbs_down", FeedbackKind.thumbs_down, Label.negative, 0.95, "the user said it was bad"),
    _event_rule("explicit.rating_high", FeedbackKind.rating, Label.positive, 0.8, "rated 4 or 5", _rating_at_least(4)),
    _event_rule("explicit.rating_low", FeedbackKind.rating, Label.negative, 0.85, "rated 1 or 2", _rating_at_most(2)),
    _event_rule("explicit.rating_mid", FeedbackKind.rating, Label.neutral, 0.5, "rated 3", _rating_between(2, 4)),
    _event_rule("behavioural.regenerate", FeedbackKind.regenerate, Label.negative, 0.6,
                "the user asked for another answer to this one"),
    _event_rule("behavioural.copy", FeedbackKind.copy, Label.positive, 0.6, "the user copied the answer to use it"),
    _event_rule("behavioural.edit", FeedbackKind.edit, Label.negative, 0.7, "the user had to fix it"),
    _event_rule("explicit.report", FeedbackKind.report, Label.negative, 1.0, "the user reported it"),
)

# What the conversation itself shows, beyond feedback events.
PROMPT_RESEND = SignalRule("behavioural.prompt_resend", Label.negative, 0.6,
                     "the user edited and resent the prompt this answers: the answer was not what they wanted",
                     category="UR1", user_action=True)
FAST_NEGATIVE_FOLLOW_UP = SignalRule("behavioural.fast_follow_up", Label.negative, 0.3,
                               "the negative follow-up came within seconds: the user rejected it at a glance")
NO_FOLLOW_UP = SignalRule("behavioural.no_follow_up", Label.neutral, 0.1,
                    "the conversation ends with this answer; satisfied and dissatisfied users both leave, so it "
                    "is recorded for analysis and weighs nothing")


def _measured(rule_id: str, label: Label, declared: float, why: str, category: str | None,
              weak: bool = False) -> SignalRule:
    """A conversational rule whose confidence is its calibrated precision (the declared one is the prior).
    It abstains when measured under MIN_PRECISION, and a weak rule always."""
    confidence = calibrated_confidence(rule_id, label.value, declared)
    return SignalRule(rule_id, label, confidence, why, category, calibrated=True, prior=declared,
                      abstains=weak or confidence < MIN_PRECISION)


REPEAT = _measured("conversational.repeat", Label.negative, 0.7,
                   "the next message asks the previous question again, nearly word for word", "UR1")
REPHRASE = _measured("conversational.rephrase", Label.negative, 0.5,
                     "the next message overlaps the previous question a lot: maybe asked again in other words", "UR1")
MESSAGE_RULES: tuple[SignalRule, ...] = (PROMPT_RESEND, FAST_NEGATIVE_FOLLOW_UP, NO_FOLLOW_UP, REPEAT, REPHRASE)

ALL_ACTS = frozenset(DialogueAct)
ASKED = frozenset({DialogueAct.question, DialogueAct.options})
# Asking the previous question again is a verdict only on a turn that answered it (an answer, or an
# answer ending in "anything else?"): after a question or offer, the user restates to answer it.
REPHRASE_ACTS = frozenset({DialogueAct.answer, DialogueAct.closing})


@dataclass(frozen=True)
class CueRule:
    """A conversational rule over one cue group of phrases.CUES, declared once for all languages.

    `confidence` is the declared prior; the rule's SignalRule carries the calibrated one.
    """

    cue: str
    name: str
    label: Label
    confidence: float
    category: str | None
    why: str
    # Complaints and corrections are what the user says the answer got wrong: they win over any
    # politeness or praise in the same message ("thanks, but that's wrong").
    overrides_positive: bool = False
    # What the assistant's turn must have done for the cue to mean this ("no" after a question answers it).
    acts: frozenset[DialogueAct] = field(default=ALL_ACTS)
    # How the cue must be said (follow_ups.MOVING_ON, RESTATING); None: any way not claimed by an earlier rule.
    variant: str | None = None
    # Bare politeness ("thanks", "ok", "great"): users say it after wrong answers too, so whatever its
    # measured precision it does not label: kept as provenance, the judge decides (never an SFT target or
    # a positive by the rules alone).
    weak: bool = False

    def rule_id(self, language: str) -> str:
        return f"conversational.{language}.{self.name}"

    def rule(self, language: str) -> SignalRule:
        return _measured(self.rule_id(language), self.label, self.confidence, self.why, self.category, self.weak)


CUE_RULES: tuple[CueRule, ...] = (
    CueRule("correction", "correction", Label.negative, 0.8, "UR2", "the user corrects the answer",
            overrides_positive=True),
    CueRule("complaint", "complaint", Label.negative, 0.75, "UR3", "the user says it is wrong or did not work",
            overrides_positive=True),
    CueRule("confusion", "confusion", Label.negative, 0.7, "UR4", "the user could not follow the answer at all",
            overrides_positive=True),
    CueRule("irony", "irony", Label.negative, 0.7, "UR3", "the user mocks the answer with ironic praise",
            overrides_positive=True),
    CueRule("leading_no", "rejected", Label.negative, 0.6, "UR2", "the user says no to the answer it gave",
            overrides_positive=True, acts=frozenset({DialogueAct.answer})),
    CueRule("leading_no", "rejected_restating", Label.negative, 0.6, "UR2",
            "the user says no to what it offered or confirmed, and what they wanted instead",
            overrides_positive=True, acts=ALL_ACTS - {DialogueAct.answer}, variant=RESTATING),
    CueRule("leading_no", "answered", Label.neutral, 0.6, None,
            "the user's no answers the assistant's question or offer: an answer, not a verdict", acts=ASKED),
    CueRule("leading_no", "no_more", Label.neutral, 0.6, None,
            "the user needs nothing more after 'anything else?': a closing", acts=frozenset({DialogueAct.closing})),
    CueRule("closing", "closing", Label.neutral, 0.6, None, "the user is done: a closing, not a verdict"),
    CueRule("retry", "retry", Label.negative, 0.6, "UR1", "the user asks it to try again: the last try failed"),
    CueRule("other_please", "other_please", Label.negative, 0.6, "UR1",
            "the user asks for another one instead of what was offered",
            acts=frozenset({DialogueAct.answer, DialogueAct.options})),
    CueRule("repetition", "repetition", Label.negative, 0.75, "UR3",
            "the user says the answer repeats what was already said", overrides_positive=True),
    CueRule("off_topic", "off_topic", Label.negative, 0.7, "UR3", "the user says the answer is beside the point",
            overrides_positive=True),
    CueRule("insult", "insult", Label.negative, 0.8, "UR3", "the user calls the answer (or the assistant) names",
            overrides_positive=True),
    # After a question ("which films do you avoid?") a dislike is the user's answer, not a verdict.
    CueRule("dislike", "dislike", Label.negative, 0.65, "UR3", "the user does not like what the assistant offered",
            overrides_positive=True, acts=frozenset({DialogueAct.answer, DialogueAct.options})),
    # "What a shame" after "the show is sold out" is about the outcome, not the answer's quality: uss's
    # satisfaction ratings count it, thumbs and error annotations need not. Kept as provenance; the judge decides.
    CueRule("disappointment", "disappointment", Label.negative, 0.6, "UR3",
            "the user is let down by what the answer says: 'what a shame'", overrides_positive=True, weak=True),
    CueRule("doubt", "doubt", Label.negative, 0.7, "UR3", "the user doubts the answer: 'are you sure?'"),
    CueRule("rephrase", "rephrase", Label.negative, 0.6, "UR1", "the user says they are asking again"),
    CueRule("clarification", "clarification", Label.negative, 0.4, "UR4",
            "the user did not understand the answer (or wants more: weak)"),
    CueRule("praise", "positive", Label.positive, 0.8, "UR5", "the user says this answer worked or was good"),
    # After a question ("Is it for two people?" - "Exactly.") agreeing is the user's answer, not a verdict.
    CueRule("agreement", "agreement", Label.positive, 0.8, "UR5",
            "the user agrees with the answer: 'exactly', 'good point'", acts=ALL_ACTS - {DialogueAct.question}),
    CueRule("approval", "approval", Label.positive, 0.5, "UR5", "the user approves: 'great', 'ok' (weak)", weak=True),
    CueRule("thanks", "thanks_moving_on", Label.positive, 0.3, "UR5",
            "the user says thanks on the way to a new request: politeness as much as a verdict",
            variant=MOVING_ON, weak=True),
    CueRule("thanks", "thanks", Label.positive, 0.5, "UR5", "the user thanks (politeness: weak)", weak=True),
)
CONVERSATIONAL_RULES: tuple[SignalRule, ...] = tuple(c.rule(language) for language in LANGUAGES for c in CUE_RULES)

RULES: tuple[SignalRule, ...] = EVENT_RULES + MESSAGE_RULES + CONVERSATIONAL_RULES
RULES_BY_ID: dict[str, SignalRule] = {rule.rule_id: rule for rule in RULES}
USER_ACTION_RULE_IDS = frozenset(rule.rule_id for rule in RULES if rule.user_action)


# --- feedback events ----------------------------------------------------------------------------------


def rule_for(feedback: FeedbackSignal) -> SignalRule | None:
    """The rule that decides this feedback event, or None when no rule covers it."""
    for rule in EVENT_RULES:
        if rule.kind is not None and feedback.kind == rule.kind.value and rule.when(feedback):
            return rule
    return None


def _decision(rule: SignalRule, event_id: str | None = None, evidence: str | None = None) -> LabelDecision:
    label = Label.unknown if rule.abstains else rule.label
    return LabelDecision(rule_id=rule.rule_id, rules_version=RULES_VERSION, event_id=event_id, label=label,
                         confidence=rule.confidence, evidence=evidence, category=rule.category)


def event_decisions(turn: Turn) -> list[LabelDecision]:
    """One decision per feedback event on the turn that a rule covers, in feedback order."""
    return [_decision(rule, event_id=feedback.event_id)
            for feedback in turn.feedback if (rule := rule_for(feedback)) is not None]


def decide(turn: Turn) -> tuple[Label, list[LabelDecision]]:
    """One assistant turn's label and the decisions behind it, from its attached feedback events only."""
    decisions = event_decisions(turn)
    return combine(decisions)[0], decisions


# --- what the next message says ----------------------------------------------------------------------


def similarity(first: str, second: str) -> float:
    """Jaccard overlap of two messages' similarity features, 0..1 (0 when either has too few features)."""
    a, b = similarity_features(first), similarity_features(second)
    if len(a) < MIN_SIMILARITY_FEATURES or len(b) < MIN_SIMILARITY_FEATURES:
        return 0.0
    return len(a & b) / len(a | b)


def rephrase_rule(previous_user: str, follow_up: str) -> SignalRule | None:
    """REPEAT or REPHRASE when the follow-up asks the previous user message again, else None (also when
    it asks for other or more options: that wants more, it does not repeat)."""
    if asks_for_more(follow_up):
        return None
    score = similarity(previous_user, follow_up)
    if score >= REPEAT_SIMILARITY:
        return REPEAT
    if score >= REPHRASE_SIMILARITY:
        return REPHRASE
    return None


def cue_rule_for(cue: str, act: DialogueAct, variant: str | None = None) -> CueRule | None:
    """The rule a cue group said in `variant` makes after an assistant turn that did `act` (None: the
    cue means nothing there). First match in CUE_RULES order: a rule for a variant comes before the plain one."""
    for cue_rule in CUE_RULES:
        if cue_rule.cue == cue and act in cue_rule.acts and cue_rule.variant in (None, variant):
            return cue_rule
    return None


def follow_up_candidates(previous_user: str | None, follow_up: str, act: DialogueAct = DialogueAct.answer,
                         answer: str = "") -> list[tuple[SignalRule, str]]:
    """Every rule the follow-up fires, with its evidence, before one is picked (also what calibration
    measures). Complaints, corrections, confusion and irony, when present, leave out everything else."""
    fired = [(cue_rule, hit) for hit in cue_hits(follow_up, answer, asked=act is not DialogueAct.answer)
             if (cue_rule := cue_rule_for(hit.cue, act, hit.variant)) is not None]
    overriding = [(cue_rule, hit) for cue_rule, hit in fired if cue_rule.overrides_positive]
    candidates = [(RULES_BY_ID[c.rule_id(hit.language)], hit.evidence) for c, hit in overriding or fired]
    if not overriding and previous_user and act in REPHRASE_ACTS:
        rule = rephrase_rule(previous_user, follow_up)
        if rule is not None:
            candidates.append((rule, short(normalise(follow_up))))
    return candidates


def follow_up_decision(previous_user: str | None, follow_up: str, act: DialogueAct = DialogueAct.answer,
                       answer: str = "") -> LabelDecision | None:
    """What the user's next message says about the answer before it: one decision, or None.

    In: the (scrubbed) user message the answer replied to, if known; the user's next message; what the
    answer did (its dialogue act) and its text. Out: the single strongest signal of the follow-up: a
    correction, complaint, confusion or irony wins over anything else in the same message (a correction, UR2,
    over the others); otherwise the most confident of the rest, a tie going to the negative. A rule that
    abstains (measured too imprecise) only wins when no other rule fired, and then its decision has label
    unknown: the judge decides.
    Refuses: nothing; a follow-up with no cue (a new question, a change of topic) gives None.
    """
    candidates = follow_up_candidates(previous_user, follow_up, act, answer)
    if not candidates:
        return None
    # A correction says what is wrong and the fix: it names the message over a complaint said beside it.
    rule, evidence = max(candidates, key=lambda c: (not c[0].abstains, c[0].category == "UR2", c[0].confidence,
                                                    c[0].label is Label.negative))
    return _decision(rule, evidence=evidence)


# --- where the follow-up and the resent prompts are --------------------------------------------------


def _links_user_turns(conversation: Conversation) -> bool:
    return any(t.role == Role.user.value and t.parent_id for t in conversation.turns)


class Branches:
    """Who follows whom in one conversation, indexed once for all its answers.

    The questions below (an answer's follow-up, its prompt, whether any user turn comes later) would
    each scan every turn; asked for every answer, that is quadratic in the conversation's length. The
    index answers each in constant time (or a walk up the answer's own chain), with the same results.
    """

    def __init__(self, conversation: Conversation):
        user, assistant = Role.user.value, Role.assistant.value
        ordered = sorted(conversation.turns, key=lambda t: t.turn_index)
        self.by_id = {t.message_id: t for t in conversation.turns}
        self.links_user_turns = _links_user_turns(conversation)
        # parent message id -> its user children, in turn order
        self.user_children: dict[str, list[Turn]] = {}
        # message id -> the next user or assistant turn after it, and the nearest user turn before it
        self.next_spoken: dict[str, Turn] = {}
        self.previous_user: dict[str, Turn] = {}
        self.last_user_index = -1
        pending: list[Turn] = []  # turns waiting for the next user/assistant turn
        last_user: Turn | None = None
        for turn in ordered:
            if last_user is not None:
                self.previous_user[turn.message_id] = last_user
            if turn.role in (user, assistant):
                for waiting in pending:
                    self.next_spoken[waiting.message_id] = turn
                pending = []
            pending.append(turn)
            if turn.role == user:
                last_user = turn
                self.last_user_index = turn.turn_index
                if turn.parent_id:
                    self.user_children.setdefault(turn.parent_id, []).append(turn)


def next_user_turn(conversation: Conversation, answer: Turn, branches: Branches | None = None) -> Turn | None:
    """The user's next message in the answer's branch: the user turn whose parent is the answer; in logs
    that do not link user turns to answers, the turn right after the answer when it is a user's (an answer
    followed by another answer was regenerated: the user's next words are about the later one)."""
    branches = branches or Branches(conversation)
    children = branches.user_children.get(answer.message_id)
    if children:
        return children[0]
    if branches.links_user_turns:
        return None
    after = branches.next_spoken.get(answer.message_id)
    if after is not None and after.role == Role.user.value and after.parent_id in (None, answer.message_id):
        return after
    return None


def previous_user_turn(conversation: Conversation, answer: Turn, branches: Branches | None = None) -> Turn | None:
    """The user message the answer replies to: up the parent chain when the log has one (so a resent or
    regenerated branch is not mistaken for it), else the nearest user turn before the answer."""
    branches = branches or Branches(conversation)
    by_id = branches.by_id
    seen: set[str] = set()
    current = by_id.get(answer.parent_id) if answer.parent_id else None
    while current is not None and current.message_id not in seen:
        if current.role == Role.user.value:
            return current
        seen.add(current.message_id)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return branches.previous_user.get(answer.message_id)


def resent_prompts(conversation: Conversation) -> dict[str, Turn]:
    """Prompts the user edited and resent: {message_id of the replaced user turn: the later sibling}.

    A sibling is a later user turn with the same parent as an earlier one. Two parentless user turns count
    only in logs that link user turns at all (else every user turn would be parentless and 'siblings').
    Each user turn is replaced by the next sibling after it.
    """
    links = _links_user_turns(conversation)
    users = sorted((t for t in conversation.turns if t.role == Role.user.value), key=lambda t: t.turn_index)
    replaced: dict[str, Turn] = {}
    # parent id -> the latest sibling seen under it, not yet replaced
    latest: dict[str | None, Turn] = {}
    for later in users:
        if later.parent_id is None and not links:
            continue
        earlier = latest.get(later.parent_id)
        if earlier is not None:
            replaced[earlier.message_id] = later
        latest[later.parent_id] = later
    return replaced


def conversation_decisions(conversation: Conversation, answer: Turn, resent: dict[str, Turn],
                           branches: Branches | None = None) -> list[LabelDecision]:
    """Decisions from the conversation around one answer: its prompt resent, the user's next message (and
    how fast it came), or no next message at all."""
    branches = branches or Branches(conversation)
    decisions = []
    if answer.parent_id in resent:
        decisions.append(_decision(PROMPT_RESEND, evidence=short(normalise(resent[answer.parent_id].content))))
    follow_up = next_user_turn(conversation, answer, branches)
    if follow_up is None:
        if branches.last_user_index <= answer.turn_index and not decisions:
            decisions.append(_decision(NO_FOLLOW_UP))
        return decisions
    previous = previous_user_turn(conversation, answer, branches)
    said = follow_up_decision(previous.content if previous else None, follow_up.content,
                              assistant_act(answer.content), answer.content)
    if said is None:
        return decisions
    decisions.append(said)
    gap = follow_up.timestamp - answer.timestamp
    if (said.label is Label.negative and said.category in ("UR1", "UR2", "UR3")
            and timedelta(0) <= gap <= FAST_FOLLOW_UP):
        decisions.append(_decision(FAST_NEGATIVE_FOLLOW_UP, evidence=f"{gap.total_seconds():.0f} s after the answer"))
    return decisions


# --- combination ------------------------------------------------------------------------------------


def _strength(decisions: list[LabelDecision]) -> float:
    # Independent pieces of evidence for one side: 1 - prod(1 - confidence), so two 0.5s make 0.75.
    doubt = 1.0
    for decision in decisions:
        doubt *= 1.0 - min(max(decision.confidence, 0.0), 1.0)
    return 1.0 - doubt


def _is_judge(decision: LabelDecision) -> bool:
    return decision.rule_id.startswith(JUDGE_PREFIX)


def _source(decisions: list[LabelDecision]) -> str:
    judged = any(_is_judge(d) for d in decisions)
    ruled = any(not _is_judge(d) for d in decisions)
    return {(True, True): "rules+judge", (True, False): "rules", (False, True): "judge"}.get((ruled, judged), "none")


@dataclass(frozen=True)
class Weighing:
    label: Label
    quality_score: float | None
    label_source: str
    # Combined confidence of the decisions behind the label, and of those against it.
    support: float
    opposition: float
    # True when a user's own negative action fixed the label.
    forced: bool


def weigh(decisions: list[LabelDecision]) -> Weighing:
    """The full reckoning behind `combine`, also used by `needs_judge`."""
    counted = [d for d in decisions if d.confidence >= EVIDENCE_FLOOR and d.label is not Label.unknown]
    if not counted:
        return Weighing(Label.unknown, None, "none", 0.0, 0.0, False)
    positives = [d for d in counted if d.label is Label.positive]
    negatives = [d for d in counted if d.label is Label.negative]
    neutrals = [d for d in counted if d.label is Label.neutral]
    p, n = _strength(positives), _strength(negatives)
    if any(d.rule_id in USER_ACTION_RULE_IDS for d in negatives):
        return Weighing(Label.negative, round(0.5 - 0.5 * n, 4), _source(negatives), n, p, True)
    if not positives and not negatives:
        return Weighing(Label.neutral, 0.5, _source(neutrals), _strength(neutrals), 0.0, False)
    score = round(0.5 + 0.5 * (p - n), 4)
    if abs(p - n) < TIE_MARGIN:
        return Weighing(Label.neutral, score, _source(positives + negatives), 0.0, max(p, n), False)
    if p > n:
        return Weighing(Label.positive, score, _source(positives), p, n, False)
    return Weighing(Label.negative, score, _source(negatives), n, p, False)


def combine(decisions: list[LabelDecision]) -> tuple[Label, float | None, str]:
    """One turn's final label, quality score and label source from all its decisions (rules and judge).

    In: LabelDecisions; the judge's have rule_id `judge.<rubric>` and weigh like any other decision.
    Out: (label, quality_score, label_source). Policy:
    1. Decisions below EVIDENCE_FLOOR confidence (leaving the conversation) are provenance only.
       Nothing left: (unknown, None, "none").
    2. A negative from the user's own action (thumbs down, low rating, report, regenerate, edited answer,
       edited-and-resent prompt) is final: negative, whatever else says positive, the judge included.
       quality = 0.5 - 0.5 * N, where N is the combined confidence of all negatives.
    3. Otherwise each side's confidences combine as independent evidence, P = 1 - prod(1 - c) over the
       positives and N likewise over the negatives; the larger side wins, sides within TIE_MARGIN are a
       tie (neutral); quality = 0.5 + 0.5 * (P - N). Only neutral decisions (a 3-star rating): neutral, 0.5.
    label_source names who stands behind the label: "rules", "judge" or "rules+judge" (both families have
    a decision agreeing with it; on a tie, both sides count).
    """
    weighing = weigh(decisions)
    return weighing.label, weighing.quality_score, weighing.label_source


def needs_judge(turn: Turn) -> bool:
    """True when the rules leave this assistant turn undecided, so the LLM judge should look at it.

    Undecided: no signal (unknown); a tie; the decisions behind the label combine to less than
    DECIDED_CONFIDENCE; or the opposing side comes within CONFLICT_MARGIN of them. Never for a turn a
    user's own negative action decided (the judge could not change it), nor for non-assistant turns.
    Judge decisions already on the turn are ignored, so the answer does not change once it was judged.
    """
    if turn.role != Role.assistant.value:
        return False
    weighing = weigh([d for d in turn.decisions if not _is_judge(d)])
    if weighing.forced:
        return False
    if weighing.label in (Label.unknown,) or weighing.support < DECIDED_CONFIDENCE:
        return True
    return weighing.opposition > 0 and weighing.support - weighing.opposition < CONFLICT_MARGIN


# --- the step ---------------------------------------------------------------------------------------


def label_turns(conversation: Conversation) -> Conversation:
    """Label every assistant turn with rules v2.

    In: a sessionized, scrubbed conversation with feedback attached to its turns.
    Out: a copy in which every assistant turn has `decisions` (feedback-event decisions in feedback order,
    then the resent-prompt, follow-up and fast-follow-up / no-follow-up decisions; any `judge.*` decisions
    already there are kept; the rules' own are replaced, so relabelling is idempotent) and `label`,
    `quality_score`, `label_source` from `combine`. `judge_status` is left as it is (the pipeline sets it).
    Other turns are left as they are. Refuses: nothing; a turn no rule covers is unknown.
    """
    # The caller's conversation stays untouched: every turn is copied and only the copies' label fields are
    # set, each to a new value. Shallow copies: a deep copy of every message and feedback event was the
    # costliest step of labelling.
    labelled = conversation.model_copy(update={"turns": [turn.model_copy() for turn in conversation.turns]})
    resent = resent_prompts(labelled)
    branches = Branches(labelled)  # built once: asked per answer, the scans would be quadratic
    for turn in labelled.turns:
        if turn.role != Role.assistant.value:
            continue
        judged = [d for d in turn.decisions if _is_judge(d)]
        turn.decisions = event_decisions(turn) + conversation_decisions(labelled, turn, resent, branches) + judged
        turn.label, turn.quality_score, turn.label_source = combine(turn.decisions)
    return labelled
