"""Demo 低效用地 rules and redevelopment cases.

Every demo zone gets two rule sets (D 类企业用地; 低容积率用地); parcels the land demo left 改造中
get their case (实施中); then a few candidates are opened as cases through services.open_case
(so the parcels move 低效 → 改造中 through the land app's transitions), some contiguous (连片),
and some are completed (改造完成, after FAR 2.0–3.2 as in 永康's 0.87 → 2.95) or stopped, with
milestones. About 20–35 cases over the five demo zones. Deterministic for a seed; zones that already have cases are left alone.
"""
import datetime
import random
import time
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.registry.models import Parcel

from . import services
from .models import Approach, CandidateRule, CaseParcel, CaseStatus, Extent, Milestone, RedevelopmentCase

MILESTONES = ["完成企业腾退协议签订", "完成土地收回（收储）", "规划设计方案审批", "开工建设", "主体结顶", "竣工验收"]
NAMES_SINGLE = ["{name}“腾笼换鸟”改造", "{name}拆旧建新", "{name}厂房加层改造", "{name}“零土地”技改"]
NAMES_MULTI = ["{code}片区连片改造", "{code}等地块小微企业园改造", "{code}片区工业邻里中心建设"]
M2_PER_MU = Decimal("666.67")


def load_demo(zones, *, seed, last_year, stdout=None):
    started = time.monotonic()
    rng = random.Random(f"redevelop-{seed}")
    today = timezone.localdate()
    made = {"rules": 0, "cases": 0, "done": 0}
    for zone in zones:
        if RedevelopmentCase.objects.filter(zone=zone).exists():
            continue
        _rules(zone, made)
        _adopt(zone, rng, today, made)
        _open(zone, rng, today, made)
    Zone.touch([z.pk for z in zones])
    if stdout is not None:
        stdout.write("低效用地改造：{rules} 条识别规则、{cases} 个改造项目（其中已完成 {done} 个）（{t:.1f} 秒）\n".format(
            t=time.monotonic() - started, **made))


def _rules(zone, made):
    if CandidateRule.objects.filter(zone=zone).exists():
        return
    CandidateRule.objects.create(zone=zone, name="D 类企业用地", classes="D", min_area_mu=Decimal("3"),
                                 note="亩均评价 D 类企业所用地块，纳入低效用地再开发（演示规则）")
    CandidateRule.objects.create(zone=zone, name="低容积率用地", classes="", max_far=Decimal("0.8"),
                                 max_tax_per_mu=Decimal("10"), combine="all", min_area_mu=Decimal("5"),
                                 note="容积率低于 0.8 且亩均税收低于 10 万元/亩（演示规则）")
    made["rules"] += 2


def _milestones(case, rng, today, done_until):
    """The standard milestones, spread from the opening; those planned before `done_until` done."""
    day = case.opened_on
    rows = []
    for title in MILESTONES:
        day = day + datetime.timedelta(days=rng.randint(30, 120))
        done = day <= done_until
        actual = min(day + datetime.timedelta(days=rng.randint(-10, 25)), today) if done else None
        rows.append(Milestone(zone_id=case.zone_id, case=case, title=title, planned_on=day,
                              actual_on=max(actual, case.opened_on) if actual else None, done=done))
    Milestone.objects.bulk_create(rows)


def _adopt(zone, rng, today, made):
    """Parcels already 改造中 (the land demo) get cases of one to three parcels (no status change);
    some of those are completed through the service."""
    parcels = list(Parcel.objects.filter(zone=zone, status=services.REDEVELOPING).order_by("code"))
    if not parcels:
        return
    rows = {r.parcel_id: r for r in services.evaluate_parcels(
        list(Parcel.objects.filter(pk__in=[p.pk for p in parcels]).order_by().values(*services.PARCEL_FIELDS)))}
    dates = services.status_dates([p.pk for p in parcels])
    while parcels:
        group = [parcels.pop(0) for _ in range(min(len(parcels), rng.choice([1, 1, 2, 3])))]
        first = group[0]
        opened = max(dates.get(p.pk) or today - datetime.timedelta(days=rng.randint(60, 300)) for p in group)
        area = sum(p.area_mu for p in group)
        name = (rng.choice(NAMES_MULTI).format(code=first.code) if len(group) > 1
                else rng.choice(NAMES_SINGLE).format(name=first.name or first.code))
        case = RedevelopmentCase.objects.create(
            zone=zone, name=name[:200], status=CaseStatus.ACTIVE, approach=rng.choice(Approach.values),
            extent=Extent.CONTIGUOUS if len(group) > 1 else Extent.SINGLE, opened_on=opened, area_mu=area,
            far_before=services._dec(services.engine.weighted_mean((rows[p.pk].far, rows[p.pk].area_mu) for p in group)),
            tax_per_mu_before=services._dec(services.engine.weighted_mean(
                (rows[p.pk].tax_per_mu, rows[p.pk].area_mu) for p in group)),
            target_far=Decimal(rng.choice(["2.0", "2.5", "2.8", "3.0"])), notes="演示数据",
            planned_investment=(area * Decimal(rng.randint(80, 260))).quantize(Decimal("1")))
        for p in group:
            r = rows[p.pk]
            CaseParcel.objects.create(zone=zone, case=case, parcel=p, area_mu=p.area_mu,
                                      holder_name=r.holder_name[:200], holder_class=r.holder_class,
                                      far_before=services._dec(r.far), tax_per_mu_before=services._dec(r.tax_per_mu),
                                      status_before=services.INEFFICIENT, reasons="演示数据")
        made["cases"] += 1
        if rng.random() < 0.4 and (today - opened).days >= 60:
            _complete(case, rng, today, made)
        else:
            _milestones(case, rng, today, today)


