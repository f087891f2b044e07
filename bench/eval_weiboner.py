"""Person names in real Chinese social-media text: the scrubber against Weibo NER's gold spans.

    python -m bench.eval_weiboner [--splits train,dev] [--systems scrubber,cn_names] [--show-errors K] [--json PATH]

Data: ``../shared/data/weiboner/weiboNER.conll.{train,dev}`` (hltcoe/golden-horse, CC BY-SA 3.0), one
character and its tag per line, a blank line between sentences. ``B-/I-PER.NAM`` are person names (the
PII we must find); ``PER.NOM`` are nominal mentions (小伙伴, 老师: not names); ``GPE``, ``LOC``, ``ORG``
(``.NAM`` / ``.NOM``) are places and organisations. Tune on train, report on dev.

Systems:
  scrubber  ``Scrubber(mode="presidio")`` as in production, ``find_spans`` per sentence, every type
  cn_names  :class:`transforms.scrub.chinese_names.ChinesePersonRecognizer` alone (its PERSON spans)

Figures per split and system:
  * name recall: a gold ``PER.NAM`` span is FOUND when predicted PERSON spans cover >= 50% of its
    characters (also: by spans of any type, and character-level: covered name characters / all);
  * PERSON precision: a predicted PERSON span is CORRECT when it overlaps a gold ``PER.NAM`` span by
    >= 50% of the gold span or of the prediction; spans landing on ``PER.NOM`` are counted apart;
  * over-flag rate: the share of sentences with a flagged span (any type) of which less than half
    lies on gold entity spans (any type, NAM or NOM) - what a reader sees as text scrubbed for no cause;
  * per gold entity type: how many spans are caught (>= 50% covered by any prediction), and as which
    predicted types.
``--show-errors K`` prints K missed names and K flagged spans outside every entity, with context
(use it on train only). Nothing here asserts.

The recognizer's learned tagger (:mod:`transforms.scrub.chinese_name_tagger`) is trained on the train
split, so the train figures here are in-sample and flatter it: quote dev, and for train the
cross-validated figures that ``python -m bench.train_chinese_names`` prints.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "weiboner"
SPLITS = ("train", "dev")
SYSTEMS = ("scrubber", "cn_names")
NAME_TYPE = "PER.NAM"

Span = Tuple[str, int, int]  # type, start, end


@dataclass
class Sentence:
    text: str
    gold: List[Span]  # (weibo type such as PER.NAM, start, end)


def load_split(split: str, data_dir: Path = DATA_DIR) -> List[Sentence]:
    """Sentences of one split with their gold entity spans (BIO tags turned into spans)."""
    sentences: List[Sentence] = []
    chars: List[str] = []
    tags: List[str] = []

    def close() -> None:
        if chars:
            sentences.append(Sentence("".join(chars), _bio_spans(tags)))
        chars.clear()
        tags.clear()

    # emoji are stored as UTF-16 surrogate pairs encoded one by one (CESU-8): keep them as the
    # lone surrogate characters they are, one per line like every other character
    raw = (data_dir / f"weiboNER.conll.{split}").read_bytes().decode("utf-8", "surrogatepass")
    for line in raw.splitlines():
        if not line.strip():
            close()
            continue
        char, tag = line.rsplit("\t", 1) if "\t" in line else line.rsplit(" ", 1)
        chars.append(char[:1] or " ")
        tags.append(tag.strip())
    close()
    return sentences


def _bio_spans(tags: Sequence[str]) -> List[Span]:
    spans: List[Span] = []
    start, kind = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        inside = tag.startswith("I-") and kind == tag[2:]
        if not inside and kind is not None:
            spans.append((kind, start, i))
            start, kind = None, None
        if tag.startswith("B-") or (tag.startswith("I-") and kind is None):
            start, kind = i, tag[2:]
    return spans


def make_detector(system: str) -> Callable[[str], List[Span]]:
    if system == "scrubber":
        from transforms.scrub.scrubber import Scrubber

        scrubber = Scrubber(mode="presidio")
        return lambda text: [(s.entity_type, s.start, s.end) for s in scrubber.find_spans(text)]
    if system == "cn_names":
        from transforms.scrub.chinese_names import ChinesePersonRecognizer

        recognizer = ChinesePersonRecognizer()
        recognizer.load()

        def detect(text: str) -> List[Span]:
            spans = {(r.entity_type, r.start, r.end) for r in recognizer.analyze(text, ["PERSON"])}
            return _merge(sorted(spans, key=lambda s: (s[1], s[2])))
        return detect
    raise ValueError(f"unknown system {system!r}")


def _merge(spans: List[Span]) -> List[Span]:
    """Overlapping spans of one recognizer as one (the scrubber does the same)."""
    out: List[Span] = []
    for t, s, e in spans:
        if out and s < out[-1][2]:
            out[-1] = (t, out[-1][1], max(e, out[-1][2]))
        else:
            out.append((t, s, e))
    return out


def _covered(start: int, end: int, spans: Sequence[Tuple[int, int]]) -> int:
    """Characters of [start, end) covered by the union of spans."""
    marks = [False] * (end - start)
    for s, e in spans:
        for i in range(max(s, start), min(e, end)):
            marks[i - start] = True
    return sum(marks)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


@dataclass
class Figures:
    sentences: int = 0
    names: int = 0
    names_found: int = 0  # by PERSON spans
    names_found_any: int = 0  # by spans of any type
    name_chars: int = 0
    name_chars_found: int = 0
    person_pred: int = 0
    person_correct: int = 0
    person_on_nom: int = 0
    flagged: int = 0  # sentences with any span
    overflagged: int = 0  # sentences with a span mostly outside every gold entity
    seconds: float = 0.0
    gold_by_type: Counter = field(default_factory=Counter)
    caught_by_type: Counter = field(default_factory=Counter)
    caught_as: Dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    outside_types: Counter = field(default_factory=Counter)
    misses: List[str] = field(default_factory=list)
    outside: List[str] = field(default_factory=list)

    def summary(self) -> dict:
        def ratio(a: int, b: int) -> Optional[float]:
            return round(a / b, 4) if b else None

        return {
            "sentences": self.sentences, "names": self.names,
            "name_recall": ratio(self.names_found, self.names),
            "name_recall_any_type": ratio(self.names_found_any, self.names),
            "name_char_recall": ratio(self.name_chars_found, self.name_chars),
            "person_spans": self.person_pred,
            "person_precision": ratio(self.person_correct, self.person_pred),
            "person_spans_on_nominal": self.person_on_nom,
            "sentences_flagged": ratio(self.flagged, self.sentences),
            "overflag_rate": ratio(self.overflagged, self.sentences),
            "per_gold_type": {t: {"gold": n, "caught": self.caught_by_type[t],
                                  "as": dict(self.caught_as[t])}
                              for t, n in sorted(self.gold_by_type.items())},
            "outside_types": dict(self.outside_types),
            "seconds": round(self.seconds, 1),
        }


def _context(text: str, s: int, e: int) -> str:
    return f"{text[max(0, s - 12):s]}[{text[s:e]}]{text[e:e + 12]}"


def evaluate(sentences: Sequence[Sentence], detect: Callable[[str], List[Span]]) -> Figures:
    fig = Figures()
    t0 = time.perf_counter()
    predictions = [detect(s.text) for s in sentences]
    fig.seconds = time.perf_counter() - t0
    for sentence, preds in zip(sentences, predictions):
        text, gold = sentence.text, sentence.gold
        fig.sentences += 1
        person = [(s, e) for t, s, e in preds if t == "PERSON"]
        every = [(s, e) for _, s, e in preds]
        for kind, gs, ge in gold:
            fig.gold_by_type[kind] += 1
            if _covered(gs, ge, every) * 2 >= ge - gs:
                fig.caught_by_type[kind] += 1
                best = max(preds, key=lambda p: _overlap(p[1], p[2], gs, ge))
                fig.caught_as[kind][best[0]] += 1
            if kind != NAME_TYPE:
                continue
            fig.names += 1
            fig.name_chars += ge - gs
            covered = _covered(gs, ge, person)
            fig.name_chars_found += covered
            fig.names_found += covered * 2 >= ge - gs
            fig.names_found_any += _covered(gs, ge, every) * 2 >= ge - gs
            if covered * 2 < ge - gs:
                fig.misses.append(_context(text, gs, ge))
        for s, e in person:
            fig.person_pred += 1
            hits = [(k, _overlap(s, e, gs, ge), ge - gs) for k, gs, ge in gold]
            if any(k == NAME_TYPE and ov and (ov * 2 >= n or ov * 2 >= e - s) for k, ov, n in hits):
                fig.person_correct += 1
            elif any(k == "PER.NOM" and ov for k, ov, _ in hits):
                fig.person_on_nom += 1
        if preds:
            fig.flagged += 1
        entity_spans = [(gs, ge) for _, gs, ge in gold]
        outside = [(t, s, e) for t, s, e in preds if _covered(s, e, entity_spans) * 2 < e - s]
        if outside:
            fig.overflagged += 1
            for t, s, e in outside:
                fig.outside_types[t] += 1
                fig.outside.append(f"{t}: {_context(text, s, e)}")
    return fig


def print_figures(split: str, system: str, fig: Figures) -> None:
    s = fig.summary()
    print(f"\n## {split} / {system}: {s['sentences']} sentences, {s['names']} PER.NAM spans, "
          f"{s['seconds']} s")
    print(f"  name recall {s['name_recall']} (any type {s['name_recall_any_type']}, "
          f"char-level {s['name_char_recall']})")
    print(f"  PERSON spans {s['person_spans']}, precision {s['person_precision']} "
          f"({s['person_spans_on_nominal']} on PER.NOM)")
    print(f"  sentences flagged {s['sentences_flagged']}, over-flag rate {s['overflag_rate']} "
          f"(outside spans by type: {s['outside_types']})")
    print("  | gold type | spans | caught | caught as |")
    print("  |---|---|---|---|")
    for kind, row in s["per_gold_type"].items():
        share = row["caught"] / row["gold"] if row["gold"] else 0
        print(f"  | {kind} | {row['gold']} | {row['caught']} ({share:.0%}) | "
              f"{', '.join(f'{t} {n}' for t, n in sorted(row['as'].items()))} |")


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", default=",".join(SPLITS))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--data-dir", default=str(DATA_DIR))
    ap.add_argument("--show-errors", type=int, default=0,
                    help="print K missed names and K spans outside every entity (train only!)")
    ap.add_argument("--json", help="write all figures as JSON here")
    a = ap.parse_args(argv)

    figures: dict = {}
    for system in [x.strip() for x in a.systems.split(",") if x.strip()]:
        detect = make_detector(system)
        for split in [x.strip() for x in a.splits.split(",") if x.strip()]:
            fig = evaluate(load_split(split, Path(a.data_dir)), detect)
            print_figures(split, system, fig)
            figures[f"{split}/{system}"] = fig.summary()
            if a.show_errors:
                print(f"\n  missed names ({len(fig.misses)}):")
                for line in fig.misses[:a.show_errors]:
                    print("   ", line)
                print(f"\n  flagged outside every entity ({len(fig.outside)}):")
                for line in fig.outside[:a.show_errors]:
                    print("   ", line)
    if a.json:
        Path(a.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
