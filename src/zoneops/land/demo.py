"""Demo land pipeline: every demo zone's unbuilt parcels get a dated history over the last two
years consistent with their status (some moved on to 已做地 / 挂牌 / 已供地 / 在建), sales at
15–60 万元/亩, a few acquisitions with signing progress (one cleared in 15 days), 3–8 standard
factory buildings / incubators with leases (some projects placed without land: 零供地招商), then
L2's parcel polygons. Bulk writes, no change log (demo data); a few seconds for all zones."""
import datetime
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.registry.models import Enterprise, Parcel

from . import engine
from .models import Acquisition, AcquisitionProgress, EventKind, ParcelEvent, Sale, Space, SpaceLease

PATH = [engine.PLANNED, engine.ACQUIRING, engine.ACQUIRED, engine.READY, engine.LISTED, engine.SOLD, engine.SUPPLIED,
        engine.BUILDING, engine.PRODUCING]
# What the registry demo's unbuilt parcels become (weights), so every step of the pipeline shows.
MOVE_ON = {
    "reserved": [("reserved", 5), (engine.PLANNED, 2), (engine.ACQUIRING, 2)],
    "acquired": [(engine.ACQUIRED, 3), (engine.READY, 3), (engine.LISTED, 2)],
    "sold": [(engine.SOLD, 3), (engine.SUPPLIED, 2), (engine.BUILDING, 2)],
}
SPACE_NAMES = [("标准厂房", "factory"), ("小微企业园", "micro_park"), ("科创孵化器", "incubator"),
               ("智能制造产业园标准厂房", "factory"), ("众创空间", "incubator"), ("数字经济产业园", "micro_park"),
               ("高端装备标准厂房二期", "factory"), ("青年创业园", "incubator")]
OPERATORS = ["开发区建设投资集团有限公司", "城投产业园运营有限公司", "国资科创发展有限公司", "民营园区运营有限公司"]
BUYER_SUFFIX = ["智能装备有限公司", "新材料科技有限公司", "汽车零部件有限公司", "精密机械有限公司", "新能源科技有限公司"]


def _pick(rng, weighted):
    items, weights = zip(*weighted)
    return rng.choices(items, weights)[0]


def _dates(rng, n, today):
    """n increasing dates within the last two years, the last one not after today."""
    start = today - datetime.timedelta(days=730)
    days = sorted(rng.sample(range(0, 730), n))
    return [start + datetime.timedelta(days=d) for d in days]


def load_demo(zones, *, seed, last_year, stdout=None):
    started = time.monotonic()
    rng = random.Random(f"land-{seed}")
    today = timezone.localdate()
    counts = {"events": 0, "sales": 0, "acquisitions": 0, "spaces": 0, "leases": 0}
    with transaction.atomic():
        for zone in zones:
            _zone(zone, rng, today, counts)
        Zone.touch([z.pk for z in zones])
    if stdout is not None:
        stdout.write("土地流转：{events} 条流转记录、{sales} 宗出让、{acquisitions} 个征收项目、{spaces} 处标准厂房、"
                     "{leases} 宗租用（{t:.1f} 秒）\n".format(t=time.monotonic() - started, **counts))
    try:
        from .demo_map import load_demo_map
    except ImportError:
        return
    load_demo_map(zones, seed=seed, stdout=stdout)


