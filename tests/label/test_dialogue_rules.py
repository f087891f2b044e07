"""Rules v2: the reply read in the light of what the assistant's turn did, one test per kind of error.

Examples are written here, not taken from the evaluation sets."""

from __future__ import annotations

import pytest

from schemas.conversation import Label
from transforms.label.dialogue_acts import DialogueAct, assistant_act
from transforms.label.follow_ups import cue_hits, normalise
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


def negative_of_kind(follow_up, kind, assistant):
    decision = said(follow_up, assistant)
    return decision is not None and decision.rule_id.endswith(f".{kind}") and decision.label is Label.negative


def not_of_kind(follow_up, kind, assistant):
    decision = said(follow_up, assistant)
    return decision is None or not decision.rule_id.endswith(f".{kind}")


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
    # Asking for one of the user's own, not offering one.
    ("Thanks. How about a film you did not like", DialogueAct.question),
    ("OK, could you also tell me about a book you disliked", DialogueAct.question),
    ("Got it, can you name one you loved? It need not be a comedy.", DialogueAct.question),
    ("Do you like or dislike the movie Aliens?", DialogueAct.question),
    ("How about Heat (1995)?", DialogueAct.options),
    # A rhetorical question answered in the turn itself, or one before a remark: still an answer.
    ("Why does it fail? Because the key is missing.", DialogueAct.answer),
    ("Did you try restarting it? That usually fixes it.", DialogueAct.answer),
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


# --- kinds of open chat: the reply says the answer repeats, wanders, is nonsense, or was not liked -------

CHAT = "Dolphins sleep with one half of the brain at a time."
RECOMMENDATION = "How about the film Heat (1995)?"


@pytest.mark.parametrize("follow_up, kind, assistant", [
    ("you already said that", "repetition", ANSWER),
    ("You keep repeating yourself.", "repetition", CHAT),
    ("you already asked me that", "repetition", QUESTION),
    ("你刚才已经说过了", "repetition", CHAT),
    ("why are you telling me about dolphins?", "off_topic", CHAT),
    ("that's random", "off_topic", QUESTION),
    ("what does that have to do with my question?", "off_topic", CHAT),
    ("跑题了吧", "off_topic", CHAT),
    ("you are so dumb", "insult", CHAT),
    ("that's nonsense", "insult", CHAT),
    ("what a weird answer", "insult", CHAT),
    ("胡言乱语", "insult", CHAT),
    ("I didn't like that one either.", "dislike", RECOMMENDATION),
    ("it sounds boring", "dislike", RECOMMENDATION),
    ("不喜欢这个", "dislike", RECOMMENDATION),
    ("??", "confusion", CHAT),
    ("lol what", "confusion", CHAT),
    ("you're not making any sense", "confusion", CHAT),
    ("Hmm, not quite sure what you mean.", "confusion", CHAT),
    ("seriously?", "doubt", CHAT),
    ("are you absolutely sure?", "doubt", CHAT),
    ("lol no", "rejected", CHAT),
])
def test_kinds_of_complaint_in_open_chat_are_negative(follow_up, kind, assistant):
    assert negative_of_kind(follow_up, kind, assistant), said(follow_up, assistant)


@pytest.mark.parametrize("follow_up, assistant", [
    # A dislike that answers a question about the user's taste is their answer, not a verdict.
    ("I don't like them, they are too slow.", "What kinds of films do you avoid?"),
    # Referring back to it, or a film that is said to be good, is no complaint.
    ("I have not seen the two films you just mentioned.", RECOMMENDATION),
    ("I haven't seen it, but I know it is supposed to be amazing.", RECOMMENDATION),
    ("Like I said, I like comedies with Chevy Chase.", "What did you enjoy about it?"),
    # A film the user found dumb or creepy is their opinion of the film.
    ("It was really dumb, but funny.", "Name a film you did not like."),
    # "what I asked for" and "all I wanted" praise or close.
    ("That's just what I asked for.", ANSWER),
    ("Thank you, that's all I wanted.", ANSWER),
    ("I wanted to see that one for ages!", RECOMMENDATION),
    # The rating the user wants is a requirement, not a fix.
    ("ok, and the rating should be 4 or higher", "I found 12 hotels in the centre."),
    ("I do not agree to that.", CHAT),
    # "that" as a conjunction: the user's view of the topic, not of what was offered.
    ("I do not like that she has wings, help me write an angry letter about it.", CHAT),
    ("我不同意", CHAT),
    # A "no" that agrees, "the one" as a pronoun, a condition, the user's own plan.
    ("no, not bad, what do you expect", "Sometimes a sequel is not so bad."),
    ("no, that was the one, thanks", CLOSING),
    ("It is a decent film if you did not read the book first.", RECOMMENDATION),
    ("will do it again tonight", RECOMMENDATION),
])
def test_look_alikes_of_complaints_and_praise_say_nothing_bad(follow_up, assistant):
    assert label_of(follow_up, assistant) is not Label.negative


