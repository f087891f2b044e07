"""Trains the Chinese name tagger (transforms/scrub/chinese_name_tagger.py) on Weibo NER's train split.

    python -m bench.train_chinese_names [--folds 5] [--seed 13] [--max-overflag 0.06] [--out PATH]

Data: ``../shared/data/weiboner/weiboNER.conll.train`` (hltcoe/golden-horse, CC BY-SA 3.0); the dev
split is never read here (``python -m bench.eval_weiboner`` reports on it afterwards).

1. Features per character (``char_features``) from jieba's cut and the rules of
   ``ChinesePersonRecognizer`` (run without the tagger); labels are the BIO tags of every entity type
   of the data.
2. ``--folds``-fold cross-validation on train (sentences shuffled with ``--seed``): a CRF is trained on
   the other folds and scores the held-out sentences. For each setting of the recognizer's decision
   (``THRESHOLD``, ``PEAK``, ``RULE_VETO`` of the tagger module) the script prints the
   cross-validated name recall, over-flag rate and PERSON precision (as ``bench.eval_weiboner``
   counts them), and picks the highest-recall setting whose over-flag rate stays under
   ``--max-overflag``; the module must hold that setting (the script says when it does not).
   Why 0.06 and not the 5% goal: on train the rules alone already flag 5.0% of sentences outside
   every entity, and most of those spans are real names and usernames the annotators left
   unmarked; the budget lets the tagger add 1 point of such sentences. Dev (4-5% for the chosen
   setting) is the check.
3. The final CRF is trained on the whole train split and written to ``--out`` (default: the
   packaged model). CRFsuite's L-BFGS is deterministic, so the same data, code and seed give the
   same model. About 2-3 minutes on one core.

Dependency: ``python-crfsuite`` (training and tagging).
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bench.eval_weiboner import DATA_DIR, Sentence, evaluate, load_split

CRF_PARAMS = {
    "c1": 0.05,  # L1: keeps the model small (most of the window features get weight 0)
    "c2": 0.01,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
# Settings of the decision tried by cross-validation (the tagger module holds the chosen ones).
THRESHOLDS = (0.2, 0.3, 0.4)
PEAKS = (0.5, 0.6, 0.7, 0.8)
RULE_VETOES = (0.02, 0.05, 0.1, 0.2, 1.01)  # 1.01: rules other than RULES_BEYOND_TAGGER never stand

def bio_labels(sentence: Sentence) -> List[str]:
    labels = ["O"] * len(sentence.text)
    for kind, start, end in sentence.gold:
        labels[start] = f"B-{kind}"
        for i in range(start + 1, end):
            labels[i] = f"I-{kind}"
    return labels


def train_crf(items: Sequence, labels: Sequence[List[str]], path: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(CRF_PARAMS)
    for x, y in zip(items, labels):
        trainer.append(x, y)
    trainer.train(str(path))


def name_probabilities(model: Path, items: Sequence) -> List[List[float]]:
    import pycrfsuite

    from transforms.scrub.chinese_name_tagger import NAME_LABELS

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    labels = [label for label in NAME_LABELS if label in tagger.labels()]
    out = []
    for x in items:
        tagger.set(x)
        out.append([sum(tagger.marginal(label, i) for label in labels) for i in range(len(x))])
    return out


def main(argv: List[str] | None = None) -> int:
    import pycrfsuite

    from transforms.scrub import chinese_name_tagger as tagger_module
    from transforms.scrub.chinese_name_tagger import (char_features, latin_given_name_lookup, name_spans,
                                                      rule_stands)
    from transforms.scrub.chinese_lexical import analyse
    from transforms.scrub.chinese_names import ChinesePersonRecognizer, rule_of
    from transforms.scrub.ner_gate import given_names

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(DATA_DIR))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-overflag", type=float, default=0.06,
                    help="over-flag rate (cross-validated on train) the threshold must keep under")
    ap.add_argument("--out", default=str(tagger_module.MODEL_PATH))
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    sentences = load_split("train", Path(a.data_dir))
    rules = ChinesePersonRecognizer(tagger=False)
    rules.load()
    latin = latin_given_name_lookup(given_names())
    items, labels, rule_spans, foreign = [], [], [], []
    for s in sentences:
        tokens = [t for run in rules.tokens(s.text) for t in run]
        found = [(r.start, r.end, rule_of(r)) for r in rules.find(s.text)]
        rule_spans.append(found)
        items.append(pycrfsuite.ItemSequence(
            char_features(s.text, tokens, found, rules.stats, rules.freq, rules.word_tags, latin,
                          analyse(s.text))))
        labels.append(bio_labels(s))
        foreign.append(rules.foreign_words(tokens))
    print(f"{len(sentences)} train sentences, features in {time.perf_counter() - t0:.0f} s")

    order = list(range(len(sentences)))
    random.Random(a.seed).shuffle(order)
    probabilities: Dict[int, List[float]] = {}
    model = Path(a.out).with_suffix(".fold.tmp")
    for fold in range(a.folds):
        held_out = set(order[fold::a.folds])
        train_ids = [i for i in range(len(sentences)) if i not in held_out]
        train_crf([items[i] for i in train_ids], [labels[i] for i in train_ids], model)
        test_ids = sorted(held_out)
        for i, p in zip(test_ids, name_probabilities(model, [items[i] for i in test_ids])):
            probabilities[i] = p
        print(f"fold {fold + 1}/{a.folds} done, {time.perf_counter() - t0:.0f} s")
    model.unlink(missing_ok=True)

    def figures(threshold: float, peak: float, veto: float) -> dict:
        """Cross-validated figures of the recognizer's decision (tagger spans + standing rules)."""
        predictions = []
        for i, s in enumerate(sentences):
            p = probabilities[i]
            spans = [(b, e) for b, e, _ in name_spans(s.text, p, latin, threshold, peak)
                     if rules.may_be_name(s.text, b, e, foreign[i])]
            spans += [(b, e) for b, e, kind in rule_spans[i] if rule_stands(kind, b, e, p, veto)]
            predictions.append([("PERSON", b, e) for b, e in sorted(set(spans))])
        answers = iter(predictions)
        return evaluate(sentences, lambda _text: next(answers)).summary()

    rules_only = iter([[("PERSON", b, e) for b, e, _ in spans] for spans in rule_spans])
    base = evaluate(sentences, lambda _text: next(rules_only)).summary()
    print(f"\nrules alone: recall {base['name_recall']}, over-flag {base['overflag_rate']}, "
          f"precision {base['person_precision']}")
    print("\n| THRESHOLD | PEAK | RULE_VETO | name recall | over-flag | PERSON precision |\n|---|---|---|---|---|---|")
    best = None
    for threshold, peak, veto in itertools.product(THRESHOLDS, PEAKS, RULE_VETOES):
        fig = figures(threshold, peak, veto)
        print(f"| {threshold} | {peak} | {veto} | {fig['name_recall']} | {fig['overflag_rate']} "
              f"| {fig['person_precision']} |")
        if fig["overflag_rate"] <= a.max_overflag and (best is None or fig["name_recall"] > best[0]):
            best = (fig["name_recall"], threshold, peak, veto)
    shipped = (tagger_module.THRESHOLD, tagger_module.PEAK, tagger_module.RULE_VETO)
    if best is None:
        print(f"\nno setting keeps the over-flag rate under {a.max_overflag}")
    else:
        note = "" if best[1:] == shipped else f" - the module has {shipped}: set it"
        print(f"\nchosen THRESHOLD, PEAK, RULE_VETO = {best[1:]} (cross-validated recall {best[0]}){note}")

    train_crf(items, labels, Path(a.out))
    print(f"model written to {a.out} ({Path(a.out).stat().st_size // 1024} KiB), "
          f"{time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
