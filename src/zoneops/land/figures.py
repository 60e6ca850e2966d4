"""The land figures of a period (土地流转统计): what was acquired, made ready, listed, sold and
supplied, relocation progress, the land stock by status as of the period's end, and ready-to-use
space. Both period ends are inclusive.

A handful of aggregate queries whatever the zone's size (no per-status loop), cached until the
zone's data changes (Zone.data_version) — see bench/land.py for the figures."""
import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.registry.models import Parcel

from . import engine
from .models import Acquisition, AcquisitionProgress, EventKind, ParcelEvent, ParcelLink, Sale, Space, SpaceLease

FLOW = (engine.ACQUIRED, engine.READY, engine.LISTED, engine.SOLD, engine.SUPPLIED)
ZERO = Decimal(0)


def _num(v):
    return v if v is not None else ZERO


def period_figures(zone_ids, start, end, *, use_cache=True):
    """Figures of the zones `zone_ids` for start..end (inclusive), cached by the zones' data_version."""
    zone_ids = sorted(zone_ids)
    if not zone_ids:
        return compute(zone_ids, start, end)
    versions = list(Zone.objects.filter(pk__in=zone_ids).order_by("pk").values_list("pk", "data_version"))
    key = "land-figures:" + ",".join(f"{pk}.{v}" for pk, v in versions) + f":{start}:{end}:{timezone.localdate()}"
    if len(key) > 200:
        import hashlib

        key = "land-figures:" + hashlib.sha1(key.encode()).hexdigest()
    if use_cache:
        found = cache.get(key)
        if found is not None:
            return found
    data = compute(zone_ids, start, end)
    cache.set(key, data, 3600)
    return data


def compute(zone_ids, start, end):
    events = ParcelEvent.objects.filter(zone_id__in=zone_ids, kind=EventKind.TRANSITION, on__gte=start, on__lte=end)
    flows = {s: {"count": 0, "mu": ZERO} for s in FLOW}
    for status, n, mu in events.filter(to_status__in=FLOW).values("to_status").order_by("to_status").annotate(
            n=Count("id"), mu=Sum("area_mu")).values_list("to_status", "n", "mu"):
        flows[status] = {"count": n, "mu": _num(mu)}

    s = Sale.objects.filter(zone_id__in=zone_ids, sold_on__gte=start, sold_on__lte=end).aggregate(
        n=Count("id"), mu=Sum("area_mu"), price=Sum("price_wan"))
    sales = {"count": s["n"], "mu": _num(s["mu"]), "price": _num(s["price"]),
             "unit": engine.unit_price(s["price"], s["mu"])}

    return {"start": start, "end": end, "flows": flows, "sales": sales,
            "relocation": relocation(zone_ids, start, end), "stock": stock(zone_ids, end),
            "space": space_figures(zone_ids, start, end)}


def relocation(zone_ids, start, end):
    """Households and firms to relocate (acquisitions started by `end`) and signed by `end`, and
    signed within the period; acquisitions cleared within the period and their days."""
    acqs = list(Acquisition.objects.filter(zone_id__in=zone_ids, started_on__lte=end).values_list(
        "pk", "name", "started_on", "households_total", "firms_total", "cleared_on"))
    ids = [a[0] for a in acqs]
    at_end, before = {}, {}
    for acq_id, on, h, f in AcquisitionProgress.objects.filter(acquisition_id__in=ids, on__lte=end).order_by(
            "acquisition_id", "on").values_list("acquisition_id", "on", "households_signed", "firms_signed"):
        at_end[acq_id] = (h, f)
        if on < start:
            before[acq_id] = (h, f)
    out = {"acquisitions": len(acqs), "households_total": 0, "firms_total": 0, "households_signed": 0,
           "firms_signed": 0, "households_period": 0, "firms_period": 0, "cleared": []}
    for pk, name, started, h_total, f_total, cleared_on in acqs:
        h, f = at_end.get(pk, (0, 0))
        h0, f0 = before.get(pk, (0, 0))
        out["households_total"] += h_total
        out["firms_total"] += f_total
        out["households_signed"] += h
        out["firms_signed"] += f
        out["households_period"] += h - h0
        out["firms_period"] += f - f0
        if cleared_on and start <= cleared_on <= end:
            out["cleared"].append({"name": name, "started_on": started, "cleared_on": cleared_on,
                                   "days": (cleared_on - started).days, "households": h_total, "firms": f_total})
    return out


