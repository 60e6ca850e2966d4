#!/usr/bin/env bash
# Runs the web server and the background worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/python manage.py db_worker --interval 0.5 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo
echo "  ZoneOps 已启动：http://127.0.0.1:8000"
echo "  演示账号：demo / zoneops-demo（路桥经开区工作人员）；管理员 admin / zoneops-admin"
echo "  按 Ctrl-C 停止网站和后台任务。"
echo
$BIN/python manage.py runserver 127.0.0.1:8000