def test_a_correction_referring_back_to_what_the_user_said_counts_after_an_answer():
    assert label_of("Like I said, I already tried restarting it.", CHAT) is Label.negative


@pytest.mark.parametrize("follow_up", ["Exactly!", "I agree", "good point", "that's so true", "说得对"])
def test_agreement_is_positive(follow_up):
    decision = said(follow_up, CHAT)
    assert decision.rule_id.endswith(".agreement") and decision.label is Label.positive


@pytest.mark.parametrize("follow_up", ["I do not agree.", "我不同意", "I agree to pay the fee. Which form?"])
def test_disagreement_and_agreeing_to_terms_are_not_agreement(follow_up):
    decision = said(follow_up, CHAT)
    assert decision is None or not decision.rule_id.endswith(".agreement")


@pytest.mark.parametrize("follow_up, assistant", [
    ("No, for 3 people.", "To confirm: a table for 4 at 7 pm. Is that right?"),
    ("no, the 10th of March", "Shall I book the room from March 12th?"),
    ("Nope. 601 Van Ness Avenue.", "Are you headed to 398 Hayes Street?"),
    ("不是，是三个人", "帮您订四个人的位子，可以吗？"),
])
def test_a_no_followed_by_the_right_detail_corrects_what_was_confirmed(follow_up, assistant):
    assert said(follow_up, assistant).rule_id.endswith(".rejected_restating")


def test_a_no_before_a_new_request_with_numbers_is_still_an_answer():
    decision = said("No, but what is the travel time of train 1234?", "Would you like me to book train 1234?")
    assert decision is None or decision.label is not Label.negative


@pytest.mark.parametrize("follow_up, kind, assistant", [
    ("Can you check again please?", "retry", "Sorry, I could not find any flights on that day."),
    ("try again", "retry", CHAT),
    ("请再查一下", "retry", "抱歉，没有找到符合条件的航班。"),
    ("You are not being very helpful.", "complaint", "Each station has its own fee. Was that helpful?"),
    ("It needs free parking, as I mentioned earlier.", "correction", "Which area would you like?"),
    ("I'm not a fan of that one.", "dislike", RECOMMENDATION),
    ("Actually, no, let's use the bedroom speaker.", "rejected_restating", "Shall I play it on the kitchen speaker?"),
    ("No, I want it on March 14th.", "rejected_restating", "A table for 2 on March 1st, is that right?"),
    ("None of those. I'd rather see a comedy.", "rejected", "There is Dogman, Dumbo, and Family."),
    ("Find me someplace else.", "other_please", "How about Balboa Cafe in San Francisco?"),
    ("换一家别的吧", "other_please", "推荐您去老北京炸酱面馆。"),
    ("I actually hated it :(", "dislike", RECOMMENDATION),
    ("No, I check in on the 7th of March.", "rejected_restating", "Shall I make your check-in date March 9th?"),
    ("No, I need it until the 13th.", "rejected_restating", "Will you drop it off on March 14th?"),
])
def test_more_kinds_of_dissatisfaction(follow_up, kind, assistant):
    assert negative_of_kind(follow_up, kind, assistant), said(follow_up, assistant)


@pytest.mark.parametrize("follow_up", ["Let me try again later.", "I will check again tomorrow, thanks."])
def test_the_user_trying_again_themselves_is_no_retry(follow_up):
    assert not_of_kind(follow_up, "retry", CHAT)


def test_agreeing_in_answer_to_a_question_is_an_answer_not_praise():
    decision = said("Exactly.", "So the table is for two people?")
    assert decision is None or decision.label is not Label.positive


