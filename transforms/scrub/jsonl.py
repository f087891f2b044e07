"""Ad-hoc and audit scrubbing of a JSONL file: the same Scrubber the pipeline uses, one text per line.

Input lines: {"text": "...", "language": "en" (optional), ...any other fields}.
Output lines: the input object plus "scrubbed" (the text with typed placeholders) and "spans"
(entity_type, start, end, score; offsets into the input text). A line that is not a JSON object with a
string "text" is written back as {"line_number": n, "error": "..."} so nothing is silently dropped.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from transforms.scrub.scrubber import Scrubber


def scrub_jsonl_lines(lines: Iterable[str], scrubber: Scrubber) -> Iterator[dict]:
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line_number": line_number, "error": f"invalid JSON: {exc.msg} (col {exc.colno})"}
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield {"line_number": line_number, "error": "expected a JSON object with a string field 'text'"}
            continue
        language = record.get("language") if isinstance(record.get("language"), str) else None
        scrubbed, spans = scrubber.scrub_text(record["text"], language=language)
        record["scrubbed"] = scrubbed
        record["spans"] = [{"entity_type": s.entity_type, "start": s.start, "end": s.end, "score": round(s.score, 4)}
                           for s in spans]
        yield record
