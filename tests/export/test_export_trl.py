"""The exports through TRL itself: what SFTTrainer would train, on a tiny random model built offline.

Slow, and skipped where `trl` is not installed (it pulls torch, ~6 GB). To run it:

    python -m venv /tmp/trlvenv && /tmp/trlvenv/bin/pip install trl
    echo "$PWD/.venv/lib/python3.11/site-packages" > /tmp/trlvenv/lib/python3.11/site-packages/zz_project.pth
    /tmp/trlvenv/bin/python -m pytest -m slow tests/lake/test_export_trl.py
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

trl = pytest.importorskip("trl")
transformers = pytest.importorskip("transformers")

import datasets  # noqa: E402

import export as ex  # noqa: E402
from schemas.outputs import PreferencePair, SFTExample  # noqa: E402
from test_export import msg, sft, write_partition  # noqa: E402

pytestmark = pytest.mark.slow
DAY = date(2026, 4, 1)
# Words that may appear in a trained token only if the export is wrong (negative answers in the context).
NEGATIVE = ("negwordone", "negwordtwo")
TRAINED = ("poswordone", "ctxwordtrained", "targetwordtwo")


def rows() -> list[SFTExample]:
    return [
        # loss scope "last": a thumbs-downed answer in the context, the accepted answer as target
        sft("e1", "c1", [msg("user", "how do I sort a list"), msg("assistant", "negwordone use bubble sort"),
                         msg("user", "something faster please"), msg("assistant", "poswordone use sorted", True)]),
        # loss scope "all": a trained earlier answer, a negative one, then the target
        sft("e2", "c2", [msg("system", "be brief"), msg("user", "capital of france"),
                         msg("assistant", "ctxwordtrained paris", True), msg("user", "and of spain"),
                         msg("assistant", "negwordtwo lisbon"), msg("user", "wrong try again"),
                         msg("assistant", "targetwordtwo madrid", True)]),
    ]


def tiny_tokenizer(texts: list[str]):
    """A word-level tokenizer trained on the rows, with a plain chat template: no download."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    specials = ["<pad>", "<eos>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=specials))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>",
                                                eos_token="<eos>")
    fast.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <|end|> {% endfor %}"
                          "{% if add_generation_prompt %}<|assistant|> {% endif %}")
    return fast


def tiny_model(tokenizer):
    config = transformers.LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                      num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                      max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
                                      eos_token_id=tokenizer.eos_token_id)
    return transformers.LlamaForCausalLM(config)


def trained_words(trainer, tokenizer) -> set[str]:
    words = set()
    for example in trainer.train_dataset:
        labelled = [t for t in example["labels"] if t != -100]
        words |= set(tokenizer.decode(labelled).split())
    return words


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("trl-lake")
    write_partition(root, "sft", DAY, SFTExample, rows())
    prompt = [msg("user", "which sort is fastest")]
    write_partition(root, "preferences", DAY, PreferencePair, [
        PreferencePair(pair_id="p1", kind="dpo", prompt=prompt, chosen="poswordone timsort", rejected="negwordone bogo",
                       derivation="regeneration", conversation_id="c1", source="events"),
        PreferencePair(pair_id="p2", kind="kto", prompt=prompt, completion="negwordone bogo", desirable=False,
                       derivation="thumbs", conversation_id="c1", source="events"),
    ])
    return root


def corpus() -> list[str]:
    return [m.content for r in rows() for m in r.messages] + ["which sort is fastest timsort bogo"]


def test_trl_sft_trains_no_token_of_a_negative_answer_and_runs_a_step(lake, tmp_path):
    result = ex.export_training_data(str(lake), DAY, DAY, "trl-sft-jsonl", str(tmp_path / "out"), validation_share=0)
    dataset = datasets.load_dataset("json", data_files=result.files["train"], split="train",
                                    cache_dir=str(tmp_path / "cache"))
    tokenizer = tiny_tokenizer(corpus())
    config = trl.SFTConfig(output_dir=str(tmp_path / "run"), max_steps=1, per_device_train_batch_size=2,
                           report_to="none", use_cpu=True, save_strategy="no", max_length=128)
    trainer = trl.SFTTrainer(model=tiny_model(tokenizer), args=config, train_dataset=dataset,
                             processing_class=tokenizer)
    words = trained_words(trainer, tokenizer)
    assert not words & set(NEGATIVE)
    assert set(TRAINED) <= words
    assert "<|user|>" not in words  # the prompt is masked, not just the negative answers
    metrics = trainer.train().metrics
    assert metrics["train_loss"] > 0


def test_control_hf_messages_with_trl_defaults_would_train_the_negative_answers(lake, tmp_path):
    # Why hf-parquet needs its own collator: TRL's defaults on `messages` train every token.
    result = ex.export_training_data(str(lake), DAY, DAY, "hf-parquet", str(tmp_path / "out"), validation_share=0)
    dataset = datasets.load_dataset("parquet", data_files=result.files["train"], split="train",
                                    cache_dir=str(tmp_path / "cache")).select_columns(["messages"])
    tokenizer = tiny_tokenizer(corpus())
    config = trl.SFTConfig(output_dir=str(tmp_path / "run"), max_steps=1, report_to="none", use_cpu=True,
                           save_strategy="no", max_length=128)
    trainer = trl.SFTTrainer(model=tiny_model(tokenizer), args=config, train_dataset=dataset,
                             processing_class=tokenizer)
    assert set(NEGATIVE) <= trained_words(trainer, tokenizer)


def test_trl_preference_rows_read_with_trls_data_utilities(lake, tmp_path):
    from trl.data_utils import apply_chat_template, is_conversational

    result = ex.export_training_data(str(lake), DAY, DAY, "trl-preference-jsonl", str(tmp_path / "out"),
                                     validation_share=0)
    tokenizer = tiny_tokenizer(corpus())
    dpo = json.loads(Path(result.files["dpo-train"]).read_text().splitlines()[0])
    kto = json.loads(Path(result.files["kto-train"]).read_text().splitlines()[0])
    assert is_conversational(dpo) and is_conversational(kto)
    rendered = apply_chat_template(dpo, tokenizer)
    assert rendered["prompt"].endswith("<|assistant|> ") and "poswordone" in rendered["chosen"]
    assert "negwordone" in rendered["rejected"] and "negwordone" not in rendered["chosen"]
    assert kto["label"] is False and "negwordone" in apply_chat_template(kto, tokenizer)["completion"]
