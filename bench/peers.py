"""Benchmark of the peers extractor (`make bench`; bench/run.py runs this file, --quick for CI).

- throughput: reports per second (and characters per second) over the hand-labelled corpus
  tests/data/peers (11 public reports, none of them the seeds), and over that corpus repeated
  to ≥ 1 MB of text (as one long text, so the linear-time claim is measured);
- precision / recall on all labelled reports and on the held-back ones (never used to tune the
  rules); matching rule in zoneops.peers.engine.score;
- baseline in the same run: a naive regex extractor (a number followed by a unit; kind guessed
  from the unit alone), timed and scored the same way.
Pure Python, no database.
"""
import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SRC, emit, log  # noqa: E402

sys.path.insert(0, str(SRC))

from zoneops.peers.engine import normalise  # noqa: E402
from zoneops.peers.evaluate import evaluate, load_corpus  # noqa: E402
from zoneops.peers.extract import extract  # noqa: E402

NAIVE = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|元|亿美元|万美元|平方公里|公顷|平方米|万亩|亩|万吨|吨|万人|人|%|家|个|项|户|天|年)")
NAIVE_COUNT = {"家", "个", "项", "户", "人", "万人"}


def naive(text, date=None):
    out = []
    for m in NAIVE.finditer(text):
        value, unit = float(m.group(1)), m.group(2)
        kind = ("growth" if unit == "%" else "count" if unit in NAIVE_COUNT else
                "duration" if unit in ("天", "年") else "level")
        nv, nu = normalise(value, unit, kind)
        out.append({"metric": "", "value": value, "unit": unit, "norm_value": nv, "norm_unit": nu, "kind": kind,
                    "period": ""})
    return out


def ours(text, date=None):
    return [f.as_dict() for f in extract(text, date)]


def timed(fn, texts, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, date in texts:
            fn(text, date)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    corpus = load_corpus()
    texts = [(r["text"], r["header"].get("date") or None) for r in corpus]
    chars = sum(len(t) for t, _ in texts)
    repeat = 2 if args.quick else 5
    log(f"corpus: {len(texts)} reports, {chars} characters")
    for name, fn in (("rules", ours), ("naive_regex", naive)):
        dt = timed(fn, texts, repeat)
        emit(feature="peers", figure="extract_reports_per_s", extractor=name, value=round(len(texts) / dt, 1),
             unit="reports/s", reports=len(texts), chars=chars, seconds=round(dt, 4))
    target = 100_000 if args.quick else 1_000_000
    big = "\n".join(t for t, _ in texts)
    big = (big + "\n") * (target // len(big.encode()) + 1)
    nbytes = len(big.encode())
    for name, fn in (("rules", ours), ("naive_regex", naive)):
        t0 = time.perf_counter()
        n = len(fn(big, "2023-01-01"))
        dt = time.perf_counter() - t0
        emit(feature="peers", figure="extract_1mb_text", extractor=name, value=round(nbytes / 1e6 / dt, 3),
             unit="MB/s", bytes=nbytes, chars=len(big), figures=n, seconds=round(dt, 3),
             reports_per_s=round(len(big) / (chars / len(texts)) / dt, 1))
    for subset, rows in (("all", corpus), ("held_back", [r for r in corpus if r["held_back"]]),
                         ("dev", [r for r in corpus if not r["held_back"]])):
        for name, fn in (("rules", ours), ("naive_regex", naive)):
            _, total = evaluate(rows, fn)
            d = total.as_dict()
            emit(feature="peers", figure="extract_precision_recall", extractor=name, subset=subset,
                 reports=len(rows), **d)


if __name__ == "__main__":
    main()
