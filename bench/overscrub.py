"""Over-scrubbing: how much text that is not PII each scrubber replaces, on generated chat logs.

    python -m bench.overscrub [--conversations 1500] [--seed 99] [--systems ours,regex,naive]

Recall alone rewards a scrubber that replaces everything; training data pays for every
placeholder that replaced a harmless word ("### <PERSON_1>", "the capital is <LOCATION_1>").
This counts, on the distinct texts of one generated day (``flywheel.sample_logs``), the detected
spans that cover no value the generator planted, by type, with the most frequent values.
The generator plants every personal value it writes, so a span on anything else is a false
positive, except for public places and people the answers mention (Canberra, Fibonacci), which
are listed so a reader can judge. Same texts, same run, for each system (see ``bench.eval_scrub``
for the systems). Nothing asserts.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date
from typing import Dict, List

from bench.bench_scrub import _generated_day
from bench.eval_scrub import make_detector


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("--conversations", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--systems", default="ours,regex,naive")
    ap.add_argument("--top", type=int, default=8, help="most frequent values shown per type")
    a = ap.parse_args(argv)

    conversations, planted = _generated_day(date(2024, 6, 3), a.conversations, a.seed)
    values = sorted({v for v, _ in planted}, key=len, reverse=True)
    texts = list(dict.fromkeys(t for conv in conversations for t in conv if t))
    print(f"{len(texts)} distinct texts of {a.conversations} generated conversations (seed {a.seed}), "
          f"{len(values)} distinct planted values")
    for system in [s.strip() for s in a.systems.split(",") if s.strip()]:
        detect = make_detector(system)
        on_planted: Counter = Counter()
        elsewhere: Counter = Counter()
        examples: Dict[str, Counter] = {}
        chars_elsewhere = 0
        for text in texts:
            present = [v for v in values if v in text]
            for entity_type, start, end in detect(text):
                value = text[start:end]
                if any(value in v or v in value for v in present):
                    on_planted[entity_type] += 1
                else:
                    elsewhere[entity_type] += 1
                    chars_elsewhere += end - start
                    examples.setdefault(entity_type, Counter())[value.strip()[:40]] += 1
        total_chars = sum(len(t) for t in texts)
        print(f"\n{system}: {sum(on_planted.values())} spans on planted values, "
              f"{sum(elsewhere.values())} elsewhere ({chars_elsewhere / max(total_chars, 1):.2%} of the "
              f"characters replaced without cause)")
        for entity_type, n in elsewhere.most_common():
            top = ", ".join(f"{v!r} {c}" for v, c in examples[entity_type].most_common(a.top))
            print(f"  {entity_type:<18} {n:6d}  {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