def _complete(case, rng, today, made):
    days_open = (today - case.opened_on).days
    done_on = min(case.opened_on + datetime.timedelta(days=rng.randint(60, max(60, days_open))), today)
    far_after = Decimal(str(round(rng.uniform(2.0, 3.2), 2)))
    before = float(case.far_before or Decimal("0.8"))
    tax_before = float(case.tax_per_mu_before or rng.uniform(3, 8))
    area = case.area_mu
    services.complete_case(
        case, None, completed_on=done_on, far_after=far_after,
        tax_per_mu_after=Decimal(str(round(tax_before * rng.uniform(2.5, 6.0), 2))),
        freed_floor_m2=(area * M2_PER_MU * Decimal(str(round(before * rng.uniform(0.3, 0.8), 2)))).quantize(Decimal("1")),
        new_floor_m2=max(Decimal(0), (area * M2_PER_MU * (far_after - Decimal(str(before)))).quantize(Decimal("1"))))
    _milestones(case, rng, today, case.completed_on)
    Milestone.objects.filter(case=case, done=False).update(done=True, actual_on=case.completed_on)
    made["done"] += 1


def _open(zone, rng, today, made):
    """Open 2–4 cases over the zone's candidates; complete or stop some."""
    rows = [r for r in services.evaluate_parcels(list(
        Parcel.objects.filter(zone=zone, status__in=services.IN_USE).exclude(
            pk__in=CaseParcel.objects.filter(case__status__in=["opened", "active"]).values("parcel_id"))
        .order_by("code").values(*services.PARCEL_FIELDS))) if r.matched and r.area_mu > 0]
    if not rows:
        return
    rng.shuffle(rows)
    wanted = rng.randint(2, 4)
    dates = services.status_dates([r.parcel_id for r in rows])
    by_id = {p.pk: p for p in Parcel.objects.filter(pk__in=[r.parcel_id for r in rows])}
    while rows and wanted > 0:
        wanted -= 1
        group = [rows.pop()]
        if rows and rng.random() < 0.35:  # 连片: two to four parcels
            for _ in range(min(len(rows), rng.randint(1, 3))):
                group.append(rows.pop())
        last = max((dates.get(r.parcel_id) or datetime.date(2000, 1, 1)) for r in group)
        earliest = max(last, today - datetime.timedelta(days=1000))
        span = (today - earliest).days
        opened = earliest + datetime.timedelta(days=rng.randint(0, max(0, span - 30))) if span > 0 else today
        first = by_id[group[0].parcel_id]
        name = (rng.choice(NAMES_MULTI).format(code=first.code) if len(group) > 1
                else rng.choice(NAMES_SINGLE).format(name=first.name or first.code))
        area = sum(Decimal(str(r.area_mu)) for r in group)
        approach = Approach.SOE if len(group) > 1 and rng.random() < 0.5 else rng.choice(Approach.values)
        try:
            case = services.open_case(
                zone, [by_id[r.parcel_id] for r in group], None, name=name[:200], approach=approach,
                opened_on=opened, target_far=Decimal(rng.choice(["2.0", "2.5", "2.8", "3.0", "3.2"])),
                planned_investment=(area * Decimal(rng.randint(80, 300))).quantize(Decimal("1")),
                notes="演示数据")
        except Exception:  # noqa: BLE001 - a parcel the land rules refuse: skip it, the demo goes on
            continue
        made["cases"] += 1
        fate = rng.random()
        if fate < 0.45 and (today - opened).days >= 60:
            _complete(case, rng, today, made)
        elif fate < 0.55:
            services.stop_case(case, None, reason="企业自主提升，亩均效益达标，终止收储（演示数据）")
        else:
            if rng.random() < 0.7:
                services.start_case(case, None)
            _milestones(case, rng, today, today)
