"""Rankings: the province dashboard across 100 zones × 10 years of monthly figures (~20 indicators,
~240,000 values) in PostgreSQL: p95 of the province data endpoint (cold: cache emptied before each
request; warm), of the province page and of a ranking page, against 300 ms; the baseline is the
per-zone loop (one period query per zone, as a dashboard per zone would do), timed in the same run.

    python bench/rankings.py [--zones 100] [--years 10] [--indicators 20] [--requests 30] [--quick] [--keep]

Creates the database `zoneops_bench_rankings_<zones>` (migrate, bulk load), computes the demo
scheme for the last month, then times in-process with Django's test client. One JSON line per figure.
"""
import argparse
import functools
import csv
import random
import sys
import time
from decimal import Decimal

from common import emit, latency, log, open_pg_database, pg_available, timed

DB_NAME = "zoneops_bench_rankings"
TARGET_MS = 300
COUNTIES = "/work/shared/data/zhejiang/county_codes.csv"


def county_codes():
    try:
        with open(COUNTIES, encoding="utf-8") as fh:
            return [row["code"] for row in csv.DictReader(fh)]
    except OSError:
        return [f"33{c:02d}{d:02d}" for c in range(1, 12) for d in (2, 3, 4, 81, 82, 83, 21, 22)]


def load(n_zones, years, n_indicators, last_year):
    from django.contrib.auth import get_user_model

    from zoneops.core.models import Membership, Zone
    from zoneops.figures.catalogue import load_catalogue
    from zoneops.figures.models import Indicator, IndicatorValue, Target

    rng = random.Random(8)
    load_catalogue(Indicator)
    indicators = list(Indicator.objects.order_by("sort_order", "code")[:n_indicators])
    codes = county_codes()
    zones = Zone.objects.bulk_create([Zone(code=f"z{i:03}", name=f"基准开发区{i:03}", region_code=codes[i % len(codes)])
                                      for i in range(n_zones)])
    user = get_user_model().objects.create_user("province", password="x")
    Membership.objects.create(user=user, role=Membership.Role.PROVINCE)
    t0 = time.perf_counter()
    n = 0
    for zone in zones:
        rows, targets = [], []
        for ind in indicators:
            level = rng.uniform(1e4, 1e6)
            for year in range(last_year - years + 1, last_year + 1):
                level *= rng.uniform(0.95, 1.3)
                targets.append(Target(zone=zone, indicator=ind, year=year, value=Decimal(round(level * 1.1))))
                for month in range(1, 13):
                    v = level * month / 12 if ind.accumulation == "cumulative" else level
                    rows.append(IndicatorValue(zone=zone, indicator=ind, year=year, month=month,
                                               value=Decimal(round(v, 2)), source="imported"))
        IndicatorValue.objects.bulk_create(rows, batch_size=5000)
        Target.objects.bulk_create(targets, batch_size=5000)
        n += len(rows)
    emit(bench="rankings", figure="load", zones=n_zones, indicators=len(indicators), values=n,
         seconds=round(time.perf_counter() - t0, 1))
    return user


report = functools.partial(latency, "rankings", target_ms=TARGET_MS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run of this size")
    args = parser.parse_args()
    if args.quick:
        args.zones, args.years, args.requests = 10, 2, 5
    if not pg_available():
        log("PostgreSQL is not reachable: skipped")
        return 0
    name = f"{DB_NAME}_{args.zones}"
    reuse = open_pg_database(name, args.keep)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    today = timezone.localdate()
    from zoneops.rankings import demo, engine, services

    year, month = engine.previous_period(today.year, today.month)
    if reuse:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username="province")
    else:
        user = load(args.zones, args.years, args.indicators, year)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    scheme = demo.make_scheme()
    t0 = time.perf_counter()
    services.compute_with_previous(scheme, year, month)
    emit(bench="rankings", figure="compute_period", zones=args.zones, items=12,
         ms=round((time.perf_counter() - t0) * 1000 / 2, 1), note="one period's scores, ranks and snapshot")

    client = Client()
    client.force_login(user)
    period = f"{year}-{month:02d}"
    data_url = f"/rankings/province/data/?indicator=fixed_investment&period={period}&scheme={scheme.pk}"

    def get(url):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return r

    size = dict(zones=args.zones, years=args.years, indicators=args.indicators)
    report("province_data_cold", timed(lambda: get(data_url), args.requests, before=cache.clear), **size)
    report("province_data_warm", timed(lambda: get(data_url), args.requests), **size)
    report("province_page", timed(lambda: get(f"/rankings/province/?period={period}"), args.requests), **size)
    report("ranking_page", timed(lambda: get(f"/rankings/{scheme.pk}/?period={period}"), args.requests), **size)

    # Baseline: the per-zone loop, one period query per zone, the same data assembled.
    from zoneops.core.models import Zone
    from zoneops.figures.models import Indicator

    indicator = Indicator.objects.get(code="fixed_investment")

    def per_zone():
        out = []
        for z in Zone.objects.order_by("code"):
            cell = services.period_table([z.pk], year, month, [indicator.code]).get(z.pk, {}).get(indicator.code) or {}
            out.append((z.pk, cell.get("value"), cell.get("yoy"), services.city_of(z.region_code)))
        return out

    report("baseline_per_zone_loop", timed(per_zone, args.requests), **size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
