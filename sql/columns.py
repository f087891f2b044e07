"""The column dictionary of the catalog: every view's columns with their DuckDB type and meaning.

Generated, so it cannot drift: names and types come from the views themselves (opened over an empty lake,
where every table is typed from its pydantic model), meanings from the models' field comments (the comment
lines right above a field, or one after it on its line) or `Field(description=...)`. Columns no model
comment explains (computed ones, and fields without a comment) take their meaning from NOTES below.
docs/COLUMNS.md is this module's output; a test checks it is current and that no column lacks a meaning.

    python -m sql.columns > docs/COLUMNS.md
"""

from __future__ import annotations

import inspect
import re
import tempfile

import duckdb
from pydantic import BaseModel

from schemas.conversation import Conversation, Turn
from schemas.outputs import Judgment, PreferencePair, RunManifest, SFTExample
from schemas.review import Review
from sql.catalog import VIEWS, open_catalog, views_sql

# The models whose fields a view shows, in the order their comments are looked up.
VIEW_MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "conversations": (Conversation,),
    "turns": (Turn, Conversation),
    "judgments": (Judgment,),
    "sft": (SFTExample,),
    "preferences": (PreferencePair,),
    "runs": (RunManifest,),
    "sft_mix": (SFTExample,),
    "judge_agreement": (Judgment,),
    "reviews": (Review,),
    "latest_reviews": (Review,),
    "review_decisions": (Review,),
}

