"""Pure arithmetic of zone indicators: 当月 from a cumulative series, 累计 from a monthly one, 同比,
环比, and progress against an annual target with a red/amber/green status. No Django imports.

Conventions (docs/figures.md):
- Values are Decimals or None; percentages returned are floats rounded to 2 decimals, in percent
  (12.5 means 12.5 %), so they serialise to JSON as they are shown.
- Every function that may fail to compute returns a Chinese reason instead of raising: the pages
  show it beside the empty cell.
"""
from decimal import Decimal

CUMULATIVE = "cumulative"
POINT = "point"
HIGHER = "higher"
LOWER = "lower"

GREEN, AMBER, RED = "green", "amber", "red"
# Percentage points below the time elapsed that still count as amber (above: green, below: red).
AMBER_BAND = 10.0

NO_VALUE = "本期无数据"
NO_BASE = "缺少上年同期数"
ZERO_BASE = "上年同期为零，无法计算同比"
NEGATIVE_BASE = "上年同期为负数，增幅按绝对值计算，仅供参考"
NO_PREVIOUS = "缺少上月累计数，无法推算当月值"
NO_TARGET = "未设定目标"
BAD_TARGET = "目标值不大于零，无法计算进度"


def _d(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _pct(x):
    return round(float(x) * 100, 2)


def yoy(value, base):
    """同比 in percent: (value / base − 1) × 100 → (pct or None, reason or None).

    A missing value or base, or a zero base, gives None and a reason. A negative base (a loss, a
    negative balance) gives (value − base) / |base| × 100, flagged by a reason: a fall from −10 to
    −20 is then −100 %, not +100 %."""
    value, base = _d(value), _d(base)
    if value is None:
        return None, NO_VALUE
    if base is None:
        return None, NO_BASE
    if base == 0:
        return None, ZERO_BASE
    if base < 0:
        return _pct((value - base) / abs(base)), NEGATIVE_BASE
    return _pct(value / base - 1), None


def mom(value, previous):
    """环比 in percent against the previous period (same rules as `yoy`)."""
    pct, reason = yoy(value, previous)
    if reason in (NO_BASE, ZERO_BASE):
        reason = {NO_BASE: "缺少上期数", ZERO_BASE: "上期为零，无法计算环比"}[reason]
    return pct, reason


def points(value, base):
    """The change of a rate (%, e.g. R&D 经费占比) in percentage points → (pp or None, reason)."""
    value, base = _d(value), _d(base)
    if value is None:
        return None, NO_VALUE
    if base is None:
        return None, NO_BASE
    return round(float(value - base), 2), None


def month_value(cum_this, cum_prev, month):
    """当月 of a cumulative (year-to-date) series → (value or None, reason or None).

    January's month value is January's cumulative; month m is cum(m) − cum(m−1) of the same year.
    A missing previous month gives None and a reason (never a guess)."""
    cum_this, cum_prev = _d(cum_this), _d(cum_prev)
    if not 1 <= int(month) <= 12:
        raise ValueError(f"月份应在 1–12 之间：{month}")
    if cum_this is None:
        return None, NO_VALUE
    if int(month) == 1:
        return cum_this, None
    if cum_prev is None:
        return None, NO_PREVIOUS
    return cum_this - cum_prev, None


def month_values(cumulative):
    """{month: 当月} of a year's cumulative series {month: cum} (None where it cannot be derived)."""
    return {m: month_value(cumulative.get(m), cumulative.get(m - 1), m)[0] for m in sorted(cumulative)}


def cumulate(monthly):
    """{month: 累计} from a year's month values {month: value}: the running sum from January. A
    missing month breaks the sum: that month and every later one get None."""
    out, total = {}, Decimal(0)
    for m in range(1, max(monthly, default=0) + 1):
        v = _d(monthly.get(m))
        total = None if v is None or total is None else total + v
        out[m] = total
    return out


def elapsed(month, accumulation):
    """The share of the year's target that should be reached by the end of `month`, in percent.

    A cumulative series accrues through the year: month / 12 (July → 58.33 %). A point-in-time
    series (a level: firms, a rate) is judged against the whole target at any month: 100 %."""
    if not 1 <= int(month) <= 12:
        raise ValueError(f"月份应在 1–12 之间：{month}")
    if accumulation == CUMULATIVE:
        return round(int(month) / 12 * 100, 2)
    return 100.0


def status(progress_pct, elapsed_pct, direction=HIGHER, amber_band=AMBER_BAND):
    """RAG of a progress against the time elapsed (both in percent).

    Higher is better: green when progress ≥ elapsed, amber when less than `amber_band` points
    below, red further below. Lower is better (a cap, e.g. energy use): the mirror image, green
    when progress ≤ elapsed, amber up to `amber_band` points above."""
    if progress_pct is None or elapsed_pct is None:
        return None
    gap = progress_pct - elapsed_pct if direction != LOWER else elapsed_pct - progress_pct
    if gap >= 0:
        return GREEN
    if gap >= -amber_band:
        return AMBER
    return RED


def progress(value, target, month, accumulation, direction=HIGHER, amber_band=AMBER_BAND):
    """Progress of `value` (at the end of `month`) against the year's `target`.

    → {"progress": value/target in percent or None, "elapsed": percent of the year that should be
    done, "status": "green"|"amber"|"red"|None, "reason": why it is None}."""
    value, target = _d(value), _d(target)
    done = elapsed(month, accumulation)
    out = {"progress": None, "elapsed": done, "status": None, "reason": None}
    if target is None:
        out["reason"] = NO_TARGET
    elif target <= 0:
        out["reason"] = BAD_TARGET
    elif value is None:
        out["reason"] = NO_VALUE
    else:
        out["progress"] = _pct(value / target)
        out["status"] = status(out["progress"], done, direction, amber_band)
    return out


def previous_month(year, month):
    return (year - 1, 12) if month == 1 else (year, month - 1)


def parse_period(text):
    """'2023-12' / '2023-1' / '202312' → (2023, 12); ValueError with a Chinese message."""
    raw = (text or "").strip()
    digits = raw.replace("-", "").replace("/", "").replace(".", "")
    try:
        if "-" in raw or "/" in raw or "." in raw:
            sep = "-" if "-" in raw else ("/" if "/" in raw else ".")
            y, m = raw.split(sep)
            year, month = int(y), int(m)
        elif len(digits) == 6 and digits.isdigit():
            year, month = int(digits[:4]), int(digits[4:])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"期间“{raw[:20]}”格式不对，应为 年-月，如 2023-12") from None
    if not 1990 <= year <= 2100 or not 1 <= month <= 12:
        raise ValueError(f"期间“{raw[:20]}”超出范围：年份 1990–2100，月份 1–12")
    return year, month
