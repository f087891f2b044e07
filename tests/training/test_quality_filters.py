"""Each quality filter alone: what it drops and, as importantly, what it keeps (EN and ZH)."""

from datetime import datetime, timezone

import pytest

from transforms.training.policy import TrainingPolicy
from schemas.conversation import FeedbackSignal, Label, LabelDecision, Turn
from transforms.training.filters import (
    ANY_ANSWER_FILTERS, Candidate, drop_reason, empty, flagged, is_flagged, language, length,
    looks_like_refusal, looks_truncated, placeholder_share, placeholders, refusal, truncated,
)

POLICY = TrainingPolicy()
T0 = datetime(2026, 11, 27, tzinfo=timezone.utc)


def c(answer, prompt_language="en", is_flagged=False):
    return Candidate(answer=answer, prompt_language=prompt_language, flagged=is_flagged)


def test_empty():
    assert empty(c(""), POLICY) == "filter.empty"
    assert empty(c(" \n\t"), POLICY) == "filter.empty"
    assert empty(c("ok"), POLICY) is None


@pytest.mark.parametrize("answer", [
    "Here is the script:\n```python\nimport os\nfor name in os.listdir('.'):\n    print(name)\n",
    "There are three steps. First you open the settings and then you...",
    "The answer depends on a few things, mainly the size of the input,",
    "Here is the code:",
    "解决方法如下：",
    "原因有以下几点，",
])
def test_truncated_answers_are_dropped(answer):
    assert looks_truncated(answer)
    assert truncated(c(answer), POLICY) == "filter.truncated"


@pytest.mark.parametrize("answer", [
    "Here is the script:\n```python\nprint('hi')\n```\nRun it with python3.",
    "```\na\n```\n```\nb\n```",
    "The answer is 42.",
    "Count along: 1, 2, 3...",  # a numeric ellipsis is not a cut
    "好吧……",  # the Chinese ellipsis is a style
    "答案是 42。",
    "Use `a...b` slicing",
])
def test_complete_answers_are_not_truncated(answer):
    assert not looks_truncated(answer)
    assert truncated(c(answer), POLICY) is None


@pytest.mark.parametrize("answer", [
    "I'm sorry, but I can't help with that.",
    "I’m really sorry, but I cannot provide that information.",
    "I am sorry, but as an AI I am unable to browse the web.",
    "Sorry, I can't do that.",
    "I cannot assist with this request.",
    "I must decline to answer.",
    "As an AI language model, I cannot have opinions.",
    "Hello! I'm sorry, but I can't help with that request.",
    "抱歉，我无法回答这个问题。",
    "很抱歉，但是我不能提供这方面的信息。",
    "对不起，作为一个AI，我无法访问互联网。",
    "作为一个人工智能语言模型，我无法提供医疗建议。",
    "我无法帮助你完成这个请求。",
])
def test_refusals_are_dropped(answer):
    assert looks_like_refusal(answer)
    assert refusal(c(answer), POLICY) == "filter.refusal"


@pytest.mark.parametrize("answer", [
    "I'm sorry for the confusion earlier: the correct answer is 4.",
    "Sure! If the build still fails, I can't see your logs, so paste the error here.",
    "The function cannot be called before it is defined; move it up.",
    "抱歉刚才说错了，正确答案是 4。",
    "这个函数无法在定义之前调用，请把它移到前面。",
])
def test_helpful_answers_mentioning_cannot_are_kept(answer):
    assert not looks_like_refusal(answer)
    assert refusal(c(answer), POLICY) is None


def test_placeholder_share():
    assert placeholder_share("") == 0.0
    assert placeholder_share("<PERSON_1>") == 1.0
    # Prose with a placeholder in it: the share of characters (no line is mostly placeholders).
    prose = "Please write to <EMAIL_ADDRESS_1> and ask for the invoice."
    assert placeholder_share(prose) == pytest.approx(17 / 50)
    assert placeholders(c("<PERSON_1> <EMAIL_ADDRESS_2>"), POLICY) == "filter.placeholders"
    assert placeholders(c("<PERSON_1>，你好"), POLICY) == "filter.placeholders"
    assert placeholders(c(prose), POLICY) is None
    # The threshold is the policy's: "share > max" drops.
    assert placeholders(c(prose), TrainingPolicy(max_placeholder_share=0.3)) == "filter.placeholders"