def _zone(zone, rng, today, counts):
    parcels = list(Parcel.objects.filter(zone=zone).exclude(status__in=[engine.PRODUCING]).order_by("code"))
    firms = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "name")[:300])
    from zoneops.projects.models import Project

    projects = list(Project.objects.filter(zone=zone).order_by("pk"))
    free_projects = [p for p in projects if p.parcel_id is None]
    events, sales, changed = [], [], []
    acquiring, acquired = [], []
    for parcel in parcels:
        status = parcel.status
        if status in MOVE_ON:
            status = _pick(rng, MOVE_ON[status])
        if status in (engine.INEFFICIENT, engine.REDEVELOPING):
            steps = [engine.PRODUCING, engine.INEFFICIENT] + ([engine.REDEVELOPING] if status == engine.REDEVELOPING else [])
        elif status in PATH:
            steps = PATH[:PATH.index(status) + 1]
        else:
            steps = [status]  # reserved: planned stock without history
        if status != parcel.status:
            parcel.status = status
            changed.append(parcel)
            if status in (engine.READY, engine.LISTED, engine.SOLD, engine.SUPPLIED, engine.BUILDING):
                parcel.floor_area_ratio = None
        if len(steps) < 2:
            continue
        # a parcel built long ago only gets its last moves inside the two years
        steps = steps[-5:]
        dates = _dates(rng, len(steps) - 1, today)
        for (a, b), on in zip(zip(steps, steps[1:]), dates):
            details = {}
            if b == engine.SOLD:
                unit = Decimal(rng.randint(15, 60)) + Decimal(rng.randint(0, 99)) / 100
                area = parcel.area_mu
                buyer = rng.choice(firms) if firms and rng.random() < 0.6 else None
                name = "" if buyer else f"{zone.name[:2]}{rng.choice(BUYER_SUFFIX)}"
                price = (unit * area).quantize(Decimal("0.0001"))
                details = {"price_wan": str(price), "area_mu": str(area), "buyer_id": buyer[0] if buyer else None,
                           "buyer_name": name or buyer[1]}
                sales.append(Sale(zone=zone, parcel=parcel, listed_on=on - datetime.timedelta(days=rng.randint(20, 40)),
                                  sold_on=on, buyer_id=buyer[0] if buyer else None, buyer_name=name, price_wan=price,
                                  area_mu=area))
            elif b == engine.SUPPLIED and free_projects:
                project = free_projects.pop()
                project.parcel_id = parcel.pk
                project.save(update_fields=["parcel"])
                details = {"project_id": project.pk}
            events.append(ParcelEvent(zone=zone, parcel=parcel, kind=EventKind.TRANSITION, from_status=a, to_status=b,
                                      on=on, area_mu=parcel.area_mu, details=details,
                                      note="" if rng.random() < 0.7 else "按计划推进"))
        if status == engine.ACQUIRING:
            acquiring.append((parcel, dates[-1]))
        elif status == engine.ACQUIRED:
            acquired.append((parcel, dates[-1]))
    Parcel.objects.bulk_update(changed, ["status", "floor_area_ratio"], batch_size=1000)
    created = ParcelEvent.objects.bulk_create(events, batch_size=2000)
    by_parcel_sold = {e.parcel_id: e for e in created if e.to_status == engine.SOLD}
    for sale in sales:
        sale.event = by_parcel_sold.get(sale.parcel_id)
    Sale.objects.bulk_create(sales, batch_size=1000)
    counts["events"] += len(created)
    counts["sales"] += len(sales)
    _acquisitions(zone, rng, today, acquiring, acquired, counts)
    _spaces(zone, rng, today, firms, [p for p in projects if p.parcel_id is None], counts)


def _acquisitions(zone, rng, today, acquiring, acquired, counts):
    """Acquisitions of the parcels being acquired (open) and of a few acquired ones (cleared);
    the biggest cleared one took 15 days (as 江山's 444 households)."""
    for i, (parcel, on) in enumerate(acquired[:2] + acquiring[:3]):
        cleared = i < min(2, len(acquired))
        households = rng.randint(40, 460) if i else 444
        firms = rng.randint(3, 110) if i else 108
        acq = Acquisition.objects.create(zone=zone, name=f"{parcel.name or parcel.code}征收", parcel=parcel,
                                         area_mu=parcel.area_mu, started_on=min(on, today - datetime.timedelta(days=30))
                                         if not cleared else on - datetime.timedelta(days=15 if i == 0 else 40),
                                         households_total=households, firms_total=firms)
        days = 15 if i == 0 else (40 if cleared else (today - acq.started_on).days)
        points = sorted(set(rng.sample(range(1, max(days, 3)), min(4, max(days - 1, 2)))) | ({days} if cleared else set()))
        rows = []
        for k, d in enumerate(points, 1):
            share = 1 if (cleared and d == days) else min(0.95, k / (len(points) + 1) + rng.uniform(0, 0.1))
            rows.append(AcquisitionProgress(zone=zone, acquisition=acq, on=acq.started_on + datetime.timedelta(days=d),
                                            households_signed=int(households * share), firms_signed=int(firms * share)))
        rows = [r for r in rows if r.on <= today]
        AcquisitionProgress.objects.bulk_create(rows)
        acq.refresh_progress()
        counts["acquisitions"] += 1


def _spaces(zone, rng, today, firms, free_projects, counts):
    n = rng.randint(3, 8)
    rng.shuffle(free_projects)
    for i in range(n):
        label, kind = SPACE_NAMES[i]
        floors = rng.randint(3, 8) if kind == "factory" else rng.randint(2, 5)
        total = Decimal(rng.randrange(8000, 60000, 500))
        space = Space.objects.create(zone=zone, name=f"{zone.name[:2]}{label}", kind=kind, floors=floors,
                                     total_m2=total, rent=Decimal(rng.randint(8, 25)), operator=rng.choice(OPERATORS),
                                     address=f"{zone.name}{rng.choice(['创业大道', '科技路', '工业园路'])}{rng.randint(1, 300)}号")
        counts["spaces"] += 1
        left = total * Decimal("0.85")
        for _k in range(rng.randint(2, 7)):
            area = Decimal(rng.randrange(300, 4000, 100))
            if area > left:
                break
            start = today - datetime.timedelta(days=rng.randint(10, 700))
            project = free_projects.pop() if free_projects and rng.random() < 0.5 else None
            firm = None if project else (rng.choice(firms)[0] if firms else None)
            if project is None and firm is None:
                break
            SpaceLease.objects.create(zone=zone, space=space, project=project, enterprise_id=firm, area_m2=area,
                                      start_on=start, end_on=start + datetime.timedelta(days=365 * rng.randint(3, 5)))
            left -= area
            counts["leases"] += 1
