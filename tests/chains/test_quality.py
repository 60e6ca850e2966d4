"""Precision and recall of the matcher on the hand-labelled firms (tests/data/chains/firms.psv).

The floors are what the rules reach today minus a small margin (see docs/chains.md for the
figures); they guard against regressions. The labelled set is a measure: keywords were written from
domain knowledge, not from these lines."""
from pathlib import Path

import pytest

from zoneops.chains import evaluate

DATA = Path(__file__).resolve().parent.parent / "data" / "chains" / "firms.psv"
# chain: (precision floor, recall floor)
FLOORS = {"汽车整车及零部件": (0.85, 0.75), "新能源汽车": (0.85, 0.82), "再生金属": (0.83, 0.75),
          "五金智造": (0.78, 0.90), "新能源电池及材料": (0.78, 0.90), "数控机床": (0.82, 0.95), "_all": (0.83, 0.85)}


@pytest.fixture(scope="module")
def result():
    return evaluate.evaluate(evaluate.read_labelled(DATA))


def test_the_labelled_set_is_big_enough_and_covers_every_chain():
    firms = evaluate.read_labelled(DATA)
    assert len(firms) >= 400
    per_chain = {c: sum(1 for f in firms if any(x == c for x, _ in f["truth"])) for c in evaluate.ABBREV.values()}
    assert min(per_chain.values()) >= 40, per_chain
    assert sum(1 for f in firms if not f["truth"]) >= 30  # firms on no chain: precision is measured too


@pytest.mark.parametrize("chain", list(FLOORS))
def test_precision_and_recall_floors(result, chain):
    r = result[chain]
    p_floor, r_floor = FLOORS[chain]
    assert r["precision"] >= p_floor, f"{chain}: precision {r['precision']:.3f} < {p_floor}"
    assert r["recall"] >= r_floor, f"{chain}: recall {r['recall']:.3f} < {r_floor}"
