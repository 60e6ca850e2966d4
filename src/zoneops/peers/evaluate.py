"""Precision / recall of the extractor on the hand-labelled corpus (tests/data/peers/).

    python -m zoneops.peers.evaluate [--dir tests/data/peers] [--held-back|--dev] [-v]

Each report is `<slug>.txt` (a `# key: value` header, then the text) and `<slug>.yaml` (the
figures labelled by reading). Matching rule: see engine.score (same kind, normalised value
within 0.5 %; the metric is scored separately by character overlap).
"""
import argparse
import pathlib
import re
import sys

import yaml

from .engine import Score, score
from .extract import extract

DEFAULT_DIR = pathlib.Path(__file__).resolve().parents[3] / "tests" / "data" / "peers"


def read_report(path):
    """(header dict, text) of a corpus .txt file."""
    header, body = {}, []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines(keepends=True):
        m = re.match(r"^# (\w+): ?(.*)$", line)
        if m and not body:
            header[m.group(1)] = m.group(2).strip()
        elif line.startswith("# ") and not body:
            continue
        else:
            body.append(line)
    return header, "".join(body)


def load_corpus(directory=DEFAULT_DIR):
    out = []
    for txt in sorted(pathlib.Path(directory).glob("*.txt")):
        labels = yaml.safe_load(txt.with_suffix(".yaml").read_text(encoding="utf-8"))
        header, text = read_report(txt)
        out.append({"slug": txt.stem, "header": header, "text": text, "held_back": bool(labels.get("held_back")),
                    "labels": labels["figures"]})
    return out


def evaluate(corpus, extractor=None):
    """{slug: Score} and the total Score, using `extractor(text, date) -> [dict]`."""
    extractor = extractor or (lambda text, date: [f.as_dict() for f in extract(text, date)])
    per, total = {}, Score()
    for r in corpus:
        s = score(r["labels"], extractor(r["text"], r["header"].get("date") or None))
        per[r["slug"]] = s
        total.add(s)
    return per, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--held-back", action="store_true", help="only the held-back reports")
    ap.add_argument("--dev", action="store_true", help="only the reports the rules were tuned on")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    args = ap.parse_args(argv)
    corpus = load_corpus(args.dir)
    if args.held_back:
        corpus = [r for r in corpus if r["held_back"]]
    if args.dev:
        corpus = [r for r in corpus if not r["held_back"]]
    per, total = evaluate(corpus)
    for slug, s in per.items():
        d = s.as_dict()
        print(f"{slug:28s} labelled {d['labelled']:3d} extracted {d['extracted']:3d} "
              f"P {d['precision']:.3f} R {d['recall']:.3f} (with metric P {d['precision_with_metric']:.3f} "
              f"R {d['recall_with_metric']:.3f}) period {d['period_agreement']:.2f}")
        if args.verbose:
            for lab in s.misses:
                print("   MISS ", lab)
            for f in s.extras:
                print("   EXTRA", {k: f[k] for k in ("metric", "value", "unit", "kind", "period")},
                      f["sentence"][:40])
    print("TOTAL", total.as_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
