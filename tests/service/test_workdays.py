"""Working days on the Chinese calendar: holidays and make-up working days (调休)."""
import datetime

import pytest

from zoneops.service import workdays as w

D = datetime.date.fromisoformat


def test_national_day_2024():
    # 2024: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 are make-up working days.
    assert w.is_workday(D("2024-09-29")) and w.is_workday(D("2024-10-12"))
    assert not any(w.is_workday(D(f"2024-10-0{i}")) for i in range(1, 8))
    # From Friday 09-27: 09-29 (Sun, make-up) 1, 09-30 2, then 10-08 3, 10-09 4, 10-10 5.
    assert w.add_working_days(D("2024-09-27"), 5) == D("2024-10-10")
    # 10-11 is 6, the make-up Saturday 10-12 is 7, Monday 10-14 is 8.
    assert w.add_working_days(D("2024-09-27"), 7) == D("2024-10-12")
    assert w.add_working_days(D("2024-09-27"), 8) == D("2024-10-14")


def test_spring_festival_2025():
    # 2025: 01-28..02-04 off; Sunday 01-26 and Saturday 02-08 work.
    assert w.is_workday(D("2025-01-26")) and w.is_workday(D("2025-02-08"))
    assert not w.is_workday(D("2025-01-29"))
    # From Friday 01-24: 01-26 (make-up Sunday) 1, 01-27 2, 02-05 3, 02-06 4, 02-07 5, 02-08 (make-up Saturday) 6.
    assert w.add_working_days(D("2025-01-24"), 2) == D("2025-01-27")
    assert w.add_working_days(D("2025-01-24"), 3) == D("2025-02-05")
    assert w.add_working_days(D("2025-01-24"), 6) == D("2025-02-08")
    assert w.add_working_days(D("2025-01-24"), 7) == D("2025-02-10")


def test_counting_back_and_between():
    assert w.add_working_days(D("2024-10-08"), -1) == D("2024-09-30")
    assert w.add_working_days(D("2024-10-08"), -2) == D("2024-09-29")
    assert w.working_days_between(D("2024-09-27"), D("2024-10-10")) == 5
    assert w.working_days_between(D("2024-10-10"), D("2024-09-27")) == -5
    assert w.working_days_between(D("2024-10-10"), D("2024-10-10")) == 0


def test_zero_days_moves_to_a_working_day():
    assert w.add_working_days(D("2024-10-01"), 0) == D("2024-10-08")
    assert w.add_working_days(D("2024-10-08"), 0) == D("2024-10-08")


def test_supervision_dates_across_national_day():
    remind, yellow, red = w.supervision_dates(D("2024-10-08"), 2, 3)
    assert (remind, yellow, red) == (D("2024-09-29"), D("2024-10-08"), D("2024-10-11"))


def test_unknown_year_falls_back_to_weekdays():
    """chinese-calendar raises NotImplementedError outside the published years: Mon–Fri, flagged."""
    far = D("2099-03-02")  # a Monday
    assert not w.is_known(far)
    assert w.is_workday(far) and not w.is_workday(D("2099-03-07"))
    assert w.add_working_days(D("2099-03-06"), 1) == D("2099-03-09")
    assert not w.span_is_known(D("2024-12-01"), far)
    assert w.span_is_known(D("2024-01-01"), D("2024-12-31"))
    assert "估算" in w.FALLBACK_NOTE
