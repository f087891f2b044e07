"""User reactions to an error of the assistant (Petrak et al. 2023; Don-Yehiya et al. 2024), one test per
kind, each next to what looks like it but is no reaction: repeat/rephrase, make aware without correction,
make aware with correction, ask for clarification (confusion). Ignore-and-continue has no words to read:
tests/label/test_dialogue_rules.py checks that a change of topic abstains.

Examples are written here, not taken from the evaluation sets."""

from __future__ import annotations

import pytest

from schemas.conversation import Label
from transforms.label.dialogue_acts import assistant_act
from transforms.label.signals import RULES_BY_ID, follow_up_decision

REQUEST = "Find me a cheap Italian restaurant near the station for four people tonight"
ANSWER = "Trattoria Roma near the station has a table for four at 8 pm. It is in the moderate price range."
QUESTION = "How many people will be joining you?"
OFFER = "How about Trattoria Roma? It has a table for four at 8 pm."
CONFIRM = "Please confirm: a table for three at Trattoria Roma on Friday at 8 pm."
YES_NO = "Would you like me to book it?"
CLOSING = "Your table is booked. Anything else I can help with?"


def said(follow_up, assistant=ANSWER, previous=REQUEST):
    return follow_up_decision(previous, follow_up, assistant_act(assistant), assistant)


def label_of(follow_up, assistant=ANSWER, previous=REQUEST):
    decision = said(follow_up, assistant, previous)
    return None if decision is None else decision.label


# --- repeat / rephrase ----------------------------------------------------------------------------------


def test_asking_the_same_again_right_after_an_answer_is_a_reaction():
    decision = said("Find me a cheap Italian restaurant near the station for four people tonight please")
    assert decision is not None and decision.rule_id == "conversational.repeat"
    assert decision.label is (Label.unknown if RULES_BY_ID["conversational.repeat"].abstains else Label.negative)


@pytest.mark.parametrize("follow_up, assistant", [
    # The assistant asked: restating the request answers it.
    ("Four people, a cheap Italian restaurant near the station tonight", QUESTION),
    # Asking for other options wants more; it does not repeat.
    ("Are there any other cheap Italian restaurants near the station for four people tonight?", ANSWER),
])
def test_restating_to_answer_a_question_or_asking_for_more_is_no_repeat(follow_up, assistant):
    decision = said(follow_up, assistant)
    assert decision is None or decision.rule_id not in ("conversational.repeat", "conversational.rephrase")


def test_saying_so_is_a_rephrase_in_both_languages():
    assert said("Let me rephrase: which of them is cheap?").rule_id == "conversational.en.rephrase"
    assert said("我再问一遍：哪家便宜？", previous="哪家餐厅便宜？").rule_id == "conversational.zh.rephrase"


# --- make aware without correction ------------------------------------------------------------------------


@pytest.mark.parametrize("follow_up", ["That's not right.", "This is wrong.", "That did not help at all",
                                       "还是不对", "你说错了"])
def test_saying_the_answer_is_wrong_is_a_reaction(follow_up):
    assert label_of(follow_up) is Label.negative


@pytest.mark.parametrize("follow_up", ["I do not have a car, is it walkable?", "I'm not hungry yet, maybe later"])
def test_complaints_about_the_users_own_life_are_not(follow_up):
    assert label_of(follow_up) is not Label.negative


# --- make aware with correction -------------------------------------------------------------------------


@pytest.mark.parametrize("follow_up, assistant", [
    ("No, I wanted a cheaper one.", OFFER),
    ("No, that's wrong, it's four people.", CONFIRM),
    ("No, make it four people.", CONFIRM),
    ("No, I said four people, not three.", CONFIRM),
    ("No, it should be in the centre.", ANSWER),
    ("不对，应该是四个人。", CONFIRM),
])
def test_a_no_that_corrects_what_was_offered_or_confirmed_is_a_reaction(follow_up, assistant):
    assert label_of(follow_up, assistant) is Label.negative


@pytest.mark.parametrize("follow_up, assistant", [
    ("No thanks.", YES_NO),
    ("No, not yet.", YES_NO),
    ("Nope, all good.", CLOSING),
    ("No thanks, that's everything.", CLOSING),
    ("No, I want to look at hotels now.", YES_NO),  # a new request, not a correction
    ("不用了，谢谢", YES_NO),
])
def test_a_no_that_answers_a_yes_no_question_or_anything_else_is_not(follow_up, assistant):
    assert label_of(follow_up, assistant) is not Label.negative


# --- ask for clarification: confusion about the answer ----------------------------------------------------


@pytest.mark.parametrize("follow_up, assistant", [
    ("huh?", ANSWER),
    ("What?", ANSWER),
    ("What do you mean?", ANSWER),
    ("What does that mean?", ANSWER),
    ("I don't understand.", ANSWER),
    ("You lost me.", ANSWER),
    ("That makes no sense.", ANSWER),
    ("That does not make sense", ANSWER),
    ("Sorry, I don't understand the question.", QUESTION),
    ("什么意思？", ANSWER),
    ("你在说什么？", ANSWER),
    ("看不懂", ANSWER),
])
def test_not_following_the_answer_is_a_reaction(follow_up, assistant):
    assert label_of(follow_up, assistant) is Label.negative


@pytest.mark.parametrize("follow_up, assistant", [
    ("What's the address?", ANSWER),
    ("What time does it open?", ANSWER),
    ("Do they have vegetarian options?", ANSWER),
    ("The ending made no sense to me, the middle was fun though.", "What did you think of the film?"),
    ("地址在哪里？", ANSWER),
])
def test_a_question_that_asks_for_more_is_not(follow_up, assistant):
    assert label_of(follow_up, assistant) is not Label.negative
