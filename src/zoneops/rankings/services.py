"""Ranking computation and storage, the ranking table for a user, the province map data, and the
annual summary's generated text. Zone isolation: the table shows every ranked zone's name and
scores (allowed by issue 8), but links and drill-downs only where `can(user, zone)`."""
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.models import Zone
from zoneops.core.scoping import can, zone_ids_for
from zoneops.figures import engine as fengine
from zoneops.figures import services as fservices
from zoneops.figures.models import Indicator, Target

from . import engine
from .models import RankingItem, RankingResult


class RankingError(ValueError):
    """A ranking that cannot be computed; the message is Chinese."""


# -- period figures (the figures app's rules) -------------------------------------------------

def period_table(zone_ids, year, month, codes=None):
    """{zone: {code: {value, yoy, target, …}}} for the zones (None = every zone).

    Without `codes`: figures.services.period_table, every indicator. With `codes` (a ranking's
    dozen indicators, the map's one): the same value / 同比 / target rules from the figures app's
    public helpers, reading only those indicators' rows — the full table reads every indicator's
    values of nine periods, ten times the rows the map needs."""
    if zone_ids is None:
        zone_ids = list(Zone.objects.values_list("pk", flat=True))
    zone_ids = list(zone_ids)
    if codes is None:
        return fservices.period_table(zone_ids, year, month)
    indicators = list(Indicator.objects.filter(code__in=list(codes)))
    if not indicators or not zone_ids:
        return {}
    at = {ind.pk: fservices.value_period(ind, year, month) for ind in indicators}
    periods = set(at.values()) | {(y - 1, m) for y, m in at.values()}
    values = fservices.fetch_values(zone_ids, periods, [i.pk for i in indicators])
    targets = {(z, ind, y): v for z, ind, y, v in Target.objects.filter(
        zone_id__in=zone_ids, indicator__in=indicators, year__in={y for y, _m in at.values()}).order_by().values_list(
        "zone_id", "indicator_id", "year", "value")}
    out = {}
    for z in zone_ids:
        row = out[z] = {}
        for ind in indicators:
            y, m = at[ind.pk]
            value = (values.get((z, ind.pk, y, m)) or {}).get("value")
            base = (values.get((z, ind.pk, y - 1, m)) or {}).get("value")
            yoy, _reason = (fengine.points if ind.unit == "%" else fengine.yoy)(value, base)
            row[ind.code] = {"value": value, "yoy": yoy, "target": targets.get((z, ind.pk, y)), "unit": ind.unit}
    return out


def _num(v):
    return None if v is None else float(v)


def measure_of(cell, measure):
    """The figure an item ranks on, from one period_table cell."""
    if not cell:
        return None
    if measure == engine.YOY:
        return _num(cell.get("yoy"))
    if measure == engine.PROGRESS:
        return engine.completion(cell.get("value"), cell.get("target"))
    return _num(cell.get("value"))


# -- computing -----------------------------------------------------------------------------

def scheme_items(scheme):
    items = list(RankingItem.objects.filter(dimension__scheme=scheme).select_related("indicator", "dimension")
                 .order_by("dimension__sort_order", "dimension_id", "sort_order", "pk"))
    dims = {d.pk: d for d in scheme.dimensions.order_by("sort_order", "pk")}
    return items, dims


def scheme_design(scheme):
    """[(dimension, [items])] for the page's 评价体系, two queries."""
    items, dims = scheme_items(scheme)
    return [(d, [i for i in items if i.dimension_id == d.pk]) for d in dims.values()]


def resolve_period(scheme, text):
    """A period string of the scheme's granularity → (year, month, key); PeriodError otherwise."""
    year, month = engine.parse_period(text, scheme.granularity)
    if scheme.year and year != scheme.year:
        raise engine.PeriodError(_("期次“%(p)s”不在方案的适用年度 %(y)s 年内。") % {"p": text[:20], "y": scheme.year})
    return year, month, engine.period_key(year, month, scheme.granularity)


