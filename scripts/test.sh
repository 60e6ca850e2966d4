#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL, side by side (one per core); browser tests run in
# both. Each run's output is shown when it ends.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
LOGS=var/test-logs
mkdir -p "$LOGS"

if [ ! -x /usr/bin/chromium ]; then
  echo "!! /usr/bin/chromium 不存在：浏览器测试需要 Debian 的 chromium 与 fonts-noto-cjk（.ci/run 会安装）。" >&2
fi

pg_up=0
if $BIN/python -c "import psycopg,sys; psycopg.connect('$PG_URL', connect_timeout=5).close()" 2>/dev/null; then
  pg_up=1
fi

started=$(date +%s)
echo "== pytest on SQLite and on PostgreSQL, side by side (logs in $LOGS/) =="
$BIN/pytest "$@" > "$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
if [ $pg_up -eq 1 ]; then
  DATABASE_URL=$PG_URL $BIN/pytest "$@" > "$LOGS/postgresql.log" 2>&1 &
  pg_pid=$!
fi
wait $sqlite_pid; sqlite_rc=$?
echo "== SQLite =="; tail -n 40 "$LOGS/sqlite.log"
if [ $pg_up -eq 1 ]; then
  wait $pg_pid; pg_rc=$?
  echo "== PostgreSQL ($PG_URL) =="; tail -n 40 "$LOGS/postgresql.log"
else
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  echo "!! PostgreSQL at $PG_URL is NOT reachable: the PostgreSQL run did NOT happen." >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  pg_rc=1
fi
echo "(both runs: $(( $(date +%s) - started )) s)"
if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "FAILED: sqlite=$sqlite_rc postgresql=$pg_rc (full output in $LOGS/)" >&2
  exit 1
fi
echo "OK: SQLite and PostgreSQL runs passed."
