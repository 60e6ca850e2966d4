"""土地流转统计 for a zone with 20,000 parcels and ~100,000 parcel events: p95 of the figures page
(/land/figures/), cold (cache cleared before every request) and warm, against 300 ms; baseline:
the naive per-status ORM loop (one query per status and measure, current stock only), timed in
the same run.

    python bench/land.py [--parcels 20000] [--requests 30] [--db postgresql|sqlite] [--quick] [--keep]

Creates a separate database (`zoneops_bench_land_<n>` in PostgreSQL, or var/bench/land-<n>.sqlite3),
migrates, bulk loads one zone: parcels walked through the pipeline over three years (5 events
each on average), a sale per sold parcel, 50 acquisitions with progress, 20 spaces with leases;
then times in-process with Django's test client (DEBUG off): warm-up, `--requests` sequential
requests, p50/p95/max. Two periods: this year to date (the stock is the current one) and last
year (the stock is rebuilt as of 31 December from the events after it).
"""
import argparse
import datetime
import random
import sys
import time

from common import (
    BENCH_VAR,
    emit,
    latency,
    pg_available,
    pg_database_exists,
    pg_url,
    recreate_pg_database,
    setup_django,
    sqlite_url,
    timed,
)

TARGET_MS = 300
PATH = ["planned", "acquiring", "acquired", "ready", "listed", "sold", "supplied", "building", "producing"]


def load(n_parcels):
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zoneops.core.models import Membership, Zone
    from zoneops.land.models import (Acquisition, AcquisitionProgress, ParcelEvent, Sale, Space,
                                     SpaceLease)
    from zoneops.registry.models import Parcel

    rng = random.Random(7)
    zone = Zone.objects.create(code="bench", name="基准开发区")
    user = get_user_model().objects.create_user("bench", password="x")
    Membership.objects.create(user=user, zone=zone, role="staff")
    today = timezone.localdate()
    t0 = time.perf_counter()
    plans = []
    for i in range(n_parcels):
        r = rng.random()
        if r < 0.05:
            target = rng.choice(["inefficient", "redeveloping"])
        else:
            target = PATH[min(int(rng.triangular(0, len(PATH), len(PATH) - 0.5)), len(PATH) - 1)]
        plans.append((f"BK-{i:06}", Decimal(rng.randint(500, 20000)) / 100, target))
    Parcel.objects.bulk_create([Parcel(zone=zone, code=c, name=f"基准地块{c}", area_mu=a, status=t)
                                for c, a, t in plans], batch_size=5000)
    parcels = list(Parcel.objects.filter(zone=zone).order_by("code").values_list("pk", "code", "area_mu", "status"))
    events, sales = [], []
    for pk, _code, area, status in parcels:
        if status in ("inefficient", "redeveloping"):
            steps = ["producing", "inefficient"] + (["redeveloping"] if status == "redeveloping" else [])
        else:
            steps = PATH[:PATH.index(status) + 1][-6:]
        n = len(steps) - 1
        if n <= 0:
            continue
        days = sorted(rng.sample(range(0, 1095), n))
        for (a, b), d in zip(zip(steps, steps[1:]), days):
            on = today - datetime.timedelta(days=1095 - d)
            events.append(ParcelEvent(zone=zone, parcel_id=pk, from_status=a, to_status=b, on=on, area_mu=area))
            if b == "sold":
                sales.append(Sale(zone=zone, parcel_id=pk, sold_on=on, buyer_name="基准受让人",
                                  price_wan=area * rng.randint(15, 60), area_mu=area))
    ParcelEvent.objects.bulk_create(events, batch_size=10000)
    Sale.objects.bulk_create(sales, batch_size=5000)
    acqs = Acquisition.objects.bulk_create([
        Acquisition(zone=zone, name=f"基准征收{i}", area_mu=100, started_on=today - datetime.timedelta(days=rng.randint(30, 900)),
                    households_total=rng.randint(50, 500), firms_total=rng.randint(5, 100)) for i in range(50)])
    progress = []
    for a in acqs:
        for k in range(1, 6):
            on = a.started_on + datetime.timedelta(days=5 * k)
            if on <= today:
                progress.append(AcquisitionProgress(zone=zone, acquisition=a, on=on, households_signed=a.households_total * k // 5,
                                                    firms_signed=a.firms_total * k // 5))
    AcquisitionProgress.objects.bulk_create(progress)
    spaces = Space.objects.bulk_create([Space(zone=zone, name=f"基准厂房{i}", total_m2=50000, free_m2=20000)
                                        for i in range(20)])
    SpaceLease.objects.bulk_create([SpaceLease(zone=zone, space=s, enterprise=None, project=None, area_m2=1000,
                                               start_on=today - datetime.timedelta(days=rng.randint(0, 700)))
                                    for s in spaces for _ in range(30)])
    Zone.touch([zone.pk])
    emit(bench="land", figure="load", parcels=n_parcels, events=len(events), sales=len(sales),
         seconds=round(time.perf_counter() - t0, 1))
    return zone, user


def report(name, times, db, **extra):
    latency("land", name, times, target_ms=TARGET_MS, db=db, **extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run of this size")
    args = parser.parse_args()
    if args.quick:
        args.parcels, args.requests = 2000, 10
    db = args.db or ("postgresql" if pg_available() else "sqlite")
    name = f"zoneops_bench_land_{args.parcels}"
    if db == "postgresql":
        reuse = args.keep and pg_database_exists(name)
        if not reuse:
            recreate_pg_database(name)
        url = pg_url(name)
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        path = BENCH_VAR / f"land-{args.parcels}.sqlite3"
        reuse = args.keep and path.exists()
        if not reuse:
            for p in BENCH_VAR.glob(f"land-{args.parcels}.sqlite3*"):
                p.unlink()
        url = sqlite_url(path)
    setup_django(url)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    if reuse:
        from django.contrib.auth import get_user_model

        from zoneops.core.models import Zone

        zone, user = Zone.objects.get(code="bench"), get_user_model().objects.get(username="bench")
    else:
        zone, user = load(args.parcels)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    today = datetime.date.today()
    periods = {"ytd": f"from={today.year}-01-01&to={today.isoformat()}",
               "last_year": f"from={today.year - 1}-01-01&to={today.year - 1}-12-31"}

    def get(url):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    for key, query in periods.items():
        url = f"/land/figures/?zone={zone.pk}&{query}"
        report(f"figures_cold_{key}", timed(lambda: get(url), args.requests, before=cache.clear), db,
               parcels=args.parcels)
        report(f"figures_warm_{key}", timed(lambda: get(url), args.requests), db, parcels=args.parcels)

    from zoneops.land import figures

    report("baseline_naive_per_status_loop", timed(lambda: figures.naive_stock([zone.pk]), args.requests), db,
           parcels=args.parcels, note="one query per status and measure; current stock and all-time flows only")
    report("compute_only_last_year", timed(lambda: figures.compute([zone.pk], datetime.date(today.year - 1, 1, 1),
                                                                    datetime.date(today.year - 1, 12, 31)),
                                           args.requests), db, parcels=args.parcels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
