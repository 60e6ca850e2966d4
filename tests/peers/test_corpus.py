"""Precision / recall on the hand-labelled corpus (tests/data/peers). The held-back reports were
never used to tune the rules; their thresholds sit a few points under the measured figures
(docs/peers.md gives the numbers)."""
from zoneops.peers.evaluate import evaluate, load_corpus


def test_corpus_is_large_enough_and_not_the_seeds():
    corpus = load_corpus()
    assert len(corpus) >= 10
    assert sum(len(r["labels"]) for r in corpus) >= 150
    assert sum(1 for r in corpus if r["held_back"]) >= 3
    for r in corpus:
        assert r["header"].get("source", "").startswith("http"), r["slug"]
        assert "jiangshan" not in r["slug"] and "yongkang" not in r["slug"]


def test_held_back_reports():
    _, total = evaluate([r for r in load_corpus() if r["held_back"]])
    assert total.labelled >= 100
    assert total.precision >= 0.95, total.as_dict()
    assert total.recall >= 0.95, total.as_dict()


def test_development_reports():
    _, total = evaluate([r for r in load_corpus() if not r["held_back"]])
    assert total.precision >= 0.95 and total.recall >= 0.95, total.as_dict()
