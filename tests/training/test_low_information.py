"""Low-information answers: pleasantries and filler, a user's note to self, preference pairs that differ
trivially. Each rule alone (EN and ZH), and what it does to the training rows and their counts."""

import pytest

from transforms.training.filters import Candidate, low_information, note_to_self
from transforms.training.low_information import added_note_to_self, differs_trivially, is_low_information
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows
from tests.training.test_training_rows import conversation, dpo, fb, kto, turn

POLICY = TrainingPolicy()


@pytest.mark.parametrize("answer", [
    "You're welcome! Let me know if there's anything else.",
    "Glad I could help",
    "Happy to help! 😊",
    "**Glad it helped!**",
    "No problem at all. Have a great day!",
    "Hello! How can I help you today?",
    "In short: Sure, here is more detail.",
    "Thanks, <PERSON_1>!",
    "不客气！",
    "很高兴能帮到你！如果还有其他问题，随时问我。",
    "好的，我再检查一遍：\n\n不客气！",
    "你好！有什么可以帮你的吗？",
])
def test_answers_made_only_of_stock_phrases_are_low_information(answer):
    assert is_low_information(answer)
    assert low_information(Candidate(answer=answer), POLICY) == "filter.low_information"


@pytest.mark.parametrize("answer", [
    "Sure, Paris.",                                        # a filler, then the answer
    "No problem! 42",
    "Yes.",
    "You're welcome! The refund takes 3-5 business days.",
    "Hi! The capital of France is Paris.",
    "I can answer questions, write and edit text, and help with code.",
    "不客气！退款会在三到五个工作日内到账。",
    "Thanks for asking: the library opens at nine",
])
def test_an_answer_that_says_anything_else_is_kept(answer):
    assert not is_low_information(answer)


@pytest.mark.parametrize("note", [
    "Note: tested on our setup.",
    "I double-checked this and it works for my case.",
    "Edited for our team wiki.",
    "已核对无误。",
    "已根据实际情况修改。",
    "备注：给小王看",
])
def test_a_line_the_user_added_for_themselves_is_a_note_to_self(note):
    original = "Use `sorted(items, key=len)`.\n\nIt keeps equal items in their order."
    assert added_note_to_self(f"{original}\n\n{note}", original)
    assert note_to_self(Candidate(answer=f"{original}\n\n{note}", edited_from=original), POLICY) == "filter.note_to_self"
    # Only what the user added counts: the same line in the original answer is the answer's own.
    assert not added_note_to_self(f"{original}\n\n{note}", f"{original}\n\n{note}")


def test_an_edit_that_changes_the_answer_itself_is_no_note():
    original = "The Eiffel Tower is 300 metres tall."
    assert not added_note_to_self("The Eiffel Tower is 330 metres tall.", original)
    assert not added_note_to_self(original + "\n\nIts antenna adds another 30 metres.", original)
    # Not an edit at all: the check only looks at user edits.
    assert note_to_self(Candidate(answer="I double-checked this."), POLICY) is None


def test_pairs_that_differ_only_by_stock_phrases_differ_trivially():
    text = "Canberra is the capital of Australia."
    assert differs_trivially("Certainly! " + text, text)
    assert differs_trivially("You're right to double-check. Going through it again:\n\n" + text, text)
    assert differs_trivially(text + " Let me know if there's anything else!", text.upper())
    assert differs_trivially("好的！堪培拉是澳大利亚的首都。", "当然可以。堪培拉是澳大利亚的首都。")
    # Any other difference is what the pair teaches, however small.
    assert not differs_trivially("The answer is 3.5.", "The answer is 35.")
    assert not differs_trivially("x = 2 + 3", "x = 2 - 3")
    assert not differs_trivially("Certainly! 91 × 56 = 5096", "91 × 56 = 5196")


def test_a_pleasantry_is_no_target_and_no_desirable_completion():
    result = build_training_rows(conversation(
        turn(0, "user", "Thanks, that fixed it!"),
        turn(1, "assistant", "You're welcome! Let me know if there's anything else.", feedback=["thumbs_up"]),
    ), POLICY)
    assert result.sft == [] and kto(result) == []
    assert result.dropped["filter.low_information"] == 1  # once per answer, not once per row kind


def test_a_regeneration_pair_with_only_a_filler_prefix_is_dropped_and_counted():
    result = build_training_rows(conversation(
        turn(0, "user", "What is the capital of Australia?"),
        turn(1, "assistant", "Canberra is the capital of Australia.", parent="m0", feedback=["regenerate"]),
        turn(2, "assistant", "Certainly! Canberra is the capital of Australia.", parent="m0", feedback=["thumbs_up"]),
    ), POLICY)
    assert dpo(result) == []
    assert result.dropped["filter.trivial_pair"] == 1
    # The accepted answer itself is still a good target.
    assert [e.target_message_id for e in result.sft] == ["m2"]


def test_a_user_edit_that_adds_a_note_to_self_gives_no_rows_and_is_counted():
    original = "Use `sorted(items, key=len)` to sort by length."
    edit = fb("edit", 1, edited_text=original + "\n\nNote: tested on our setup.")
    conv = conversation(turn(0, "user", "How do I sort strings by length in Python?"),
                        turn(1, "assistant", original, feedback=[edit]))
    result = build_training_rows(conv, POLICY)
    assert [e for e in result.sft if e.derivation == "user_edit"] == []
    assert dpo(result) == []
    assert result.dropped["filter.note_to_self"] == 1
    # Counts are a function of the data: the same conversation counts the same on a rerun.
    assert build_training_rows(conv, POLICY).dropped == result.dropped