def test_a_block_of_placeholder_lines_counts_by_lines_not_characters():
    # Labels around the placeholders make most characters, but three lines of four are placeholders.
    card = "Contact: <PERSON_1>\nEmail: <EMAIL_ADDRESS_1>\nPhone: <PHONE_NUMBER_1>\nOffice hours are Monday to Friday."
    assert placeholder_share(card) == pytest.approx(0.75)
    assert placeholders(c(card), POLICY) == "filter.placeholders"
    # A letter whose header is placeholders but whose body is prose: half its lines, kept at the default.
    letter = ("<PERSON_1>\n<EMAIL_ADDRESS_1>\n\nDear Hiring Manager,\n\nI am excited to apply for this position. "
              "Over the past few years I have built products.\n\nBest regards,\n<PERSON_1>")
    assert placeholder_share(letter) == pytest.approx(0.5)
    assert placeholders(c(letter), POLICY) is None
    # A line is "mostly placeholders" when they are half its words or more; Chinese counts two characters a word.
    assert placeholder_share("电话：<PHONE_NUMBER_1>\n办公时间为周一至周五上午九点到下午五点，欢迎来电咨询相关问题。") == pytest.approx(0.5)


def test_length_bounds():
    policy = TrainingPolicy(min_answer_chars=5, max_answer_chars=20)
    assert length(c("four"), policy) == "filter.too_short"
    assert length(c("   four   "), policy) == "filter.too_short"  # whitespace does not count
    assert length(c("fine."), policy) is None
    assert length(c("x" * 20), policy) is None
    assert length(c("x" * 21), policy) == "filter.too_long"
    assert length(c("好的，没问题"), TrainingPolicy(min_answer_chars=6)) is None


def test_language():
    assert language(c("hi", "zh"), POLICY) is None  # no languages listed: all kept
    only_en = TrainingPolicy(languages=["en"])
    assert language(c("hi", "en"), only_en) is None
    assert language(c("hi", "zh"), only_en) == "filter.language"
    assert language(c("hi", "mixed"), TrainingPolicy(languages=["en", "zh"])) == "filter.language"


def turn(feedback=(), decisions=()):
    return Turn(turn_index=1, message_id="m1", role="assistant", content="x", timestamp=T0,
                feedback=list(feedback), decisions=list(decisions))


def test_flagged():
    report = FeedbackSignal(event_id="e1", kind="report", comment="offensive", timestamp=T0, attached_by="message_id")
    thumbs = FeedbackSignal(event_id="e2", kind="thumbs_up", timestamp=T0, attached_by="message_id")
    moderation = LabelDecision(rule_id="moderation.hate", rules_version="v0", label=Label.negative, confidence=1)
    assert is_flagged(turn([report]))
    assert is_flagged(turn(decisions=[moderation]))
    assert not is_flagged(turn([thumbs]))
    assert flagged(c("fine", is_flagged=True), POLICY) == "filter.flagged"
    assert flagged(c("fine"), POLICY) is None


def test_first_objection_wins_and_bad_examples_only_need_text():
    assert drop_reason(c("fine answer."), POLICY) is None
    assert drop_reason(c("", is_flagged=True), POLICY) == "filter.empty"
    assert drop_reason(c("I'm sorry, but I can't", is_flagged=True), POLICY) == "filter.flagged"
    assert drop_reason(c("I'm sorry, but I can't help."), POLICY) == "filter.refusal"
    # As a rejected answer, a refusal is exactly what the row should teach against.
    assert drop_reason(c("I'm sorry, but I can't help."), POLICY, ANY_ANSWER_FILTERS) is None
    assert drop_reason(c("  "), POLICY, ANY_ANSWER_FILTERS) == "filter.empty"
