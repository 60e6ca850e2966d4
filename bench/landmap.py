"""地块地图 with 20,000 parcels of real polygon sizes (5–200 亩, 5–12 vertices) in one zone:
(a) p95 of the map data endpoint /land/map/data.geojson, cold (cache emptied before each request)
    and warm, target 300 ms; baseline in the same run: the generic DRF parcel serializer
    (ParcelSerializer, what /api/parcels/ returns page by page) over the same parcels, rendered
    to JSON in one go;
(b) GeoJSON boundary import of 20,000 parcels (read + validate + plan + commit in one
    transaction with the change log), target 30 s; baseline in the same run: per-row ORM save()
    (validate, get, save with its signal-written change log) on a 2,000-row sample, extrapolated
    to 20,000 (the figure says so).

    python bench/landmap.py [--parcels 20000] [--requests 20] [--db postgresql|sqlite] [--quick]

Creates its own database (`zoneops_bench_landmap_<n>` on PostgreSQL, var/bench/landmap.sqlite3 on
SQLite). One JSON line per figure.
"""
import argparse
import json
import math
import random
import sys
import time

from common import (
    BENCH_VAR,
    emit,
    log,
    percentile,
    pg_available,
    pg_url,
    recreate_pg_database,
    setup_django,
    sqlite_url,
)

DB_NAME = "zoneops_bench_landmap"
TARGET_MS = 300
IMPORT_TARGET_S = 30
BASELINE_SAMPLE = 2000


