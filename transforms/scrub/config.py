"""The scrub stage's configuration: `ScrubConfig` and the allowed values of its settings.

`flows.settings.Settings` keeps the flat setting names (scrub_mode, scrub_replacement, spacy_model,
id_hash_key: FLYWHEEL_SCRUB_MODE, --scrub-mode, ...) but types them with the aliases below, so the allowed
values are written here once; `Settings.scrub` builds the object the pipeline carries.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

# "presidio" = Presidio with spaCy NER plus our pattern recognizers; "regex" = patterns only (faster,
# misses names).
ScrubMode = Literal["presidio", "regex"]
# "placeholder" (<PERSON_1>) or "surrogate" (realistic fakes of the same kind and locale, drawn without
# looking at the real value; secrets keep placeholders).
ScrubReplacement = Literal["placeholder", "surrogate"]
SCRUB_MODES: tuple[str, ...] = get_args(ScrubMode)
SCRUB_REPLACEMENTS: tuple[str, ...] = get_args(ScrubReplacement)
# Key of the keyed hash (HMAC-SHA256) behind `user_hash` and ids that held PII: short keys are guessable.
IdHashKey = Annotated[str, Field(min_length=16)]


class ScrubConfig(BaseModel):
    """How a worker scrubs: plain values, pickled to every worker, which builds its Scrubber from them
    (`Scrubber.from_config`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: ScrubMode
    spacy_model: str
    replacement: ScrubReplacement = "placeholder"
    # None = plain SHA-256 for user_hash and PII-bearing ids. A secret: never in repr or logs.
    id_hash_key: IdHashKey | None = Field(default=None, repr=False)