def status_at(zone_ids, day):
    """Parcels that existed on `day` (not yet split/merged away, not created later) annotated
    `st` = their status on that day: the from-status of their first event after `day`, else the
    current status."""
    qs = Parcel.objects.filter(zone_id__in=zone_ids)
    qs = qs.exclude(Exists(ParcelLink.objects.filter(parent_id=OuterRef("pk"), on__lte=day)))
    if day < timezone.localdate():
        qs = qs.exclude(Exists(ParcelLink.objects.filter(child_id=OuterRef("pk"), on__gt=day)))
        later = ParcelEvent.objects.filter(parcel_id=OuterRef("pk"), on__gt=day).exclude(from_status="").order_by(
            "on", "id").values("from_status")[:1]
        return qs.annotate(st=Coalesce(Subquery(later), F("status")))
    return qs.annotate(st=F("status"))  # no event is dated after today: the current status


def stock(zone_ids, day):
    """[(status, label, count, 亩)] of the land stock on `day`, pipeline order; 储备 joins 规划."""
    rows = {s: [0, ZERO] for s in engine.ORDER}
    if day < timezone.localdate():
        grouped = _past_stock(zone_ids, day)
    else:
        grouped = status_at(zone_ids, day).values("st").order_by("st").annotate(
            n=Count("id"), mu=Sum("area_mu")).values_list("st", "n", "mu")
    for st, n, mu in grouped:
        st = engine.PLANNED if st == engine.RESERVED else st
        if st in rows:
            rows[st][0] += n
            rows[st][1] += _num(mu)
    return [(s, "规划/储备" if s == engine.PLANNED else engine.label(s), n, mu)
            for s, (n, mu) in rows.items() if s != engine.RESERVED]


