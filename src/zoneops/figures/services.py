"""Zone figures: the period table (dashboard rows for many zones at once), the monthly entry,
derived values and the chart series.

Interface used by rankings (F2) — kept stable:

    period_table(zone_ids, year, month) -> {zone_id: {indicator_code: row}}

in four queries whatever the number of zones (indicators, values, their authors, targets). A row is a dict with
    value      the indicator's value for the period (Decimal or None): for a monthly cumulative
               series the 1–`month` total; for a point series the level; for an annual indicator
               the value of `year` when month is 12, else of `year − 1` (the last complete year)
    yoy        同比 in percent (float) — or, for a rate (unit %), the change in percentage points
    target     the annual target of the value's year (Decimal or None)
    progress   value / target in percent (float or None)
    status     "green" | "amber" | "red" | None, against `elapsed` (figures/engine.py)
    unit
and, for the pages: name, yoy_kind ("pct"|"pp"), yoy_reason, base (last year's value),
month_value and month_yoy (当月 of a cumulative series), elapsed, progress_reason, source,
source_label, entered_by, note, value_id, year, month (the period the value belongs to).
"""
import calendar
import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zoneops.core.changelog import current_context, make_change, log_bulk, snapshot
from zoneops.core.models import Zone

from . import engine
from .catalogue import NEGATIVE_OK
from .derived import FORMULAS
from .models import Accumulation, Frequency, Indicator, IndicatorValue, Target, ValueSource

CACHE_SECONDS = 6 * 3600
SOURCE_LABELS = dict(ValueSource.choices)


def catalogue():
    """Every indicator, in display order (one query)."""
    return list(Indicator.objects.order_by("sort_order", "code"))


def value_period(indicator, year, month):
    """(year, month) of the value shown for `indicator` at period year-month."""
    if indicator.frequency == Frequency.ANNUAL:
        return (year, 12) if month == 12 else (year - 1, 12)
    return year, month


def _person(first, last, username):
    """A person's name as Chinese pages show it (姓名 without a space), else the user name."""
    name = f"{last or ''}{first or ''}".strip() if _cjk(first or last or "") else f"{first or ''} {last or ''}".strip()
    return name or username or ""


def _cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def fetch_values(zone_ids, periods, indicator_ids=None, where=None):
    """{(zone_id, indicator_id, year, month): value dict} for the given (year, month) periods, in two
    queries (the values, then the names of who entered them). `where` (a Q) narrows the rows read."""
    years = sorted({y for y, _m in periods})
    months = sorted({m for _y, m in periods})
    qs = IndicatorValue.objects.filter(zone_id__in=list(zone_ids), year__in=years, month__in=months)
    if indicator_ids is not None:
        qs = qs.filter(indicator_id__in=list(indicator_ids))
    if where is not None:
        qs = qs.filter(where)
    wanted = set(periods)
    out, people = {}, {}
    for pk, zone_id, ind, y, m, value, source, note, user_id in qs.order_by().values_list(
            "id", "zone_id", "indicator_id", "year", "month", "value", "source", "note", "entered_by_id"):
        if (y, m) in wanted:
            out[(zone_id, ind, y, m)] = {"id": pk, "value": value, "source": source, "note": note,
                                         "entered_by": user_id}
            if user_id is not None:
                people[user_id] = ""
    if people:
        from django.contrib.auth import get_user_model

        for pk, first, last, username in get_user_model().objects.filter(pk__in=list(people)).values_list(
                "pk", "first_name", "last_name", "username"):
            people[pk] = _person(first, last, username)
    for cell in out.values():
        cell["entered_by"] = people.get(cell["entered_by"], "")
    return out


