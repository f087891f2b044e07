"""OpenAssistant adapter: one OpenAssistant message tree (one JSONL line) -> the flywheel's events.

OpenAssistant (OASST) exports conversations as trees: a `prompt` (role "prompter") whose `replies` are
alternative assistant answers, whose `replies` are alternative user follow-ups, and so on. Each message
carries `emojis` votes from other volunteers ({"+1": 3, "-1": 1, "_skip_reply": 1, "red_flag": 1, ...})
and assistant siblings carry a `rank` (0 = best) from a separate ranking task. Trees have no user ids
and no timestamps.

Mapping (documented here because the pipeline and the evaluation both rely on it):

- The whole tree is ONE conversation, `conversation_id = "oasst-" + message_tree_id`: sibling assistant
  replies are regenerations of each other, sibling prompter replies are alternative follow-ups. Turns
  keep the tree in `parent_id` (the parent in the nesting; a message's own `parent_id` field is not
  trusted over the structure).
- Messages: `message_id` = the OASST id, role prompter -> user, assistant -> assistant, content =
  `text`, `user_id = "oasst-user"`, `model` = `model_name` on assistant messages that have one
  (synthetic answers), else None.
- Deleted messages (`deleted: true`) are skipped together with their whole subtree (a reply to a
  deleted message cannot be shown without it). The shared sample `oasst_en_100_tree.jsonl` has 0
  deleted messages out of 1,167, so all 1,167 become message events there.
- Timestamps are synthetic and deterministic: 12:00:00 UTC of `day` (default 2023-04-12) + the
  message's depth-first position x 1 s. Depth-first means a parent always comes before its children
  and a reply's subtree comes right after it (so the next turn after an answer is a follow-up to it).
  Sibling order: prompter siblings in file order; assistant siblings unranked first (file order),
  then ranked ones WORST rank first, best (rank 0) last - the product story "the user regenerated
  until the answer was good", which is what makes the regenerate mapping below consistent in time.
- Feedback, all at the message's timestamp + 0.5 s (before the next message), with deterministic
  event ids `stable_id("oasst", tree id, message id, kind, n)`:
  - `"+1": n` on an assistant message -> n `thumbs_up` events; `"-1": n` -> n `thumbs_down` events.
  - `"red_flag"` on an assistant message -> one `report` event (volunteers flag spam/harmful answers).
  - Sibling assistant replies are regenerations of each other by structure (same parent), as in any
    log. Only with `rank_as_regenerate=True` (evaluation) does every RANKED assistant reply that has a
    better-ranked sibling (rank > the best rank among its ranked siblings) also get a `regenerate` event.
    The best-ranked sibling and unranked replies get none. The regenerate events carry the `rank`
    judgement (a different human task from the votes, but correlated with them), so an evaluation
    against vote labels must state whether it kept them (bench/eval_oasst.py reports both ways).
  - Votes and flags on prompter messages are dropped: they rate the prompt, not an answer, and
    sessionize would otherwise move them onto the preceding assistant turn. `_skip_*` emojis are task
    bookkeeping, not feedback, and are ignored.
- Ground truth for evaluation (`oasst_labels`): per assistant message, `+1 > -1` -> "positive",
  `-1 > +1` -> "negative", else None (no votes or a tie). `oasst_ranks` keeps the ranks.

A tree that cannot be mapped raises `MalformedLine` with a reason naming the field's path in the tree
(`prompt.replies[0].role`), never a text or an id from the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from schemas.events import FeedbackEvent, FeedbackKind, MessageEvent, Role
from transforms.ids import stable_id
from transforms.ingest.records import MalformedLine, json_kind, load_json_object, validation_reason

ADAPTER_NAME = "oasst"
CONVERSATION_PREFIX = "oasst-"
USER_ID = "oasst-user"
DEFAULT_DAY = date(2023, 4, 12)
BASE_CLOCK = time(12, 0, tzinfo=timezone.utc)
MESSAGE_STEP = timedelta(seconds=1)
FEEDBACK_DELAY = timedelta(milliseconds=500)
# More votes than this on one message is not an export of a real tree: refuse rather than emit millions
# of events from one line.
MAX_VOTES = 10_000

_ROLES = {"prompter": Role.user, "assistant": Role.assistant}


@dataclass(frozen=True)
class _Node:
    """One non-deleted message, validated, with its place in the tree."""

    path: str
    message_id: str
    parent_id: str | None
    role: Role
    text: str
    rank: int | None
    up: int
    down: int
    red_flag: bool
    model: str | None
    replies: tuple[dict[str, Any], ...]


def _bad(reason: str) -> MalformedLine:
    return MalformedLine(f"invalid oasst tree: {reason}")


def _count(emojis: dict[str, Any], key: str, path: str) -> int:
    value = emojis.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{path}.emojis: vote count is a JSON {json_kind(value)}, not an integer")
    if value < 0 or value > MAX_VOTES:
        raise _bad(f"{path}.emojis: vote count out of range (0..{MAX_VOTES})")
    return value


def _node(message: Any, path: str, parent_id: str | None) -> _Node | None:
    """A validated message, or None when it is deleted (the caller then skips its subtree)."""
    if not isinstance(message, dict):
        raise _bad(f"{path} is a JSON {json_kind(message)}, not an object")
    deleted = message.get("deleted", False)
    if deleted is not None and not isinstance(deleted, bool):
        raise _bad(f"{path}.deleted is not a boolean")
    if deleted:
        return None
    message_id = message.get("message_id")
    if not isinstance(message_id, str) or not message_id.strip():
        raise _bad(f"{path}.message_id: must be a non-empty string")
    role = message.get("role")
    if not isinstance(role, str) or role not in _ROLES:
        raise _bad(f"{path}.role is not one of prompter, assistant")
    text = message.get("text")
    if not isinstance(text, str):
        raise _bad(f"{path}.text: must be a string")
    replies = message.get("replies")
    if replies is None:
        replies = []
    if not isinstance(replies, list):
        raise _bad(f"{path}.replies is a JSON {json_kind(replies)}, not an array")
    rank = message.get("rank")
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int)):
        raise _bad(f"{path}.rank: must be an integer or null")
    emojis = message.get("emojis")
    if emojis is None:
        emojis = {}
    if not isinstance(emojis, dict):
        raise _bad(f"{path}.emojis is a JSON {json_kind(emojis)}, not an object")
    model = message.get("model_name")
    return _Node(
        path=path,
        message_id=message_id,
        parent_id=parent_id,
        role=_ROLES[role],
        text=text,
        rank=rank,
        up=_count(emojis, "+1", path),
        down=_count(emojis, "-1", path),
        red_flag=_count(emojis, "red_flag", path) > 0,
        model=model if isinstance(model, str) and model.strip() else None,
        replies=tuple(replies),
    )


def _tree_id(record: dict[str, Any]) -> str:
    tree_id = record.get("message_tree_id")
    if not isinstance(tree_id, str) or not tree_id.strip():
        raise _bad("message_tree_id: must be a non-empty string")
    return tree_id


def _children(node: _Node) -> list[tuple[_Node, bool]]:
    """A node's non-deleted replies in timeline order, each with whether it gets a `regenerate`.

    Prompter replies: file order. Assistant replies: unranked first (file order), then ranked worst
    first, best last; every ranked reply beaten by a better-ranked sibling is regenerated.
    """
    kids: list[_Node] = []
    for position, reply in enumerate(node.replies):
        kid = _node(reply, f"{node.path}.replies[{position}]", node.message_id)
        if kid is not None:
            kids.append(kid)
    prompters = [kid for kid in kids if kid.role is Role.user]
    unranked = [kid for kid in kids if kid.role is Role.assistant and kid.rank is None]
    ranked = [kid for kid in kids if kid.role is Role.assistant and kid.rank is not None]
    # sorted() is stable: equal ranks keep file order (reversed along with the rest).
    ranked = sorted(ranked, key=lambda kid: kid.rank, reverse=True)
    best = min((kid.rank for kid in ranked), default=None)
    return (
        [(kid, False) for kid in prompters + unranked]
        + [(kid, kid.rank > best) for kid in ranked]  # type: ignore[operator]
    )


def _walk(record: dict[str, Any]) -> list[tuple[_Node, bool]]:
    """The tree's non-deleted messages in depth-first timeline order (iterative: no recursion limit)."""
    root = _node(record.get("prompt"), "prompt", None)
    if root is None:
        return []
    order: list[tuple[_Node, bool]] = []
    stack: list[tuple[_Node, bool]] = [(root, False)]
    seen: set[str] = set()
    while stack:
        node, regenerated = stack.pop()
        if node.message_id in seen:
            # Sessionize deduplicates by message_id: a repeated id would silently lose a message.
            raise _bad(f"{node.path}.message_id: duplicate id in the tree")
        seen.add(node.message_id)
        order.append((node, regenerated))
        stack.extend(reversed(_children(node)))
    return order


