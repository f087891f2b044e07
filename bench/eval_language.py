"""Message language (transforms.text.detect_language): accuracy per language and messages per second.

    python -m bench.eval_language [--per-language N] [--json PATH]

Data, all real text with a known language, none of it used to write the detector's rules:
- translated software messages from the machine's gettext catalogs (/usr/share/locale/<lang>/LC_MESSAGES/*.mo,
  Debian's packages): N messages of 25-300 characters per language, format directives removed, and as many
  of their English originals; the languages found there among fr de es it pt nl ru pl sv ja zh_CN ko uk tr
  cs da fi ro hu el vi id ca;
- English chat turns: OpenAssistant (../shared/data/oasst_en_100_tree.jsonl) and the uss dialogues;
- Chinese social-media sentences: Weibo NER dev (characters joined back).
Per gold language: share right, share "und" (undetermined) and share wrong. Throughput is messages/s over
the OpenAssistant messages as they are (mean ~540 characters), best of three passes, model loaded before.

To measure an older tree, run this file by path with that tree first on the path:
`PYTHONPATH=/tmp/base64 python bench/eval_language.py` (before this detector, Latin script was all "en").
"""

from __future__ import annotations

import argparse
import gettext
import json
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from transforms.text import detect_language

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LOCALES = Path("/usr/share/locale")
# Catalog folder -> ISO 639-1 code.
CATALOGS = {"fr": "fr", "de": "de", "es": "es", "it": "it", "pt": "pt", "nl": "nl", "ru": "ru", "pl": "pl",
            "sv": "sv", "ja": "ja", "zh_CN": "zh", "ko": "ko", "uk": "uk", "tr": "tr", "cs": "cs", "da": "da",
            "fi": "fi", "ro": "ro", "hu": "hu", "el": "el", "vi": "vi", "id": "id", "ca": "ca"}
# printf/brace directives, mnemonic underscores and escapes: not words of any language.
_DIRECTIVE = re.compile(r"%[-+ #0-9.*]*[a-zA-Z]|\{[^}]*\}|_|\\n|&")


def _clean(text: str) -> str | None:
    text = " ".join(_DIRECTIVE.sub(" ", text).split())
    return text if 25 <= len(text) <= 300 and sum(c.isalpha() for c in text) > 15 else None


def catalog_messages(per_language: int, seed: int = 7) -> list[tuple[str, str]]:
    """(gold language, text) from the gettext catalogs, `per_language` each, plus as many English originals."""
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    originals: set[str] = set()
    for folder, code in CATALOGS.items():
        texts: set[str] = set()
        for mo in sorted((LOCALES / folder / "LC_MESSAGES").glob("*.mo")):
            if mo.name.startswith("iso_"):  # country and language names: single words
                continue
            try:
                catalog = gettext.GNUTranslations(mo.open("rb"))._catalog  # noqa: SLF001 (the parsed .mo)
            except (OSError, ValueError):
                continue
            for key, value in catalog.items():
                key = key[0] if isinstance(key, tuple) else key
                if isinstance(key, str) and isinstance(value, str) and key and value != key:
                    if (text := _clean(value)) is not None:
                        texts.add(text)
                    if (original := _clean(key)) is not None:
                        originals.add(original)
        rows += [(code, t) for t in rng.sample(sorted(texts), min(per_language, len(texts)))]
    rows += [("en", t) for t in rng.sample(sorted(originals), min(per_language * 2, len(originals)))]
    return rows


def oasst_messages() -> list[str]:
    texts: list[str] = []

    def walk(message: dict) -> None:
        texts.append(message["text"])
        for reply in message.get("replies", []):
            walk(reply)

    for line in (DATA / "oasst_en_100_tree.jsonl").read_text(encoding="utf-8").splitlines():
        walk(json.loads(line)["prompt"])
    return texts


def uss_turns(limit: int = 3000) -> list[str]:
    turns = []
    for name in ("SGD", "MWOZ", "ReDial", "CCPE"):
        for line in (DATA / "uss" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0] in ("USER", "SYSTEM"):
                turns.append(parts[1])
    return turns[::max(1, len(turns) // limit)]


def weibo_sentences() -> list[str]:
    sentences, current = [], []
    raw = (DATA / "weiboner" / "weiboNER.conll.dev").read_bytes().decode("utf-8", "replace")  # a few bad bytes
    for line in raw.splitlines():
        if line.strip():
            current.append(line.split()[0][0])
        elif current:
            sentences.append("".join(current))
            current = []
    return sentences


def evaluate(rows: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for gold, text in rows:
        found = detect_language(text)
        outcome[gold]["und" if found == "und" else "right" if found == gold else "wrong"] += 1
    return {gold: {k: round(c[k] / sum(c.values()), 3) for k in ("right", "und", "wrong")} | {"n": sum(c.values())}
            for gold, c in sorted(outcome.items())}


def throughput(texts: list[str]) -> float:
    detect_language("warm up: load the model")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            detect_language(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=150)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    catalogs = catalog_messages(args.per_language) if LOCALES.is_dir() else []
    oasst = oasst_messages()
    sets = {"gettext catalogs": catalogs, "English chat (OpenAssistant + uss)": [("en", t) for t in oasst + uss_turns()],
            "Chinese (Weibo NER dev)": [("zh", t) for t in weibo_sentences()]}
    report: dict = {"sets": {}, "messages_per_second": round(throughput(oasst))}
    for name, rows in sets.items():
        result = evaluate(rows)
        report["sets"][name] = result
        total = sum(r["n"] for r in result.values())
        right = sum(r["right"] * r["n"] for r in result.values()) / max(total, 1)
        print(f"{name}: {total} messages, {right:.1%} right")
        for gold, r in result.items():
            print(f"  {gold:>3}  n={r['n']:<5} right {r['right']:.3f}  und {r['und']:.3f}  wrong {r['wrong']:.3f}")
    print(f"throughput: {report['messages_per_second']:,} messages/s (OpenAssistant messages, mean "
          f"{sum(map(len, oasst)) / len(oasst):.0f} characters)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