# Meanings no model comment gives. "<view>.<column>" is for that view only and wins over a model comment
# (a view that computes a column of the same name differently); "<column>" is the meaning wherever no
# model comment gives one.
NOTES: dict[str, str] = {
    "dt": "The partition date: the date of the logs (`<source>/<date>/`) the row came from (the `dt=` folder).",
    "schema_version": "Version of the row layout (schemas.SCHEMA_VERSION) the row was written with.",
    "conversation_id": "The conversation's id from the logs (hashed when it held PII).",
    "source": "The log format the conversation was read from: events, openai or oasst.",
    "started_at": "When it started (UTC).",
    "ended_at": "When the conversation's last turn was written (UTC).",
    "n_turns": "Number of turns (messages) in the conversation.",
    "turns": "The turns, in order (`Turn` fields; one row each in the `turns` view).",
    "conversations.language": "The conversation's language, that of most of its users' letters: an ISO 639-1 code, "
                              "'mixed' or 'und' (undetermined).",
    "pii_entities": "PII found and replaced in the conversation: entity type and count (never the values).",
    "turn_index": "Position of the turn in its conversation, from 0.",
    "message_id": "The message's id from the logs (hashed when it held PII).",
    "parent_id": "The message this one answers (an assistant turn's user prompt); NULL for the first.",
    "role": "Who wrote the message: user, assistant or system.",
    "content": "The message text, scrubbed.",
    "timestamp": "When the message was written (UTC).",
    "model": "The model that wrote the answer (assistant turns), as logged.",
    "feedback": "The feedback events attached to this turn (`FeedbackSignal`: kind, rating, scrubbed texts).",
    "decisions": "Every signal's verdict on the turn (`LabelDecision`: rule_id, label, confidence, evidence).",
    "turns.label": "The turn's label: positive, negative, neutral or unknown; NULL for user and system turns.",
    "label_source": "What the label rests on: rules, judge, rules+judge, or none (no signal).",
    "judge_status": "The LLM judge's part: not_needed, judged, cached, calibration, judge_skipped, judge_failed "
                    "or rules_only.",
    "turns.conversation_row_id": "The conversation's row_id (the `conversations` row this turn belongs to).",
    "turns.rule_ids": "The rule_id of every decision on the turn.",
    "turns.feedback_kinds": "The kind of every feedback event on the turn (thumbs_down, regenerate, edit, ...).",
    "turns.n_feedback": "How many feedback events are attached to the turn.",
    "judgment_id": "Id of the judgment row.",
    "cache_key": "Hash of the judged content, rubric version and model: the judge cache's key.",
    "rubric_version": "Version of the judge rubric (the rubric file's stem).",
    "quality": "The judge's quality grade, 1-10 (NULL when the call failed).",
    "rationale": "The judge's short reason for its verdict (scrubbed).",
    "satisfaction": "The judge's reading of the user's satisfaction: satisfied, dissatisfied, neutral or unclear.",
    "feedback_category": "The judge's feedback taxonomy category (UR1-UR5), or none.",
    "corrected_answer": "The answer the judge built from the user's correction (scrubbed), if any.",
    "rules_label": "The label the rules gave the turn, compared with the judge's verdict.",
    "error": "What went wrong (a failed call or run), never content.",
    "transient": "A failed run: whether its error was transient (a retry may help; flows/retry.py).",
    "prompt_tokens": "Prompt tokens the judge call used.",
    "completion_tokens": "Completion tokens the judge call used.",
    "attempts": "Calls made for this verdict (retries included).",
    "judged_at": "When the judge answered (UTC).",
    "messages": "The chat: context messages then the target assistant message (role, content, train).",
    "target_message_id": "message_id of the target (last) assistant message.",
    "target_turn_index": "turn_index of the target assistant message in its conversation.",
    "sft.label": "The label of the target turn (for a corrected answer, see derivation: the turn it replaces).",
    "rule_ids": "Every rule that decided the label of the turn(s) the row was made from.",
    "quality_score": "0..1, from the combination of signals (and the judge's 1-10 quality when it ran).",
    "language": "Language of the prompt: ISO 639-1 code, 'mixed' or 'und' (undetermined).",
    "category": "Task category of the prompt: coding, math, writing, qa, translation, chitchat or other.",
    "turns.category": "Task category of the request the turn makes (user) or answers (assistant); NULL on system "
                      "and tool turns and on rows written before categories were kept.",
    "turns.language": "Language of this message: ISO 639-1 code, 'mixed' or 'und' (undetermined: too short).",
    "conversations.category": "The most common category of the conversation's answers; 'other' only when there is "
                              "nothing else.",
    "pair_id": "Id of the preference row.",
    "prompt": "The chat context before the answer(s) (role, content, train).",
    "chosen": "DPO: the preferred answer.",
    "rejected": "DPO: the worse answer.",
    "completion": "KTO: the answer that is desirable or not.",
    "chosen_message_id": "message_id of the chosen (or KTO) answer when it is a logged turn.",
    "rejected_message_id": "message_id of the rejected answer when it is a logged turn.",
    "run_id": "The run's id (<date>_<start time>_<random>); the manifest file's name when the manifest is unreadable.",
    "flow": "What started the run: nightly, backfill, manual, ...",
    "runs.dt": "The date the run processed.",
    "runs.status": "running, succeeded, failed, no_input; invalid-manifest for a manifest that is not valid JSON.",
    "finished_at": "When the run ended (UTC); NULL while running or after a crash.",
    "duration_s": "finished_at - started_at in seconds.",
    "config_hash": "Hash of the settings that shape the output: two runs with the same hash processed alike.",
    "judge_mode": "rules-only, or llm-judge (<model>).",
    "counts": "Per-stage counts, MAP(VARCHAR, BIGINT): counts['rows.sft'], counts['lines_read'], ... "
              "(the keys: README, Run manifests).",
    "pii_counts": "PII entities scrubbed by entity type, MAP(VARCHAR, BIGINT): pii_counts['EMAIL_ADDRESS'].",
    "n_inputs": "Number of input log files the run read.",
    "input_lines": "Lines read from all input files.",
    "inputs": "The input files (uri with the file name hashed, lines, status, error).",
    "versions": "Versions of the packages that ran (python, flywheel, apache-beam, duckdb, ...).",
    "manifest_uri": "The manifest file the row was read from.",
    "signal_family": "The rule id's first part: explicit, behavioural, conversational or judge.",
    "rule_id": "The rule (or judge.<rubric>) that made the decision.",
    "signal_mix.label": "The label the decision gave.",
    "signal_mix.decisions": "How many decisions that rule made with that label that day.",
    "signal_mix.turns": "Distinct assistant turns those decisions were on.",
    "avg_confidence": "Mean confidence of those decisions.",
    "reason": "Why the judge was asked: undecided (rules could not decide) or calibration (a sampled decided turn).",
    "judge_label": "The judge's verdict as a label: negative if dissatisfied or quality <= 4, positive if "
                   "quality >= 7, else neutral.",
    "judge_agreement.turns": "Judged turns with that (reason, rules_label, judge_label) that day.",
    "agree": "Whether rules_label equals judge_label.",
    "sft_mix.category": "Task category ('unknown' when not set).",
    "sft_mix.language": "Language of the prompt ('unknown' when not set).",
    "examples": "SFT examples in the group.",
    "avg_sample_weight": "Mean upsampling weight of the group's examples.",
    "avg_quality": "Mean quality_score of the group's examples.",
    "entity_type": "The PII entity type (EMAIL_ADDRESS, PERSON, PHONE_NUMBER, ...).",
    "entities": "Entities of that type found and replaced that day.",
    "pii_summary.conversations": "Conversations that had at least one entity of that type.",
    "label_summary.label": "The assistant turn's label; 'unlabeled' when it has none.",
    "assistant_turns": "Assistant turns with that label that day.",
    "share": "Their share of the day's assistant turns.",
    # The reviews and the views over them.
    "review_id": "Id of the verdict (one row of the reviews table).",
    "item_id": "The reviewed row's id: an sft example_id, a preferences pair_id or a judgments judgment_id.",
    "item_kind": "What was reviewed: sft, preference or judgment.",
    "item_day": "The partition date (dt) the reviewed row was read from.",
    "verdict": "The reviewer's verdict: accept, reject or fix.",
    "strategy": "How the item came to the reviewer: stratified, disagreement or random sampling; unsampled for an "
                "imported verdict on an item that was in no queue.",
    "reviews.source": "Where the verdict was made: web (`flywheel review serve`) or import (`flywheel review import`).",
    "latest_reviews.source": "Where the verdict was made: web (`flywheel review serve`) or import "
                             "(`flywheel review import`).",
    "reviewed_at": "When the verdict was recorded (UTC).",
    "source_file": "The reviews file the row was read from (its name: part-<UTC time>-<uuid>.parquet); with "
                   "file_row, the order verdicts were appended in.",
    "file_row": "The row's position in its file, from 0.",
    "decision": "The item's decision: reject if any reviewer's latest verdict rejects it, else fix if any fixes "
                "it, else accept.",
    "review_decisions.fixed_answer": "The fixed answer (scrubbed) of the latest fix, when the decision is fix.",
    "review_decisions.reason": "The reason code of the verdict that decided the item.",
    "review_decisions.reviewed_at": "When the deciding verdict was recorded (UTC).",
    "decided_by": "The reviewer (hash) whose verdict decided the item: the latest reject, else the latest fix, "
                  "else the latest accept.",
    "review_decisions.review_id": "The deciding verdict's review_id.",
    "reviewers": "Reviewers whose latest verdict on the item counts.",
    "random_sample": "Whether some reviewer got the item by random sampling: the items rule_precision counts.",
    "reviewer_a": "One reviewer of the pair (hash; the smaller of the two).",
    "reviewer_b": "The other reviewer of the pair (hash).",
    "review_agreement.items": "Items of that kind both reviewed.",
    "agreed": "Of those, items where their verdicts are the same.",
    "observed_agreement": "Share of verdict pairs that agree.",
    "chance_agreement": "Share expected to agree by chance, from each side's verdict shares.",
    "kappa": "(observed - chance agreement) / (1 - chance): 1 = always agree, 0 = as chance, below 0 = less; "
             "NULL when chance agreement is 1.",
    "review_fleiss.items": "Items of that kind with three or more reviewers.",
    "review_fleiss.verdicts": "Latest verdicts on those items.",
    "min_reviewers": "Fewest reviewers on one of those items.",
    "max_reviewers": "Most reviewers on one of those items.",
    "review_labels.reason": "The reason code of the verdict that decided the item.",
    "review_labels.derivation": "How the row's answer came about (sft, preference rows); NULL for judgments.",
    "review_labels.rules_label": "The rules' label of the reviewed answer's turn (for a judged turn, the one "
                                 "the judge saw); NULL when the answer is no logged turn or the rules gave none.",
    "review_labels.judge_label": "The judge's verdict on that turn as a label (as in judge_agreement); NULL when "
                                 "it was not judged.",
    "reviewer_label": "The label the review gives the answer (see the view's description); NULL when the "
                      "verdict says nothing about it.",
    "review_labels.decisions": "Every signal's decision on the reviewed answer's turn (empty when it is no "
                               "logged turn).",
    "review_vs_labels.category": "Task category ('unknown' when not set).",
    "review_vs_labels.items": "Reviewed items of that kind and category.",
    "accepted": "Items decided accept.",
    "review_vs_labels.rejected": "Items decided reject.",
    "fixed": "Items decided fix.",
    "rules_compared": "Items with both a reviewer_label and a rules label.",
    "rules_agreed": "Of those, items where the rules' label agrees with the reviewer's.",
    "judge_compared": "Items with both a reviewer_label and a judge label.",
    "judge_agreed": "Of those, items where the judge's label agrees with the reviewer's.",
    "rules_judge_compared": "Items with both a rules and a judge label.",
    "rules_judge_agreed": "Of those, items where the rules' and the judge's label are the same.",
    "rule_label": "The label the rule gave the turn.",
    "review_vs_rules.items": "Reviewed answers (with a reviewer_label) the rule decided with that label.",
    "agreed_share": "agreed / items.",
    "reviewed": "Randomly sampled reviewed answers (with a reviewer_label) the rule decided with that label.",
    "right_decisions": "Of those, the decisions the reviewer's label confirms.",
    "precision": "right_decisions / reviewed.",
    "precision_low": "Lower end of the 95% Wilson score interval of the precision.",
    "precision_high": "Upper end of the 95% Wilson score interval of the precision.",
    "rule_precision.avg_confidence": "Mean confidence the rule declared on those decisions (compare with precision).",
}

