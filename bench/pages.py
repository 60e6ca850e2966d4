"""Page latency with 1,000,000 enterprises and 3,000,000 annual rows in PostgreSQL.

    python bench/pages.py [--enterprises 1000000] [--zones 20] [--requests 200] [--reload]

Loads (once; later runs reuse it) a separate database `zoneops_bench` with `demo_data`, starts
gunicorn (2 workers, DEBUG off, production settings) on a free 127.0.0.1 port, logs in as the
default zone's staff user `demo` through the login form, and times each page: warm-up, then
`--requests` sequential GETs. One JSON line per page: p50/p95/max in ms against the 150 ms target.
The same pages are also timed for the province viewer, who sees every zone's firms.
"""
import argparse
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from urllib.parse import urlencode

from common import (BENCH_VAR, REPO, django_env, emit, free_port, log, manage, package_version, percentile,
                    pg_available, pg_database_exists, pg_url, recreate_pg_database, setup_django)

DB_NAME = "zoneops_bench"
TARGET_P95_MS = 150
STAFF = ("demo", "zoneops-demo")
PROVINCE = ("province", "zoneops-province")

# (figure name, path template); {zone} is the default zone's id.
PAGES = [
    ("zone_home", "/zones/{zone}/home/"),
    ("enterprise_list", "/registry/enterprises/"),
    ("enterprise_list_page500", "/registry/enterprises/?page=500"),
    ("enterprise_list_filtered", "/registry/enterprises/?scale=above&industry_section=C"),
    ("enterprise_list_filtered_page500", "/registry/enterprises/?scale=above&industry_section=C&page=500"),
    ("enterprise_list_sorted", "/registry/enterprises/?sort=-name"),
    ("enterprise_list_sorted_page500", "/registry/enterprises/?sort=-name&page=500"),
    ("enterprise_list_filtered_sorted_page500",
     "/registry/enterprises/?scale=above&industry_section=C&sort=-name&page=500"),
]
PROVINCE_PAGES = ["enterprise_list", "enterprise_list_filtered", "enterprise_list_filtered_page500"]


