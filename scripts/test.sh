#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL; browser tests run in both.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}

if [ ! -x /usr/bin/chromium ]; then
  echo "!! /usr/bin/chromium 不存在：浏览器测试需要 Debian 的 chromium 与 fonts-noto-cjk（.ci/run 会安装）。" >&2
fi

echo "== pytest on SQLite =="
$BIN/pytest "$@"; sqlite_rc=$?

if $BIN/python -c "import psycopg,sys; psycopg.connect('$PG_URL', connect_timeout=5).close()" 2>/dev/null; then
  echo "== pytest on PostgreSQL ($PG_URL) =="
  DATABASE_URL=$PG_URL $BIN/pytest "$@"; pg_rc=$?
else
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  echo "!! PostgreSQL at $PG_URL is NOT reachable: the PostgreSQL run did NOT happen." >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  pg_rc=1
fi
if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "FAILED: sqlite=$sqlite_rc postgresql=$pg_rc" >&2
  exit 1
fi
echo "OK: SQLite and PostgreSQL runs passed."
