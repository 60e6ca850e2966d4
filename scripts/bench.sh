#!/usr/bin/env bash
# `make bench`: the benchmarks of bench/, one JSON line per figure on stdout (progress on stderr).
# The first run loads 1,000,000 enterprises into the PostgreSQL database zoneops_bench (a few
# minutes); later runs reuse it. BENCH_PG_URL overrides postgres://postgres@127.0.0.1:5432/postgres.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/run.py "$@"
