"""Liveness and readiness probes (docs/deployment.md).

A small view rather than django-health-check: three checks, one of them (the q2 queue and the
warning sweep) specific to us, and an answer that must name no host, path or secret.

- ``/healthz``: the process answers. No database, no cache, no session.
- ``/readyz``: the database answers ``SELECT 1``, the cache stores and returns a value, the q2 queue
  is being worked (its oldest task has waited at most ``READYZ_QUEUE_MAX_AGE_SECONDS``) and the
  warning sweep last succeeded at most ``READYZ_SWEEP_MAX_AGE_SECONDS`` ago (a sweep that never ran
  yet, as on a fresh install, is reported but not failed). 200 when every check passes, else 503
  with ``failing`` naming the checks.

Both paths are in ``SESSIONLESS_PATHS``: no session is loaded or written for them.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.schedules import SCHEDULE_PREFIX, SCHEDULES

logger = logging.getLogger(__name__)

SWEEP_FUNC = next(spec.func for spec in SCHEDULES if spec.name == f"{SCHEDULE_PREFIX}warnings-sweep")


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def database_check() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def cache_check() -> dict:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return {"ok": ok}


def _oldest_queued_at(broker):
    """When the oldest task still in the queue was enqueued (ORM or Redis broker), or None."""
    from django_q.brokers.orm import ORM
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    if isinstance(broker, ORM):
        oldest = OrmQ.objects.using(Conf.ORM).filter(key=broker.list_key).order_by("id").first()
        return oldest.task.get("started") if oldest is not None else None
    payload = broker.connection.lindex(broker.list_key, 0)  # Redis: rpush at the tail, blpop at the head
    return SignedPackage.loads(payload).get("started") if payload else None


def queue_check() -> dict:
    from django_q.brokers import get_broker
    from django_q.models import Success

    now = timezone.now()
    broker = get_broker()
    queued_at = _oldest_queued_at(broker)
    age = round((now - queued_at).total_seconds()) if queued_at else 0
    last_sweep = Success.objects.filter(func=SWEEP_FUNC).order_by("-stopped").values_list("stopped", flat=True).first()
    sweep_age = round((now - last_sweep).total_seconds()) if last_sweep else None
    return {
        "ok": age <= settings.READYZ_QUEUE_MAX_AGE_SECONDS
        and (sweep_age is None or sweep_age <= settings.READYZ_SWEEP_MAX_AGE_SECONDS),
        "queued": broker.queue_size(),
        "oldest_task_age_s": age,
        "last_sweep_at": last_sweep.isoformat() if last_sweep else None,
        "last_sweep_age_s": sweep_age,
    }


READINESS_CHECKS = {"database": database_check, "cache": cache_check, "queue": queue_check}


def _run(name, check) -> dict:
    try:
        return check()
    except Exception as error:  # a probe answers; the log has the class, never the message (hosts)
        logger.warning("readyz: %s check failed (%s)", name, error.__class__.__name__)
        return {"ok": False, "error": error.__class__.__name__}


@never_cache
@require_GET
def readyz(request):
    checks = {}
    for name, check in READINESS_CHECKS.items():
        if name == "queue" and not checks["database"]["ok"]:
            checks[name] = {"ok": False, "error": "database unavailable"}
            continue
        checks[name] = _run(name, check)
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "unavailable" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
