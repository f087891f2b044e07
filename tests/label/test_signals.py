"""Signals rules v2: each rule in both languages, rephrase and resend detection, combination, needs_judge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.conversation import Conversation, FeedbackSignal, Label, LabelDecision, Turn
from transforms.label.phrases import CUES, NOT_FEEDBACK
from transforms.label.signals import (
    CUE_RULES,
    RULES,
    RULES_BY_ID,
    RULES_VERSION,
    USER_ACTION_RULE_IDS,
    combine,
    follow_up_decision,
    label_turns,
    needs_judge,
    next_user_turn,
    similarity,
)

T0 = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def signal(kind, event_id="e1", **extra):
    return FeedbackSignal(event_id=event_id, kind=kind, timestamp=T0, attached_by="message_id", **extra)


def make_conversation(turns):
    return Conversation(row_id="", conversation_id="c1", source="s", started_at=T0, ended_at=T0,
                        n_turns=len(turns), turns=turns)


def conversation(*feedback_per_answer):
    turns = []
    for n, feedback in enumerate(feedback_per_answer):
        turns.append(Turn(turn_index=2 * n, message_id=f"u{n}", role="user", content="q", timestamp=T0))
        turns.append(
            Turn(
                turn_index=2 * n + 1,
                message_id=f"a{n}",
                parent_id=f"u{n}",
                role="assistant",
                content="a",
                timestamp=T0 + timedelta(seconds=n),
                feedback=list(feedback),
            )
        )
    return make_conversation(turns)


def exchange(previous_user, follow_up, feedback=(), gap_seconds=60, answer="Here is the answer."):
    """user -> assistant (with feedback) -> user follow-up `gap_seconds` after the answer."""
    return make_conversation([
        Turn(turn_index=0, message_id="u0", role="user", content=previous_user, timestamp=T0),
        Turn(turn_index=1, message_id="a0", parent_id="u0", role="assistant", content=answer,
             timestamp=T0 + timedelta(seconds=5), feedback=list(feedback)),
        Turn(turn_index=2, message_id="u1", parent_id="a0", role="user", content=follow_up,
             timestamp=T0 + timedelta(seconds=5 + gap_seconds)),
    ])


def answer(labelled, n=0):
    return [t for t in labelled.turns if t.role == "assistant"][n]


def decision(rule_id, label, confidence, event_id=None):
    return LabelDecision(rule_id=rule_id, rules_version=RULES_VERSION, event_id=event_id, label=label,
                         confidence=confidence)


def rule_ids(turn):
    return [d.rule_id for d in turn.decisions]


# --- feedback events --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "feedback, rule_id, label, confidence",
    [
        (signal("thumbs_up"), "explicit.thumbs_up", Label.positive, 0.9),
        (signal("thumbs_down"), "explicit.thumbs_down", Label.negative, 0.95),
        (signal("rating", rating=5), "explicit.rating_high", Label.positive, 0.8),
        (signal("rating", rating=4), "explicit.rating_high", Label.positive, 0.8),
        (signal("rating", rating=3), "explicit.rating_mid", Label.neutral, 0.5),
        (signal("rating", rating=3.5), "explicit.rating_mid", Label.neutral, 0.5),
        (signal("rating", rating=2), "explicit.rating_low", Label.negative, 0.85),
        (signal("rating", rating=1), "explicit.rating_low", Label.negative, 0.85),
        (signal("regenerate"), "behavioural.regenerate", Label.negative, 0.6),
        (signal("copy"), "behavioural.copy", Label.positive, 0.6),
        (signal("edit", edited_text="fixed"), "behavioural.edit", Label.negative, 0.7),
        (signal("report"), "explicit.report", Label.negative, 1.0),
    ],
)
def test_each_event_rule(feedback, rule_id, label, confidence):
    turn = answer(label_turns(conversation([feedback])))
    assert turn.label is label
    first, *rest = turn.decisions
    assert first.rule_id == rule_id
    assert first.rules_version == RULES_VERSION == "v4"
    assert first.event_id == "e1"
    assert first.label is label and first.confidence == confidence
    # The conversation ends with this answer: recorded, weighing nothing.
    assert [d.rule_id for d in rest] == ["behavioural.no_follow_up"]
    assert turn.label_source == "rules" and 0.0 <= turn.quality_score <= 1.0
    assert turn.judge_status is None


def test_rules_are_declared_once_with_unique_ids():
    assert len({rule.rule_id for rule in RULES}) == len(RULES)
    assert all(rule.rule_id.split(".")[0] in {"explicit", "behavioural", "conversational"} for rule in RULES)
    assert all(0.0 < rule.confidence <= 1.0 for rule in RULES)


def test_every_cue_group_has_phrases_in_every_language():
    groups = {cue_rule.cue for cue_rule in CUE_RULES}
    for language, cues in CUES.items():
        assert groups <= set(cues), language
        assert all(cues[group] for group in groups), language
        assert NOT_FEEDBACK[language]
    for language in CUES:
        for cue_rule in CUE_RULES:
            assert f"conversational.{language}.{cue_rule.name}" in {rule.rule_id for rule in RULES}


def test_user_actions_are_the_clicks_and_edits():
    assert USER_ACTION_RULE_IDS >= {"explicit.thumbs_down", "explicit.rating_low", "explicit.report",
                                    "behavioural.regenerate", "behavioural.edit", "behavioural.prompt_resend"}
    assert not any(rule_id.startswith("conversational.") for rule_id in USER_ACTION_RULE_IDS)


def test_no_signal_is_unknown_and_other_roles_stay_unlabelled():
    labelled = label_turns(conversation([]))
    turn = answer(labelled)
    # Leaving right after the answer is provenance only: it does not decide the label.
    assert rule_ids(turn) == ["behavioural.no_follow_up"]
    assert turn.label is Label.unknown and turn.quality_score is None and turn.label_source == "none"
    user = labelled.turns[0]
    assert user.label is None and user.decisions == [] and user.quality_score is None


def test_feedback_no_rule_covers_makes_no_decision():
    turn = answer(label_turns(conversation([], [signal("something_new")])), 1)
    assert turn.label is Label.unknown
    assert all(d.event_id is None for d in turn.decisions)


@pytest.mark.parametrize(
    "positives",
    [
        [signal("thumbs_up", "p1"), signal("copy", "p2"), signal("rating", "p3", rating=5)],
        [signal("copy", "p1")],
    ],
)
def test_explicit_negative_beats_any_positive(positives):
    feedback = positives + [signal("thumbs_down", "n1")]
    turn = answer(label_turns(conversation(feedback)))
    assert turn.label is Label.negative
    # Every decision is kept as provenance, feedback events first and in feedback order.
    assert [d.event_id for d in turn.decisions if d.event_id] == [f.event_id for f in feedback]
    assert turn.quality_score < 0.5


def test_positive_beats_neutral():
    turn = answer(label_turns(conversation([signal("rating", "m", rating=3), signal("thumbs_up", "p")])))
    assert turn.label is Label.positive


def test_neutral_alone():
    turn = answer(label_turns(conversation([signal("rating", rating=3)])))
    assert turn.label is Label.neutral and turn.quality_score == 0.5


def test_regenerate_labels_the_answer_it_names_not_its_sibling():
    # a0 was regenerated (the feedback sits on a0), a1 is the new answer without feedback.
    labelled = label_turns(conversation([signal("regenerate")], []))
    assert answer(labelled, 0).label is Label.negative
    assert answer(labelled, 1).label is Label.unknown


def test_label_turns_returns_a_copy_and_is_idempotent_and_keeps_judge_decisions():
    original = exchange("How do I reverse a list?", "Thanks, that worked!", [signal("thumbs_up")])
    once = label_turns(original)
    twice = label_turns(once)
    assert answer(original).label is None and answer(original).decisions == []
    assert once == twice
    assert rule_ids(answer(twice)) == ["explicit.thumbs_up", "conversational.en.positive"]
    judged = once.model_copy(deep=True)
    answer(judged).decisions.append(decision("judge.r1", Label.positive, 0.7))
    relabelled = answer(label_turns(judged))
    assert rule_ids(relabelled)[-1] == "judge.r1" and relabelled.label_source == "rules+judge"


# --- conversational rules, both languages ------------------------------------------------------------

# (language, rule name, follow-up that fires it, follow-up that must not fire it)
CONVERSATIONAL_CASES = [
    ("en", "correction", "The capital is Canberra, not Sydney.", "What should be the output here?"),
    ("en", "correction", "I asked for Kelvin, not Celsius.", "Can you list the planets, not only the big ones?"),
    ("en", "complaint", "still not working", "What's wrong with this code? print(x"),
    ("en", "complaint", "That is not correct.", "no problem, thanks"),
    ("en", "doubt", "Are you sure?", "I'm sure that's enough, thanks"),
    ("en", "rephrase", "Let me rephrase: how do I keep my changes?", "Please rephrase the email more formally."),
    ("en", "clarification", "What does 'rebase' mean?", "I understand now, thanks"),
    ("en", "confusion", "What do you mean by 'rebase'?", "What do you recommend?"),
    ("en", "positive", "Thanks, that worked!", "That's not helpful."),
    ("en", "approval", "Not bad at all, I'll use it.", "It didn't work."),
    ("en", "thanks", "thank you", "no thanks"),
    ("en", "thanks_moving_on", "Thanks. Next question: how do I install Docker on Ubuntu 22.04?", "thanks!"),
    ("zh", "correction", "应该是1.6公斤。", "我应该怎么做？"),
    ("zh", "correction", "是周五请假，不是周四。", "周五请假"),
    ("zh", "complaint", "还是不行", "没问题"),
    ("zh", "complaint", "你说错了", "是我自己写错了，现在好了"),
    ("zh", "complaint", "没用", "我没用过docker，怎么装？"),
    ("zh", "doubt", "你确定吗？", "确定了，就这么办"),
    ("zh", "rephrase", "我再问一遍：华氏72度是多少摄氏度？", "再问一个问题：冰箱几度合适？"),
    ("zh", "clarification", "rebase是指什么？", "懂了"),
    ("zh", "confusion", "什么意思？", "懂了"),
    ("zh", "positive", "谢谢，解决了！", "问题没解决"),
    ("zh", "approval", "已经很不错了", "不太清楚"),
    ("zh", "positive", "这个方法有效", "这个方法无效"),
    ("zh", "thanks", "好的，谢谢", "谢谢，但是还是不行"),
    ("zh", "thanks_moving_on", "谢谢！另外帮我写一个按年份统计订单数量的SQL", "谢谢"),
]


@pytest.mark.parametrize("language, name, fires, does_not_fire", CONVERSATIONAL_CASES)
def test_each_conversational_rule(language, name, fires, does_not_fire):
    rule_id = f"conversational.{language}.{name}"
    said = follow_up_decision("an unrelated earlier question about something else entirely", fires)
    assert said is not None and said.rule_id == rule_id, (fires, said)
    assert said.rules_version == RULES_VERSION and said.event_id is None
    assert said.evidence and len(said.evidence) <= 80
    assert said.category == next(r.category for r in RULES if r.rule_id == rule_id)
    other = follow_up_decision("an unrelated earlier question about something else entirely", does_not_fire)
    assert other is None or other.rule_id != rule_id, (does_not_fire, other)


@pytest.mark.parametrize("follow_up, category", [
    ("That's wrong, it is 1.6 kg", "UR2"),
    ("不对，应该是1.6公斤", "UR2"),
    ("doesn't work", "UR3"),
    ("还是不行", "UR3"),
    ("what do you mean by that?", "UR4"),
    ("什么意思", "UR4"),
    ("thanks, that worked", "UR5"),
    ("谢谢，解决了", "UR5"),
])
def test_categories_follow_the_taxonomy(follow_up, category):
    assert follow_up_decision(None, follow_up).category == category


@pytest.mark.parametrize("follow_up", [
    "Thanks, but that's wrong: the wall fell in 1989.",
    "Perfect, except it still doesn't work.",
    "谢谢，不过这个不对，柏林墙是1989年倒的。",
    "好的谢谢，但还是报错",
])
def test_correction_wins_over_politeness_in_the_same_message(follow_up):
    said = follow_up_decision(None, follow_up)
    assert said.label is Label.negative and said.category in ("UR2", "UR3")


@pytest.mark.parametrize("follow_up", ["no problem", "not bad", "没问题", "不错", "No, it's fine, thanks.",
                                       "What am I doing wrong here?", "这个方法对不对？", "如果不行的话我再换一个"])
def test_phrases_that_look_negative_are_not_complaints(follow_up):
    said = follow_up_decision(None, follow_up)
    assert said is None or said.label is not Label.negative, said


def test_thanks_before_a_long_new_question_is_weak():
    short = follow_up_decision(None, "thanks!")
    long = follow_up_decision(None, "Thanks! Now, how do I configure nginx as a reverse proxy for two apps?")
    assert short.rule_id == "conversational.en.thanks" and long.rule_id == "conversational.en.thanks_moving_on"
    # Politeness either way: provenance for the judge, no label of its own.
    assert short.label is long.label is Label.unknown


def test_follow_up_labels_the_answer_before_it_and_only_that_one():
    labelled = label_turns(exchange("What's the capital of Australia?", "No, it's Canberra, not Sydney."))
    turn = answer(labelled)
    assert turn.label is Label.negative
    assert rule_ids(turn) == ["conversational.en.rejected"]
    assert turn.decisions[0].evidence == "No, it is Canberra, not Sydney"  # contractions expanded
    assert all(t.label is None for t in labelled.turns if t.role == "user")


def test_placeholders_from_scrubbing_are_just_words():
    said = follow_up_decision(None, "That's wrong, <PERSON_1> is my manager, not my client.")
    assert said.label is Label.negative and "<PERSON_1>" in said.evidence


# --- rephrase ---------------------------------------------------------------------------------------


def test_similarity_of_rephrases_and_unrelated_questions():
    assert similarity("How do I reverse a list in Python?", "how to reverse a python list") >= 0.8
    assert similarity("How do I reverse a list in Python?", "What's the weather in Paris tomorrow?") == 0.0
    # One word swapped in a short question is a new question, not a rephrase.
    assert similarity("How do I reverse a list in Python?", "How do I reverse a string in Python?") < 0.55
    assert similarity("澳大利亚的首都是哪里？", "澳大利亚首都是哪个城市") >= 0.55
    assert similarity("澳大利亚的首都是哪里？", "冰箱冷藏室调到几度合适？") == 0.0
    assert similarity("thanks", "How do I reverse a list in Python?") == 0.0  # too short to compare


@pytest.mark.parametrize("previous, follow_up, rule_id", [
    ("How do I reverse a list in Python?", "How do I reverse a list in Python?", "conversational.repeat"),
    ("why does my docker container exit immediately",
     "why does my docker container exit immediately after starting?", "conversational.rephrase"),
    ("Python怎么反转列表？", "python怎么反转列表", "conversational.repeat"),
])
def test_rephrase_is_detected_between_consecutive_user_turns(previous, follow_up, rule_id):
    turn = answer(label_turns(exchange(previous, follow_up)))
    assert rule_ids(turn) == [rule_id]
    assert turn.decisions[0].category == "UR1"
    # A near-verbatim repeat labels; a looser overlap was measured too imprecise: provenance, then the judge.
    rule = RULES_BY_ID[rule_id]
    assert turn.label is (Label.unknown if rule.abstains else Label.negative)
    assert needs_judge(turn) is rule.abstains


@pytest.mark.parametrize("previous, follow_up", [
    ("How do I reverse a list in Python?", "How do I install Docker on Ubuntu?"),
    ("How do I reverse a list in Python?", "How do I reverse a string in Python?"),
    ("Python怎么反转列表？", "Ubuntu上怎么安装Docker？"),
])
def test_a_new_question_is_not_a_rephrase(previous, follow_up):
    turn = answer(label_turns(exchange(previous, follow_up)))
    assert turn.decisions == [] and turn.label is Label.unknown


# --- behavioural: resent prompts, fast follow-ups, the next user turn -----------------------------------


def branched(link_users=True):
    """u0 -> a0; the user edits u0 and resends it as u1 (same parent as u0) -> a1 -> u2."""
    root = None
    return make_conversation([
        Turn(turn_index=0, message_id="u0", parent_id=root, role="user", content="weight of a macbook air",
             timestamp=T0),
        Turn(turn_index=1, message_id="a0", parent_id="u0", role="assistant", content="1.29 kg",
             timestamp=T0 + timedelta(seconds=5)),
        Turn(turn_index=2, message_id="u1", parent_id=root, role="user", content="weight of a 15-inch macbook air",
             timestamp=T0 + timedelta(seconds=40)),
        Turn(turn_index=3, message_id="a1", parent_id="u1", role="assistant", content="1.51 kg",
             timestamp=T0 + timedelta(seconds=45)),
        Turn(turn_index=4, message_id="u2", parent_id="a1" if link_users else None, role="user", content="thanks!",
             timestamp=T0 + timedelta(seconds=90)),
    ])


def test_prompt_resend_marks_the_answer_to_the_replaced_prompt():
    labelled = label_turns(branched())
    first, second = answer(labelled, 0), answer(labelled, 1)
    assert rule_ids(first) == ["behavioural.prompt_resend"] and first.label is Label.negative
    assert first.decisions[0].evidence == "weight of a 15-inch macbook air"
    # Its "thanks" is bare politeness: recorded, no label of its own.
    assert rule_ids(second) == ["conversational.en.thanks"] and second.label is Label.unknown


def test_resend_under_a_shared_parent_and_not_in_logs_without_user_links():
    system = Turn(turn_index=0, message_id="s", role="system", content="be brief", timestamp=T0)
    turns = [system] + [t.model_copy(update={"turn_index": t.turn_index + 1,
                                             "parent_id": t.parent_id or ("s" if t.role == "user" else None)})
                        for t in branched().turns]
    assert answer(label_turns(make_conversation(turns)), 0).label is Label.negative
    # A log that never links user turns: two parentless prompts are just two prompts.
    unlinked = label_turns(branched(link_users=False))
    assert "behavioural.prompt_resend" not in rule_ids(answer(unlinked, 0))


def test_a_fast_negative_follow_up_strengthens_the_negative():
    fast = answer(label_turns(exchange("capital of Australia?", "That's wrong.", gap_seconds=8)))
    slow = answer(label_turns(exchange("capital of Australia?", "That's wrong.", gap_seconds=120)))
    assert rule_ids(fast) == ["conversational.en.complaint", "behavioural.fast_follow_up"]
    assert rule_ids(slow) == ["conversational.en.complaint"]
    assert fast.quality_score < slow.quality_score < 0.5
    happy = answer(label_turns(exchange("capital of Australia?", "thanks!", gap_seconds=3)))
    assert rule_ids(happy) == ["conversational.en.thanks"]


def test_next_user_turn_follows_links_and_skips_regenerated_answers():
    linked = branched()
    assert next_user_turn(linked, answer(linked, 0)) is None  # u1 replaced u0, it does not reply to a0
    assert next_user_turn(linked, answer(linked, 1)).message_id == "u2"
    # No links at all: the turn right after the answer, unless it is another answer (a regeneration).
    plain = make_conversation([
        Turn(turn_index=0, message_id="u0", role="user", content="q", timestamp=T0),
        Turn(turn_index=1, message_id="a0", role="assistant", content="first", timestamp=T0),
        Turn(turn_index=2, message_id="a1", role="assistant", content="second", timestamp=T0),
        Turn(turn_index=3, message_id="u1", role="user", content="that's wrong", timestamp=T0),
    ])
    assert next_user_turn(plain, plain.turns[1]) is None
    assert next_user_turn(plain, plain.turns[2]).message_id == "u1"
    labelled = label_turns(plain)
    assert labelled.turns[1].label is Label.unknown and labelled.turns[2].label is Label.negative


# --- combination ------------------------------------------------------------------------------------


def test_combine_without_decisions_is_unknown():
    assert combine([]) == (Label.unknown, None, "none")
    assert combine([decision("behavioural.no_follow_up", Label.neutral, 0.1)]) == (Label.unknown, None, "none")


@pytest.mark.parametrize("negative", ["explicit.thumbs_down", "explicit.report", "explicit.rating_low",
                                      "behavioural.edit", "behavioural.regenerate", "behavioural.prompt_resend"])
def test_a_user_action_negative_is_never_outvoted(negative):
    decisions = [decision(negative, Label.negative, 0.6),
                 decision("conversational.en.positive", Label.positive, 0.8),
                 decision("explicit.thumbs_up", Label.positive, 0.9),
                 decision("judge.rubric-v1", Label.positive, 1.0)]
    label, quality, source = combine(decisions)
    assert (label, source) == (Label.negative, "rules")
    assert 0.0 <= quality < 0.5


def test_explicit_negative_beats_conversational_and_judge_positive_in_label_turns():
    judged = label_turns(exchange("q?", "Perfect, thanks!", [signal("thumbs_down")]))
    answer(judged).decisions.append(decision("judge.rubric-v1", Label.positive, 0.95))
    turn = answer(label_turns(judged))
    assert turn.label is Label.negative and turn.label_source == "rules"
    assert not needs_judge(turn)


def test_conversational_signals_are_weighed_by_confidence():
    correction = decision("conversational.en.correction", Label.negative, 0.8)
    thanks_moving_on = decision("conversational.en.thanks_moving_on", Label.positive, 0.3)
    label, quality, _ = combine([correction, thanks_moving_on])
    assert label is Label.negative and quality == pytest.approx(0.5 + 0.5 * (0.3 - 0.8))
    # Two independent positives add up: 1 - (1 - 0.6) * (1 - 0.6) = 0.84 > 0.75.
    complaint = decision("conversational.en.complaint", Label.negative, 0.75)
    thanks = decision("conversational.en.thanks", Label.positive, 0.6)
    copy = decision("behavioural.copy", Label.positive, 0.6, event_id="e")
    assert combine([complaint, thanks])[0] is Label.negative
    assert combine([complaint, thanks, copy])[0] is Label.positive
    # Equal weight on both sides is a tie.
    assert combine([decision("a.x", Label.positive, 0.7), decision("b.y", Label.negative, 0.7)])[0] is Label.neutral


def test_label_source_names_who_stands_behind_the_label():
    rule_positive = decision("explicit.thumbs_up", Label.positive, 0.9)
    judge_positive = decision("judge.r1", Label.positive, 0.8)
    judge_negative = decision("judge.r1", Label.negative, 0.8)
    assert combine([judge_positive])[2] == "judge"
    assert combine([rule_positive, judge_positive])[2] == "rules+judge"
    assert combine([decision("conversational.en.thanks_moving_on", Label.positive, 0.3), judge_negative])[:3:2] \
        == (Label.negative, "judge")


def test_quality_score_stays_in_bounds():
    for decisions in ([decision("x.a", Label.positive, 1.0)] * 3, [decision("x.b", Label.negative, 1.0)] * 3,
                      [decision("explicit.report", Label.negative, 1.0)]):
        assert 0.0 <= combine(decisions)[1] <= 1.0


# --- needs_judge -------------------------------------------------------------------------------------


@pytest.mark.parametrize("follow_up, feedback, expected", [
    ("a fresh question about the weather in Lisbon", [], True),       # no signal
    ("What do you mean?", [], False),                                 # confusion: a reaction to the answer
    ("ok thanks", [], True),                                          # bare politeness: weak
    ("a new question, no thanks nor verdict: what about Lisbon?", [], True),  # topic change: abstain
    ("Thanks, that worked!", [], False),                              # clear positive
    ("That's wrong, it is 1.6 kg", [], False),                        # clear correction
    ("That's wrong, it is 1.6 kg", [signal("thumbs_up")], True),      # conflict: thumbs up 0.9 vs 0.8
    ("Thanks, that worked!", [signal("thumbs_down")], False),         # the user's click decides
    ("ok", [signal("rating", rating=3)], True),                       # a lukewarm rating alone
])
def test_needs_judge(follow_up, feedback, expected):
    turn = answer(label_turns(exchange("How heavy is the MacBook Air?", follow_up, feedback)))
    assert needs_judge(turn) is expected, (turn.label, [(d.rule_id, d.confidence) for d in turn.decisions])


def test_needs_judge_ignores_the_judges_own_decisions_and_user_turns():
    turn = answer(label_turns(exchange("q?", "ok thanks")))
    assert needs_judge(turn)
    turn.decisions.append(decision("judge.r1", Label.positive, 0.9))
    assert needs_judge(turn)
    user = label_turns(exchange("q?", "ok")).turns[0]
    assert not needs_judge(user)