def shapes(n, seed):
    """n (code, area 亩, polygon) on a 400 m grid around 路桥 (5–200 亩, 5–12 vertices)."""
    from zoneops.core import geo

    rng = random.Random(seed)
    side = math.ceil(math.sqrt(n))
    lon0, lat0 = 121.20, 28.40
    k = geo.M_PER_DEG * math.cos(math.radians(lat0))
    out = []
    for i in range(n):
        # sizes skewed to small plots like a real zone: median ~25 亩
        area = round(min(200.0, max(5.0, rng.lognormvariate(math.log(25), 0.8))), 2)
        lon = lon0 + (i % side) * 400 / k
        lat = lat0 + (i // side) * 400 / geo.M_PER_DEG
        out.append((f"LM-{i:05}", area, geo.synthetic_polygon(lon, lat, area, seed=f"{seed}/{i}", vertices=rng.randint(5, 12))))
    return out


def load(n):
    from django.contrib.auth import get_user_model

    from zoneops.core.models import Membership, Zone
    from zoneops.registry.models import Enterprise, Parcel, ParcelStatus

    rng = random.Random(7)
    zone = Zone.objects.create(code="bench-map", name="地图基准开发区", region_code="331004")
    user = get_user_model().objects.create_user("bench", password="x")
    Membership.objects.create(user=user, zone=zone, role="staff")
    t0 = time.perf_counter()
    firms = [Enterprise(zone=zone, name=f"基准企业{i:05}有限公司", uscc=f"91331004MA{i:07}X"[:18])
             for i in range(n // 10)]
    Enterprise.objects.bulk_create(firms, batch_size=5000)
    firm_ids = list(Enterprise.objects.filter(zone=zone).values_list("pk", flat=True))
    statuses = list(ParcelStatus.values)
    rows = []
    for code, area, g in shapes(n, 11):
        rows.append(Parcel(zone=zone, code=code, area_mu=area, geometry=g, status=rng.choice(statuses),
                           holder_id=rng.choice(firm_ids) if rng.random() < 0.8 else None,
                           floor_area_ratio=round(rng.uniform(0.3, 3.5), 2) if rng.random() < 0.9 else None))
    Parcel.objects.bulk_create(rows, batch_size=2000)
    emit(bench="landmap", figure="load", parcels=n, seconds=round(time.perf_counter() - t0, 1))
    return zone, user


CPU = []  # CPU time of this process per timed call (the machine may be shared: wall time waits for cores)


def timed(fn, n, before=None):
    times = []
    CPU.clear()
    for _ in range(n):
        if before:
            before()
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        CPU.append((time.process_time() - c) * 1000)
    return times


def report(name, times, **extra):
    p95 = percentile(times, 95)
    emit(bench="landmap", figure=name, requests=len(times), p50_ms=round(percentile(times, 50), 1),
         p95_ms=round(p95, 1), max_ms=round(max(times), 1), p95_cpu_ms=round(percentile(CPU, 95), 1),
         target_ms=TARGET_MS, ok=p95 < TARGET_MS, **extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.parcels, args.requests = 2000, 5
    if args.db == "postgresql":
        if not pg_available():
            log("PostgreSQL is not reachable: skipped")
            return 0
        name = f"{DB_NAME}_{args.parcels}"
        recreate_pg_database(name)
        url = pg_url(name)
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        path = BENCH_VAR / f"landmap_{args.parcels}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            p = path.with_name(path.name + suffix)
            if p.exists():
                p.unlink()
        url = sqlite_url(path)
    setup_django(url)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    zone, user = load(args.parcels)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    db = connection.vendor
    sizes = {}

    def get(params="", encoding="gzip"):
        # as a browser asks: gzip accepted (the endpoint stores and sends the body gzipped)
        r = client.get(f"/land/map/data.geojson?zone={zone.pk}{params}", HTTP_ACCEPT_ENCODING=encoding)
        assert r.status_code == 200, r.content[:300]
        sizes[params] = len(r.content)

    # (a) the map's data: cold (no cache), warm (cached), and the generic serializer baseline
    get("", "identity")  # imports, first connection; the plain size
    plain = sizes[""]
    report("map_data_cold", timed(get, args.requests, before=cache.clear), parcels=args.parcels, db=db,
           bytes_gzip=sizes[""], bytes=plain)
    report("map_data_warm", timed(get, args.requests), parcels=args.parcels, db=db)
    report("map_data_far_filtered_cold", timed(lambda: get("&colour=far&status=producing"), args.requests,
                                               before=cache.clear), parcels=args.parcels, db=db)

    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from zoneops.core.features import for_model
    from zoneops.registry.models import Parcel

    feature = for_model(Parcel)
    request = APIRequestFactory().get("/api/parcels/")
    request.user = user

    def baseline():
        qs = feature.base_queryset(user).filter(zone=zone).order_by("pk")
        body = JSONRenderer().render(feature.serializer(qs, many=True, context={"request": request}).data)
        sizes["baseline"] = len(body)

    times = timed(baseline, max(3, args.requests // 4))
    emit(bench="landmap", figure="map_data_baseline_drf_serializer", requests=len(times),
         p50_ms=round(percentile(times, 50), 1), p95_ms=round(percentile(times, 95), 1), max_ms=round(max(times), 1),
         parcels=args.parcels, db=db, bytes=sizes["baseline"], note="generic ParcelSerializer over all parcels, no cache")

    # (b) the import: new boundaries for every parcel
    from zoneops.core import geo
    from zoneops.land import geo_import

    new = shapes(args.parcels, 12)
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": g} for code, _a, g in new]},
        separators=(",", ":")).encode()
    from django.conf import settings

    settings.MEDIA_ROOT = str(BENCH_VAR / "media")
    t0, c0 = time.perf_counter(), time.process_time()
    batch = geo_import.store(zone, user, "bench.geojson", data)
    options = geo_import.Options()
    preview = geo_import.dry_run(batch, options)
    t_dry = time.perf_counter() - t0
    result = geo_import.commit(batch, user, options)
    seconds = time.perf_counter() - t0
    assert result.counts.get(geo_import.UPDATE, 0) + result.counts.get(geo_import.UNCHANGED, 0) == args.parcels, \
        result.counts
    emit(bench="landmap", figure="import_geojson", parcels=args.parcels, db=db, bytes=len(data),
         dry_run_s=round(t_dry, 1), seconds=round(seconds, 1), cpu_s=round(time.process_time() - c0, 1),
         target_s=IMPORT_TARGET_S,
         ok=seconds < IMPORT_TARGET_S, updated=result.counts.get(geo_import.UPDATE, 0), rejected=preview.rejected)

    from django.db import transaction

    from zoneops.core.changelog import change_context

    sample = shapes(min(BASELINE_SAMPLE, args.parcels), 13)[:BASELINE_SAMPLE]
    t0 = time.perf_counter()
    with change_context(user=user), transaction.atomic():
        for i, (code, _a, g) in enumerate(sample, 1):
            clean, _w = geo.validate(g, f"第 {i} 个要素")
            p = Parcel.objects.get(zone=zone, code=code)
            p.geometry = clean
            p.save()
    per_row = (time.perf_counter() - t0) / len(sample)
    emit(bench="landmap", figure="import_baseline_orm_save", db=db, sample=len(sample),
         sample_seconds=round(per_row * len(sample), 1), extrapolated_parcels=args.parcels,
         extrapolated_seconds=round(per_row * args.parcels, 1), note="per-row save() on a sample, extrapolated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
