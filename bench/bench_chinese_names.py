"""Throughput of the Chinese person-name recognizer alone, on real Weibo sentences.

    python -m bench.bench_chinese_names [--repeat 3] [--weibo-dir DIR]

Runs :meth:`ChinesePersonRecognizer.find` (rules, LAC, the learned tagger) over every sentence of
Weibo NER train + dev (1,620 texts), with the jieba cut cache off so that every pass does the whole
work. Reports texts per CPU second (``process_time``) of each pass and their median, and the
one-off load time apart (jieba's dictionary, the character statistics, LAC, the CRF model).
Nothing asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import List

from bench.eval_weiboner import DATA_DIR, load_split


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over the sentences (default 3)")
    ap.add_argument("--weibo-dir", type=Path, default=DATA_DIR, help="folder of weiboNER.conll.{train,dev}")
    args = ap.parse_args(argv)
    texts = [s.text for split in ("train", "dev") for s in load_split(split, args.weibo_dir)]

    from transforms.scrub.chinese_names import ChinesePersonRecognizer

    started = time.process_time()
    recognizer = ChinesePersonRecognizer(cache_size=0)
    recognizer.load()
    recognizer.find(texts[0])  # LAC and the CRF load on first use
    print(f"load: {time.process_time() - started:.2f} CPU s")
    rates = []
    for _ in range(args.repeat):
        started = time.process_time()
        names = sum(len(recognizer.find(text)) for text in texts)
        rates.append(len(texts) / (time.process_time() - started))
        print(f"{len(texts):,} texts, {names:,} names: {rates[-1]:,.0f} texts per CPU s")
    print(f"median: {statistics.median(rates):,.0f} texts per CPU s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
