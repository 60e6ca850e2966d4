"""Working days on the Chinese calendar (pure; no Django).

Public holidays and make-up working days (调休上班, e.g. the Saturday after National Day) come
from the chinese-calendar package, which knows the years the State Council has published (it
raises NotImplementedError for any other year). For such a year we fall back to Monday–Friday
and say so: `is_workday` reports the fallback through `approximate`, so pages can show
"（按周一至周五估算，未含该年法定节假日）" next to a deadline instead of failing.
"""
import datetime
from functools import lru_cache

import chinese_calendar

FALLBACK_NOTE = "该年度的法定节假日安排尚未收录，按周一至周五估算工作日。"


@lru_cache(maxsize=8192)
def _day(day):
    """(is working day, approximate)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def is_workday(day):
    return _day(day)[0]


def is_known(day):
    """Whether the calendar knows `day`'s year (holidays and make-up days), not a Mon–Fri guess."""
    return not _day(day)[1]


def add_working_days(start, n):
    """The date `n` working days after `start` (n > 0), or before it (n < 0); `start` itself
    is not counted. n == 0 gives `start` moved forward to a working day."""
    day = start
    if n == 0:
        while not is_workday(day):
            day += datetime.timedelta(days=1)
        return day
    step = datetime.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        day += step
        if is_workday(day):
            left -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    n, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            n += 1
    return sign * n


def span_is_known(start, end):
    """Whether every year from `start` to `end` is on the published calendar."""
    return all(is_known(datetime.date(y, 6, 1)) for y in range(min(start, end).year, max(start, end).year + 1))


def supervision_dates(deadline, remind_days, red_days):
    """(remind_on, yellow_on, red_on) for a deadline: `remind_days` working days before it, the
    deadline itself, and `red_days` working days after it."""
    if deadline is None:
        return None, None, None
    remind = add_working_days(deadline, -remind_days) if remind_days else deadline
    return remind, deadline, add_working_days(deadline, red_days)
