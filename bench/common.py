"""Shared helpers of the `make bench` scripts: JSON output, databases, Django set-up.

Every figure is one JSON line on stdout; progress and diagnostics go to stderr.
"""
import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
BENCH_VAR = REPO / "var" / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def emit(**record):
    """One figure: one JSON line on stdout."""
    print(json.dumps(record, ensure_ascii=False), flush=True)


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pg_url(dbname):
    parts = urlsplit(PG_ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def pg_available():
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=5).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def pg_admin(sql_statements):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for sql in sql_statements:
            conn.execute(sql)


def recreate_pg_database(name):
    pg_admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])


def pg_database_exists(name):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def sqlite_url(path):
    return f"sqlite:///{path}"


def django_env(database_url, **extra):
    env = dict(os.environ)
    path = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": path, "DJANGO_SETTINGS_MODULE": "zoneops.settings",
                "ZONEOPS_VAR_DIR": str(BENCH_VAR)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(args, database_url, **extra):
    """Run `manage.py args` in a child process on `database_url`; its output goes to stderr."""
    cmd = [sys.executable, str(REPO / "manage.py"), *args]
    subprocess.run(cmd, env=django_env(database_url, **extra), check=True, stdout=sys.stderr, cwd=REPO)


def setup_django(database_url):
    """Configure this process for `database_url` (call before importing models)."""
    os.environ.update(django_env(database_url))
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    import django

    django.setup()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    """The p-th percentile (0–100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def package_version(name):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def timed(fn, n, *, warm=3, before=None):
    """Milliseconds of `n` calls of `fn` after `warm` untimed ones; `before()` runs, untimed,
    ahead of every call (e.g. to empty a cache)."""
    import time

    for _ in range(warm):
        if before:
            before()
        fn()
    times = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def latency(bench, name, times, *, target_ms, **extra):
    """One JSON line: p50/p95/max of `times` (ms) against the target (None: no target)."""
    p95 = percentile(times, 95)
    emit(bench=bench, figure=name, requests=len(times), p50_ms=round(percentile(times, 50), 1),
         p95_ms=round(p95, 1), max_ms=round(max(times), 1), target_ms=target_ms,
         ok=None if target_ms is None else p95 < target_ms, **extra)


def open_pg_database(name, keep):
    """Django on the PostgreSQL database `name`, migrated and ready for the test client: recreated,
    unless `keep` and it exists (then its data is reused). Returns whether it was reused."""
    reuse = keep and pg_database_exists(name)
    if not reuse:
        recreate_pg_database(name)
    setup_django(pg_url(name))
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    return reuse
