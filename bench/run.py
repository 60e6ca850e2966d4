"""`make bench`: every benchmark, each in its own process, one JSON line per figure on stdout.

    python bench/run.py [all|import|pages] [--quick]

- import: bench/import_figures.py on SQLite and on PostgreSQL (100,000 rows; baseline 10,000);
- pages:  bench/pages.py (1,000,000 enterprises in PostgreSQL; loaded once, then reused);
- evaluation, chains, service: see FEATURES below and docs/benchmarks.md.
`--quick` runs small sizes (a smoke test of the harness, not figures to quote).
Each child has a time limit; a failing child is reported as a JSON line and the run goes on.
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

from common import emit, log, pg_available

HERE = Path(__file__).resolve().parent


def child(script, args, limit):
    cmd = [sys.executable, str(HERE / script), *args]
    log("$ " + " ".join(cmd[1:]))
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, timeout=limit)
        ok = proc.returncode == 0
        error = None if ok else f"exit status {proc.returncode}"
    except subprocess.TimeoutExpired:
        ok, error = False, f"time limit of {limit} s exceeded"
    if not ok:
        emit(bench=script.removesuffix(".py"), args=" ".join(args), failed=error)
    log(f"{script} {' '.join(args)}: {time.monotonic() - t0:.0f} s")
    return ok


# Benchmarks of later features: (name, script, needs PostgreSQL, time limit in s). Each script
# takes --quick and --db sqlite|postgresql where it reports both; a missing script is skipped.
FEATURES = [
    ("evaluation", "evaluation.py", False, 1800),
    ("chains", "chains.py", False, 900),
    ("service", "service.py", True, 1500),
    ("projects", "projects.py", True, 1200),
    ("landmap", "landmap.py", True, 1200),
    ("land", "land.py", False, 1200),
    ("rankings", "rankings.py", True, 1500),
    ("figures", "figures.py", True, 1200),
    ("peers", "peers.py", False, 600),
    ("redevelop", "redevelop.py", True, 900),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="?", default="all",
                        choices=("all", "import", "pages", *(name for name, *_ in FEATURES)))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    ok = True
    pg = pg_available()
    if not pg:
        log("PostgreSQL is not reachable: its figures are skipped.")
    if args.which in ("all", "import"):
        sizes = ["--rows", "5000", "--baseline-rows", "500"] if args.quick else []
        for db in ("sqlite", "postgresql") if pg else ("sqlite",):
            ok &= child("import_figures.py", ["--db", db, *sizes], limit=900)
    if args.which in ("all", "pages") and pg:
        sizes = (["--database", "zoneops_bench_quick", "--enterprises", "20000", "--requests", "20", "--warmup", "3"]
                 if args.quick else [])
        # the first run on a machine loads 1,000,000 firms (21 min on the 2-core machine) before timing
        ok &= child("pages.py", sizes, limit=3600)
    for name, script, needs_pg, limit in FEATURES:
        if args.which not in ("all", name) or not (HERE / script).exists() or (needs_pg and not pg):
            continue
        ok &= child(script, ["--quick"] if args.quick else [], limit=limit)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