def period_table(zone_ids, year, month, indicators=None, codes=None):
    """See the module docstring. `indicators` (a list of Indicator) saves the catalogue query;
    `codes` limits the table (and the rows read) to those indicator codes."""
    zone_ids = list(zone_ids)
    year, month = int(year), int(month)
    engine.elapsed(month, engine.CUMULATIVE)  # validates the month
    indicators = catalogue() if indicators is None else indicators
    if codes is not None:
        codes = set(codes)
        indicators = [i for i in indicators if i.code in codes]
    periods = {(year, month), (year - 1, month), (year, 12), (year - 1, 12), (year - 2, 12)}
    if month > 1:
        periods |= {(year, month - 1), (year - 1, month - 1)}
    # Monthly indicators need this month and the previous one, this year and last; annual ones
    # December of the last three years: read just those rows.
    annual = [i.pk for i in indicators if i.frequency == Frequency.ANNUAL]
    where = Q(year__in=[year, year - 1], month__in=[month, month - 1])
    if annual:
        where |= Q(indicator_id__in=annual, month=12)
    values = fetch_values(zone_ids, periods, None if codes is None else [i.pk for i in indicators], where) \
        if zone_ids and indicators else {}
    targets = {}
    if zone_ids:
        qs = Target.objects.filter(zone_id__in=zone_ids, year__in=[year - 1, year])
        if codes is not None:
            qs = qs.filter(indicator_id__in=[i.pk for i in indicators])
        for zone_id, ind, y, value in qs.order_by(
                ).values_list("zone_id", "indicator_id", "year", "value"):
            targets[(zone_id, ind, y)] = value
    labels = {k: str(v) for k, v in SOURCE_LABELS.items()}  # translated once, not per cell
    labels[""] = ""
    table = {}
    for zone_id in zone_ids:
        rows = table[zone_id] = {}
        for ind in indicators:
            rows[ind.code] = _row(ind, zone_id, year, month, values, targets, labels)
    return table


def _row(ind, zone_id, year, month, values, targets, labels):
    y, m = value_period(ind, year, month)
    cell = values.get((zone_id, ind.pk, y, m)) or {}
    base_cell = values.get((zone_id, ind.pk, y - 1, m)) or {}
    value, base = cell.get("value"), base_cell.get("value")
    rate = ind.unit == "%"
    yoy, yoy_reason = (engine.points if rate else engine.yoy)(value, base)
    month_value = month_yoy = None
    if ind.frequency == Frequency.MONTHLY and ind.accumulation == Accumulation.CUMULATIVE:
        month_value, _r = engine.month_value(value, (values.get((zone_id, ind.pk, y, m - 1)) or {}).get("value"), m)
        month_base, _r = engine.month_value(base, (values.get((zone_id, ind.pk, y - 1, m - 1)) or {}).get("value"), m)
        month_yoy, _r = engine.yoy(month_value, month_base)
    target = targets.get((zone_id, ind.pk, y))
    prog = engine.progress(value, target, m, ind.accumulation, ind.direction)
    source = cell.get("source", "")
    return {
        "name": ind.name, "unit": ind.unit, "value": value, "base": base, "yoy": yoy, "yoy_kind": "pp" if rate else "pct",
        "yoy_reason": yoy_reason, "month_value": month_value, "month_yoy": month_yoy, "target": target,
        "progress": prog["progress"], "elapsed": prog["elapsed"], "status": prog["status"],
        "progress_reason": prog["reason"], "source": source, "source_label": labels.get(source, ""),
        "entered_by": cell.get("entered_by", ""), "note": cell.get("note", ""), "value_id": cell.get("id"),
        "year": y, "month": m, "derived": bool(ind.formula),
    }


def zone_rows(zone, year, month):
    """The dashboard rows of one zone, cached per zone data version and period (catalogue edits
    touch every zone)."""
    key = f"figures:rows:{zone.pk}:{zone.data_version}:{year}-{month}"
    rows = cache.get(key)
    if rows is None:
        indicators = catalogue()
        table = period_table([zone.pk], year, month, indicators)[zone.pk]
        rows = [{"code": ind.code, "id": ind.pk, **table[ind.code]} for ind in indicators]
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def series(zone_id, indicator, year, month, months=24):
    """The chart of one indicator: `months` periods ending at year-month, each with the value and
    the value 12 months earlier (上年同期), and for a cumulative series 当月. One query.
    → {"labels", "values", "last_year", "month_values" (None unless cumulative monthly)}."""
    periods = []
    y, m = year, month
    for _ in range(months):
        periods.append((y, m))
        y, m = engine.previous_month(y, m)
    periods.reverse()
    if indicator.frequency == Frequency.ANNUAL:
        periods = sorted({(p[0], 12) for p in periods})
    wanted = set(periods) | {(py - 1, pm) for py, pm in periods} | {engine.previous_month(*periods[0])}
    found = fetch_values([zone_id], wanted, [indicator.pk])

    def raw(y, m):
        cell = found.get((zone_id, indicator.pk, y, m))
        return cell["value"] if cell else None

    def at(y, m):
        v = raw(y, m)
        return None if v is None else float(v)

    labels = [f"{y}" if indicator.frequency == Frequency.ANNUAL else f"{y}-{m:02d}" for y, m in periods]
    out = {"labels": labels, "values": [at(y, m) for y, m in periods],
           "last_year": [at(y - 1, m) for y, m in periods], "month_values": None}
    if indicator.frequency == Frequency.MONTHLY and indicator.accumulation == Accumulation.CUMULATIVE:
        months = [engine.month_value(raw(y, m), raw(y, m - 1) if m > 1 else None, m)[0] for y, m in periods]
        out["month_values"] = [None if v is None else float(v) for v in months]
    return out


