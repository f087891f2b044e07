"""Training rows from labeled conversations: selection, train flags, corrections, preferences, filters."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from transforms.training.policy import TrainingPolicy
from schemas.conversation import Conversation, FeedbackSignal, Label, LabelDecision, Turn
from transforms.training.rows import build_training_rows

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
POLICY = TrainingPolicy()

# The rule each feedback kind triggers in rules v0, and the label it gives.
RULE_OF = {
    "thumbs_up": ("explicit.thumbs_up", Label.positive),
    "thumbs_down": ("explicit.thumbs_down", Label.negative),
    "regenerate": ("behavioural.regenerate", Label.negative),
    "edit": ("behavioural.edit", Label.negative),
    "report": ("explicit.report", Label.negative),
    "copy": ("behavioural.copy", Label.positive),
}


def fb(kind, i, rating=None, edited_text=None):
    return FeedbackSignal(event_id=f"e{i}-{kind}", kind=kind, rating=rating, edited_text=edited_text,
                          timestamp=T0, attached_by="message_id")


def turn(i, role, content, parent="auto", label=None, feedback=(), quality=None, source=None,
         corrected=None, decisions=None):
    """A turn; assistant labels and decisions follow from `feedback` unless given."""
    feedback = [fb(k, i) if isinstance(k, str) else k for k in feedback]
    if decisions is None:
        decisions = []
        for signal in feedback:
            if signal.kind == "rating":
                rule, lab = (("explicit.rating_high", Label.positive) if signal.rating >= 4 else
                             ("explicit.rating_low", Label.negative) if signal.rating <= 2 else
                             ("explicit.rating_mid", Label.neutral))
            else:
                rule, lab = RULE_OF[signal.kind]
            decisions.append(LabelDecision(rule_id=rule, rules_version="v0", event_id=signal.event_id, label=lab,
                                           confidence=0.9))
    if role == "assistant" and label is None:
        found = {d.label for d in decisions}
        label = next((lab for lab in (Label.negative, Label.positive, Label.neutral) if lab in found), Label.unknown)
    return Turn(turn_index=i, message_id=f"m{i}", parent_id=f"m{i - 1}" if parent == "auto" and i else
                (None if parent == "auto" else parent), role=role, content=content,
                timestamp=T0 + timedelta(seconds=i), feedback=feedback, label=label, decisions=decisions,
                quality_score=quality, label_source=source, corrected_answer=corrected)


def conversation(*turns, cid="c1"):
    return Conversation(row_id="", conversation_id=cid, source="events", started_at=T0, ended_at=T0,
                        n_turns=len(turns), turns=list(turns))


def rows(conv, **policy):
    return build_training_rows(conv, TrainingPolicy(**policy))


def dpo(result):
    return [p for p in result.preferences if p.kind == "dpo"]


def kto(result):
    return [p for p in result.preferences if p.kind == "kto"]


# --- selection --------------------------------------------------------------------------------------

def test_positive_turns_are_selected_and_negative_never():
    conv = conversation(
        turn(0, "user", "What is the capital of France?"),
        turn(1, "assistant", "Paris is the capital.", feedback=["thumbs_up"]),
        turn(2, "user", "And of Spain?"),
        turn(3, "assistant", "Lisbon is the capital.", feedback=["thumbs_down"]),
    )
    result = rows(conv)
    assert [(e.target_message_id, e.derivation, e.label) for e in result.sft] == [("m1", "original", "positive")]
    assert result.sft[0].rule_ids == ["explicit.thumbs_up"]


@pytest.mark.parametrize("label,quality,source,min_quality,selected", [
    (Label.unknown, 0.8, "judge", 8, True),
    (Label.unknown, 0.9, "rules+judge", 8, True),
    (Label.neutral, 0.8, "rules+judge", 8, True),
    (Label.unknown, 0.7, "judge", 8, False),       # below the bar
    (Label.unknown, 0.8, "judge", 9, False),       # the bar is the policy's
    (Label.unknown, 0.9, "rules", 8, False),       # a rules-only score is not the judge's
    (Label.unknown, None, "judge", 8, False),
    (Label.negative, 1.0, "rules+judge", 1, False),  # the judge never overrides a negative
])
def test_undecided_turns_are_selected_on_a_high_judge_score(label, quality, source, min_quality, selected):
    conv = conversation(turn(0, "user", "Why is the sky blue?"),
                        turn(1, "assistant", "Rayleigh scattering of sunlight.", label=label, quality=quality,
                             source=source, decisions=[]))
    result = rows(conv, min_judge_quality=min_quality)
    assert bool(result.sft) is selected
    if selected:
        assert result.sft[0].quality_score == quality


def test_no_example_without_a_user_prompt():
    result = rows(conversation(turn(0, "assistant", "Welcome! Ask me anything.", feedback=["thumbs_up"])))
    assert result.sft == [] and result.preferences == []
    assert result.dropped["filter.no_prompt"] == 1  # once per answer, though it fed an SFT and a KTO row


# --- multi-turn examples and train flags --------------------------------------------------------------

def three_rounds():
    return conversation(
        turn(0, "system", "You are a helpful assistant."),
        turn(1, "user", "Name a prime number."),
        turn(2, "assistant", "Seven is prime."),
        turn(3, "user", "Another one?"),
        turn(4, "assistant", "Nine is prime.", feedback=["thumbs_down"]),
        turn(5, "user", "Nine is not prime. Another?"),
        turn(6, "assistant", "Eleven is prime.", feedback=["thumbs_up"]),
    )


@pytest.mark.parametrize("scope,expected", [
    ("last", [False, False, False, False, False, False, True]),
    # "all": earlier answers only when they would be targets themselves; "Seven is prime." has no signal
    # (unknown), "Nine is prime." was thumbed down: neither is trained on.
    ("all", [False, False, False, False, False, False, True]),
])
def test_train_flags_follow_the_loss_scope(scope, expected):
    [example] = rows(three_rounds(), loss_scope=scope).sft
    assert [m.role for m in example.messages] == ["system", "user", "assistant", "user", "assistant", "user",
                                                  "assistant"]
    assert [m.train for m in example.messages] == expected
    assert example.messages[-1].content == "Eleven is prime."
    assert example.target_turn_index == 6


def test_loss_scope_all_trains_only_context_answers_that_would_be_targets_themselves():
    conv = conversation(
        turn(0, "user", "Name a prime number."),
        turn(1, "assistant", "Seven is prime.", feedback=["thumbs_up"]),           # selected: trained
        turn(2, "user", "Another one?"),
        turn(3, "assistant", "Three is prime.", quality=0.9, decisions=[]),        # unknown, no judge: not
        turn(4, "user", "And one more, with a sentence about it?"),
        turn(5, "assistant", "Eleven is prime, and it has no divisor but 1 and itself,",
             feedback=["thumbs_up"]),                                              # selected but truncated: not
        turn(6, "user", "Thanks!"),
        turn(7, "assistant", "You're welcome!", feedback=["thumbs_up"]),           # selected, low information: not
        turn(8, "user", "Last one?"),
        turn(9, "assistant", "Thirteen is prime.", feedback=["thumbs_up"]),
    )
    result = rows(conv, loss_scope="all")
    last = next(e for e in result.sft if e.target_turn_index == 9)
    trained = [m.content for m in last.messages if m.train]
    assert trained == ["Seven is prime.", "Thirteen is prime."]
    # Every answer trained on in any example passed selection and the filters as a target of its own.
    targets = {e.messages[-1].content for e in result.sft}
    assert {m.content for e in result.sft for m in e.messages if m.train} <= targets
    # Screening context answers counts nothing twice: each refused answer once, under its own reason.
    assert result.dropped["filter.truncated"] == 1 and result.dropped["filter.low_information"] == 1


def test_preference_prompts_are_never_trained_on():
    result = rows(three_rounds(), loss_scope="all")
    assert result.preferences and all(not m.train for p in result.preferences for m in p.prompt)


# --- corrections: SFT example + DPO pair ------------------------------------------------------------

def test_user_edit_gives_an_example_and_a_pair():
    edit = fb("edit", 1, edited_text="The Eiffel Tower is 330 metres tall.")
    conv = conversation(turn(0, "user", "How tall is the Eiffel Tower?"),
                        turn(1, "assistant", "The Eiffel Tower is 300 metres tall.", feedback=[edit]))
    result = rows(conv)
    [example] = result.sft
    assert example.derivation == "user_edit"
    assert example.messages[-1].content == "The Eiffel Tower is 330 metres tall."
    assert (example.target_message_id, example.label, example.quality_score) == ("m1", "positive", None)
    assert example.rule_ids == ["behavioural.edit"]
    [pair] = dpo(result)
    assert (pair.chosen, pair.rejected) == ("The Eiffel Tower is 330 metres tall.",
                                            "The Eiffel Tower is 300 metres tall.")
    assert (pair.derivation, pair.chosen_message_id, pair.rejected_message_id) == ("user_edit", edit.event_id, "m1")
    assert pair.rule_ids == ["behavioural.edit"]
    assert [(m.role, m.content) for m in pair.prompt] == [("user", "How tall is the Eiffel Tower?")]
    # The original answer is still a bad example for KTO.
    assert [(p.completion, p.desirable, p.derivation) for p in kto(result)] == [
        ("The Eiffel Tower is 300 metres tall.", False, "user_edit")]


def test_an_edit_that_changes_nothing_is_not_a_correction():
    conv = conversation(turn(0, "user", "Say hello"),
                        turn(1, "assistant", "Hello!", feedback=[fb("edit", 1, edited_text="Hello! ")]))
    result = rows(conv)
    assert result.sft == [] and dpo(result) == []
    assert result.dropped["selection.unchanged_answer"] == 1


def test_regenerated_answer_accepted_by_thumbs_up():
    conv = conversation(
        turn(0, "user", "Write a haiku about rain"),
        turn(1, "assistant", "Rain falls. It is wet. The end.", parent="m0", feedback=["regenerate"]),
        turn(2, "assistant", "Soft rain on the roof\nwhispers to the sleeping town\npuddles hold the sky",
             parent="m0", feedback=["thumbs_up"], quality=0.9),
    )
    result = rows(conv)
    [example] = result.sft
    assert (example.target_message_id, example.derivation, example.quality_score) == ("m2", "regenerated_accepted", 0.9)
    assert example.rule_ids == ["behavioural.regenerate", "explicit.thumbs_up"]
    assert [m.content for m in example.messages[:-1]] == ["Write a haiku about rain"]  # not the rejected sibling
    [pair] = dpo(result)  # one pair, not a second "thumbs" pair for the same two answers
    assert (pair.derivation, pair.chosen_message_id, pair.rejected_message_id) == ("regeneration", "m2", "m1")
    assert pair.rule_ids == ["behavioural.regenerate", "explicit.thumbs_up"]


def test_regenerated_answer_accepted_because_the_conversation_went_on():
    conv = conversation(
        turn(0, "user", "Suggest a name for a cat"),
        turn(1, "assistant", "Dog.", parent="m0", feedback=["regenerate"]),
        turn(2, "assistant", "How about Miso?", parent="m0"),
        turn(3, "user", "Nice, and for a dog?", parent="m2"),
    )
    result = rows(conv)
    assert [(e.target_message_id, e.derivation, e.label) for e in result.sft] == [
        ("m2", "regenerated_accepted", "positive")]
    assert [(p.chosen, p.rejected, p.derivation) for p in dpo(result)] == [("How about Miso?", "Dog.", "regeneration")]


def test_a_regeneration_nobody_accepted_is_not_selected():
    conv = conversation(
        turn(0, "user", "Suggest a name for a cat"),
        turn(1, "assistant", "Dog.", parent="m0", feedback=["regenerate"]),
        turn(2, "assistant", "How about Miso?", parent="m0"),
    )
    result = rows(conv)
    assert result.sft == [] and dpo(result) == []


def test_regeneration_without_parent_ids():
    conv = conversation(
        turn(0, "user", "Suggest a name for a cat", parent=None),
        turn(1, "assistant", "Dog.", parent=None, feedback=["regenerate"]),
        turn(2, "assistant", "How about Miso?", parent=None),
        turn(3, "user", "Nice, and for a dog?", parent=None),
        turn(4, "assistant", "Rex.", parent=None),
    )
    result = rows(conv)
    assert [(e.target_message_id, e.derivation) for e in result.sft] == [("m2", "regenerated_accepted")]
    assert [(p.chosen_message_id, p.rejected_message_id) for p in dpo(result)] == [("m2", "m1")]


def test_judge_correction_gives_an_example_and_a_pair():
    correction = LabelDecision(rule_id="conversational.en.correction", rules_version="v1", event_id="m2",
                               label=Label.negative, confidence=0.8, evidence="that's wrong", category="UR2")
    judged = LabelDecision(rule_id="judge.judge_v1", rules_version="judge_v1", label=Label.negative, confidence=0.7)
    conv = conversation(
        turn(0, "user", "How much does a MacBook Air weigh?"),
        turn(1, "assistant", "It weighs about 2.5 kg.", decisions=[correction, judged], quality=0.2,
             source="rules+judge", corrected="It weighs about 1.24 kg."),
        turn(2, "user", "That's wrong, it's 1.24 kg."),
    )
    result = rows(conv)
    [example] = result.sft
    assert (example.derivation, example.target_message_id, example.quality_score) == ("judge_correction", "m1", None)
    assert example.messages[-1].content == "It weighs about 1.24 kg."
    assert example.rule_ids == ["conversational.en.correction", "judge.judge_v1"]
    [pair] = dpo(result)
    assert (pair.chosen, pair.rejected) == ("It weighs about 1.24 kg.", "It weighs about 2.5 kg.")
    # The chosen text was built from the user's follow-up message: that is its provenance.
    assert (pair.derivation, pair.chosen_message_id, pair.rejected_message_id) == ("judge_correction", "m2", "m1")
    assert pair.rule_ids == ["conversational.en.correction", "judge.judge_v1"]


def test_judge_correction_without_the_follow_up_in_the_log():
    conv = conversation(turn(0, "user", "How much does a MacBook Air weigh?"),
                        turn(1, "assistant", "It weighs about 2.5 kg.", label=Label.negative, decisions=[],
                             corrected="It weighs about 1.24 kg."))
    [pair] = dpo(rows(conv))
    assert (pair.chosen_message_id, pair.rejected_message_id) == (None, "m1")


# --- sibling preferences ----------------------------------------------------------------------------

def siblings(a, b, prompt="Explain recursion briefly."):
    """Two answers to one prompt: a = (content, feedback, quality), b likewise."""
    return conversation(turn(0, "user", prompt),
                        turn(1, "assistant", a[0], parent="m0", feedback=a[1], quality=a[2]),
                        turn(2, "assistant", b[0], parent="m0", feedback=b[1], quality=b[2]))


def test_siblings_with_different_thumbs_make_a_thumbs_pair():
    result = rows(siblings(("A function calling itself.", ["thumbs_up"], None),
                           ("Recursion is a loop.", ["thumbs_down"], None)))
    [pair] = dpo(result)  # the label decides: scores are not needed
    assert (pair.chosen_message_id, pair.rejected_message_id, pair.derivation) == ("m1", "m2", "thumbs")
    assert pair.rule_ids == ["explicit.thumbs_down", "explicit.thumbs_up"]
    assert "preference.missing_score" not in result.dropped


def test_siblings_with_different_ratings_make_a_rating_pair():
    # The better answer came first: not a regeneration, a comparison of two rated answers.
    result = rows(siblings(("A function calling itself.", [fb("rating", 1, rating=5)], 0.9),
                           ("Recursion is a loop.", [fb("rating", 2, rating=1)], 0.2)))
    [pair] = dpo(result)
    assert (pair.chosen_message_id, pair.rejected_message_id, pair.derivation) == ("m1", "m2", "rating")


def test_siblings_with_the_same_label_are_ordered_by_quality():
    result = rows(siblings(("A function calling itself.", ["thumbs_up"], 0.7),
                           ("A function that calls itself on a smaller input.", ["thumbs_up"], 0.9)))
    [pair] = dpo(result)
    assert (pair.chosen_message_id, pair.rejected_message_id) == ("m2", "m1")


def test_tie_and_missing_score_make_no_pair():
    tie = rows(siblings(("A function calling itself.", ["thumbs_up"], 0.9),
                        ("A function that calls itself.", ["thumbs_up"], 0.9)))
    assert dpo(tie) == [] and tie.dropped["preference.tie"] == 1
    missing = rows(siblings(("A function calling itself.", ["thumbs_up"], 0.9),
                            ("A function that calls itself.", ["thumbs_up"], None)))
    assert dpo(missing) == [] and missing.dropped["preference.missing_score"] == 1
    unrated = rows(siblings(("A function calling itself.", [], None), ("A function that calls itself.", [], None)))
    assert dpo(unrated) == [] and unrated.dropped["preference.missing_score"] == 1


def test_two_negative_siblings_make_no_pair_whatever_their_scores():
    result = rows(siblings(("Recursion is a loop.", ["thumbs_down"], 0.1),
                           ("Recursion is a list.", ["thumbs_down"], 0.3)))
    assert dpo(result) == [] and result.dropped["preference.both_negative"] == 1


def test_a_score_never_overrules_the_user():
    # Unrated vs thumbs-down: the judge liked the rejected one better; no pair.
    rejected = rows(siblings(("Recursion is a loop.", ["thumbs_down"], 0.9), ("A function calling itself.", [], 0.3)))
    # Unrated vs thumbs-up: the judge liked the unrated one better; no pair either.
    liked = rows(siblings(("A function calling itself.", ["thumbs_up"], 0.3), ("Recursion is a loop.", [], 0.9)))
    for result in (rejected, liked):
        assert dpo(result) == [] and result.dropped["preference.conflict"] == 1
    # When the score agrees with the user, the unrated answer is ordered by it.
    agreed = rows(siblings(("Recursion is a loop.", ["thumbs_down"], 0.2), ("A function calling itself.", [], 0.8),
                           prompt="Explain recursion"))
    assert [(p.chosen_message_id, p.rejected_message_id) for p in dpo(agreed)] == [("m2", "m1")]


def test_kto_rows_for_every_decided_turn():
    result = rows(three_rounds())
    assert [(p.completion, p.desirable, p.derivation) for p in kto(result)] == [
        ("Nine is prime.", False, "thumbs"), ("Eleven is prime.", True, "thumbs")]
    assert kto(result)[0].rejected_message_id == "m4" and kto(result)[1].chosen_message_id == "m6"
    assert [m.content for m in kto(result)[1].prompt][-1] == "Nine is not prime. Another?"


# --- filters inside the step ------------------------------------------------------------------------

def test_a_refused_positive_answer_is_dropped_and_counted_once():
    conv = conversation(turn(0, "user", "Tell me a joke"),
                        turn(1, "assistant", "I'm sorry, but I can't help with that.", feedback=["thumbs_up"]))
    result = rows(conv)
    assert result.sft == [] and kto(result) == []
    assert result.dropped == {"filter.refusal": 1}


def test_a_refusal_can_still_be_the_rejected_answer():
    result = rows(siblings(("I'm sorry, but I can't help with that.", ["thumbs_down"], None),
                           ("A function calling itself.", ["thumbs_up"], None)))
    [pair] = dpo(result)
    assert pair.rejected.startswith("I'm sorry") and [p.desirable for p in kto(result)] == [False, True]


def test_chosen_answers_pass_the_filters():
    edit = fb("edit", 1, edited_text="<PERSON_1> <PERSON_2>")
    conv = conversation(turn(0, "user", "Who wrote it?"),
                        turn(1, "assistant", "It was written by a team.", feedback=[edit]))
    result = rows(conv)
    assert result.sft == [] and dpo(result) == []
    assert result.dropped["filter.placeholders"] == 1


def test_language_and_flag_filters():
    zh = conversation(turn(0, "user", "中国的首都是哪里？"), turn(1, "assistant", "北京。", feedback=["thumbs_up"]))
    assert rows(zh).sft and rows(zh, languages=["zh"]).sft
    only_en = rows(zh, languages=["en"])
    assert only_en.sft == [] and only_en.preferences == [] and only_en.dropped["filter.language"] == 1
    # A reported answer is never a good example, even if someone also liked it.
    reported = conversation(turn(0, "user", "Tell me a story"),
                            turn(1, "assistant", "Once upon a time.", feedback=["thumbs_up", "report"],
                                 label=Label.positive))
    result = rows(reported)
    assert result.sft == [] and result.dropped["filter.flagged"] == 1


# --- categories, weights, ids -----------------------------------------------------------------------

def test_category_language_and_weight_come_from_the_prompt():
    conv = conversation(
        turn(0, "user", "用Python写一个函数，计算列表的和"),
        turn(1, "assistant", "```python\ndef total(xs):\n    return sum(xs)\n```", feedback=["thumbs_up"]),
    )
    result = rows(conv, category_weights={"coding": 2.5})
    [example] = result.sft
    assert (example.category, example.language, example.sample_weight) == ("coding", "zh", 2.5)
    [row] = kto(result)
    assert (row.category, row.language) == ("coding", "zh")
    chat = conversation(turn(0, "user", "hello!"), turn(1, "assistant", "Hi! I am an assistant for questions about "
                                                                     "your bills.", feedback=["copy"]))
    assert [(e.category, e.language, e.sample_weight) for e in rows(chat, category_weights={"coding": 2.5}).sft] == [
        ("chitchat", "en", 1.0)]


def test_ids_are_deterministic_distinct_and_content_sensitive():
    def build(answer="A function calling itself."):
        return rows(siblings((answer, ["thumbs_up"], None), ("Recursion is a loop.", ["thumbs_down"], None)))

    first, again = build(), build()
    assert [e.example_id for e in first.sft] == [e.example_id for e in again.sft]
    assert [p.pair_id for p in first.preferences] == [p.pair_id for p in again.preferences]
    ids = [p.pair_id for p in first.preferences] + [e.example_id for e in first.sft]
    assert len(set(ids)) == len(ids)
    changed = build("A function that calls itself.")
    assert changed.sft[0].example_id != first.sft[0].example_id
    assert dpo(changed)[0].pair_id != dpo(first)[0].pair_id
    # The loss scope changes the train flags, not the example's identity.
    assert rows(three_rounds(), loss_scope="all").sft[0].example_id == rows(three_rounds()).sft[0].example_id


# --- the property: a thumbs-down answer is never imitated ----------------------------------------------

FEEDBACK_CHOICES = [[], ["thumbs_up"], ["thumbs_down"], ["regenerate"], ["copy"], ["thumbs_up", "thumbs_down"],
                    ["regenerate", "thumbs_up"], ["report"], ["edit"]]


def random_conversation(rng, n):
    turns, i, parent = [], 0, None
    for _ in range(rng.randint(1, 3)):
        turns.append(turn(i, "user", f"Question number {n}-{i} about things?", parent=parent))
        prompt_id, i = f"m{i}", i + 1
        answer_ids = []
        for _ in range(rng.randint(1, 3)):
            kinds = rng.choice(FEEDBACK_CHOICES)
            feedback = [fb(k, i, edited_text=f"Edited answer {n}-{i}.") if k == "edit" else k for k in kinds]
            if rng.random() < 0.2:
                feedback.append(fb("rating", i, rating=rng.choice([1, 3, 5])))
            judged = rng.random() < 0.4
            turns.append(turn(i, "assistant", f"Answer {n}-{i} to the question.", parent=prompt_id,
                              feedback=feedback, quality=rng.choice([None, 0.2, 0.5, 0.8, 0.9]),
                              source="rules+judge" if judged else "rules",
                              corrected=f"Corrected answer {n}-{i}." if judged and rng.random() < 0.3 else None))
            answer_ids.append(f"m{i}")
            i += 1
        parent = rng.choice(answer_ids)
    return conversation(*turns, cid=f"c{n}")


def test_thumbs_down_turns_are_never_sft_targets_or_chosen():
    rng = random.Random(20261127)
    seen_sft = seen_dpo = 0
    for n in range(300):
        conv = random_conversation(rng, n)
        negative_texts = {t.content for t in conv.turns if t.label == Label.negative}
        negative_ids = {t.message_id for t in conv.turns if t.label == Label.negative}
        result = build_training_rows(conv, POLICY)
        for example in result.sft:
            assert example.messages[-1].content not in negative_texts
            if example.target_message_id in negative_ids:
                assert example.derivation in ("user_edit", "judge_correction")
        for pair in result.preferences:
            if pair.kind == "dpo":
                assert pair.chosen not in negative_texts
                assert pair.chosen_message_id not in negative_ids
            elif pair.desirable:
                assert pair.completion not in negative_texts
        seen_sft += len(result.sft)
        seen_dpo += len(dpo(result))
    assert seen_sft > 50 and seen_dpo > 50  # the property was exercised, not vacuous
