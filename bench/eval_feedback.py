"""The feedback rules on real conversations: precision, recall, coverage and what reaches training data.

    python -m bench.eval_feedback [--split test|dev|all] [--data ../shared/data] [--gold standard|loose] [--errors N] [--json PATH]
    python -m bench.eval_feedback --calibrate --gold loose   # rewrites transforms/label/calibrated_confidences.py

Data (read-only, ../shared/data):
- `uss/{SGD,MWOZ,ReDial,CCPE}.txt`: real task-oriented and recommendation dialogues. Each USER line carries
  three (sometimes four) annotators' 1-5 satisfaction with the SYSTEM's previous turn. Consecutive lines of
  one speaker are one message (a user typing two lines sends one reply); the `OVERALL` line is left out.
  Gold for a system turn, from the mean of every rating of the user message that follows it:
  "standard": negative when the mean is <= 2, positive when >= 4, else neutral;
  "loose":    negative when < 3, positive when > 3 (one grumpy annotator is enough).
  A system turn nobody answered has no gold.
- `oasst_en_100_tree.jsonl`: OpenAssistant trees; gold for an assistant message is its emoji votes (more
  "+1" -> positive, more "-1" -> negative, tie/none -> no gold). The votes and red flags are REMOVED before
  the rules run: only the conversation text speaks. Each tree becomes one thread per prompt
  (`oasst_threads`): sibling prompts there were written by different volunteers, not resent by one user.

The calibration is measured with `--gold loose` (binary like users' thumbs and like error-reaction
annotations, and the only uss gold with enough dissatisfied turns to measure the negative rules: ~3,700
on the dev half against ~130 with the standard gold).

What runs is the real code: `schemas.conversation.Conversation` objects (turns in order, no feedback
events), `transforms.label.signals.label_turns` (rules only, no judge), then
`transforms.training.rows.build_training_rows` with the default `TrainingPolicy`.

Printed per data set: gold counts; overall precision/recall of the rules' positive/negative labels;
coverage (share of gold turns the rules gave a positive or negative label); negative and positive P/R;
"neg P±" / "pos P±", the same precision over the turns of polar gold only (as on a set rated with thumbs,
where no rated answer is neutral);
the share of turns sent to the judge; per rule, how often it fired on gold turns and its precision
(gold equals the rule's own label; a neutral gold counts against it); and the SFT effect: of the SFT
targets (and `chosen` answers of preference rows) whose turn has gold, how many are gold-negative
("unsatisfied"). Nothing here asserts.

Sessions are split by a hash of their id into halves, "dev" and "test" (`--split`, default test):
tune phrase lists and calibrate on dev, report on test. `--calibrate` measures every conversational
rule's precision on the dev half of all sets and writes the smoothed confidences
(transforms.label.calibration) to transforms/label/calibrated_confidences.py, which signals.py reads.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from schemas.conversation import Conversation, Turn
from schemas.events import MessageEvent, Role
from transforms.ids import stable_id
from transforms.ingest.oasst import oasst_labels, parse_oasst_tree
from transforms.ingest.records import MalformedLine
from transforms.ingest.sessionize import sessionize
from transforms.label import calibration, signals
from transforms.label.calibration import GOLD_CLASSES, kind_of
from transforms.label.dialogue_acts import assistant_act
from transforms.training.policy import TrainingPolicy
from transforms.training.rows import build_training_rows

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
USS_SETS = ("SGD", "MWOZ", "ReDial", "CCPE")
OASST = "OASST"
CALIBRATION_MODULE = REPO / "transforms" / "label" / "calibrated_confidences.py"
T0 = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
# Between two turns: slower than the fast-follow-up rule's window, which timestamps here cannot show.
TURN_GAP = timedelta(seconds=60)
POLAR = ("negative", "positive")


def gold_of(mean: float, variant: str) -> str:
    if variant == "loose":
        return "negative" if mean < 3 else "positive" if mean > 3 else "neutral"
    return "negative" if mean <= 2 else "positive" if mean >= 4 else "neutral"


def split_of(session_id: str) -> str:
    """"dev" or "test", from a hash of the session id: stable across runs and machines."""
    return "dev" if int(stable_id("feedback-split", session_id, length=8), 16) % 2 == 0 else "test"


@dataclass
class Session:
    dataset: str
    conversation: Conversation
    gold: dict[str, str]  # assistant message id -> gold label
    # What the dev/test split hashes: the conversation id, or the tree all threads of an OASST tree share.
    split_key: str = ""

    def __post_init__(self) -> None:
        self.split_key = self.split_key or self.conversation.conversation_id


# --- loading ----------------------------------------------------------------------------------------


def _uss_messages(block: list[str]) -> list[tuple[str, str, list[float]]]:
    """(role, text, ratings) per message; consecutive lines of one speaker joined."""
    messages: list[tuple[str, str, list[float]]] = []
    for line in block:
        parts = line.split("\t")
        role, text = parts[0].strip().upper(), parts[1].strip() if len(parts) > 1 else ""
        if role not in ("USER", "SYSTEM"):
            continue
        ratings = [float(r) for r in parts[3].split(",") if r.strip()] if len(parts) > 3 and role == "USER" else []
        if messages and messages[-1][0] == role:
            previous = messages[-1]
            messages[-1] = (role, f"{previous[1]}\n{text}", previous[2] + ratings)
        else:
            messages.append((role, text, ratings))
    return messages


def load_uss(data: Path, name: str, variant: str) -> list[Session]:
    sessions = []
    blocks = (data / "uss" / f"{name}.txt").read_text(encoding="utf-8").split("\n\n")
    for n, block in enumerate(blocks):
        lines = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("USER\tOVERALL")]
        messages = _uss_messages(lines)
        if not messages:
            continue
        session_id = f"uss-{name}-{n}"
        turns, gold = [], {}
        for i, (role, text, ratings) in enumerate(messages):
            message_id = f"{session_id}-{i}"
            turns.append(Turn(turn_index=i, message_id=message_id, role="user" if role == "USER" else "assistant",
                              content=text, timestamp=T0 + TURN_GAP * i))
            if role == "USER" and ratings and i > 0 and messages[i - 1][0] == "SYSTEM":
                gold[f"{session_id}-{i - 1}"] = gold_of(sum(ratings) / len(ratings), variant)
        conversation = Conversation(row_id="", conversation_id=session_id, source=f"uss-{name}", started_at=T0,
                                    ended_at=turns[-1].timestamp, n_turns=len(turns), turns=turns)
        sessions.append(Session(name, conversation, gold))
    return sessions


def oasst_threads(events: list[MessageEvent]) -> list[tuple[str, list[MessageEvent]]]:
    """One thread per prompt of an OpenAssistant tree: (prompt id, its events), so sibling prompts are
    not read as resent prompts.

    In a tree, several volunteers each wrote a user prompt under the same assistant message; in a real
    log the same parent with two user turns means the user edited and resent the prompt. A thread keeps
    what one user saw: the chain of messages down to the prompt, the prompt, every assistant answer to
    it (siblings, as regenerated answers are in a log) and the first user reply to each answer. Every
    assistant message is thus measured once, in the thread of its own prompt.
    """
    by_id = {e.message_id: e for e in events}
    children: dict[str | None, list[MessageEvent]] = collections.defaultdict(list)
    for event in events:
        children[event.parent_id].append(event)
    threads = []
    for prompt in events:
        answers = [c for c in children[prompt.message_id] if c.role == Role.assistant]
        if prompt.role != Role.user or not answers:
            continue
        chain, current = [], by_id.get(prompt.parent_id) if prompt.parent_id else None
        while current is not None:
            chain.append(current)
            current = by_id.get(current.parent_id) if current.parent_id else None
        replies = [next(iter(u for u in children[a.message_id] if u.role == Role.user), None) for a in answers]
        keep = {e.message_id for e in [*chain, prompt, *answers, *filter(None, replies)]}
        threads.append((prompt.message_id, [e for e in events if e.message_id in keep]))
    return threads


def load_oasst(data: Path) -> list[Session]:
    sessions = []
    for line in (data / "oasst_en_100_tree.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            events = [e for e in parse_oasst_tree(line) if isinstance(e, MessageEvent)]  # votes removed
            labels = oasst_labels(line)
        except MalformedLine:
            continue
        tree_id = events[0].conversation_id
        for prompt_id, thread in oasst_threads(events):
            thread_id = f"{tree_id}/{prompt_id}"
            thread = [e.model_copy(update={"conversation_id": thread_id}) for e in thread]
            conversation, _ = sessionize(thread_id, thread, "oasst")
            answers = {e.message_id for e in thread if e.parent_id == prompt_id}
            gold = {mid: label for mid, label in labels.items() if label and mid in answers}
            sessions.append(Session(OASST, conversation, gold, split_key=tree_id))
    return sessions


def load_all(data: Path, variant: str) -> list[Session]:
    return [s for name in USS_SETS for s in load_uss(data, name, variant)] + load_oasst(data)


# --- measuring --------------------------------------------------------------------------------------


@dataclass
class Tally:
    confusion: collections.Counter = field(default_factory=collections.Counter)  # (gold, predicted)
    # rule id -> Counter of gold labels of the turns it fired on
    rules: dict[str, collections.Counter] = field(default_factory=dict)
    to_judge: int = 0
    sft: collections.Counter = field(default_factory=collections.Counter)  # gold of original SFT targets
    chosen: collections.Counter = field(default_factory=collections.Counter)  # gold of chosen/desirable answers
    errors: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def measure(sessions: list[Session]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = collections.defaultdict(Tally)
    policy = TrainingPolicy()
    for session in sessions:
        tally = tallies[session.dataset]
        labeled = signals.label_turns(session.conversation)
        by_id = {t.message_id: t for t in labeled.turns}
        ordered = sorted(labeled.turns, key=lambda t: t.turn_index)
        for message_id, gold in session.gold.items():
            turn = by_id[message_id]
            predicted = turn.label.value if turn.label else "unknown"
            tally.confusion[(gold, predicted)] += 1
            tally.to_judge += signals.needs_judge(turn)
            for decision in turn.decisions:
                tally.rules.setdefault(decision.rule_id, collections.Counter())[gold] += 1
            if predicted in POLAR and predicted != gold or gold in POLAR and predicted not in POLAR:
                position = ordered.index(turn)
                follow = ordered[position + 1].content if position + 1 < len(ordered) else ""
                tally.errors.append((gold, predicted, turn.content[:160], follow[:160],
                                     ",".join(d.rule_id for d in turn.decisions)))
        rows = build_training_rows(labeled, policy)
        for example in rows.sft:
            if example.derivation == "original" and example.target_message_id in session.gold:
                tally.sft[session.gold[example.target_message_id]] += 1
        for pair in rows.preferences:
            chosen = pair.chosen_message_id if pair.kind == "dpo" or pair.desirable else None
            if chosen in session.gold:
                tally.chosen[session.gold[chosen]] += 1
    return tallies


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def summary(tally: Tally) -> dict[str, float | int | None]:
    c = tally.confusion
    gold_n = sum(c.values())
    out: dict[str, float | int | None] = {"gold_turns": gold_n}
    for g in ("negative", "neutral", "positive"):
        out[f"gold_{g}"] = sum(n for (gold, _), n in c.items() if gold == g)
    predicted_polar = sum(n for (_, p), n in c.items() if p in POLAR)
    correct = sum(c[(label, label)] for label in POLAR)
    out["precision"] = _ratio(correct, predicted_polar)
    out["recall"] = _ratio(correct, out["gold_negative"] + out["gold_positive"])
    out["coverage"] = _ratio(predicted_polar, gold_n)
    for label in POLAR:
        out[f"{label}_predicted"] = sum(n for (_, p), n in c.items() if p == label)
        out[f"{label}_precision"] = _ratio(c[(label, label)], out[f"{label}_predicted"])
        out[f"{label}_recall"] = _ratio(c[(label, label)], out[f"gold_{label}"])
        # As on a set rated with thumbs, where every rated answer is up or down: turns of neutral gold left out.
        on_polar = sum(n for (gold, p), n in c.items() if p == label and gold in POLAR)
        out[f"{label}_precision_polar"] = _ratio(c[(label, label)], on_polar)
    out["to_judge"] = _ratio(tally.to_judge, gold_n)
    for name, counter in (("sft", tally.sft), ("chosen", tally.chosen)):
        out[f"{name}_rated"] = sum(counter.values())
        out[f"{name}_unsatisfied"] = counter["negative"]
        out[f"{name}_unsatisfied_share"] = _ratio(counter["negative"], sum(counter.values()))
    return out


def rule_table(tally: Tally) -> dict[str, dict[str, float | int | None]]:
    table = {}
    for rule_id, golds in tally.rules.items():
        rule = signals.RULES_BY_ID.get(rule_id)
        label = rule.label.value if rule else "?"
        fired = sum(golds.values())
        table[rule_id] = {"label": label, "fired": fired, "correct": golds[label],
                          "precision": _ratio(golds[label], fired)}
    return table


# --- printing ---------------------------------------------------------------------------------------


def _f(value: float | int | None) -> str:
    return "  -  " if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def print_report(results: dict[str, Tally], split: str, variant: str, errors: int) -> None:
    print(f"rules {signals.RULES_VERSION}, split {split}, gold {variant}; rules only, explicit feedback removed")
    print(f"\n{'set':<8}{'gold -/0/+':>17}{'P':>6}{'R':>6}{'cov':>6}{'neg P':>7}{'neg R':>7}{'pos P':>7}"
          f"{'pos R':>7}{'neg P±':>8}{'pos P±':>8}{'judge':>7}{'SFT unsat':>13}{'chosen unsat':>15}")
    for name, tally in results.items():
        s = summary(tally)
        gold = f"{s['gold_negative']}/{s['gold_neutral']}/{s['gold_positive']}"
        sft = f"{s['sft_unsatisfied']}/{s['sft_rated']}"
        chosen = f"{s['chosen_unsatisfied']}/{s['chosen_rated']}"
        print(f"{name:<8}{gold:>17}{_f(s['precision']):>6}{_f(s['recall']):>6}{_f(s['coverage']):>6}"
              f"{_f(s['negative_precision']):>7}{_f(s['negative_recall']):>7}{_f(s['positive_precision']):>7}"
              f"{_f(s['positive_recall']):>7}{_f(s['negative_precision_polar']):>8}{_f(s['positive_precision_polar']):>8}"
              f"{_f(s['to_judge']):>7}{sft:>13}{chosen:>15}")
    print("\nper rule: times fired on gold turns, precision (gold == the rule's label)")
    print(f"{'rule':<46}{'label':>9}" + "".join(f"{name:>14}" for name in results))
    tables = {name: rule_table(t) for name, t in results.items()}
    rule_ids = sorted({r for table in tables.values() for r in table})
    for rule_id in rule_ids:
        label = next(t[rule_id]["label"] for t in tables.values() if rule_id in t)
        cells = []
        for table in tables.values():
            row = table.get(rule_id)
            cells.append(f"{_f(row['precision'])} ({row['fired']})" if row else "")
        print(f"{rule_id:<46}{label:>9}" + "".join(f"{c:>14}" for c in cells))
    if errors:
        for name, tally in results.items():
            print(f"\n--- {name}: first {errors} disagreements (gold, predicted, answer, follow-up, rules)")
            for gold, predicted, answer, follow, rules in tally.errors[:errors]:
                print(f"[{gold} / {predicted}] {rules}\n   A: {answer!r}\n   U: {follow!r}")


def calibrate(sessions: list[Session], variant: str) -> None:
    """Measure every conversational rule on the given (dev) sessions and write the calibration module.

    Every rule a follow-up fires counts (`signals.follow_up_candidates`), not only the one that won, so
    the measurement does not depend on the confidences it replaces. Counted per gold class (negative,
    neutral, positive) together with the answered gold turns per class: transforms.label.calibration turns
    them into each kind's precision at a balanced prior. Prints the measurement per kind.
    """
    fired: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    gold_turns = [0, 0, 0]
    for session in sessions:
        conversation = session.conversation
        branches = signals.Branches(conversation)
        for message_id, gold in session.gold.items():
            answer = branches.by_id[message_id]
            follow_up = signals.next_user_turn(conversation, answer, branches)
            if follow_up is None:
                continue
            gold_turns[GOLD_CLASSES.index(gold)] += 1
            previous = signals.previous_user_turn(conversation, answer, branches)
            for rule, _ in signals.follow_up_candidates(previous.content if previous else None, follow_up.content,
                                                        assistant_act(answer.content), answer.content):
                fired[rule.rule_id][GOLD_CLASSES.index(gold)] += 1
    kinds = calibration.write_calibration(CALIBRATION_MODULE, {rule_id: tuple(c) for rule_id, c in fired.items()},
                              tuple(gold_turns), sorted({s.dataset for s in sessions}), variant)
    print(f"wrote {CALIBRATION_MODULE.relative_to(REPO)}: {len(kinds)} rule kinds from {len(sessions)} dev sessions, "
          f"{variant} gold; answered gold turns -/0/+ {gold_turns[0]}/{gold_turns[1]}/{gold_turns[2]}")
    print(f"{'kind':<40}{'label':>9}{'fired -/0/+':>17}{'raw P':>7}{'bal P':>7}{'conf':>7}")
    for kind, counts in sorted(kinds.items()):
        rule = next(r for r in signals.RULES if kind_of(r.rule_id) == kind)
        m = calibration.measure(rule.label.value, counts, tuple(gold_turns))
        declared = rule.prior
        conf = calibration.smoothed(m, declared) if m.support >= calibration.MIN_SUPPORT else None
        abstains = " abstains" if (declared if conf is None else conf) < calibration.MIN_PRECISION else ""
        print(f"{kind:<40}{rule.label.value:>9}{'/'.join(map(str, counts)):>17}{_f(m.raw):>7}{_f(m.balanced):>7}"
              f"{_f(conf):>7}{abstains}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--gold", choices=("standard", "loose"), default="standard")
    parser.add_argument("--errors", type=int, default=0, help="print the first N disagreements per set")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (uss/ and the OASST file)")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure rules on the dev half and rewrite the calibrated confidences")
    args = parser.parse_args(argv)
    sessions = load_all(args.data, args.gold)
    if args.calibrate:
        calibrate([s for s in sessions if split_of(s.split_key) == "dev"], args.gold)
        return 0
    if args.split != "all":
        sessions = [s for s in sessions if split_of(s.split_key) == args.split]
    results = measure(sessions)
    results = {name: results[name] for name in (*USS_SETS, OASST) if name in results}
    print_report(results, args.split, args.gold, args.errors)
    if args.json:
        figures = {name: {"summary": summary(t), "rules": rule_table(t)} for name, t in results.items()}
        args.json.write_text(json.dumps({"rules_version": signals.RULES_VERSION, "split": args.split,
                                         "gold": args.gold, "sets": figures}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
