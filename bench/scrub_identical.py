"""Proof that a speed-up of the scrubber changed no detection: the spans of a fixed set of texts,
saved before a change and compared after it.

    python -m bench.scrub_identical --save /tmp/spans_before.json      # on the code before
    python -m bench.scrub_identical --compare /tmp/spans_before.json   # on the code after
    python -m bench.scrub_identical --mode regex --save ...            # the regex mode's spans

The code before may be another checkout (a worktree of an older commit): run this file against it
with ``PYTHONPATH=<that checkout> python <this file> --data ../shared/data --save ...``, so both sides
read the same texts. ``--data``: the shared data directory (default ``../shared/data`` beside the
project root).

Texts: every sentence of Weibo NER train + dev (Chinese social media, the Chinese name tagger's
home ground; read as :mod:`bench.eval_weiboner` reads it, lone surrogates of emoji kept), every
``full_text`` of Presidio's synthetic English set, every message of the OpenAssistant trees (real
English chat), and every message, edit and comment of a
generated day (``flywheel.sample_logs``, seed 7: English and Chinese chat with planted PII), and that
day's distinct ids (conversation, message, parent, feedback event, model) as the scrub step reads them
(:func:`transforms.scrub.conversation.safe_identifiers`: separators as spaces). Each
text is scrubbed alone (:meth:`Scrubber.scrub_text`: its spans and scrubbed text), by one scrubber whose per-text cache is
cleared before each text, so nothing depends on order; the Chinese name tagger's probabilities
are recorded too. The comparison prints the first texts whose
spans differ and exits 1 if any does. A run takes about a minute in mode presidio (about 6,100 texts).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Dict, List

from bench.eval_weiboner import load_split

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
GENERATED_DAY = date(2024, 5, 1)
GENERATED_CONVERSATIONS = 300
_GENERATED_FIELDS = ("content", "edited_text", "comment")
_ID_FIELDS = ("conversation_id", "message_id", "parent_id", "event_id", "model")


def _tree_texts(message: dict) -> List[str]:
    """The text of an OpenAssistant message and of all its replies, depth first."""
    return [message["text"]] + [t for reply in message.get("replies", []) for t in _tree_texts(reply)]


def oracle_texts(data: Path = DATA) -> Dict[str, List[str]]:
    """The texts of each source (see the module docstring), in a fixed order."""
    from flywheel.sample_logs import generate_logs
    from transforms.scrub.conversation import _ID_SEPARATORS

    texts = {"weibo": [s.text for split in ("train", "dev") for s in load_split(split, data / "weiboner")]}
    synth = json.loads((data / "presidio_synth_dataset_v2.json").read_text(encoding="utf-8"))
    texts["presidio_synth"] = [record["full_text"] for record in synth]
    trees = (data / "oasst_en_100_tree.jsonl").read_text(encoding="utf-8").splitlines()
    texts["oasst"] = [t for line in trees if line.strip() for t in _tree_texts(json.loads(line)["prompt"])]
    generated: List[str] = []
    ids: List[str] = []
    with tempfile.TemporaryDirectory() as out:
        logs = generate_logs(out, [GENERATED_DAY], GENERATED_CONVERSATIONS, seed=7, gzip=False)
        for file in logs.files:
            for line in Path(file).read_text(encoding="utf-8").splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # the generator's deliberately malformed lines
                generated += [event[k] for k in _GENERATED_FIELDS
                              if isinstance(event, dict) and isinstance(event.get(k), str)]
                ids += [event[k] for k in _ID_FIELDS
                        if isinstance(event, dict) and isinstance(event.get(k), str) and event[k]]
    texts["generated_day"] = generated
    texts["generated_ids"] = [_ID_SEPARATORS.sub(" ", v) for v in dict.fromkeys(ids)]
    return texts


def spans_of(texts: Dict[str, List[str]], mode: str = "presidio") -> Dict[str, List[dict]]:
    """Per source, per text: its spans (:meth:`Scrubber.find_spans`) as [entity type, start, end, score], its scrubbed text, and
    for texts the Chinese name recognizer reads, the name tagger's probability of each character
    (exact floats: equal lists mean the tagger saw the same features)."""
    from transforms.scrub.chinese_names import ChinesePersonRecognizer
    from transforms.scrub.scrubber import Scrubber

    scrubber = Scrubber(mode)
    seen: List[List[float]] = []
    chinese = next((r for r in scrubber._analyzer.registry.recognizers
                    if isinstance(r, ChinesePersonRecognizer)), None)  # none in mode regex
    if chinese is not None:
        tagger_probabilities = chinese._tagger.probabilities

        def recorded(*args):
            probabilities = tagger_probabilities(*args)
            seen.append(probabilities)
            return probabilities

        chinese._tagger.probabilities = recorded  # read-only recording of what the tagger returns
    found: Dict[str, List[dict]] = {}
    for source, source_texts in texts.items():
        found[source] = []
        for text in source_texts:
            scrubber.clear_caches()
            seen.clear()
            scrubbed, _ = scrubber.scrub_text(text)
            spans = scrubber.find_spans(text)  # from the per-text cache scrub_text filled
            found[source].append({"spans": [[s.entity_type, s.start, s.end, s.score] for s in spans],
                                  "scrubbed": scrubbed, "tagger": list(seen)})
    return found


def compare(before: dict, after: dict, show: int = 10) -> int:
    """The number of texts whose spans differ; prints the first ``show`` of them."""
    differ = 0
    for source, texts in before["texts"].items():
        if after["texts"].get(source) != texts:
            print(f"{source}: the texts themselves differ (other data or generator)")
            differ += 1
            continue
        for text, old, new in zip(texts, before["spans"][source], after["spans"][source]):
            if old != new:
                differ += 1
                if differ <= show:
                    print(f"{source}: {text[:120]!r}\n  before {old}\n  after  {new}")
    return differ


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = ap.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the spans of the current code to this JSON file")
    action.add_argument("--compare", type=Path, help="compare the current code's spans with this JSON file")
    ap.add_argument("--mode", choices=("presidio", "regex"), default="presidio", help="the scrub mode")
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    args = ap.parse_args(argv)
    texts = oracle_texts(args.data)
    current = {"mode": args.mode, "texts": texts, "spans": spans_of(texts, args.mode)}
    if args.save:
        args.save.write_text(json.dumps(current, ensure_ascii=True), encoding="utf-8")
        print(f"saved the spans of {sum(map(len, texts.values())):,} texts to {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    if before.get("mode", "presidio") != args.mode:
        print(f"{args.compare} holds the spans of mode {before.get('mode', 'presidio')!r}, not {args.mode!r}")
        return 2
    # through JSON like the saved file: it joins escaped surrogate pairs (Weibo's emoji) into one
    # character, in texts and scrubbed texts alike
    differ = compare(before, json.loads(json.dumps(current, ensure_ascii=True)))
    total = sum(map(len, texts.values()))
    print(f"{differ:,} of {total:,} texts differ" if differ else f"all {total:,} texts: identical spans")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
