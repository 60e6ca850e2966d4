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
echo "  演示账号（用户名 / 密码）："
echo "    demo / zoneops-demo          路桥经济开发区 工作人员（读写）"
echo "    admin / zoneops-admin        超级管理员"
echo "    viewer / zoneops-viewer      永康经济开发区 只读"
echo "    province / zoneops-province  省/市只读（全部开发区）"
echo "    dept / zoneops-dept          路桥经济开发区 部门用户（自然资源和规划局待办）"
echo "    firm / zoneops-firm          路桥经济开发区 企业用户（企业服务门户）"
echo "  按 Ctrl-C 停止网站和后台任务。"
echo
$BIN/python manage.py runserver 127.0.0.1:8000
