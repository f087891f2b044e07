"""What the data card tells a trainer about each format: how to train exactly the flagged answers with it."""

from __future__ import annotations

FORMAT_NOTES = {
    "hf-parquet": [
        "`messages` is the Hugging Face chat format (list of {role, content}); `datasets` loads it as is.",
        "`train_mask[i]` says whether the loss covers `messages[i]`: the target (last) message always, earlier "
        "assistant messages only when the selection policy trained on them. Context answers can be negatively "
        "labelled: they are here as context and must never be learned.",
        "TRL does not read `train_mask`: on a `messages` dataset SFTTrainer trains every token, and with "
        "`assistant_only_loss=True` every assistant turn, the negative ones included. For TRL use the "
        "`trl-sft-jsonl` export. With this file, set the labels yourself: render the chat template over "
        "`messages[:i+1]` for each i to find message i's token span, and label only the spans whose "
        "`train_mask` is true (-100 elsewhere); then pass a tokenized dataset with `labels`.",
        "`sample_weight` is the balance policy's upsampling weight (1.0 = as is); rows are written once.",
        "Roles are kept as logged (system, user, assistant, tool).",
    ],
    "openai-jsonl": [
        "Each line is exactly {\"messages\": [{\"role\", \"content\", \"weight\"?}]}, validated before writing "
        "(roles system/user/assistant, no other keys).",
        "Every assistant message carries `weight`: 1 when it is trained on (the final one always), 0 otherwise "
        "(context answers, negatively labelled ones included). OpenAI fine-tuning trains only weight-1 messages.",
        "Tool results are exported as user messages, content unchanged.",
        "`sample_weight` cannot be carried in this format: each example is written once.",
    ],
    "openai-preference-jsonl": [
        "OpenAI preference (DPO) fine-tuning lines: {\"input\": {\"messages\": [...]}, \"preferred_output\": "
        "[assistant], \"non_preferred_output\": [assistant]}, validated before writing (roles "
        "system/user/assistant, the input ends with a user message, the two outputs differ).",
        "KTO rows (one answer with a desirable/undesirable label) have no form in this format and are left out "
        "(`skipped.kto_not_in_format`); use `trl-preference-jsonl` or `sharegpt-preference-json` for them.",
        "Tool results in prompts are exported as user messages, content unchanged.",
    ],
    "sharegpt-json": [
        "LLaMA-Factory sharegpt format: `conversations` alternates human/observation (odd positions) and gpt "
        "(even), ending with a trained gpt turn; leading system messages are in the `system` field; tool "
        "results are `observation` turns. Register the files with the export's `dataset_info.json`.",
        "Consecutive turns of one side are joined with a blank line (a user message with a tool result is a "
        "human turn); an assistant turn before the first human turn is dropped.",
        "Which turns train: `train.json` / `validation.json` hold records whose every gpt turn trains: "
        "LLaMA-Factory's default (`mask_history: false`) trains exactly those. `*_last_turn.json` hold records "
        "whose earlier gpt turns are context only (possibly negatively labelled): train them in a separate run "
        "with `mask_history: true`, never with the default. LLaMA-Factory applies mask_history per run, not per "
        "example, and has no per-turn mask in this format.",
        "`sample_weight` is carried as a column LLaMA-Factory ignores (it has no per-example weight).",
    ],
    "sharegpt-preference-json": [
        "LLaMA-Factory sharegpt preference files, registered in `dataset_info.json`: `dpo-*.json` are pairwise "
        "records (`ranking: true`; `conversations` ends with a human/observation turn, `chosen` and `rejected` "
        "are gpt messages) for DPO/ORPO/SimPO and reward models; `kto-*.json` are KTO records whose "
        "`conversations` end with the gpt completion and whose `kto_tag` is true for a desirable one.",
        "Tool results in prompts are `observation` turns; leading system messages are in `system`.",
    ],
    "trl-sft-jsonl": [
        "TRL conversational prompt-completion rows {\"prompt\": [messages], \"completion\": [assistant]}: "
        "SFTTrainer's `completion_only_loss` (on by default for prompt-completion data) trains the completion "
        "only, so context answers (negatively labelled ones included) are never learned. Recipe: "
        "`SFTTrainer(model, train_dataset=load_dataset(\"json\", data_files=...)[\"train\"])`, defaults kept "
        "(do not set `completion_only_loss=False`).",
        "One row per trained answer: with loss_scope \"all\" an example whose earlier answers train too gives a "
        "row for each of them, its prompt cut before it; a row written before is written once.",
        "Tool results are exported as user messages, content unchanged.",
        "`sample_weight` cannot be carried in this format: each row is written once.",
    ],
    "trl-preference-jsonl": [
        "`dpo-*.jsonl`: TRL conversational preference rows {\"prompt\": [messages], \"chosen\": [assistant], "
        "\"rejected\": [assistant]} (DPOTrainer, RewardTrainer).",
        "`kto-*.jsonl`: TRL conversational unpaired preference rows {\"prompt\", \"completion\", \"label\"} "
        "(KTOTrainer); label true = desirable.",
        "Tool results in prompts are exported as user messages, content unchanged.",
    ],
}
