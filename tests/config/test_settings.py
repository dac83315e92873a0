"""Production settings refuse to start without their secrets and pass ``check --deploy``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": "x9!Kq2#mZ7$wLp4^rT8&vN1*bC6(hJ3)gF5_dS0+aQ-eY-Lm3nB7vC2xZ9kJ4hG6fD1sA8",
    "DATABASE_URL": "sqlite:////tmp/yikouban-settings-check.sqlite3",
    "ALLOWED_HOSTS": "yikouban.example.gov.cn",
}


def run_manage(*args, env):
    dropped = {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_defaults(settings):
    from config.settings import base

    assert base.LANGUAGE_CODE == "zh-hans"
    assert base.TIME_ZONE == "Asia/Shanghai" and base.USE_TZ
    assert base.Q_CLUSTER["timeout"] < base.Q_CLUSTER["retry"]
    assert base.Q_CLUSTER["max_attempts"] and base.Q_CLUSTER["catch_up"] is False


def test_sqlite_default_uses_wal_and_a_busy_timeout(monkeypatch):
    from config.settings.base import database_from_env

    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5


def test_database_url_switches_to_postgresql(monkeypatch):
    from config.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yikouban")
    assert database_from_env()["ENGINE"] == "django.db.backends.postgresql"


def test_q2_uses_redis_when_configured():
    code = "from config.settings import base; print('redis' in base.Q_CLUSTER, 'orm' in base.Q_CLUSTER)"
    env = {**os.environ, "Q2_REDIS_URL": "redis://127.0.0.1:6379/0"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_browser_language_does_not_override_chinese(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    client.cookies["django_language"] = "en"
    assert client.get("/")["Content-Language"] == "en"


def local_settings(**env) -> dict:
    """DEBUG and ALLOWED_HOSTS of config.settings.local under ``env`` (a fresh interpreter)."""
    dropped = {"DJANGO_DEBUG", "HOST", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    code = "import json; from django.conf import settings as s; print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS]))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=True
    )
    debug, hosts = json.loads(result.stdout)
    return {"DEBUG": debug, "ALLOWED_HOSTS": hosts}


def test_local_settings_keep_debug_off_unless_asked_and_allow_the_served_host():
    assert local_settings() == {"DEBUG": False, "ALLOWED_HOSTS": ["127.0.0.1", "localhost"]}
    assert local_settings(DJANGO_DEBUG="1")["DEBUG"] is True
    assert local_settings(HOST="192.168.10.5")["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "192.168.10.5"]


def test_production_probes_answer_over_plain_http_while_pages_redirect_to_https():
    """A load balancer probes each web instance over plain HTTP (docs/deployment.md, cluster)."""
    script = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/readyz').status_code, c.get('/accounts/login/').status_code)"
    )
    result = run_manage("shell", "-c", script, env={**GOOD, "ALLOWED_HOSTS": "testserver"})
    assert result.returncode == 0, result.stderr
    healthz, readyz, page = result.stdout.split()[-3:]
    assert healthz == "200" and readyz in ("200", "503")  # 503: this scratch database has no tables
    assert page == "301"