_FIELD_LINE = re.compile(r"^\s+(?P<name>[A-Za-z_]\w*)\s*:[^=]")
_VIEW_START = re.compile(r"^CREATE OR REPLACE VIEW (?P<name>\w+) AS", re.MULTILINE)


def field_comments(model: type[BaseModel]) -> dict[str, str]:
    """Each field's meaning as the model's source says it: its description, else the comment on it."""
    comments: dict[str, str] = {}
    above: list[str] = []
    for line in inspect.getsource(model).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = _FIELD_LINE.match(line)
        if match and match.group("name") in model.model_fields:
            trailing = line.split("  # ", 1)[1].strip() if "  # " in line else ""
            text = " ".join(above + [trailing]).strip()
            if text:
                comments[match.group("name")] = text
        above = []
    for name, field in model.model_fields.items():
        if field.description:
            comments[name] = field.description
    return comments


def meaning(view: str, column: str) -> str | None:
    if f"{view}.{column}" in NOTES:
        return NOTES[f"{view}.{column}"]
    for model in VIEW_MODELS.get(view, ()):
        text = field_comments(model).get(column)
        if text:
            return text
    return NOTES.get(column)


def view_summaries() -> dict[str, str]:
    """Each view's description: the comment lines right above its CREATE VIEW in views.sql."""
    lines = views_sql().splitlines()
    summaries = {}
    for i, line in enumerate(lines):
        match = _VIEW_START.match(line)
        if match:
            j = i
            while j > 0 and lines[j - 1].startswith("--"):
                j -= 1
            summaries[match.group("name")] = " ".join(l.lstrip("-").strip() for l in lines[j:i])
    return summaries