@pytest.mark.parametrize("text", ["他笨手笨脚的，把我的脚踩了", "这些食物会让宝宝变傻", "你要真的觉得没错，又何必求认同呢",
                                  "我好像经常就是这样"])
def test_chinese_words_that_contain_an_insult_or_agreement_character_are_neither(text):
    assert not {h.cue for h in cue_hits(text) if h.language == "zh"} & {"insult", "agreement"}


@pytest.mark.parametrize("follow_up", ["that function doesn't exist", "you made that up", "your answer got cut off",
                                       "that's not how it works", "are you even listening?", "你在瞎编吧",
                                       "回答被截断了"])
def test_kinds_of_wrong_answers_in_assistant_chats_are_complaints(follow_up):
    decision = said(follow_up, "Call pandas.read_magic() to load it.")
    assert decision.rule_id.endswith(".complaint") and decision.label is Label.negative


@pytest.mark.parametrize("follow_up", ["If that doesn't work, can you try 2 nights?",
                                       "If there is no such hotel, how about a cheap one?",
                                       "My old router does not exist any more, I threw it out."])
def test_a_condition_or_the_users_own_things_are_no_complaint(follow_up):
    assert label_of(follow_up) is not Label.negative


@pytest.mark.parametrize("follow_up, assistant", [("what a shame", "Sorry, the 7:15 showing is sold out."),
                                                  ("太可惜了", "抱歉，七点的场次已经卖完了。")])
def test_disappointment_with_the_outcome_is_recorded_but_left_to_the_judge(follow_up, assistant):
    decision = said(follow_up, assistant)
    assert decision.rule_id.endswith(".disappointment") and decision.label is Label.unknown


@pytest.mark.parametrize("follow_up", ["no way!", "No kidding, that's amazing", "no wonder it kept failing"])
def test_a_no_of_surprise_or_understanding_rejects_nothing(follow_up):
    assert label_of(follow_up, "I used to be a nurse for twenty years.") is not Label.negative


@pytest.mark.parametrize("follow_up, assistant", [
    ("No, you've been very helpful. Thanks!", "Watch them both! They will scare the life out of you."),
    ("No thanks, I'll watch the others.", "Give Gone Girl another try if you get a chance."),
    ("No, I haven't seen that one yet.", "One of my favourites is The Greatest Showman."),
])
def test_a_no_that_declines_more_or_answers_about_the_user_rejects_nothing(follow_up, assistant):
    assert label_of(follow_up, assistant) is not Label.negative


def test_a_no_with_thanks_that_says_what_was_wanted_still_corrects():
    assert said("No, I wanted 2 tickets, thanks.", "Shall I book 4 tickets?").rule_id.endswith(".rejected_restating")


def test_have_you_ever_seen_is_an_offer():
    assert assistant_act('Have you ever seen "Shutter (2012)"\nIt is terrifying!') is DialogueAct.options


@pytest.mark.parametrize("follow_up", ["that's hilarious", "lol you're funny"])
def test_laughing_is_not_praise(follow_up):
    decision = said(follow_up, CHAT)
    assert decision is None or decision.label is not Label.positive


@pytest.mark.parametrize("follow_up, assistant", [
    ("that's not true", "The Eiffel Tower is in Berlin. Have you been there?"),
    ("不对，在巴黎", "埃菲尔铁塔在柏林。你去过吗？"),
])
def test_saying_the_statement_is_wrong_counts_even_when_the_turn_ends_with_a_question(follow_up, assistant):
    assert label_of(follow_up, assistant) is Label.negative


def test_true_to_the_book_is_no_complaint():
    assert label_of("It was not true to the book, but I liked it.", "Do you think the plot was good?") is not Label.negative


@pytest.mark.parametrize("follow_up", ["I hate it when it rains on my day off.", "I hated that it ended so soon, loved it!"])
def test_hating_something_else_is_no_dislike_of_the_answer(follow_up):
    assert not_of_kind(follow_up, "dislike", RECOMMENDATION)


def test_changing_the_topic_is_not_asking_for_another_one():
    decision = said("换个话题：冷萃咖啡怎么做？", "推荐您去老北京炸酱面馆。")
    assert decision is None or decision.label is not Label.negative


