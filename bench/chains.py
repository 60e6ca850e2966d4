"""Benchmarks of the chains app (`make bench`; bench/run.py runs this file, --quick for CI):

- matcher throughput: 1,000,000 synthetic enterprises (names, scopes and codes drawn from the
  demo generator's chains and the standard scope phrases) against all shipped chain templates,
  firms per second (target ≥ 20,000/s), single process; baseline in the same run: scanning the same
  texts for one substring (the cost floor of touching every text once);
- precision / recall on the labelled set tests/data/chains/firms.psv, per chain;
- chain page with 50,000 mapped firms: p95 of every tab (the firms tab on its first, a middle and
  its last page, filtered by source and by a search word), with the chain summary cached and cold
  (the zone's data bumped before each request), and the summary computed from scratch; on
  PostgreSQL when reachable, else SQLite (the figure says which).
"""
import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    BENCH_VAR,
    REPO,
    SRC,
    emit,
    log,
    percentile,
    pg_available,
    pg_database_exists,
    pg_url,
    recreate_pg_database,
    setup_django,
    sqlite_url,
)

sys.path.insert(0, str(SRC))


def synthetic_firms(n, seed=7):
    """(name, former, code, scope) tuples: demo-like names and codes, scopes from standard phrases."""
    from zoneops.chains.scopes import SCOPES, TAIL
    from zoneops.registry import demo

    rng = random.Random(seed)
    classes = []
    for spec in demo.SEED_ZONES:
        for chain in spec.chains:
            for code, w, words in chain.classes:
                classes.append((code, words))
    prefixes = ("浙江", "台州市", "永康市", "江山市", "湖州", "温州", "宁波", "杭州")
    trade = demo.TRADE_CHARS
    others = ["塑料制品制造", "服装制造", "软件开发", "普通货物仓储服务", "建筑材料销售", "日用百货销售"]
    out = []
    for i in range(n):
        code, words = classes[rng.randrange(len(classes))]
        name = f"{rng.choice(prefixes)}{rng.choice(trade)}{rng.choice(trade)}{rng.choice(words)}有限公司"
        head = rng.choice(SCOPES.get(code) or others)
        scope = f"{head}；{rng.choice(TAIL)}；{rng.choice(others)}"
        out.append((name, "", code, scope))
    return out


def bench_matcher(n, chunk=100_000):
    """Match `n` firms, generated and matched 100,000 at a time (as run_mapping reads the database
    in chunks): only the matching is timed."""
    from zoneops.chains import engine, treeio

    trees = [t for _, t in treeio.templates()]
    t0 = time.perf_counter()
    m = engine.Matcher([treeio.chain_spec(t) for t in trees])
    compile_s = time.perf_counter() - t0
    secs = base_s = 0.0
    hits = base = 0
    for start in range(0, n, chunk):
        firms = synthetic_firms(min(chunk, n - start), seed=7 + start)
        gc.collect()
        t0 = time.perf_counter()
        for name, former, code, scope in firms:
            hits += bool(m.match(name, former, code, scope))
        secs += time.perf_counter() - t0
        t0 = time.perf_counter()
        base += sum(1 for name, _f, _c, scope in firms if "汽车" in name or "汽车" in scope)
        base_s += time.perf_counter() - t0
        log(f"matched {start + len(firms):,} firms, {round((start + len(firms)) / secs):,}/s")
    emit(feature="chains", figure="matcher_firms_per_second", value=round(n / secs), unit="firms/s", firms=n,
         chains=len(trees), segments=m.n_segments, keywords=len(m.kw), matched_share=round(hits / n, 3),
         seconds=round(secs, 2), compile_ms=round(compile_s * 1000, 1), target=20000,
         baseline_substring_scan_per_second=round(n / base_s), baseline_hits=base)


def bench_quality():
    from zoneops.chains import evaluate

    firms = evaluate.read_labelled(REPO / "tests" / "data" / "chains" / "firms.psv")
    res = evaluate.evaluate(firms)
    for chain, r in res.items():
        emit(feature="chains", figure="labelled_precision_recall", chain="全部" if chain == "_all" else chain,
             precision=round(r["precision"], 3), recall=round(r["recall"], 3), tp=r["tp"], fp=r["fp"], fn=r["fn"],
             firms=len(firms))