# -- writing -----------------------------------------------------------------------------------

class EntryError(ValueError):
    """Bad input of the monthly entry; `errors` maps indicator id → Chinese message."""

    def __init__(self, errors):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def check_value(indicator, year, month, value):
    """The Chinese message of why `value` may not be stored for `indicator` at year-month, or None."""
    if indicator.frequency == Frequency.ANNUAL and month != 12:
        return f"“{indicator.name}”是年度指标，月份应为 12（实际 {month}）"
    if value is not None and value < 0 and indicator.code not in NEGATIVE_OK:
        return f"“{indicator.name}”不能为负数（实际 {value:f}）"
    if value is not None and indicator.unit == "%" and value > 1000:
        return f"“{indicator.name}”是百分比，{value:f} 不合理（请填写百分数，如 7.5）"
    return None


def parse_number(indicator, raw):
    """A cell of the entry form → Decimal or None (blank); ValueError naming the indicator."""
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if len(text) > 30:
        raise ValueError(f"“{indicator.name}”的数值过长")
    factor = 1
    # 亿元 typed into a 万元 row (how the seeds quote 固投: 38.5亿元) is converted, not refused.
    for suffix, times in (("亿元", 10000), ("亿", 10000), ("万元", 1), ("万", 1)):
        if indicator.unit == "万元" and text.endswith(suffix) and len(text) > len(suffix):
            text, factor = text[:-len(suffix)].strip(), times
            break
    try:
        value = Decimal(text) * factor
    except Exception:
        raise ValueError(f"“{indicator.name}”的数值“{text[:20]}”不是有效的数字") from None
    if not value.is_finite():
        raise ValueError(f"“{indicator.name}”的数值“{text[:20]}”不是有效的数字")
    if value.copy_abs() >= Decimal(10) ** 16:
        raise ValueError(f"“{indicator.name}”的数值 {text[:20]} 过大，请检查单位（{indicator.unit or '无单位'}）")
    return value.quantize(Decimal("0.0001"))


def entry_indicators(month=None):
    """The reported indicators of the entry form: the monthly ones, and in December the annual ones."""
    return [i for i in catalogue() if not i.formula and (i.frequency == Frequency.MONTHLY or month == 12)]


def save_month(zone, year, month, raw_values, user):
    """Store the monthly entry: {indicator id: text} → (created, updated) counts.

    Every cell is checked first; any bad cell raises EntryError (naming the indicator) and nothing
    is saved. A blank cell leaves a stored value as it is. One transaction; each save goes through
    the change log with the user."""
    indicators = {i.pk: i for i in entry_indicators(month)}
    cleaned, errors = {}, {}
    for ind_id, raw in raw_values.items():
        ind = indicators.get(ind_id)
        if ind is None:
            continue
        try:
            value = parse_number(ind, raw)
        except ValueError as e:
            errors[ind_id] = str(e)
            continue
        problem = check_value(ind, year, month, value)
        if problem:
            errors[ind_id] = problem
        elif value is not None:
            cleaned[ind_id] = value
    if errors:
        raise EntryError(errors)
    existing = {v.indicator_id: v for v in IndicatorValue.objects.filter(
        zone=zone, year=year, month=month, indicator_id__in=list(cleaned))}
    created = updated = 0
    with transaction.atomic():
        for ind_id, value in cleaned.items():
            obj = existing.get(ind_id)
            if obj is None:
                IndicatorValue.objects.create(zone=zone, indicator_id=ind_id, year=year, month=month, value=value,
                                              source=ValueSource.ENTERED, entered_by=user)
                created += 1
            elif obj.value != value:
                obj.value, obj.source, obj.entered_by = value, ValueSource.ENTERED, user
                obj.save()
                updated += 1
    return created, updated


def _months_to_compute(year, month, frequency, today):
    if frequency == Frequency.ANNUAL:
        return [12] if month in (None, 12) else []
    if month is not None:
        return [month]
    if year > today.year:
        return []
    return list(range(1, (today.month if year == today.year else 12) + 1))


