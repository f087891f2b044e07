"""Conversations on Beam: `SessionizeScrubLabel`, keyed events -> scrubbed conversations labeled by the rules.

The step itself is plain Python (transforms.conversation_step.process_conversation): sessionize, scrub, label.
Its input comes grouped by conversation from PlaceConversations (transforms.beam.lateness), so the events are
shuffled once on their way here.
Everything after this transform sees only scrubbed text. The ingest caps on a conversation's shape
(IngestConfig.max_turns_per_conversation) apply here; what they set aside becomes manifest counts.
"""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from schemas.conversation import Conversation
from schemas.outputs import QuarantinedLine
from transforms.beam import row_coders  # noqa: F401 - the row models' coder, picked by the output types below
from transforms.beam.metrics import CountingDoFn
from transforms.conversation_step import process_conversation
from transforms.ingest.config import IngestConfig
from transforms.scrub.config import ScrubConfig
from transforms.scrub.scrubber import Scrubber


def _event_order(tagged: tuple[str, object]) -> tuple:
    _, event = tagged
    return (event.timestamp, event.type, getattr(event, "message_id", None) or "",
            getattr(event, "event_id", None) or "")


def _full_event_order(tagged: tuple[str, object]) -> str:
    # The last tie-break: two events equal on every field above (copies of one message, say) in their JSON.
    return tagged[1].model_dump_json()


def in_arrival_order(tagged_events) -> list:
    """A conversation's (adapter, event) pairs sorted by (_event_order, _full_event_order): GroupByKey gives
    values in no fixed order, and reruns must see the same arrival order. The JSON tie-break is computed
    only within runs of events equal on _event_order (sorting by the whole key would serialise every event;
    a stable sort by the first part, then by the JSON within its ties, is the same order)."""
    keyed = sorted(((_event_order(tagged), tagged) for tagged in tagged_events), key=lambda pair: pair[0])
    ordered = []
    start = 0
    while start < len(keyed):
        end = start + 1
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        run = [tagged for _, tagged in keyed[start:end]]
        ordered.extend(sorted(run, key=_full_event_order) if len(run) > 1 else run)
        start = end
    return ordered


class ProcessConversationDoFn(CountingDoFn):
    """(conversation_id, events) -> Conversation, scrubbed and labeled by the rules.

    The scrubber (Presidio + spaCy) is built from the ScrubConfig once per worker in `setup`. A conversation
    that fails is not dropped: its events go to quarantine with the error's type (never its message, which
    could quote raw text). A conversation longer than `max_turns` keeps its first turns; one of feedback
    events only makes no row. Both are counted (see ProcessedConversation.shape_counts), never silent; counts
    reach Beam once per bundle (CountingDoFn).
    """

    QUARANTINE = "quarantine"

    def __init__(self, scrub: ScrubConfig, max_turns: int | None = None):
        self._config = scrub
        self._max_turns = max_turns
        self._scrubber = None

    def setup(self):
        self._scrubber = Scrubber.from_config(self._config)

    def process(self, keyed):
        conversation_id, tagged_events = keyed
        tagged_events = in_arrival_order(tagged_events)
        source = tagged_events[0][0]
        events = [event for _, event in tagged_events]
        try:
            result = process_conversation(conversation_id, events, source, self._scrubber,
                                          self._config.id_hash_key, max_turns=self._max_turns)
        except Exception as exc:  # noqa: BLE001 - a bad conversation must not sink the day
            self.count("conversations_failed")
            yield TaggedOutput(self.QUARANTINE, QuarantinedLine(
                reason=f"conversation failed in processing: {type(exc).__name__}",
                source_uri=f"conversation:{conversation_id}", line_number=0,
                raw_line=json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False)))
            return
        for name, value in result.shape_counts.items():
            self.count(name, value)
        conversation = result.conversation
        if conversation is None:
            return  # feedback only: counted as feedback_without_conversation above
        self.count("conversations")
        self.count("turns", conversation.n_turns)
        self.count("feedback_unattached", result.unattached_feedback)
        for entity in conversation.pii_entities:
            self.count(f"pii.{entity.entity_type}", entity.count)
        yield conversation


class SessionizeScrubLabel(beam.PTransform):
    """(conversation_id, [(adapter, event), ...]), one element per conversation as PlaceConversations groups
    them -> {"conversations": Conversation, "quarantine": QuarantinedLine}."""

    CONVERSATIONS = "conversations"
    QUARANTINE = "quarantine"

    def __init__(self, scrub: ScrubConfig, ingest: IngestConfig | None = None):
        super().__init__()
        self._scrub = scrub
        # The default IngestConfig's cap holds for callers that pass none: the cap is a safety bound.
        self._max_turns = (ingest or IngestConfig()).max_turns_per_conversation

    def expand(self, events):
        labeled = (
            events
            # Already grouped by PlaceConversations (one shuffle of the events, not two). The output types are
            # said outright: inferring them walks the step's code at graph construction; they pick the rows' coder.
            | "Scrub and label" >> beam.ParDo(ProcessConversationDoFn(self._scrub, self._max_turns))
            .with_output_types(Conversation, **{ProcessConversationDoFn.QUARANTINE: QuarantinedLine})
            .with_outputs(ProcessConversationDoFn.QUARANTINE, main="conversations")
        )
        return {self.CONVERSATIONS: labeled.conversations,
                self.QUARANTINE: labeled[ProcessConversationDoFn.QUARANTINE]}
