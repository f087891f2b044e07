"""Rules v2: the reply read in the light of what the assistant's turn did, one test per kind of error.

Examples are written here, not taken from the evaluation sets."""

from __future__ import annotations

import pytest

from schemas.conversation import Label
from transforms.label.dialogue_acts import DialogueAct, assistant_act
from transforms.label.follow_ups import normalise
from transforms.label.signals import RULES_BY_ID, follow_up_decision, label_turns, needs_judge

from label.test_signals import answer, exchange

ANSWER = "The train to Leeds leaves at 9:40 from platform 3."
CLOSING = "Your table is booked for 8 pm. Is there anything else I can help you with?"
QUESTION = "Which city are you flying from?"
OFFER = "I found a 7:15 showing at the Odeon. Would you like me to buy two tickets?"


def said(follow_up, assistant=ANSWER):
    return follow_up_decision(None, follow_up, assistant_act(assistant), assistant)


def label_of(follow_up, assistant=ANSWER):
    decision = said(follow_up, assistant)
    return None if decision is None else decision.label


@pytest.mark.parametrize("text, act", [
    (ANSWER, DialogueAct.answer),
    (CLOSING, DialogueAct.closing),
    (QUESTION, DialogueAct.question),
    (OFFER, DialogueAct.options),
    ("Paris is the capital. How about a quick tour of its museums next?", DialogueAct.options),
    ("Anything else?", DialogueAct.closing),
    ("已经帮您改好了。还有什么可以帮您的吗？", DialogueAct.closing),
    ("您几点出发？", DialogueAct.question),
    ("会议室订好了，在三楼。", DialogueAct.answer),
])
def test_the_dialogue_act_of_an_assistant_turn(text, act):
    assert assistant_act(text) is act


@pytest.mark.parametrize("follow_up, assistant", [
    ("nope, all good", CLOSING),
    ("No thanks, that's everything.", CLOSING),
    ("不用了，谢谢", "改好了。还有什么可以帮您的吗？"),
    ("no", QUESTION),
    ("No, not tonight.", OFFER),
    ("Not right now, thanks.", OFFER),
])
def test_a_short_no_to_the_assistants_question_or_offer_is_no_complaint(follow_up, assistant):
    decision = said(follow_up, assistant)
    assert decision is None or decision.label is not Label.negative, decision


def test_the_same_no_after_an_answer_rejects_it():
    assert label_of("No, it leaves at 10:40.") is Label.negative
    # After "anything else?" and after a question the same "no" closes or answers (or, measured too
    # imprecise to call it either, goes to the judge): never a rejection.
    assert said("no, that's all", CLOSING).rule_id in ("conversational.en.no_more", "conversational.en.closing")
    assert said("no", QUESTION).rule_id == "conversational.en.answered"


@pytest.mark.parametrize("follow_up", [
    "I don't have a car any more.",
    "I need to go now, my bus is here.",
    "We don't work on Sundays, so Monday then.",
])
def test_complaint_words_about_the_users_own_life_are_not_complaints(follow_up):
    assert label_of(follow_up) is not Label.negative


def test_after_a_question_only_a_reply_that_addresses_the_assistant_complains():
    question = "What did you think of the ending?"
    assert label_of("It was too long and did not work for me.", question) is not Label.negative
    assert label_of("You did not answer my question about the cast.", question) is Label.negative


@pytest.mark.parametrize("contracted, expanded", [
    ("doesn't make sense", "does not make sense"),
    ("that's wrong", "that is wrong"),
    ("it didn't work", "it did not work"),
    ("you're mistaken", "you are mistaken"),
])
def test_contractions_and_their_long_forms_read_the_same(contracted, expanded):
    assert normalise(contracted) == expanded
    assert label_of(contracted) is label_of(expanded) is Label.negative


@pytest.mark.parametrize("follow_up", ["huh?", "what?", "You lost me.", "That makes no sense.",
                                       "This does not make sense", "你在说什么？", "莫名其妙"])
def test_confusion_is_negative(follow_up):
    decision = said(follow_up)
    assert decision.rule_id.endswith(".confusion") and decision.category == "UR4"


@pytest.mark.parametrize("follow_up, label", [
    ("thanks, but that is not what I asked", Label.negative),
    ("Great effort, however you missed the second step.", Label.negative),
    ("Not quite what I pictured at first, but it works now!", Label.positive),
    ("No, not that one, but thanks anyway.", Label.negative),
    ("谢谢，但是还是报错", Label.negative),
])
def test_the_contrastive_clause_decides(follow_up, label):
    assert label_of(follow_up) is label


@pytest.mark.parametrize("follow_up", ["I don't think that's wrong.", "I do not think it is a problem at all."])
def test_a_negated_complaint_is_no_complaint(follow_up):
    assert label_of(follow_up) is not Label.negative


@pytest.mark.parametrize("follow_up", ["Nice try.", "great, another wrong answer", "Thanks for nothing.",
                                       "呵呵，真厉害，又错了"])
def test_ironic_praise_is_not_positive(follow_up):
    assert label_of(follow_up) is not Label.positive


@pytest.mark.parametrize("follow_up", ["Which platform does the 11:10 leave from?", "明天的呢？"])
def test_a_change_of_topic_abstains_and_goes_to_the_judge(follow_up):
    turn = answer(label_turns(exchange("When is the next train to Leeds?", follow_up, answer=ANSWER)))
    assert turn.label is Label.unknown and needs_judge(turn)


def test_a_bare_ok_before_a_new_question_is_weak_and_goes_to_the_judge():
    turn = answer(label_turns(exchange("When is the next train to Leeds?", "ok. and tomorrow?", answer=ANSWER)))
    assert turn.label is not Label.negative and needs_judge(turn)


def test_chinese_and_english_rules_of_one_kind_share_their_measured_confidence():
    for name in ("correction", "complaint", "positive", "thanks", "answered", "closing"):
        en, zh = RULES_BY_ID[f"conversational.en.{name}"], RULES_BY_ID[f"conversational.zh.{name}"]
        assert en.confidence == zh.confidence and en.calibrated and zh.calibrated
