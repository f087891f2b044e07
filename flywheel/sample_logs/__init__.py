"""Deterministic, realistic LLM product logs: the demo data and the benchmark data.

`generate_logs` writes `<out_dir>/<YYYY-MM-DD>/events-00000.jsonl.gz` (the flywheel's own event format,
one `schemas.events` model per line, exactly its `model_dump_json()`) and/or `openai-00000.jsonl.gz`
(an OpenAI-compatible gateway format: one line per chat-completion call, the whole history repeated in
`request.messages`). The command line is `flywheel generate`.

What is in it, on purpose:
- multi-turn conversations (1-6 user turns), ~75% English and ~25% Chinese, some mixed;
- system prompts and templated user prompts that repeat across conversations; code questions with fenced
  code blocks in the answers, math, writing, QA, summaries, translations, chit-chat; some long answers;
- PII of many kinds planted in user (~15% of turns) and assistant (~3%) text, every value recorded in
  `GeneratedLogs.planted_pii` with its entity type (the ground truth of the scrubbing benchmark);
- feedback events (thumbs, ratings, regenerate with a sibling answer, copy, edit with the edited text,
  report with a comment), ~10% of them without a message_id;
- conversations interleaved in time order within a file, every timestamp inside its UTC day;
- malformed lines at `malformed_rate` (truncated JSON, garbage, missing fields, bad timestamps, unknown
  roles, out-of-range ratings), written in addition to the valid lines they are derived from.

Determinism: the same seed and arguments give byte-identical files (seeded `random.Random`, Faker seeded
per instance, gzip headers without mtime or file name). A day's content depends only on the seed, the
date and the arguments, not on which other days are generated in the same call. Generation streams
conversation by conversation: memory is bounded by the conversations active at the same time.

Modules: `generate` (the entry point and the per-day loop), `conversation` (one conversation's timeline),
`talk` (prompts and answers), `templates` (the text data they are made from), `pii` (planted PII),
`feedback` (feedback events), `formats` (events vs gateway lines, malformed lines, files), `seeds`
(seeds, ids, clock). Only the names below are the public API.
"""

from flywheel.sample_logs.generate import LOG_FORMATS, GeneratedLogs, generate_logs, planted_values
from flywheel.sample_logs.pii import ENTITY_TYPES, PlantedPii

__all__ = ["PlantedPii", "GeneratedLogs", "generate_logs", "planted_values", "ENTITY_TYPES", "LOG_FORMATS"]
