"""The ingest stage's configuration: the caps and windows that bound what one line, file or conversation
may cost. From the environment as FLYWHEEL_INGEST__<NAME> (e.g. FLYWHEEL_INGEST__MAX_LINE_BYTES=1048576).

Every cap has a quarantine reason or a manifest count: input beyond a cap is set aside and said, never
silently dropped, and never allowed to take the worker down.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A longer line is quarantined ("line too long") after reading at most this many bytes of it, so a
    # single giant line (a gzip bomb) costs bounded memory. Gateway lines carry the whole chat history:
    # leave room for long conversations.
    max_line_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Bytes one file may inflate to; reading stops there and the file is recorded as over the cap (the run
    # fails like for a truncated file: a partial day is never published as complete).
    max_file_bytes: int = Field(default=8 * 1024 ** 3, ge=1024)
    # Turns one conversation may hold; the turns beyond are cut off and counted, so a runaway session
    # cannot make a worker's memory grow without bound.
    max_turns_per_conversation: int = Field(default=1000, ge=2)
    # Event timestamps must fall within this many days before the partition date (late events) and one
    # day after it (clock skew); others are quarantined ("timestamp outside the window").
    event_window_days_before: int = Field(default=7, ge=0, le=3650)
    event_window_days_after: int = Field(default=1, ge=0, le=30)