class Client:
    """A tiny HTTP client for 127.0.0.1 that keeps cookies (secure ones too: this is a bench)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Host": "127.0.0.1"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = val.strip()
        return resp.status, resp.getheader("Location"), data

    def get(self, path):
        return self.request("GET", path)

    def login(self, username, password):
        status, _, page = self.get("/login/")
        if status != 200:
            raise RuntimeError(f"登录页返回 {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, location, _ = self.request("POST", "/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"登录失败：{username}（HTTP {status}）")
        return location


def loaded(db, enterprises, zones, years):
    """Whether `db` already holds the demo data of this size."""
    import psycopg

    if not pg_database_exists(db):
        return False
    try:
        with psycopg.connect(pg_url(db)) as conn:
            n = conn.execute("SELECT count(*) FROM registry_enterprise").fetchone()[0]
            z = conn.execute("SELECT count(*) FROM core_zone").fetchone()[0]
            y = conn.execute("SELECT count(DISTINCT year) FROM registry_enterpriseyear").fetchone()[0]
            demo = conn.execute("SELECT 1 FROM auth_user WHERE username = 'demo'").fetchone()
    except psycopg.Error:
        return False
    return (n, z, y) == (enterprises, zones, years) and demo is not None


def prepare(db, enterprises, zones, years, reload):
    url = pg_url(db)
    if reload or not loaded(db, enterprises, zones, years):
        log(f"creating {db} and loading {enterprises:,} enterprises in {zones} zones, {years} years (demo_data) …")
        recreate_pg_database(db)
        manage(["migrate", "-v0"], url)
        t0 = time.monotonic()
        manage(["demo_data", "--zones", str(zones), "--enterprises", str(enterprises), "--years", str(years),
                "--seed", "1"], url)
        emit(bench="demo_data_load", db="postgresql", enterprises=enterprises, zones=zones, years=years,
             seconds=round(time.monotonic() - t0, 1))
    else:
        log(f"reusing {db} ({enterprises:,} enterprises); --reload to rebuild")
        manage(["migrate", "-v0"], url)
    log("VACUUM ANALYZE …")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("registry_enterprise", "registry_enterpriseyear", "registry_parcel")}
        zone = conn.execute("SELECT id FROM core_zone WHERE code = 'luqiao'").fetchone()[0]
        zone_firms = conn.execute("SELECT count(*) FROM registry_enterprise WHERE zone_id = %s", [zone]).fetchone()[0]
    return url, counts, zone, zone_firms


def start_server(url, wsgi):
    (BENCH_VAR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns without STATIC_ROOT
    port = free_port()
    env = django_env(url, ZONEOPS_ENV="production", SECRET_KEY=secrets.token_urlsafe(48),
                     ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", DEBUG="0", LOG_LEVEL="ERROR")
    cmd = [sys.executable, "-m", "gunicorn", wsgi, "--workers", "2",
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=sys.stderr, stderr=sys.stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn 退出，返回码 {proc.returncode}")
        try:
            if Client(port).get("/login/")[0] == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn 60 秒内未就绪")


def time_page(client, path, requests, warmup):
    for _ in range(warmup):
        status, location, _ = client.get(path)
        if status != 200:
            raise RuntimeError(f"{path} 返回 {status} {location or ''}")
    times, size = [], 0
    for _ in range(requests):
        t0 = time.perf_counter()
        status, _, body = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} 返回 {status}")
        size = len(body)
    return times, size, body


def time_zone_figures(url, zone_id, requests):
    """The zone home's aggregates without its cache: what the first visit after a change costs."""
    setup_django(url)
    from zoneops.core import views_home
    from zoneops.core.models import Zone

    compute = getattr(views_home, "zone_figures", None)
    if compute is None:
        return None
    zone = Zone.objects.get(pk=zone_id)
    compute(zone)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        compute(zone)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--years", type=int, default=4, help="years of figures (4 gives > 3,000,000 rows)")
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reload", action="store_true", help="rebuild the database even if it is loaded")
    parser.add_argument("--no-province", action="store_true", help="skip the province viewer's pages")
    parser.add_argument("--wsgi", default="zoneops.wsgi:application",
                        help="the WSGI application to serve (to time a variant; PYTHONPATH is passed on)")
    args = parser.parse_args()
    if not pg_available():
        emit(bench="pages", db="postgresql", skipped="PostgreSQL not reachable")
        return 1

    url, counts, zone, zone_firms = prepare(args.database, args.enterprises, args.zones, args.years, args.reload)
    proc, port = start_server(url, args.wsgi)
    log(f"gunicorn (pid {proc.pid}) on 127.0.0.1:{port}")
    failures = 0
    try:
        runs = [("staff", STAFF, PAGES)]
        if not args.no_province:
            runs.append(("province", PROVINCE, [p for p in PAGES if p[0] in PROVINCE_PAGES]))
        for role, (username, password), pages in runs:
            client = Client(port)
            client.login(username, password)
            for name, template in pages:
                path = template.format(zone=zone)
                times, size, body = time_page(client, path, args.requests, args.warmup)
                rows = body.count(b"<tr") - 1 if b"<table" in body else None
                p95 = percentile(times, 95)
                ok = p95 < TARGET_P95_MS
                failures += not ok
                emit(bench=f"page_{name}" + ("" if role == "staff" else "_province"), db="postgresql",
                     user=f"{username} ({role})", url=path, enterprises=counts["registry_enterprise"],
                     annual_rows=counts["registry_enterpriseyear"], parcels=counts["registry_parcel"],
                     zone_enterprises=zone_firms if role == "staff" else counts["registry_enterprise"],
                     requests=len(times), warmup=args.warmup, p50_ms=round(percentile(times, 50), 1),
                     p95_ms=round(p95, 1), max_ms=round(max(times), 1), table_rows=rows, bytes=size,
                     server=f"gunicorn 2 sync workers, DEBUG off, {args.wsgi}", gunicorn=package_version("gunicorn"),
                     load_avg_1m=round(os.getloadavg()[0], 2),
                     target_p95_ms=TARGET_P95_MS, meets_target=ok)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    times = time_zone_figures(url, zone, max(5, args.requests // 10))
    if times:
        p95 = percentile(times, 95)
        emit(bench="zone_home_figures_uncached", db="postgresql", user="demo (staff)",
             what="views_home.zone_figures(zone) in-process: the aggregates the cached zone home page shows",
             enterprises=counts["registry_enterprise"], annual_rows=counts["registry_enterpriseyear"],
             zone_enterprises=zone_firms, requests=len(times), p50_ms=round(percentile(times, 50), 1),
             p95_ms=round(p95, 1), max_ms=round(max(times), 1), load_avg_1m=round(os.getloadavg()[0], 2),
             target_p95_ms=TARGET_P95_MS, meets_target=p95 < TARGET_P95_MS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
