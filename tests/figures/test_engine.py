"""figures/engine.py: 当月 and 累计, 同比 across year ends, missing and zero/negative bases, target
progress and RAG (thresholds, direction lower), periods."""
from decimal import Decimal as D

import pytest

from zoneops.figures import engine


def test_month_value_from_cumulative_series():
    assert engine.month_value(D(100), None, 1) == (D(100), None)  # January is its own cumulative
    assert engine.month_value(D(250), D(100), 2) == (D(150), None)
    value, reason = engine.month_value(D(250), None, 3)  # February missing: no guess
    assert value is None and "上月" in reason
    assert engine.month_value(None, D(1), 3) == (None, engine.NO_VALUE)
    with pytest.raises(ValueError):
        engine.month_value(D(1), D(1), 13)


def test_month_values_and_cumulate_round_trip():
    cum = {1: D(10), 2: D(25), 3: D(45), 5: D(90)}
    assert engine.month_values(cum) == {1: D(10), 2: D(15), 3: D(20), 5: None}  # April missing
    assert engine.cumulate({1: D(10), 2: D(15), 3: D(20)}) == {1: D(10), 2: D(25), 3: D(45)}
    assert engine.cumulate({1: D(1), 3: D(2)}) == {1: D(1), 2: None, 3: None}  # a gap breaks the sum
    assert engine.cumulate({}) == {}


def test_yoy_on_cumulative_series_across_year_end():
    """2024-01 compares with 2023-01 (January's cumulative), never with 2023-12."""
    cum_2023 = {1: D(80), 12: D(1000)}
    cum_2024 = {1: D(100)}
    pct, reason = engine.yoy(cum_2024[1], cum_2023[1])
    assert (pct, reason) == (25.0, None)
    assert engine.yoy(cum_2024[1], cum_2023[12])[0] != pct
    # the seed: 固投 38.5 亿元, +40.9 % → the base was 27.32 亿元
    assert engine.yoy(D("385000"), D("273243"))[0] == 40.9


def test_yoy_missing_zero_and_negative_bases():
    assert engine.yoy(D(1), None) == (None, engine.NO_BASE)
    assert engine.yoy(None, D(1)) == (None, engine.NO_VALUE)
    assert engine.yoy(D(5), D(0)) == (None, engine.ZERO_BASE)
    pct, reason = engine.yoy(D(-20), D(-10))  # a loss that doubled is a fall, flagged
    assert pct == -100.0 and reason == engine.NEGATIVE_BASE
    assert engine.yoy(D(10), D(-10)) == (200.0, engine.NEGATIVE_BASE)
    assert engine.yoy(D(90), D(100)) == (-10.0, None)
    assert engine.mom(D(1), D(0))[1] == "上期为零，无法计算环比"
    assert engine.points(D("7.5"), D("6.9")) == (0.6, None)


def test_progress_against_time_elapsed():
    # the example: 40 % of the target in July is behind (elapsed 58.33 %)
    p = engine.progress(D(40), D(100), 7, engine.CUMULATIVE, engine.HIGHER)
    assert p == {"progress": 40.0, "elapsed": 58.33, "status": engine.RED, "reason": None}
    assert engine.progress(D(50), D(100), 7, engine.CUMULATIVE)["status"] == engine.AMBER  # 8.3 points below
    assert engine.progress(D(59), D(100), 7, engine.CUMULATIVE)["status"] == engine.GREEN
    assert engine.progress(D(100), D(100), 12, engine.CUMULATIVE)["status"] == engine.GREEN
    # a level (point-in-time) is judged against the whole target
    assert engine.progress(D(95), D(100), 3, engine.POINT)["status"] == engine.AMBER
    assert engine.progress(D(85), D(100), 3, engine.POINT)["status"] == engine.RED


def test_progress_thresholds_are_configurable_and_exact_at_the_edge():
    assert engine.status(48.33, 58.33) == engine.AMBER  # exactly 10 points below
    assert engine.status(48.32, 58.33) == engine.RED
    assert engine.status(48.0, 58.33, amber_band=20) == engine.AMBER
    assert engine.status(58.33, 58.33) == engine.GREEN


def test_direction_lower_inverts():
    cap = engine.progress(D(65), D(100), 7, engine.CUMULATIVE, engine.LOWER)  # used 65 % of a cap by July
    assert cap["status"] == engine.AMBER
    assert engine.progress(D(50), D(100), 7, engine.CUMULATIVE, engine.LOWER)["status"] == engine.GREEN
    assert engine.progress(D(80), D(100), 7, engine.CUMULATIVE, engine.LOWER)["status"] == engine.RED
    assert engine.progress(D("0.46"), D("0.44"), 12, engine.POINT, engine.LOWER)["status"] == engine.AMBER
    assert engine.progress(D("0.40"), D("0.44"), 12, engine.POINT, engine.LOWER)["status"] == engine.GREEN


def test_progress_without_target_or_value():
    assert engine.progress(D(1), None, 5, engine.CUMULATIVE)["reason"] == engine.NO_TARGET
    assert engine.progress(D(1), D(0), 5, engine.CUMULATIVE)["reason"] == engine.BAD_TARGET
    assert engine.progress(D(1), D(-3), 5, engine.CUMULATIVE)["status"] is None
    assert engine.progress(None, D(3), 5, engine.CUMULATIVE)["reason"] == engine.NO_VALUE
    with pytest.raises(ValueError):
        engine.elapsed(0, engine.CUMULATIVE)


@pytest.mark.parametrize("text,expected", [("2023-12", (2023, 12)), ("2024-1", (2024, 1)), ("202407", (2024, 7)),
                                           ("2024/07", (2024, 7)), (" 2024-07 ", (2024, 7))])
def test_parse_period(text, expected):
    assert engine.parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "2024", "2024-13", "1800-01", "abc-de", "2024-07-01", "x" * 10000,
                                  "<script>-1"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError, match="期间"):
        engine.parse_period(text)


def test_previous_month_across_year_end():
    assert engine.previous_month(2024, 1) == (2023, 12)
    assert engine.previous_month(2024, 5) == (2024, 4)
