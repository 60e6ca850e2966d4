"""Why is a page slow? Runs pages in-process against the bench database and prints every SQL
query with its time, and EXPLAIN (ANALYZE, BUFFERS) for the slow ones. A diagnostic, not a
figure: output is text on stdout.

    python bench/explain_pages.py [--user demo] [--slow-ms 10] [PATH ...]

Default paths are those of bench/pages.py. Needs the database that bench/pages.py loads.
"""
import argparse
import sys
import time

from common import pg_url, setup_django

DEFAULT_PATHS = [
    "/zones/{zone}/home/",
    "/registry/enterprises/",
    "/registry/enterprises/?page=500",
    "/registry/enterprises/?scale=above&industry_section=C",
    "/registry/enterprises/?scale=above&industry_section=C&page=500",
    "/registry/enterprises/?sort=-name&page=500",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--database", default="zoneops_bench")
    parser.add_argument("--slow-ms", type=float, default=10.0)
    args = parser.parse_args()
    setup_django(pg_url(args.database))

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zoneops.core.models import Zone

    user = get_user_model().objects.get(username=args.user)
    zone = Zone.objects.get(code="luqiao").pk
    client = Client()
    client.force_login(user)
    for template in args.paths or DEFAULT_PATHS:
        path = template.format(zone=zone)
        client.get(path)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            total = (time.perf_counter() - t0) * 1000
        sql_ms = sum(float(q["time"]) * 1000 for q in ctx.captured_queries)
        print(f"\n=== {path}  HTTP {response.status_code}  {total:.0f} ms in-process, "
              f"{len(ctx.captured_queries)} queries, {sql_ms:.0f} ms SQL")
        for q in ctx.captured_queries:
            ms = float(q["time"]) * 1000
            print(f"  {ms:7.1f} ms  {q['sql'][:160]}")
            if ms >= args.slow_ms and q["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    for (line,) in cur.fetchall():
                        print("      | " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
