"""/healthz and /readyz (config/health.py, docs/deployment.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_q.models import OrmQ, Success
from django_q.signing import SignedPackage

from config import health

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_every_check_and_no_host_or_path(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and "failing" not in body
    assert set(body["checks"]) == {"database", "cache", "queue"}
    assert all(check["ok"] for check in body["checks"].values())
    queue = body["checks"]["queue"]
    assert queue["queued"] == 0 and queue["oldest_task_age_s"] == 0 and queue["last_sweep_at"] is None
    text = response.content.decode()
    for secret in ("sqlite", "yikouban.sqlite3", "127.0.0.1", "/var/", "SECRET"):
        assert secret not in text


def test_readyz_503_names_the_database_when_it_is_down(client):
    down = mock.Mock(side_effect=OperationalError("unable to open /secret/path"))
    with mock.patch.dict(health.READINESS_CHECKS, {"database": down}):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["database", "queue"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "/secret/path" not in response.content.decode()


def test_readyz_503_names_the_cache(client):
    with mock.patch.object(health.cache, "get", return_value=None):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def _enqueue(started):
    task = {"id": "t1", "name": "t1", "func": "math.floor", "args": (1,), "kwargs": {}, "started": started}
    OrmQ.objects.create(key="yikouban", payload=SignedPackage.dumps(task), lock=started)


def test_readyz_reports_the_oldest_queued_task_and_fails_when_it_waited_too_long(client, settings):
    settings.READYZ_QUEUE_MAX_AGE_SECONDS = 300
    _enqueue(timezone.now() - timedelta(seconds=30))
    queue = client.get("/readyz").json()["checks"]["queue"]
    assert queue["ok"] and queue["queued"] == 1 and 29 <= queue["oldest_task_age_s"] <= 40

    OrmQ.objects.all().delete()
    _enqueue(timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["queue"]


def test_readyz_reports_the_last_sweep_and_fails_when_it_is_stale(client, settings):
    settings.READYZ_SWEEP_MAX_AGE_SECONDS = 600
    stopped = timezone.now() - timedelta(seconds=70)
    Success.objects.create(
        id="s1",
        name="sweep",
        func=health.SWEEP_FUNC,
        started=stopped,
        stopped=stopped,
        success=True,
        args=(),
        kwargs={},
    )
    queue = client.get("/readyz").json()["checks"]["queue"]
    assert queue["ok"] and queue["last_sweep_at"] == stopped.isoformat() and 69 <= queue["last_sweep_age_s"] <= 80

    Success.objects.filter(id="s1").update(stopped=timezone.now() - timedelta(hours=2))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["queue"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_login_and_never_write_a_session(client, user, path, django_assert_num_queries):
    staff = user("gm_dispatch")
    client.force_login(staff)
    session_key = client.cookies["sessionid"].value
    session = client.session
    session["yk_seen_at"] = 0  # long idle: a staff page would log out, and rewrite the session
    session.save()
    response = client.get(path)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert client.cookies["sessionid"].value == session_key
    assert client.session["yk_seen_at"] == 0
    json.loads(response.content)
