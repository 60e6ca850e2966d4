"""Zone figures with 100 zones × 10 years of monthly values in PostgreSQL: `period_table` for all
zones at once (what the province dashboard and rankings call), and one zone's dashboard page cold
(cache cleared) and warm, p95 against 300 ms. Baseline, timed in the same run: the naive period
table, one ORM query per zone and indicator for the value, its base and the target.

    python bench/figures.py [--zones 100] [--years 10] [--requests 20] [--quick] [--keep]

Creates the database `zoneops_bench_figures_<zones>_<years>` (migrate, which seeds the catalogue;
one staff user of the first zone), bulk loads every reported monthly indicator for every month of
every year and annual targets, then times in-process (Django test client, DEBUG off).
"""
import argparse
import functools
import datetime
import random
import sys
import time
from decimal import Decimal

from common import emit, latency, log, open_pg_database, pg_available, timed

DB_NAME = "zoneops_bench_figures"
TARGET_MS = 300


def load(n_zones, n_years, last_year):
    from django.contrib.auth import get_user_model

    from zoneops.core.models import Membership, Zone
    from zoneops.figures.models import Indicator, IndicatorValue, Target

    rng = random.Random(8)
    t0 = time.perf_counter()
    zones = Zone.objects.bulk_create([Zone(code=f"bz{i:03}", name=f"基准开发区{i:03}") for i in range(n_zones)])
    zones = list(Zone.objects.filter(code__startswith="bz").order_by("code"))
    user = get_user_model().objects.create_user("bench", password="x")
    Membership.objects.create(user=user, zone=zones[0], role="staff")
    monthly = list(Indicator.objects.filter(frequency="monthly"))
    values, targets, n = [], [], 0
    for zone in zones:
        for ind in monthly:
            total = rng.uniform(1000, 500000)
            for year in range(last_year - n_years + 1, last_year + 1):
                total *= rng.uniform(0.95, 1.25)
                targets.append(Target(zone=zone, indicator=ind, year=year, value=Decimal(round(total * 1.1))))
                cum = 0.0
                for month in range(1, 13):
                    cum = cum + total / 12 * rng.uniform(0.8, 1.2) if ind.accumulation == "cumulative" else total
                    values.append(IndicatorValue(zone=zone, indicator=ind, year=year, month=month,
                                                 value=Decimal(f"{cum:.2f}"), source="imported"))
        if len(values) > 50000:
            IndicatorValue.objects.bulk_create(values, batch_size=10000)
            n += len(values)
            values = []
    IndicatorValue.objects.bulk_create(values, batch_size=10000)
    n += len(values)
    Target.objects.bulk_create(targets, batch_size=10000)
    emit(bench="figures", figure="load", zones=n_zones, years=n_years, values=n, targets=len(targets),
         indicators=len(monthly), seconds=round(time.perf_counter() - t0, 1))
    return zones, user


def naive_period_table(zone_ids, year, month):
    """The baseline: one query per zone × indicator for each of value, base and target."""
    from zoneops.figures import engine
    from zoneops.figures.models import Indicator, IndicatorValue, Target

    out = {}
    for zone_id in zone_ids:
        rows = out[zone_id] = {}
        for ind in Indicator.objects.all():
            v = IndicatorValue.objects.filter(zone_id=zone_id, indicator=ind, year=year, month=month).first()
            b = IndicatorValue.objects.filter(zone_id=zone_id, indicator=ind, year=year - 1, month=month).first()
            t = Target.objects.filter(zone_id=zone_id, indicator=ind, year=year).first()
            value, base = v.value if v else None, b.value if b else None
            p = engine.progress(value, t.value if t else None, month, ind.accumulation, ind.direction)
            rows[ind.code] = {"value": value, "yoy": engine.yoy(value, base)[0], "status": p["status"]}
    return out


report = functools.partial(latency, "figures", target_ms=TARGET_MS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run of this size")
    args = parser.parse_args()
    if args.quick:
        args.zones, args.years, args.requests = 10, 2, 5
    if not pg_available():
        log("PostgreSQL is not reachable: skipped")
        return 0
    name = f"{DB_NAME}_{args.zones}_{args.years}"
    reuse = open_pg_database(name, args.keep)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    last_year = datetime.date.today().year - 1
    if reuse:
        from django.contrib.auth import get_user_model

        from zoneops.core.models import Zone

        zones, user = list(Zone.objects.filter(code__startswith="bz").order_by("code")), \
            get_user_model().objects.get(username="bench")
    else:
        zones, user = load(args.zones, args.years, last_year)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    from zoneops.figures import services

    ids = [z.pk for z in zones]
    table = services.period_table(ids, last_year, 7)
    naive = naive_period_table(ids[:3], last_year, 7)
    from zoneops.figures.models import Indicator

    same = set(Indicator.objects.filter(frequency="monthly").exclude(unit="%").values_list("code", flat=True))
    for z in ids[:3]:  # the baseline computes the same figures (monthly levels; rates are in points)
        assert all(naive[z][c]["yoy"] == table[z][c]["yoy"] and naive[z][c]["status"] == table[z][c]["status"]
                   for c in same), "the baseline disagrees"
    report("period_table_all_zones", timed(lambda: services.period_table(ids, last_year, 7), args.requests),
           zones=len(ids), years=args.years)
    report("baseline_naive_period_table_all_zones",
           timed(lambda: naive_period_table(ids, last_year, 7), 2, warm=0), zones=len(ids),
           years=args.years)
    client = Client()
    client.force_login(user)
    url = f"/figures/?zone={zones[0].pk}&period={last_year}-07&indicator=fixed_investment"

    def cold():
        cache.clear()
        assert client.get(url).status_code == 200

    def warm():
        assert client.get(url).status_code == 200

    report("zone_dashboard_cold", timed(cold, args.requests), zones=len(ids), years=args.years)
    report("zone_dashboard_warm", timed(warm, args.requests), zones=len(ids), years=args.years)
    return 0


if __name__ == "__main__":
    sys.exit(main())
