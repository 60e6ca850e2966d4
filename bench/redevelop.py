"""低效用地 candidates of a zone with 20,000 parcels (10,000 firms with an evaluation result and
annual figures, two rule sets) in PostgreSQL: the parcel candidate page cold (evaluated afresh)
and warm (cached, filters applied) and its API, p95 against 300 ms (the issue's target for the
land data endpoints). Baseline, timed in the same run on the
same data: the improvement app's firm candidate list (one SQL query), which the parcel list
complements.

    python bench/redevelop.py [--parcels 20000] [--requests 20] [--quick] [--keep]

Creates a separate database `zoneops_bench_redevelop_<n>` (migrate only), bulk loads, then times
in-process with Django's test client (DEBUG off): warm-up, then `--requests` sequential requests.
One JSON line per figure.
"""
import argparse
import random
import sys
import time
from decimal import Decimal

from common import latency, log, open_pg_database, pg_available, timed

DB_NAME = "zoneops_bench_redevelop"
TARGET_MS = 300


def load(n_parcels):
    from django.contrib.auth import get_user_model

    from zoneops.core.models import Membership, Zone
    from zoneops.evaluation.models import Result, Ruleset, RulesetVersion, Run
    from zoneops.evaluation.ruleset import load_preset
    from zoneops.redevelop.models import CandidateRule
    from zoneops.registry.models import Enterprise, EnterpriseYear, Parcel

    t0 = time.perf_counter()
    rng = random.Random(7)
    zone = Zone.objects.create(code="bench", name="基准开发区")
    user = get_user_model().objects.create_user("bench", password="x")
    Membership.objects.create(user=user, zone=zone, role="staff")
    n_firms = max(1, n_parcels // 2)
    firms = Enterprise.objects.bulk_create(
        [Enterprise(zone=zone, name=f"基准企业{i}有限公司", uscc=f"91330000BENCH{i:05d}"[:18]) for i in range(n_firms)],
        batch_size=2000)
    EnterpriseYear.objects.bulk_create(
        [EnterpriseYear(zone=zone, enterprise=e, year=2024, tax=Decimal(rng.randint(5, 3000))) for e in firms],
        batch_size=2000)
    preset = load_preset("huangyan_2022")
    rs = Ruleset.objects.create(zone=None, name="bench", title="基准规则")
    version = RulesetVersion.objects.create(ruleset=rs, number=1, yaml=preset.to_yaml(), digest=preset.digest())
    run = Run.objects.create(zone=zone, year=2024, ruleset_version=version, state="final", status="done")
    Result.objects.bulk_create(
        [Result(zone=zone, run=run, enterprise=e, unit_key=e.pk, group="above", land_mu=20.0,
                total=rng.uniform(10, 95), final_class=rng.choices("ABCD", [2, 4, 3, 1])[0],
                v_tax_per_mu=rng.uniform(1, 80)) for e in firms], batch_size=2000)
    statuses = ["producing"] * 8 + ["building", "sold", "inefficient", "reserved"]
    Parcel.objects.bulk_create(
        [Parcel(zone=zone, code=f"BP-{i:06d}", area_mu=Decimal(rng.randint(300, 8000)) / 100,
                holder=firms[i % n_firms] if rng.random() < 0.9 else None, status=rng.choice(statuses),
                floor_area_ratio=Decimal(rng.randint(30, 300)) / 100 if rng.random() < 0.85 else None)
         for i in range(n_parcels)], batch_size=2000)
    CandidateRule.objects.create(zone=zone, name="D 类企业用地", classes="D", min_area_mu=Decimal("3"))
    CandidateRule.objects.create(zone=zone, name="低容积率用地", classes="", max_far=Decimal("0.8"),
                                 max_tax_per_mu=Decimal("10"), idle_months=24, combine="any")
    log(f"loaded {n_parcels} parcels, {n_firms} firms in {time.perf_counter() - t0:.1f} s")
    return zone, user


def report(name, times, target=TARGET_MS, **extra):
    latency("redevelop", name, times, target_ms=target, **extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run of this size")
    args = parser.parse_args()
    if args.quick:
        args.parcels, args.requests = 2000, 5
    if not pg_available():
        log("PostgreSQL is not reachable: skipped")
        return 0
    name = f"{DB_NAME}_{args.parcels}"
    reuse = open_pg_database(name, args.keep)
    from django.test import Client

    if reuse:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username="bench")
    else:
        _zone, user = load(args.parcels)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    found = {}

    def get(url, key=None):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        if key:
            found[key] = r

    from django.core.cache import cache

    # cold: the zone's candidates evaluated afresh (the cache emptied before each request), as
    # after any change in the zone; warm: the evaluated list cached, the query's filters applied
    report("candidates_page_cold", timed(lambda: get("/redevelop/candidates/", "page"), args.requests,
                                         before=cache.clear),
           parcels=args.parcels, candidates=found["page"].context["totals"]["parcels"])
    report("candidates_page_warm", timed(lambda: get("/redevelop/candidates/"), args.requests), parcels=args.parcels)
    report("candidates_page_filtered_warm", timed(lambda: get("/redevelop/candidates/?q=00&sort=tax&min_area=10"),
                                                  args.requests), parcels=args.parcels)
    report("candidates_api_warm", timed(lambda: get("/api/redevelop-candidates/"), args.requests),
           parcels=args.parcels)
    report("baseline_firm_candidates_page", timed(lambda: get("/improvement/candidates/"), args.requests),
           target=None, parcels=args.parcels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
