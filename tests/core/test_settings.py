"""Production mode (ZONEOPS_ENV=production) refuses to start without a secret key and allowed
hosts; with them, debug is off and cookies are secure. Each case is a fresh Python process."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-0123456789"
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in ('DEBUG', 'ALLOWED_HOSTS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_SSL_REDIRECT')}))"
)


def start(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "ZONEOPS_ENV", "DJANGO_SETTINGS_MODULE")}
    clean.update({"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "zoneops.settings",
                  "ZONEOPS_VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, missing", [
    ({}, "SECRET_KEY"),
    ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": "zoneops.example.cn"}, "SECRET_KEY"),
])
def test_production_refuses_to_start_without_secret_key_and_hosts(tmp_path, env, missing):
    r = start(tmp_path, ZONEOPS_ENV="production", **env)
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and missing in r.stderr
    assert "生产模式需要设置" in r.stderr  # says in Chinese what to set


def test_production_turns_debug_off_and_cookies_secure(tmp_path):
    r = start(tmp_path, ZONEOPS_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="zoneops.example.cn, 10.0.0.5",
              DEBUG="1")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["DEBUG"] is False  # even with DEBUG=1 in the environment
    assert s["ALLOWED_HOSTS"] == ["zoneops.example.cn", "10.0.0.5"]
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_SSL_REDIRECT"] is True


def test_development_starts_without_configuration(tmp_path):
    r = start(tmp_path)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["DEBUG"] is True and s["SESSION_COOKIE_SECURE"] is False
