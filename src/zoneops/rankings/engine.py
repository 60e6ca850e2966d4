"""Pure ranking arithmetic (no Django): periods, normalisation, weighted scores, competition
ranks, movement and the 末位 flag. Every score is on 0–100.

Decisions where the issue is silent (also in docs/rankings.md):
- rank normalisation: n zones with a value; the best gets 100, then evenly spaced down to 100/n
  for the last (score = 100 × (n − r + 1) / n for competition rank r), so the last zone with a
  figure still scores more than a zone without one; tied zones share the score of their best rank.
- min-max: (v − min) / (max − min) × 100 (inverted for lower-is-better); all equal → 100 for all.
- against target: min(value / target, cap) × 100 (lower-is-better: target / value); no target, a
  target of 0 or a negative ratio → 0 with a reason.
- a missing value scores 0 with the reason "缺少数据" and does not count in n, min or max.
- the total is the weighted mean of the dimension scores (weights need not sum to 100); a
  dimension score is the weighted mean of its items' scores.
- ranks are competition ranks ("1224") on the total rounded to 2 decimals.
- 末位: a zone is flagged when any position it shares lies within the last N places (ties at the
  border are all flagged).
"""
import re
from dataclasses import dataclass

MONTH, QUARTER, YEAR = "month", "quarter", "year"
VALUE, YOY, PROGRESS = "value", "yoy", "progress"
RANK, MINMAX, TARGET = "rank", "minmax", "target"
HIGHER, LOWER = "higher", "lower"

MISSING = "缺少数据"
NO_TARGET = "无目标值"
MIN_YEAR, MAX_YEAR = 1990, 2100


class PeriodError(ValueError):
    """A period string that cannot be read; the message is Chinese and names the input."""


_PATTERNS = {
    MONTH: re.compile(r"^(\d{4})-(\d{1,2})$"),
    QUARTER: re.compile(r"^(\d{4})-?[Qq]([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}
EXAMPLE = {MONTH: "2024-06", QUARTER: "2024-Q2", YEAR: "2024"}


def parse_period(text, granularity=MONTH):
    """'2024-06' (month), '2024-Q2' (quarter), '2024' (year) → (year, last month of the period)."""
    text = (text or "").strip()
    shown = text if len(text) <= 20 else text[:20] + "…"
    m = _PATTERNS[granularity].match(text) if len(text) <= 10 else None
    if not m:
        raise PeriodError(f"期次“{shown}”格式不对，应为 {EXAMPLE[granularity]} 这样的写法。")
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"期次“{shown}”的年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。")
    if granularity == MONTH:
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"期次“{shown}”的月份应在 1–12 之间。")
        return year, month
    if granularity == QUARTER:
        return year, int(m.group(2)) * 3
    return year, 12


def period_key(year, month, granularity=MONTH):
    if granularity == QUARTER:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if granularity == YEAR:
        return f"{year}"
    return f"{year}-{month:02d}"


def period_label(year, month, granularity=MONTH):
    if granularity == QUARTER:
        return f"{year}年第{(month - 1) // 3 + 1}季度"
    if granularity == YEAR:
        return f"{year}年"
    return f"{year}年1–{month}月" if month > 1 else f"{year}年1月"


def previous_period(year, month, granularity=MONTH):
    if granularity == YEAR:
        return year - 1, 12
    step = 3 if granularity == QUARTER else 1
    month -= step
    if month < 1:
        return year - 1, month + 12
    return year, month