def _as_record(tree: str | dict[str, Any]) -> dict[str, Any]:
    return tree if isinstance(tree, dict) else load_json_object(tree)


def parse_oasst_record(
    record: dict[str, Any], day: date | None = None, rank_as_regenerate: bool = False
) -> list[MessageEvent | FeedbackEvent]:
    """One decoded OASST tree as events (see the module docstring for the mapping).

    In: the tree as a dict; `day` sets the synthetic clock's date (default 2023-04-12, 12:00 UTC);
    `rank_as_regenerate` adds the rank-derived `regenerate` events (off by default: measured on the
    shared sample they are barely better than chance at finding down-voted answers, precision 0.28 vs a
    0.22 base rate, and a regenerate is a user-action negative the rules treat as final).
    Out: message events in depth-first timeline order, each followed by its feedback events.
    Refuses: a tree whose fields do not have OASST's shapes (MalformedLine, reason without content).
    """
    tree_id = _tree_id(record)
    conversation_id = CONVERSATION_PREFIX + tree_id
    base = datetime.combine(day or DEFAULT_DAY, BASE_CLOCK)
    events: list[MessageEvent | FeedbackEvent] = []
    try:
        for position, (node, regenerated) in enumerate(_walk(record)):
            stamp = base + MESSAGE_STEP * position
            events.append(
                MessageEvent(
                    conversation_id=conversation_id,
                    user_id=USER_ID,
                    timestamp=stamp,
                    message_id=node.message_id,
                    parent_id=node.parent_id,
                    role=node.role,
                    content=node.text,
                    model=node.model if node.role is Role.assistant else None,
                )
            )
            if node.role is not Role.assistant:
                continue
            kinds = [FeedbackKind.thumbs_up] * node.up + [FeedbackKind.thumbs_down] * node.down
            if node.red_flag:
                kinds.append(FeedbackKind.report)
            if regenerated and rank_as_regenerate:
                kinds.append(FeedbackKind.regenerate)
            seen: dict[FeedbackKind, int] = {}
            for kind in kinds:
                n = seen[kind] = seen.get(kind, -1) + 1
                events.append(
                    FeedbackEvent(
                        conversation_id=conversation_id,
                        user_id=USER_ID,
                        timestamp=stamp + FEEDBACK_DELAY,
                        event_id=stable_id("oasst", tree_id, node.message_id, kind.value, n),
                        message_id=node.message_id,
                        kind=kind,
                    )
                )
    except ValidationError as exc:
        raise MalformedLine(validation_reason("invalid oasst tree", exc)) from None
    if not events:
        raise _bad("prompt is deleted: no messages")
    return events


def parse_oasst_tree(line: str, day: date | None = None,
                     rank_as_regenerate: bool = False) -> list[MessageEvent | FeedbackEvent]:
    """One JSONL line holding an OASST tree as events; see `parse_oasst_record`."""
    return parse_oasst_record(_as_record(line), day, rank_as_regenerate)


def _assistant_nodes(tree: str | dict[str, Any]) -> list[_Node]:
    record = _as_record(tree)
    _tree_id(record)
    return [node for node, _ in _walk(record) if node.role is Role.assistant]


def vote_label(up: int, down: int) -> str | None:
    """The ground-truth label from a message's votes: more +1 -> positive, more -1 -> negative."""
    if up > down:
        return "positive"
    if down > up:
        return "negative"
    return None


def oasst_labels(tree: str | dict[str, Any]) -> dict[str, str | None]:
    """message_id -> "positive" | "negative" | None for every non-deleted assistant message."""
    return {node.message_id: vote_label(node.up, node.down) for node in _assistant_nodes(tree)}


def oasst_ranks(tree: str | dict[str, Any]) -> dict[str, int | None]:
    """message_id -> sibling rank (0 = best, None = unranked) for every non-deleted assistant message."""
    return {node.message_id: node.rank for node in _assistant_nodes(tree)}