def test_calling_the_answer_useless_counts_after_an_offer_too():
    assert label_of("useless answer", RECOMMENDATION) is Label.negative


@pytest.mark.parametrize("follow_up, assistant", [
    ("No, that will be all for today. Thank you so much!", "There is a fee of 12 GBP. Does it work for you?"),
    ("No, not right now. Could you find me a house with laundry?", "Should I buy tickets for it?"),
    ("No issues, thank you very much.", "They do not play live music, unfortunately."),
    ("Perfect! Actually that's all I need to know.", "Sure! The number is 925-706-0874."),
])
def test_closings_and_declines_that_look_like_corrections_are_not(follow_up, assistant):
    assert label_of(follow_up, assistant) is not Label.negative


def test_oh_no_is_dismay_not_a_rejection():
    assert label_of("Oh no, that's so sad.", "My grandmother's dog died last week.") is not Label.negative


@pytest.mark.parametrize("follow_up", [
    # A wish or a request.
    "It would be helpful if you added comments.",
    "please make it clearer",
    "Now make the tests pass.",
    # Advice, or someone else's work or taste.
    "It is always a good idea to back up first, so how do I do that?",
    "My manager said it was a good idea to refactor. Where do I start?",
    "The director did a great job with the visuals.",
    "My kids love that one.",
    "This is exactly what they are doing in the docs.",
    # A question, a condition, what worked before.
    "Is it fixed in version 3?",
    "Is it helpful to use a dict here?",
    "Is that a good option?",
    "If that works I'll be happy.",
    "It worked before your change.",
    # The message turns: what follows the "but" decides, and here it is the judge's to read.
    "That worked, but now I get a different error.",
    "That worked. But now I get a new error.",
    "有用，但是还有一个问题",
    "helpful, but can you make it shorter?",
    # Solved without the answer.
    "never mind, it works now, I fixed it myself",
    "我自己解决了",
    "有用吗？",
    "这首歌很好听",
    "我很清楚这一点",
    "如果有用就好了",
])
def test_praise_words_in_a_wish_advice_question_or_story_are_no_praise(follow_up):
    decision = said(follow_up, CHAT)
    assert decision is None or decision.label is not Label.positive, decision


@pytest.mark.parametrize("follow_up", [
    "Good idea! Let's do that.",
    "You did a great job.",
    "thanks for the clear explanation",
    "That's much clearer now, thanks!",
    "Fixed! thanks",
    "My daughter will love it.",
    # A sentence ends at its full stop or line break: the "never" before it negates nothing, and a closing
    # "though" turns nothing.
    "She has never seen it. What a good idea!",
    "I had not heard of it\ngreat suggestion",
    "It's a good suggestion though.",
    "That sounds like a great idea, how do I get there?",
    # A "but" in a later sentence about something else, or one that goes on to the user's own plans, turns nothing.
    "Thanks, very helpful. Next I need the deployment side, but first the tests.",
    "that's helpful, although I'll probably tweak the wording a bit",
    "有用，但是我会再改一下",
    "Thanks, that worked! But can you also add tests?",
    "I did not like that one. But you gave me two good choices.",
    "Great tips, thanks!",
    "有用，但是能不能再加个注释",
    "Lol, that was the bug. Fixed, thanks",
    "对的，就是这个意思",
    "按这个方法煮出来真的好吃多了",
    "这个回答很有用",
    "讲得很清楚，谢谢",
    "解决了，谢谢！",
])
def test_praise_of_the_answer_is_positive(follow_up):
    assert label_of(follow_up, CHAT) is Label.positive


@pytest.mark.parametrize("follow_up", ["Sorry, I meant Python 3.", "oops, I meant the 14th, my bad"])
def test_the_user_correcting_their_own_slip_is_no_correction_of_the_answer(follow_up):
    assert label_of(follow_up) is not Label.negative


def test_no_not_at_all_to_a_statement_still_rejects_it_and_one_is_a_number_after_no():
    assert label_of("No, not at all.", "That film is a lot like Titanic.") is Label.negative
    assert said("no, one ticket please", OFFER).rule_id == "conversational.en.rejected_restating"