def view_columns() -> dict[str, list[tuple[str, str]]]:
    """(column, short DuckDB type) per view, from the views opened over an empty lake."""
    with tempfile.TemporaryDirectory() as empty_lake:
        con = open_catalog(empty_lake)
        try:
            result = {}
            for view in VIEWS:
                relation = con.sql(f"SELECT * FROM {view}")
                result[view] = [(name, short_type(type_)) for name, type_ in zip(relation.columns, relation.types)]
            return result
        finally:
            con.close()


def short_type(type_: duckdb.typing.DuckDBPyType) -> str:
    """A DuckDB type for reading: nested structs list their field names, not every field's full type."""
    if type_.id == "list":
        return short_type(type_.child) + "[]"
    if type_.id == "struct":
        return "STRUCT(" + ", ".join(_struct_field(name, child) for name, child in type_.children) + ")"
    return str(type_)


def _struct_field(name: str, type_: duckdb.typing.DuckDBPyType) -> str:
    nested = type_.id in ("list", "struct")
    return f"{name} {short_type(type_)}" if nested else name


def markdown() -> str:
    """docs/COLUMNS.md."""
    out = ["# Column dictionary", "",
           "Every view of the analyst catalog (`flywheel query`, `flywheel sql`; defined in `sql/views.sql`), its",
           "columns, their DuckDB types and what they mean. Generated by `python -m sql.columns > docs/COLUMNS.md`",
           "from the views and the pydantic models' field comments; do not edit by hand.", ""]
    summaries = view_summaries()
    for view, columns in view_columns().items():
        out += [f"## `{view}`", "", summaries.get(view, ""), "", "| column | type | meaning |", "|---|---|---|"]
        for name, type_ in columns:
            text = (meaning(view, name) or "").replace("|", "\\|")
            out.append(f"| `{name}` | `{type_}` | {text} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")
