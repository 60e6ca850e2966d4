"""Pure rules: stage moves, status against plan, size bands, durations, agenda."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zoneops.projects import engine as e

T = list(e.PIPELINE)
D = dt.date


def test_forward_move_needs_the_target_date():
    with pytest.raises(e.MoveError, match="请填写“洽谈”的实际日期"):
        e.check_move(T, e.LEAD, e.TALKS, {}, {}, today=D(2024, 5, 1))
    m = e.check_move(T, e.LEAD, e.TALKS, {}, {e.TALKS: D(2024, 4, 1)}, today=D(2024, 5, 1))
    assert m.to == e.TALKS and m.dates == {e.TALKS: D(2024, 4, 1)}


def test_no_skipping_without_a_date():
    with pytest.raises(e.MoveError, match="跳过了“签约”阶段"):
        e.check_move(T, e.TALKS, e.LAND, {}, {e.LAND: D(2024, 4, 1)}, today=D(2024, 5, 1))
    m = e.check_move(T, e.TALKS, e.LAND, {}, {e.SIGNED: D(2024, 3, 1), e.LAND: D(2024, 4, 1)}, today=D(2024, 5, 1))
    assert m.dates == {e.SIGNED: D(2024, 3, 1), e.LAND: D(2024, 4, 1)}
    # a skipped stage whose date is already recorded needs none
    m = e.check_move(T, e.TALKS, e.LAND, {e.SIGNED: D(2024, 3, 1)}, {e.LAND: D(2024, 4, 1)}, today=D(2024, 5, 1))
    assert m.dates[e.SIGNED] == D(2024, 3, 1)
    assert e.missing_dates(T, e.TALKS, e.STARTED, {e.SIGNED: D(2024, 3, 1)}) == [e.LAND, e.STARTED]


def test_dates_in_order_and_not_in_the_future():
    with pytest.raises(e.MoveError, match="晚于今天"):
        e.check_move(T, e.LEAD, e.TALKS, {}, {e.TALKS: D(2024, 6, 1)}, today=D(2024, 5, 1))
    with pytest.raises(e.MoveError, match="早于上一阶段"):
        e.check_move(T, e.SIGNED, e.LAND, {e.SIGNED: D(2024, 3, 1)}, {e.LAND: D(2024, 2, 1)}, today=D(2024, 5, 1))


def test_termination_needs_a_reason_and_is_final():
    with pytest.raises(e.MoveError, match="终止原因"):
        e.check_move(T, e.TALKS, e.TERMINATED, {}, {}, reason="  ")
    assert e.check_move(T, e.TALKS, e.TERMINATED, {}, {}, reason="投资方战略调整").to == e.TERMINATED
    with pytest.raises(e.MoveError, match="已终止"):
        e.check_move(T, e.TERMINATED, e.TALKS, {}, {D: 1})


def test_no_backward_moves_and_template_respected():
    with pytest.raises(e.MoveError, match="不能退回"):
        e.check_move(T, e.SIGNED, e.TALKS, {}, {e.TALKS: D(2024, 1, 1)})
    hq = [e.LEAD, e.TALKS, e.SIGNED, e.ENTERED, e.PRODUCING]
    with pytest.raises(e.MoveError, match="没有“供地”阶段"):
        e.check_move(hq, e.SIGNED, e.LAND, {}, {e.LAND: D(2024, 1, 1)})


def test_pause_and_resume():
    m = e.check_move(T, e.SIGNED, e.PAUSED, {}, {})
    assert m.resume_from == e.SIGNED
    assert e.check_move(T, e.PAUSED, e.SIGNED, {e.SIGNED: D(2024, 1, 1)}, {}, paused_from=e.SIGNED).dates == {}
    with pytest.raises(e.MoveError, match="只能恢复到"):
        e.check_move(T, e.PAUSED, e.TALKS, {}, {}, paused_from=e.SIGNED)


def test_status_against_plan():
    planned = {e.SIGNED: D(2024, 3, 1), e.LAND: D(2024, 5, 1), e.STARTED: D(2024, 7, 1)}
    # reached 签约 early, 供地 planned in the future: 超前
    nxt, ahead = e.plan_marks(T, e.SIGNED, planned, {e.SIGNED: D(2024, 2, 20)})
    assert nxt == D(2024, 5, 1) and ahead
    assert e.plan_status(nxt, ahead, D(2024, 4, 1)) == e.AHEAD
    # the day after 供地 was due: 滞后 (on the due day itself still 正常/超前)
    assert e.plan_status(nxt, ahead, D(2024, 5, 1)) == e.AHEAD
    assert e.plan_status(nxt, ahead, D(2024, 5, 2)) == e.BEHIND
    nxt, ahead = e.plan_marks(T, e.SIGNED, planned, {e.SIGNED: D(2024, 3, 1)})
    assert not ahead and e.plan_status(nxt, ahead, D(2024, 4, 1)) == e.ON_PLAN
    assert e.plan_status(nxt, ahead, D(2024, 4, 1), e.TERMINATED) is None
    assert e.plan_marks(T, e.SIGNED, {}, {}) == (None, False)


@pytest.mark.parametrize("agreed,band", [(29_999.99, None), (30_000, "3亿以上"), (99_999, "3亿以上"),
                                         (100_000, "10亿以上"), (199_999.99, "10亿以上"), (200_000, "20亿以上"),
                                         (500_000, "50亿以上"), (None, None)])
def test_size_bands_at_exact_boundaries(agreed, band):
    assert e.size_band(agreed) == band


def test_band_counts_are_cumulative():
    c = e.band_counts([30_000, 29_999, 100_000, 200_000, 500_000, None])
    assert c == {"3亿以上": 4, "10亿以上": 3, "20亿以上": 2, "50亿以上": 1}


def test_lead_times_across_year_ends():
    assert e.days_between(D(2023, 12, 29), D(2024, 1, 2)) == 4
    assert e.days_between(D(2023, 12, 31), D(2024, 12, 31)) == 366  # 2024 is a leap year
    assert e.days_between(None, D(2024, 1, 2)) is None
    s = e.summary([3, 4, None, 26])
    assert s["median"] == 4 and s["count"] == 3 and s["min"] == 3 and s["max"] == 26
    assert e.median([1, 2, 3, 10]) == 2.5
    assert dict(e.histogram([0, 7, 8, 26, 400]))["0–7天"] == 2


def test_agenda_merges_and_orders():
    got = e.agenda(behind=[5, 3], overdue=[7, 3], moved=[9, 7, 9])
    assert got == [(3, ["behind", "overdue"]), (5, ["behind"]), (7, ["overdue", "moved"]), (9, ["moved"])]


@given(st.lists(st.integers(min_value=-30, max_value=800), max_size=60))
def test_summary_counts_equals_summary_of_the_expanded_list(days):
    from collections import Counter

    assert e.summary_counts(Counter(days)) == e.summary(days)