def bench_page(n_firms, requests, reuse=False, sqlite=False):
    """A zone with `n_firms` enterprises mapped to one chain; time every tab of the chain page, with
    the chain summary cached and cold (the zone's data version bumped before each request: the first
    view after any change). --reuse keeps the loaded database between runs (while iterating)."""
    import subprocess

    dbname = f"zoneops_bench_chains_{n_firms}"
    if pg_available() and not sqlite:
        db, url = "PostgreSQL", pg_url(dbname)
        fresh = not (reuse and pg_database_exists(dbname))
        if fresh:
            recreate_pg_database(dbname)
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        path = BENCH_VAR / f"{dbname}.sqlite3"
        fresh = not (reuse and path.exists())
        if fresh:
            path.unlink(missing_ok=True)
        db, url = "SQLite", sqlite_url(path)
    log(f"chain page bench on {db}")
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "zoneops.settings",
           "ZONEOPS_VAR_DIR": str(BENCH_VAR)}
    subprocess.run([sys.executable, str(REPO / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=REPO)
    setup_django(url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from zoneops.chains import services
    from zoneops.chains.models import Chain, ChainMapping
    from zoneops.core.models import Membership, Zone

    settings.ALLOWED_HOSTS = ["*"]
    if fresh or not Zone.objects.filter(code="bench").exists():
        result = _load_page_data(n_firms, db)
        auto_seconds = result["seconds"]
    else:
        log("reusing the loaded database")
        auto_seconds = None
    zone = Zone.objects.get(code="bench")
    chain = Chain.objects.get(zone=zone)
    n_mapped = ChainMapping.objects.filter(chain=chain).values("enterprise_id").distinct().count()
    user, _created = get_user_model().objects.get_or_create(username="bench_staff")
    Membership.objects.get_or_create(user=user, zone=zone, defaults={"role": "staff"})
    client = Client()
    client.force_login(user)
    cpu = CpuClock(db)
    cold = []
    cpu.start()
    for _ in range(5):  # the summary computed from scratch (the page caches it per data version)
        t0 = time.perf_counter()
        services.compute_overview(chain)
        cold.append((time.perf_counter() - t0) * 1000)
    emit(feature="chains", figure="chain_overview_cold_ms", value=round(percentile(cold, 50), 1),
         max=round(max(cold), 1), cpu_mean_ms=cpu.mean_ms(5), unit="ms", database=db, mapped_firms=n_mapped,
         load_avg_1m=round(os.getloadavg()[0], 2))
    # The firms tab pages through every mapping: the first, a middle and the last page, filtered.
    n_pages = max(1, -(-ChainMapping.objects.filter(chain=chain).count() // 50))
    views = [("panorama", {}), ("gaps", {}), ("targets", {}), ("checklist", {}), ("tree", {}), ("history", {}),
             ("firms", {}), ("firms", {"page": n_pages // 2}), ("firms", {"page": n_pages}),
             ("firms", {"source": "confirmed"}), ("firms", {"q": "制动"}), ("firms", {"q": "科技", "page": 3})]
    for tab, params in views:
        url = chain.get_absolute_url()
        query = {"tab": tab, **params}
        for mode in ("cached", "cold"):
            client.get(url, query)  # warm
            times = []
            cpu.start()
            for _ in range(requests):
                if mode == "cold":
                    Zone.touch([zone.pk])  # a data change: every cached figure of the zone is stale
                t0 = time.perf_counter()
                r = client.get(url, query)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.status_code
            emit(feature="chains", figure="chain_page_p95_ms", tab=tab, params=params, cache=mode,
                 value=round(percentile(times, 95), 1), p50=round(percentile(times, 50), 1),
                 cpu_mean_ms=cpu.mean_ms(requests), unit="ms", database=db,
                 mapped_firms=n_mapped, requests=requests, target=300, auto_mapping_seconds=auto_seconds,
                 load_avg_1m=round(os.getloadavg()[0], 2))


class CpuClock:
    """CPU time of this process plus, on PostgreSQL, of its database backend (same host, read from
    /proc): what the requests would take on an idle machine, whatever else shares the CPUs."""

    def __init__(self, db):
        from django.db import connection

        self.backend = None
        if db == "PostgreSQL":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                self.backend = cur.fetchone()[0]

    def _now(self):
        t = time.process_time()
        if self.backend is not None:
            try:
                fields = Path(f"/proc/{self.backend}/stat").read_text().rsplit(")", 1)[1].split()
                t += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return t

    def start(self):
        self.t0 = self._now()

    def mean_ms(self, n):
        return round((self._now() - self.t0) * 1000 / n, 1)


def _load_page_data(n_firms, db):
    from zoneops.chains import services, treeio
    from zoneops.chains.models import ChainLeader, ChainMapping, MappingSource, Segment
    from zoneops.core.models import Zone
    from zoneops.registry.demo import OrgCodes, make_uscc
    from zoneops.registry.models import Enterprise, EnterpriseYear

    zone = Zone.objects.create(code="bench", name="基准开发区", region_code="331004")
    chain = services.create_chain(zone, treeio.load_template("auto"))
    firms = synthetic_firms(n_firms, seed=11)
    orgs = OrgCodes(random.Random(3))
    rng = random.Random(5)
    t0 = time.perf_counter()
    Enterprise.objects.bulk_create([Enterprise(zone=zone, uscc=make_uscc("331004", orgs.old(i)), name=f"{name}{i}",
                                               industry_id=code, business_scope=scope,
                                               scale="above" if rng.random() < 0.3 else "below")
                                    for i, (name, _f, code, scope) in enumerate(firms)], batch_size=5000)
    ids = list(Enterprise.objects.filter(zone=zone).values_list("id", flat=True))
    EnterpriseYear.objects.bulk_create([EnterpriseYear(zone=zone, enterprise_id=e, year=y,
                                                       revenue=rng.randrange(100, 90000), tax=rng.randrange(5, 4000))
                                        for e in ids for y in (2023, 2024)], batch_size=5000)
    log(f"loaded {n_firms:,} firms in {time.perf_counter() - t0:.1f} s; mapping")
    # Map every firm: the matcher's result, then the rest into segments round-robin so that the
    # chain really has `n_firms` mapped firms.
    result = services.run_mapping(zone, [chain])
    mapped = set(ChainMapping.objects.filter(chain=chain).values_list("enterprise_id", flat=True))
    leaves = list(Segment.objects.filter(chain=chain, children__isnull=True).values_list("id", flat=True))
    ChainMapping.objects.bulk_create([ChainMapping(zone=zone, enterprise_id=e, chain=chain,
                                                   segment_id=leaves[i % len(leaves)], confidence=0.6, evidence="基准")
                                      for i, e in enumerate(x for x in ids if x not in mapped)], batch_size=5000)
    # Some staff decisions, as in a chain in use.
    ChainMapping.objects.filter(chain=chain, pk__in=ChainMapping.objects.filter(chain=chain).order_by("pk")
                                .values("pk")[:300]).update(source=MappingSource.CONFIRMED)
    ChainLeader.objects.bulk_create([ChainLeader(zone=zone, chain=chain, enterprise_id=e) for e in ids[:5]])
    if db == "PostgreSQL":
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # as after demo_data: statistics and the visibility map
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="100,000 firms for the matcher, 5,000 for the page")
    p.add_argument("--page-only", action="store_true", help="only the chain page figures")
    p.add_argument("--firms", type=int, help="mapped firms for the chain page (default 50,000; 5,000 with --quick)")
    p.add_argument("--requests", type=int, help="timed requests per page (default 30; 10 with --quick)")
    p.add_argument("--sqlite", action="store_true", help="the chain page on SQLite even when PostgreSQL is up")
    p.add_argument("--reuse", action="store_true", help="keep the chain page's loaded database between runs")
    args = p.parse_args()
    if not args.page_only:
        bench_quality()
        bench_matcher(100_000 if args.quick else 1_000_000)
    bench_page(args.firms or (5_000 if args.quick else 50_000), args.requests or (10 if args.quick else 30),
               reuse=args.reuse, sqlite=args.sqlite)


if __name__ == "__main__":
    main()