def compute(scheme, year, month, user=None):
    """Score and rank the scheme's zones for one period and store the snapshot (replacing the
    period's previous one, in one transaction). Returns the number of zones ranked."""
    items, dims = scheme_items(scheme)
    if not items:
        raise RankingError(_("方案“%(s)s”还没有评价指标，无法计算。") % {"s": scheme.name})
    zones = list(scheme.zone_queryset().values_list("pk", flat=True))
    if not zones:
        raise RankingError(_("方案“%(s)s”没有参评的开发区。") % {"s": scheme.name})
    table = period_table(zones, year, month, {i.indicator.code for i in items})
    values, targets = {}, {}
    for item in items:
        code = item.indicator.code
        if item.normalisation == engine.TARGET:
            values[item.pk] = {z: _num((table.get(z, {}).get(code) or {}).get("value")) for z in zones}
            targets[item.pk] = {z: (table.get(z, {}).get(code) or {}).get("target") for z in zones}
        else:
            values[item.pk] = {z: measure_of(table.get(z, {}).get(code), item.measure) for z in zones}
    spec = [engine.Item(i.pk, i.dimension_id, float(i.weight), i.measure, i.normalisation, i.effective_direction)
            for i in items]
    scores = engine.score(spec, {pk: float(d.weight) for pk, d in dims.items()}, values, targets=targets,
                          cap=float(scheme.target_cap))
    ranks = engine.rank_totals({z: s["total"] for z, s in scores.items()})
    key = engine.period_key(year, month, scheme.granularity)
    now = timezone.now()
    rows = [RankingResult(scheme=scheme, zone_id=z, period=key, year=year, month=month, rank=ranks[z],
                          total=Decimal(str(s["total"])), computed_at=now, computed_by=user,
                          dimension_scores={str(d): v for d, v in s["dimensions"].items()},
                          item_scores=[{**r, "value": r["value"]} for r in s["items"]])
            for z, s in scores.items()]
    with transaction.atomic():
        RankingResult.objects.filter(scheme=scheme, period=key).delete()
        RankingResult.objects.bulk_create(rows)
    return len(rows)


def compute_with_previous(scheme, year, month, user=None):
    """Compute the period, and the previous one too when it has no snapshot (movement needs it)."""
    py, pm = engine.previous_period(year, month, scheme.granularity)
    if (not scheme.year or py == scheme.year) and not RankingResult.objects.filter(
            scheme=scheme, period=engine.period_key(py, pm, scheme.granularity)).exists():
        try:
            compute(scheme, py, pm, user)
        except RankingError:
            pass
    return compute(scheme, year, month, user)


def latest_period(scheme):
    row = RankingResult.objects.filter(scheme=scheme).order_by("-year", "-month").values_list(
        "year", "month").first()
    return row


# -- the table -----------------------------------------------------------------------------

def ranking_table(scheme, year, month, user):
    """The period's rows for `user`: rank, movement, zone, dimension scores, total, 末位, and
    `can_view` (links) only for zones the user may see. Three small queries, plain values (no
    model instances: a 100-zone table in a few milliseconds)."""
    key = engine.period_key(year, month, scheme.granularity)
    prev_key = engine.period_key(*engine.previous_period(year, month, scheme.granularity), scheme.granularity)
    rows = list(RankingResult.objects.filter(scheme=scheme, period=key).order_by("rank", "zone__code").values_list(
        "zone_id", "rank", "total", "dimension_scores", "computed_at", "zone__name", "zone__code"))
    previous = dict(RankingResult.objects.filter(scheme=scheme, period=prev_key).values_list("zone_id", "rank"))
    bottom = engine.bottom_flags({r[0]: r[1] for r in rows}, scheme.bottom_places)
    dims = list(scheme.dimensions.order_by("sort_order", "pk"))
    out = []
    for zone_id, rank, total, scores, _at, name, code in rows:
        kind, steps, label = engine.movement(rank, previous.get(zone_id))
        out.append({
            "rank": rank, "movement": kind, "movement_label": label, "steps": steps, "zone_id": zone_id,
            "zone": name, "zone_code": code, "can_view": can(user, zone_id),
            "dimensions": [scores.get(str(d.pk)) for d in dims], "total": float(total), "bottom": zone_id in bottom,
        })
    return {"key": key, "label": engine.period_label(year, month, scheme.granularity), "dimensions": dims,
            "rows": out, "computed_at": max((r[4] for r in rows), default=None)}