@pytest.mark.parametrize("follow_up, kind", [
    ("I don't believe 'colour' is correct here, the text is American English.", "complaint"),
    ("Could you finish your last sentence?", "complaint"),
    ("把话说完", "complaint"),
    ("我不认为这个读音是对的", "complaint"),
    ("I actually wanted you to write it as a poem.", "correction"),
    ("我其实想要一个能在手机上用的版本", "correction"),
    ("I don't like using flex, give me another way.", "other_please"),
    ("换个方法吧", "other_please"),
    ("What I mean is, how do I learn it without a teacher?", "rephrase"),
    ("That's outdated, the API changed in v2.", "complaint"),
    ("This is too verbose.", "complaint"),
    ("Just answer the question.", "complaint"),
    ("The math is wrong: 7 times 8 is 56.", "complaint"),
    ("That's not in the document I gave you.", "complaint"),
    ("这个方法已经过时了", "complaint"),
    ("Please answer in English.", "correction"),
    ("请用中文回答", "complaint"),
])
def test_kinds_of_dissatisfaction_in_assistant_chats(follow_up, kind):
    assert negative_of_kind(follow_up, kind, CHAT)


@pytest.mark.parametrize("follow_up", ["I do not think I was right about that.", "I really wanted to go there last year.",
                                       "我不觉得我是对的", "等我写完",
                                       "The weather forecast was wrong yesterday, so we got wet.",
                                       "It feels real, like it is made up for the movie."])
def test_the_user_doubting_themselves_or_telling_their_plans_is_no_complaint(follow_up):
    assert label_of(follow_up, CHAT) is not Label.negative


def test_a_sad_face_is_recorded_and_left_to_the_judge():
    decision = said("PLEASE EXPLAIN IT :(", CHAT)
    assert decision.rule_id.endswith(".disappointment") and decision.label is Label.unknown


@pytest.mark.parametrize("follow_up", ["oh great, now it's even worse", "Great, now nothing works.",
                                       "Perfect. Now it crashes on startup.", "yeah, real helpful", "现在更糟了",
                                       "好的，反而报错了"])
def test_approval_before_a_worse_outcome_is_a_complaint_not_praise(follow_up):
    assert label_of(follow_up, CHAT) is Label.negative


@pytest.mark.parametrize("follow_up", ["Now it works!", "it works now, and the old error is gone", "放开了拳头反而更自由"])
def test_things_that_now_work_or_feel_better_are_no_complaint(follow_up):
    assert label_of(follow_up, CHAT) is not Label.negative


@pytest.mark.parametrize("follow_up", ["Okay, great. I'm also looking for a restaurant in the south. It should be expensive.",
                                       "No, I am all set. Thank you for your time and don't work too hard."])
def test_a_requirement_of_a_new_request_and_a_friendly_goodbye_are_no_complaint(follow_up):
    assert label_of(follow_up) is not Label.negative


def test_an_offer_in_passing_makes_a_no_an_answer():
    offer = "Their postcode is CB1 1LH, and if you want a reservation just let me know the time and day."
    assert assistant_act(offer) is DialogueAct.options
    assert label_of("Not now, thanks. Are there any expensive hotels in the centre?", offer) is not Label.negative
    assert assistant_act("If you want speed, use a dict. It is O(1).") is DialogueAct.answer


@pytest.mark.parametrize("follow_up, assistant", [
    ('Have you seen "The Amazing Spider-Man (2012)"?', RECOMMENDATION),
    ('Rewrite this: "Our product is very helpful and it worked for everyone."', CHAT),
    ('my log says "does not work" after the restart, is that normal?', CHAT),
    ("you wrote `x = 1  # this is wrong` on line 3, why?", CHAT),
])
def test_quoted_titles_pasted_text_and_code_say_nothing_about_the_answer(follow_up, assistant):
    decision = said(follow_up, assistant)
    assert decision is None or decision.label not in (Label.positive, Label.negative), decision


@pytest.mark.parametrize("follow_up", ['They have not seen "Toy Story (1995)" That is a really good idea',
                                       'I have watched "It (1990)" but not the new "It (2017)"\nGreat idea!'])
def test_a_negator_before_a_title_does_not_reach_the_praise_after_it(follow_up):
    assert label_of(follow_up, RECOMMENDATION) is Label.positive