def _past_stock(zone_ids, day):
    """status_at() grouped, as one statement: the first event after `day` of every parcel comes
    from one window over the events (a correlated subquery per parcel cost 20,000 index probes,
    and PostgreSQL's JIT for the plan, at 20,000 parcels)."""
    from django.db import connection

    if not zone_ids:
        return []
    q = connection.ops.quote_name
    parcel, event, link = Parcel._meta.db_table, ParcelEvent._meta.db_table, ParcelLink._meta.db_table
    marks = ", ".join(["%s"] * len(zone_ids))
    sql = f"""
        SELECT COALESCE(f.from_status, p.status) AS st, COUNT(*), SUM(p.area_mu)
        FROM {q(parcel)} p
        LEFT JOIN (
            SELECT e.parcel_id, e.from_status,
                   ROW_NUMBER() OVER (PARTITION BY e.parcel_id ORDER BY e.{q("on")}, e.id) AS rn
            FROM {q(event)} e
            WHERE e.zone_id IN ({marks}) AND e.{q("on")} > %s AND e.from_status <> ''
        ) f ON f.parcel_id = p.id AND f.rn = 1
        WHERE p.zone_id IN ({marks})
          AND NOT EXISTS (SELECT 1 FROM {q(link)} l WHERE l.parent_id = p.id AND l.{q("on")} <= %s)
          AND NOT EXISTS (SELECT 1 FROM {q(link)} l WHERE l.child_id = p.id AND l.{q("on")} > %s)
        GROUP BY COALESCE(f.from_status, p.status)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*zone_ids, day, *zone_ids, day, day])
        return [(st, n, Decimal(str(mu)).quantize(Decimal("0.0001")) if mu is not None else ZERO)
                for st, n, mu in cursor.fetchall()]


def space_figures(zone_ids, start, end):
    """Ready-to-use space: inventory, and 零供地招商 — projects placed in space (a lease overlapping
    the period) that have no parcel of their own."""
    Space.objects.filter(zone_id__in=zone_ids).refresh_free()
    inv = Space.objects.filter(zone_id__in=zone_ids).aggregate(n=Count("id"), total=Sum("total_m2"),
                                                                free=Sum("free_m2"))
    leases = SpaceLease.objects.filter(zone_id__in=zone_ids, start_on__lte=end).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start))
    zero_land = leases.filter(project__isnull=False, project__parcel__isnull=True).aggregate(
        n=Count("project_id", distinct=True), m2=Sum("area_m2"))
    started = leases.filter(start_on__gte=start).aggregate(n=Count("id"), m2=Sum("area_m2"))
    return {"spaces": inv["n"], "total_m2": _num(inv["total"]), "free_m2": _num(inv["free"]),
            "zero_land_projects": zero_land["n"], "zero_land_m2": _num(zero_land["m2"]),
            "new_leases": started["n"], "new_lease_m2": _num(started["m2"])}


def naive_stock(zone_ids):
    """The baseline bench/land.py times: one query per status and measure (current stock)."""
    out = []
    for s in engine.ORDER:
        qs = Parcel.objects.filter(zone_id__in=zone_ids, status=s)
        out.append((s, qs.count(), qs.aggregate(mu=Sum("area_mu"))["mu"] or ZERO))
    for s in FLOW:
        qs = ParcelEvent.objects.filter(zone_id__in=zone_ids, to_status=s)
        out.append((s, qs.count(), qs.aggregate(mu=Sum("area_mu"))["mu"] or ZERO))
    return out


def tables(data):
    """{key: (title, headers, rows)} for the page and the Excel export."""
    f, r, sp = data["flows"], data["relocation"], data["space"]
    sales = data["sales"]
    flow_rows = [
        ("征收/收储完成", f[engine.ACQUIRED]["count"], f[engine.ACQUIRED]["mu"]),
        ("做地（已做地）", f[engine.READY]["count"], f[engine.READY]["mu"]),
        ("挂牌", f[engine.LISTED]["count"], f[engine.LISTED]["mu"]),
        ("出让（成交）", sales["count"], sales["mu"]),
        ("供地（供给项目）", f[engine.SUPPLIED]["count"], f[engine.SUPPLIED]["mu"]),
    ]
    return {
        "flow": ("土地流转（期间）", ["环节", "宗数", "面积（亩）"], [[a, b, _r(c)] for a, b, c in flow_rows]),
        "sales": ("土地出让（期间）", ["成交宗数", "出让面积（亩）", "成交总价（万元）", "平均单价（万元/亩）"],
                  [[sales["count"], _r(sales["mu"]), _r(sales["price"]), _r(sales["unit"])]]),
        "relocation": ("征收搬迁进度（截至期末）", ["类别", "需搬迁", "已签约（累计）", "期间签约", "签约率（%）"], [
            ["居民（户）", r["households_total"], r["households_signed"], r["households_period"],
             _pct(r["households_signed"], r["households_total"])],
            ["企业（家）", r["firms_total"], r["firms_signed"], r["firms_period"],
             _pct(r["firms_signed"], r["firms_total"])]]),
        "cleared": ("期间清零的征收项目", ["征收项目", "启动日期", "清零日期", "用时（天）", "户数", "企业数"],
                    [[c["name"], c["started_on"], c["cleared_on"], c["days"], c["households"], c["firms"]]
                     for c in r["cleared"]]),
        "stock": ("土地存量（按状态，截至期末）", ["状态", "宗数", "面积（亩）"],
                  [[label, n, _r(mu)] for _s, label, n, mu in data["stock"]]),
        "space": ("标准厂房与零供地招商", ["厂房/园区（个）", "总面积（㎡）", "空置（㎡）", "零供地落地项目（个）",
                                          "零供地项目租用（㎡）", "期间新租（宗）", "期间新租（㎡）"],
                  [[sp["spaces"], _r(sp["total_m2"]), _r(sp["free_m2"]), sp["zero_land_projects"],
                    _r(sp["zero_land_m2"]), sp["new_leases"], _r(sp["new_lease_m2"])]]),
    }


def _r(v):
    if v is None:
        return None
    return round(float(v), 2)


def _pct(a, b):
    return round(100 * a / b, 1) if b else None


def parse_period(params, today=None):
    """(start, end, preset, error) from ?preset=month|quarter|half|year or ?from=&to= (ISO dates);
    default: this year to date. An unreadable date is an error in Chinese (the default is used)."""
    today = today or timezone.localdate()
    preset = params.get("preset") or ""
    got = engine.period_preset(preset, today)
    if got:
        return got[0], got[1], preset, None
    error = None
    start, end = datetime.date(today.year, 1, 1), today
    for name, label in (("from", "开始日期"), ("to", "结束日期")):
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        try:
            d = datetime.date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
        except ValueError:
            d = None
        if d is None or not (1900 <= d.year <= 2200):
            error = f"{label}“{raw[:20]}”不是有效日期（应为 YYYY-MM-DD）。"
            continue
        if name == "from":
            start = d
        else:
            end = d
    if end < start:
        start, end = end, start
    return start, end, "", error