def periods_of(scheme, limit=36):
    return list(RankingResult.objects.filter(scheme=scheme).order_by("-year", "-month").values_list(
        "period", flat=True).distinct()[:limit])


# -- province view -------------------------------------------------------------------------

def province_version():
    """Changes whenever any zone's data, the set of zones or a ranking snapshot changes."""
    z = Zone.objects.aggregate(n=Count("id"), v=Sum("data_version"), u=Max("updated"))
    r = RankingResult.objects.aggregate(c=Max("computed_at"), n=Count("id"))
    return f"{z['n']}-{z['v']}-{z['u'] and z['u'].timestamp()}-{r['c'] and r['c'].timestamp()}-{r['n']}"


def city_of(region_code):
    """The prefecture city's code (330100 …) of a county code (331004 → 331000)."""
    code = (region_code or "").strip()
    if len(code) != 6 or not code.isdigit() or not code.startswith("33"):
        return None
    return code[:4] + "00"


def province_data(user, indicator, year, month, scheme=None):
    """Map and ranking data for the province view (every zone; callers check the role)."""
    zones = list(Zone.objects.order_by("code").values("pk", "code", "name", "region_code", "level"))
    table = period_table(None, year, month, [indicator.code])
    ranking = {}
    if scheme is not None:
        sy, sm = engine.snap(year, month, scheme.granularity)
        key = engine.period_key(sy, sm, scheme.granularity)
        ranking = {z: (rank, float(total)) for z, rank, total in RankingResult.objects.filter(
            scheme=scheme, period=key).values_list("zone_id", "rank", "total")}
    rate = indicator.unit == "%"
    cities = {}
    out = []
    for z in zones:
        cell = table.get(z["pk"], {}).get(indicator.code) or {}
        value, yoy = _num(cell.get("value")), _num(cell.get("yoy"))
        city = city_of(z["region_code"])
        rank, total = ranking.get(z["pk"], (None, None))
        out.append({"id": z["pk"], "code": z["code"], "name": z["name"], "city": city, "value": value, "yoy": yoy,
                    "rank": rank, "total": total, "drill": can(user, z["pk"])})
        if city and value is not None:
            cities.setdefault(city, []).append(value)
    # A city's colour: the sum of its zones' values (the mean for a rate in %).
    agg = {c: round(sum(v) / len(v) if rate else sum(v), 2) for c, v in cities.items()}
    return {"indicator": {"code": indicator.code, "name": indicator.name, "unit": indicator.unit,
                          "aggregate": "mean" if rate else "sum"},
            "period": engine.period_key(year, month), "zones": out,
            "cities": [{"code": c, "value": v, "zones": len(cities[c])} for c, v in sorted(agg.items())]}


def cached_province_data(user, indicator, year, month, scheme=None):
    """province_data cached by the province-wide version and the query. Province users and
    superusers see the same data (drill links are all on), so one cache entry serves both."""
    key = (f"rankings:province:{province_version()}:{indicator.code}:{year}-{month}:"
           f"{scheme.pk if scheme else ''}:{zone_ids_for(user) is None}")
    data = cache.get(key)
    if data is None:
        data = province_data(user, indicator, year, month, scheme)
        cache.set(key, data, 3600)
    return data
