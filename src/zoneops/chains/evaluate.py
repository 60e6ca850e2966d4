"""Precision and recall of the matcher on a labelled file (tests/data/chains/firms.psv). Pure."""
from pathlib import Path

from . import engine, treeio

ABBREV = {"A": "汽车整车及零部件", "N": "新能源汽车", "R": "再生金属", "H": "五金智造", "B": "新能源电池及材料",
          "M": "数控机床"}


def read_labelled(path):
    firms = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|")
        if len(parts) != 4:
            raise ValueError(f"{path}:{n}: expected 4 fields, got {len(parts)}")
        name, code, scope, labels = (p.strip() for p in parts)
        truth = set()
        for lab in filter(None, (x.strip() for x in labels.split(";"))):
            chain, _, seg = lab.partition(":")
            truth.add((ABBREV[chain], seg))
        firms.append({"name": name, "code": code, "scope": scope, "truth": truth, "line": n})
    return firms


def _ancestors(tree):
    parent = {s["name"]: s["parent"] for s in tree["segments"]}
    out = {}
    for name in parent:
        chain, p = [], parent[name]
        while p:
            chain.append(p)
            p = parent.get(p)
        out[name] = set(chain)
    return out


def evaluate(firms, trees=None):
    """{chain: {"tp", "fp", "fn", "precision", "recall"}} plus "_all"; a prediction on the same path
    as a label (the label's ancestor or descendant) counts as correct."""
    trees = trees or [t for _, t in treeio.templates()]
    matcher = engine.Matcher([treeio.chain_spec(t) for t in trees])
    anc = {t["name"]: _ancestors(t) for t in trees}
    known = {(t["name"], s["name"]) for t in trees for s in t["segments"]}
    res = {t["name"]: {"tp": 0, "fp": 0, "fn": 0, "errors": []} for t in trees}
    for f in firms:
        bad = f["truth"] - known
        if bad:
            raise ValueError(f"line {f['line']}: unknown segments {bad}")
        pred = {(m.chain, m.segment) for m in matcher.match(f["name"], "", f["code"], f["scope"])}
        for chain in res:
            p = {s for c, s in pred if c == chain}
            t = {s for c, s in f["truth"] if c == chain}

            def related(a, b):
                return a == b or a in anc[chain].get(b, ()) or b in anc[chain].get(a, ())

            tp = sum(1 for x in p if any(related(x, y) for y in t))
            fn = sum(1 for y in t if not any(related(x, y) for x in p))
            r = res[chain]
            r["tp"] += tp
            r["fp"] += len(p) - tp
            r["fn"] += fn
            if len(p) - tp or fn:
                r["errors"].append((f["name"], sorted(p), sorted(t)))
    total = {"tp": 0, "fp": 0, "fn": 0}
    for r in res.values():
        for k in total:
            total[k] += r[k]
    res["_all"] = total
    for r in res.values():
        r["precision"] = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
        r["recall"] = (r["tp"] / (r["tp"] + r["fn"])) if r["tp"] + r["fn"] else 1.0
    return res