def compute_derived(zone, year, month=None, today=None):
    """Compute every derived indicator of `zone` for `year` (every month so far, or `month`) and
    upsert them as source=derived values: bulk insert/update, the change log in bulk, Zone.touch.
    A value entered by hand for a derived indicator is kept (the zone's word wins).
    → {"created", "updated", "unchanged", "kept"}."""
    today = today or timezone.localdate()
    stats = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    derived = [i for i in catalogue() if i.formula in FORMULAS]
    wanted = {}
    for ind in derived:
        formula = FORMULAS[ind.formula]
        months = _months_to_compute(year, month, ind.frequency, today)
        if not months:
            continue
        if getattr(formula, "snapshot", False):  # one query, the same for every month
            snap = formula([zone.pk], year, months[-1])
            by_month = {m: snap for m in months}
        elif hasattr(formula, "months"):  # every month in one query
            by_month = formula.months([zone.pk], year, months)
        else:
            by_month = {m: formula([zone.pk], year, m) for m in months}
        for m in months:
            value = by_month.get(m, {}).get(zone.pk)
            if value is not None:
                wanted[(ind.pk, m)] = Decimal(value).quantize(Decimal("0.0001"))
    if not wanted:
        return stats
    existing = {(v.indicator_id, v.month): v for v in IndicatorValue.objects.filter(
        zone=zone, year=year, indicator_id__in={k[0] for k in wanted}, month__in={k[1] for k in wanted})}
    ctx = current_context()
    new, changed, log = [], [], []
    by_id = {i.pk: i for i in derived}
    for (ind_id, m), value in wanted.items():
        obj = existing.get((ind_id, m))
        if obj is None:
            obj = IndicatorValue(zone=zone, indicator_id=ind_id, year=year, month=m, value=value,
                                 source=ValueSource.DERIVED, note="系统按计算口径生成")
            obj._zoneops_repr = f"{by_id[ind_id].name} {year}-{m:02d}"
            new.append(obj)
        elif obj.source != ValueSource.DERIVED:
            stats["kept"] += 1
        elif obj.value != value:
            before = snapshot(obj)
            obj.value = value
            obj._zoneops_repr = f"{by_id[ind_id].name} {year}-{m:02d}"
            changed.append((obj, before))
        else:
            stats["unchanged"] += 1
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(new, batch_size=1000)
        if changed:
            now = timezone.now()
            for obj, _b in changed:
                obj.updated = now
            IndicatorValue.objects.bulk_update([o for o, _b in changed], ["value", "updated"], batch_size=1000)
        if new and new[0].pk is None:  # databases that return no ids on bulk insert
            ids = {(v.indicator_id, v.month): v.pk for v in IndicatorValue.objects.filter(
                zone=zone, year=year, source=ValueSource.DERIVED)}
            for obj in new:
                obj.pk = ids[(obj.indicator_id, obj.month)]
        log = [make_change(o, "create", None, snapshot(o), ctx) for o in new]
        log += [make_change(o, "update", b, snapshot(o), ctx) for o, b in changed]
        log_bulk(log)
        Zone.touch([zone.pk])
    stats["created"], stats["updated"] = len(new), len(changed)
    return stats


def month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def default_period(today=None):
    """The period a dashboard opens on: the last complete month."""
    today = today or timezone.localdate()
    return engine.previous_month(today.year, today.month)


def touch_all_zones():
    """A catalogue edit changes every zone's dashboard."""
    Zone.objects.update(data_version=F("data_version") + 1)


def entry_rows(zone, year, month):
    """The monthly entry form's rows: indicator, stored value, last year's value, 同比 (4 queries at most)."""
    indicators = entry_indicators(month)
    values = fetch_values([zone.pk], {(year, month), (year - 1, month)}, [i.pk for i in indicators])
    rows = []
    for ind in indicators:
        cell = values.get((zone.pk, ind.pk, year, month)) or {}
        base = (values.get((zone.pk, ind.pk, year - 1, month)) or {}).get("value")
        pct, reason = (engine.points if ind.unit == "%" else engine.yoy)(cell.get("value"), base)
        rows.append({"indicator": ind, "value": cell.get("value"), "base": base, "yoy": pct, "yoy_reason": reason,
                     "yoy_kind": "pp" if ind.unit == "%" else "pct",
                     "source_label": str(SOURCE_LABELS.get(cell.get("source", ""), "")),
                     "entered_by": cell.get("entered_by", "")})
    return rows

