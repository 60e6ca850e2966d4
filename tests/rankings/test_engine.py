"""The pure ranking arithmetic (rankings/engine.py)."""
import pytest

from zoneops.rankings import engine as e


def test_rank_normalisation_best_100_evenly_spaced_and_ties_share_best_rank():
    s = e.normalise({"a": 30, "b": 20, "c": 20, "d": 10}, e.RANK)
    assert s["a"] == (100.0, "")
    assert s["b"] == s["c"] == (75.0, "")  # ranks 2, 2 → 100 × (4 − 2 + 1) / 4
    assert s["d"] == (25.0, "")


def test_rank_lower_is_better_inverts():
    s = e.normalise({"a": 1.0, "b": 3.0, "c": 2.0}, e.RANK, e.LOWER)
    assert [s[k][0] for k in "acb"] == [100.0, pytest.approx(66.667, abs=0.01), pytest.approx(33.333, abs=0.01)]


def test_minmax_and_all_equal():
    s = e.normalise({"a": 10, "b": 15, "c": 20}, e.MINMAX)
    assert (s["a"][0], s["b"][0], s["c"][0]) == (0.0, 50.0, 100.0)
    low = e.normalise({"a": 10, "b": 15, "c": 20}, e.MINMAX, e.LOWER)
    assert (low["a"][0], low["c"][0]) == (100.0, 0.0)
    assert {k: v[0] for k, v in e.normalise({"a": 7, "b": 7}, e.MINMAX).items()} == {"a": 100.0, "b": 100.0}


def test_one_zone_gets_100_with_every_method():
    for method in (e.RANK, e.MINMAX):
        assert e.normalise({"only": 3.2}, method) == {"only": (100.0, "")}


def test_missing_values_score_zero_with_a_reason_and_do_not_count():
    s = e.normalise({"a": 10, "b": None, "c": 20}, e.RANK)
    assert s["b"] == (0.0, e.MISSING)
    assert s["c"][0] == 100.0 and s["a"][0] == 50.0  # n = 2, not 3
    mm = e.normalise({"a": None, "b": 5}, e.MINMAX)
    assert mm == {"a": (0.0, e.MISSING), "b": (100.0, "")}
    assert e.normalise({"a": None}, e.RANK) == {"a": (0.0, e.MISSING)}


def test_against_target_caps_and_handles_missing_targets():
    s = e.normalise({"a": 60, "b": 150, "c": 10, "d": 5}, e.TARGET, targets={"a": 100, "b": 100, "c": None, "d": 0},
                    cap=1.2)
    assert s["a"] == (60.0, "")
    assert s["b"][0] == pytest.approx(120.0)  # 150 % capped at 120 %
    assert s["c"] == (0.0, e.NO_TARGET) and s["d"] == (0.0, e.NO_TARGET)
    lower = e.normalise({"a": 50, "b": 200}, e.TARGET, e.LOWER, targets={"a": 100, "b": 100}, cap=1.2)
    assert lower["a"][0] == pytest.approx(120.0) and lower["b"][0] == pytest.approx(50.0)


def test_weighted_scores_and_total():
    items = [e.Item("gdp", "size", 2, method=e.MINMAX), e.Item("tax", "size", 1, method=e.MINMAX),
             e.Item("growth", "speed", 1, method=e.RANK)]
    values = {"gdp": {"A": 100, "B": 50}, "tax": {"A": 0, "B": 10}, "growth": {"A": 5, "B": None}}
    out = e.score(items, {"size": 60, "speed": 40}, values)
    # A: size = (100×2 + 0×1)/3 = 66.67; speed = 100 → total = 0.6 × 66.67 + 0.4 × 100 = 80
    assert out["A"]["dimensions"] == {"size": 66.67, "speed": 100.0}
    assert out["A"]["total"] == pytest.approx(80.0, abs=0.01)
    # B: size = (0×2 + 100×1)/3 = 33.33; speed 0 (missing) → 20
    assert out["B"]["total"] == pytest.approx(20.0, abs=0.01)
    assert [r["reason"] for r in out["B"]["items"]] == ["", "", e.MISSING]


def test_competition_ranks_with_ties():
    assert e.rank_totals({"a": 90, "b": 80, "c": 80, "d": 70}) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert e.rank_totals({"a": 50.001, "b": 50.004}) == {"a": 1, "b": 1}  # equal to 2 decimals
    assert e.rank_totals({"a": 5, "b": 5, "c": 5}) == {"a": 1, "b": 1, "c": 1}


def test_movement():
    assert e.movement(1, 3) == ("up", 2, "↑2")
    assert e.movement(4, 3) == ("down", 1, "↓1")
    assert e.movement(2, 2) == ("same", 0, "—")
    assert e.movement(2, None) == ("new", None, "新")


def test_bottom_places_flag_and_ties_at_the_border():
    ranks = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    assert e.bottom_flags(ranks, 2) == {"d", "e"}
    assert e.bottom_flags(ranks, 0) == set()
    assert e.bottom_flags({"a": 1, "b": 2, "c": 3, "d": 3}, 1) == {"c", "d"}  # tied for last place
    assert e.bottom_flags({"a": 1, "b": 1}, 1) == {"a", "b"}
    assert e.bottom_flags({"a": 1}, 5) == {"a"}
    assert e.bottom_flags({}, 3) == set()


@pytest.mark.parametrize("text,granularity,expected", [
    ("2024-06", e.MONTH, (2024, 6)), ("2024-6", e.MONTH, (2024, 6)), (" 2024-12 ", e.MONTH, (2024, 12)),
    ("2024-Q2", e.QUARTER, (2024, 6)), ("2024q4", e.QUARTER, (2024, 12)), ("2024", e.YEAR, (2024, 12)),
    ("２０２４-０６", e.MONTH, (2024, 6)),  # full-width digits from a Chinese IME
])
def test_parse_period(text, granularity, expected):
    assert e.parse_period(text, granularity) == expected


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "../", "2024-06/../../etc", "", "x" * 100_000,
                                  "1899-01", "2024-Q2", "2024-06; DROP TABLE", "2024-1e1"])
def test_parse_period_refuses_bad_input_with_a_chinese_message(text):
    with pytest.raises(e.PeriodError) as info:
        e.parse_period(text, e.MONTH)
    assert "期次" in str(info.value) and len(str(info.value)) < 80


def test_period_keys_and_previous():
    assert e.period_key(2024, 6) == "2024-06" and e.period_key(2024, 6, e.QUARTER) == "2024-Q2"
    assert e.period_key(2024, 12, e.YEAR) == "2024"
    assert e.previous_period(2024, 1) == (2023, 12)
    assert e.previous_period(2024, 3, e.QUARTER) == (2023, 12)
    assert e.previous_period(2024, 12, e.YEAR) == (2023, 12)
    assert e.snap(2024, 5, e.QUARTER) == (2024, 6)