def snap(year, month, granularity=MONTH):
    """The period that contains (year, month): the quarter's last month, December for a year."""
    if granularity == QUARTER:
        return year, ((month - 1) // 3 + 1) * 3
    if granularity == YEAR:
        return year, 12
    return year, month


# -- normalisation ---------------------------------------------------------------------------

def competition_ranks(values, higher_is_better=True, ndigits=None):
    """{key: value} → {key: rank}, ties share the best rank ("1224"). None values are skipped."""
    present = {k: (round(v, ndigits) if ndigits is not None else v) for k, v in values.items() if v is not None}
    ordered = sorted(present.values(), reverse=higher_is_better)
    first = {}
    for i, v in enumerate(ordered, 1):
        first.setdefault(v, i)
    return {k: first[v] for k, v in present.items()}


def normalise(values, method, direction=HIGHER, *, targets=None, cap=1.2):
    """{key: value or None} → {key: (score 0–100, reason or "")}."""
    higher = direction != LOWER
    out = {k: (0.0, MISSING) for k, v in values.items() if v is None}
    present = {k: float(v) for k, v in values.items() if v is not None}
    if not present:
        return out
    if method == RANK:
        n = len(present)
        for k, r in competition_ranks(present, higher).items():
            out[k] = (100.0 * (n - r + 1) / n, "")
    elif method == MINMAX:
        lo, hi = min(present.values()), max(present.values())
        for k, v in present.items():
            if hi == lo:
                out[k] = (100.0, "")
            else:
                share = (v - lo) / (hi - lo)
                out[k] = (100.0 * (share if higher else 1 - share), "")
    elif method == TARGET:
        targets = targets or {}
        for k, v in present.items():
            t = targets.get(k)
            if t is None or float(t) == 0:
                out[k] = (0.0, NO_TARGET)
                continue
            t = float(t)
            if higher:
                ratio = v / t
            else:
                ratio = cap if v <= 0 else t / v
            out[k] = (100.0 * max(0.0, min(ratio, float(cap))), "")
    else:
        raise ValueError(f"未知的赋分方法：{method}")
    return out


# -- scores, ranks, movement -----------------------------------------------------------------

@dataclass
class Item:
    key: object  # the item's id
    dimension: object  # the dimension's id
    weight: float
    measure: str = VALUE
    method: str = RANK
    direction: str = HIGHER


def weighted_mean(pairs):
    """[(score, weight)] → mean; all weights 0 → plain mean; empty → 0."""
    pairs = list(pairs)
    if not pairs:
        return 0.0
    w = sum(weight for _, weight in pairs)
    if w <= 0:
        return sum(s for s, _ in pairs) / len(pairs)
    return sum(s * weight for s, weight in pairs) / w


def score(items, dimensions, values, *, targets=None, cap=1.2):
    """Score every zone.

    items: [Item]; dimensions: {dimension id: weight}; values: {item key: {zone: value or None}}
    (every zone of the ranking present, None when missing); targets: {item key: {zone: target}}
    for TARGET items. Returns {zone: {"dimensions": {dim: score}, "items": [{item, dimension,
    value, score, reason}], "total": score}}.
    """
    zones = set()
    for per_zone in values.values():
        zones.update(per_zone)
    item_scores = {}
    for item in items:
        per_zone = {z: values.get(item.key, {}).get(z) for z in zones}
        item_scores[item.key] = normalise(per_zone, item.method, item.direction,
                                          targets=(targets or {}).get(item.key), cap=cap)
    out = {}
    for z in zones:
        rows, dims = [], {}
        for item in items:
            s, reason = item_scores[item.key][z]
            rows.append({"item": item.key, "dimension": item.dimension, "value": values.get(item.key, {}).get(z),
                         "score": round(s, 2), "reason": reason})
            dims.setdefault(item.dimension, []).append((s, item.weight))
        dim_scores = {d: round(weighted_mean(dims.get(d, [])), 2) for d in dimensions}
        total = weighted_mean((dim_scores[d], w) for d, w in dimensions.items())
        out[z] = {"dimensions": dim_scores, "items": rows, "total": round(total, 2)}
    return out


def rank_totals(totals):
    """{zone: total} → {zone: competition rank}, higher total first, ties on 2 decimals."""
    return competition_ranks(totals, True, ndigits=2)


def movement(rank, previous):
    """(kind, steps, label): up/down/same/new. A better rank is a smaller number."""
    if previous is None:
        return "new", None, "新"
    if rank < previous:
        return "up", previous - rank, f"↑{previous - rank}"
    if rank > previous:
        return "down", rank - previous, f"↓{rank - previous}"
    return "same", 0, "—"


def bottom_flags(ranks, places):
    """{zone: rank} → set of zones in the last `places` positions (a tie spanning the border is
    flagged as a whole)."""
    n = len(ranks)
    if places <= 0 or not n:
        return set()
    counts = {}
    for r in ranks.values():
        counts[r] = counts.get(r, 0) + 1
    border = n - places  # positions > border are the last places
    return {z for z, r in ranks.items() if r + counts[r] - 1 > border}


def completion(value, target):
    """value / target, or None when either is missing or the target is 0."""
    if value is None or target in (None, 0):
        return None
    return float(value) / float(target)
