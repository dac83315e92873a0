#!/usr/bin/env python
"""`make soak`: drive the cluster (`make cluster`) with Locust while killing and restarting one web
instance and one worker with SIGKILL; check that nothing was lost or done twice; write
bench/soak.json (docs/deployment.md "Soak").

Timeline (defaults, seconds from the start of the traffic): web1 is killed at 50 and restarted
20 s later; worker1 is killed at 100 and restarted 20 s later; traffic stops at 200. Then the soak
waits (at most --drain seconds) until every message written during the run has left the outbox
and Redis holds no task — the killed worker's tasks come back through the re-queue schedule.

Warnings: before the traffic starts, the clocks of --warned open cases of units the traffic does
not touch are moved so that they turn blue, yellow and red during the run (as if they had been
registered days earlier); the sweep (every minute, on whichever worker takes it) must record each
level exactly once per case, whichever worker dies.

Checks (exit status 1 when one fails): every acknowledged claim is in the database and no claim
is there that was not acknowledged, none twice; no warning event twice for a case and level; no
SMS twice (the gateway's own record) nor two identical SMS to one phone; no task lost (nothing
pending after the drain).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import cluster  # noqa: E402  (scripts/cluster.py)

OUT = ROOT / "bench" / "soak.json"
LOCUST_RESULTS = cluster.VAR / "soak-locust.json"
CASE_NUMBER = re.compile(r"[\u4e00-\u9fff]+-\d{4}-\d{6}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=200, help="traffic duration (at least 180)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=1, help="people arriving per second")
    parser.add_argument("--kill-web-at", type=int, default=50)
    parser.add_argument("--kill-worker-at", type=int, default=100)
    parser.add_argument("--down", type=int, default=20, help="seconds a killed process stays down")
    parser.add_argument("--drain", type=int, default=300, help="at most this long for the queue to empty")
    parser.add_argument("--warned", type=int, default=30, help="open cases whose warnings fall in the run")
    return parser.parse_args()


def django_setup():
    os.environ.update(cluster.cluster_env())
    import django

    django.setup()


# --- before -------------------------------------------------------------------------------------


def baseline() -> dict:
    from cases.models import CaseEvent
    from intake.models import Claim
    from notifications.models import OutboxMessage

    def last(model):
        return model.objects.order_by("-id").values_list("id", flat=True).first() or 0

    return {"claim": last(Claim), "outbox": last(OutboxMessage), "event": last(CaseEvent)}


def seed_warnings(count: int, start) -> list[int]:
    """Restart the stage clock of ``count`` open cases (not the labour bureau's: the traffic signs
    and closes those) as if their stage had begun a minute before the run, so that they turn blue
    30–90 s into the run, yellow 65 s later and red 65 s after that (each level lasts longer than
    the sweep's minute, so each is seen and recorded). A bench fixture, like bench_supervision's
    back-dated cases: time is compressed; the sweep and everything after it are the product's."""
    from cases.models import Case, Status, WarningLevel

    # Dispatched or handling: stages nobody in the traffic or the schedules moves on by itself
    # (a feedback stage's deadline would let the auto-close schedule close the case).
    ids = list(
        Case.objects.filter(status__in=[Status.DISPATCHED, Status.HANDLING], paused_at__isnull=True)
        .exclude(lead_unit__code="GM-RSJ")
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    for n, case_id in enumerate(ids):
        blue = start + timedelta(seconds=30 + (60 * n) // max(1, len(ids) - 1))
        Case.objects.filter(pk=case_id).update(
            stage_started_at=start - timedelta(seconds=60),
            blue_at=blue,
            yellow_at=blue + timedelta(seconds=65),
            stage_due_at=blue + timedelta(seconds=130),
            warning_level=WarningLevel.NONE,
            warning_changed_at=None,
        )
    return ids


# --- during -------------------------------------------------------------------------------------


def chaos(args, started: float, log: list[dict]) -> None:
    """Kill web1 and worker1 with SIGKILL at their times and restart them after ``--down``. The
    worker is killed at the first moment after its time (within 30 s) when it is in the middle
    of an SMS delivery — the case where a task taken from Redis is lost."""
    for name, at in (("web1", args.kill_web_at), ("worker1", args.kill_worker_at)):
        time.sleep(max(0, started + at - time.monotonic()))
        entry = {}
        if name in cluster.WORKERS:
            deadline = time.monotonic() + 30
            while not (busy := delivering(name)) and time.monotonic() < deadline:
                time.sleep(0.05)
            entry["while_delivering"] = busy
        killed = cluster.kill(name)
        log.append({"t": round(time.monotonic() - started, 1), "event": f"SIGKILL {name}", "done": killed, **entry})
        time.sleep(args.down)
        cluster.start(name)
        entry = {"t": round(time.monotonic() - started, 1), "event": f"restart {name}"}
        if name in cluster.WEB_PORTS:
            entry["healthy_after_s"] = round(cluster.wait_healthy(name), 1)
        log.append(entry)


def delivering(name: str) -> bool:
    """Whether a process of ``name`` holds an outbox row locked for delivery right now: its
    PostgreSQL session is idle in a transaction after ``SELECT … FOR UPDATE`` on the outbox
    (waiting for the gateway), matched to the process through its TCP port."""
    import psutil
    from django.db import connection

    group = cluster.pid_of(name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND query LIKE %s",
            ["%notifications_outboxmessage%FOR UPDATE%"],
        )
        ports = {row[0] for row in cursor.fetchall()}
    if not ports or group is None:
        return False
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port in ports and conn.pid:
            try:
                if os.getpgid(conn.pid) == group:
                    return True
            except ProcessLookupError:
                continue
    return False


def run_locust(args) -> int:
    env = {
        **os.environ,
        "SOAK_RESULTS": str(LOCUST_RESULTS),
        "SOAK_CA_FILE": str(cluster.TLS / "cert.pem"),
        "SOAK_ADDRESS_PREFIX": f"127.{random.randint(1, 254)}",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"):
        env.pop(name, None)
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless",
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--stop-timeout", "30",
        "--host", cluster.PUBLIC_URL, "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(cluster.LOGS / "locust.log", "w", encoding="utf-8") as log:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode


# --- after --------------------------------------------------------------------------------------


def undelivered(base: dict) -> int:
    from notifications.models import OutboxMessage, OutboxStatus

    return OutboxMessage.objects.filter(id__gt=base["outbox"], status=OutboxStatus.PENDING).count()


def redis_queue_length() -> int:
    from django_q.brokers import get_broker

    return get_broker().queue_size()


def drain(base: dict, seconds: int, seeded: list[int]) -> float:
    """Until the outbox and Redis are empty and the warned cases are red (the sweep caught up)."""
    from cases.models import Case

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        not_red = Case.objects.filter(pk__in=seeded).exclude(warning_level="red").count()
        if undelivered(base) == 0 and redis_queue_length() == 0 and not not_red:
            break
        time.sleep(5)
    return round(time.monotonic() - started, 1)


def gateway_calls(base: dict) -> tuple[Counter, Counter]:
    """SMS the gateway sent, and calls it refused as repeats of a key it had seen, by message id."""
    sent, repeated = Counter(), Counter()
    path = Path(cluster.VAR / "sms-gateway.jsonl")
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            call = json.loads(line)
            if call["id"] > base["outbox"]:
                (repeated if call.get("duplicate") else sent)[call["id"]] += 1
    return sent, repeated


def claims_check(base: dict, acknowledged: list[dict]) -> dict:
    from intake.models import Claim

    acked = Counter(item["code"] for item in acknowledged)
    in_db = Counter(Claim.objects.filter(id__gt=base["claim"]).values_list("tracking_code", flat=True))
    keys = Counter(Claim.objects.filter(id__gt=base["claim"]).values_list("submission_key", flat=True))
    return {
        "acknowledged": len(acked),
        "acknowledged_by_kind": dict(Counter(item["kind"] for item in acknowledged)),
        "acknowledged_after_a_retry": sum(1 for item in acknowledged if item["attempts"] > 1),
        "in_database": sum(in_db.values()),
        "equal": set(acked) == set(in_db),
        "acknowledged_not_in_database": sorted(set(acked) - set(in_db)),
        "in_database_not_acknowledged": sorted(set(in_db) - set(acked)),
        "duplicate_submission_keys": sum(1 for n in keys.values() if n > 1),
    }


def warnings_check(base: dict, seeded: list[int]) -> dict:
    from cases.models import Case, CaseEvent

    events = Counter(
        CaseEvent.objects.filter(id__gt=base["event"], transition__startswith="warning_").values_list(
            "case_id", "transition"
        )
    )
    per_case = Counter()
    for (case_id, _transition), n in events.items():
        per_case[case_id] += n
    levels = Counter(Case.objects.filter(pk__in=seeded).values_list("warning_level", flat=True))
    return {
        "seeded_cases": len(seeded),
        "seeded_cases_by_level_at_end": dict(levels),
        "events": sum(events.values()),
        "events_by_level": dict(Counter(t for (_c, t) in events.elements())),
        "cases_with_events": len(per_case),
        "max_events_per_case": max(per_case.values(), default=0),
        "duplicates": sum(n - 1 for n in events.values() if n > 1),
    }


def messages_check(base: dict) -> dict:
    from notifications.models import NotificationChannel, OutboxMessage, OutboxStatus

    rows = list(
        OutboxMessage.objects.filter(id__gt=base["outbox"]).values(
            "id", "channel", "kind", "status", "recipient_phone", "body", "requeued_at"
        )
    )
    sms = [row for row in rows if row["channel"] == NotificationChannel.SMS]
    gateway, repeated = gateway_calls(base)
    sent_sms = {row["id"] for row in sms if row["status"] == OutboxStatus.SENT}
    same_text = Counter((row["recipient_phone"], row["body"]) for row in sms)
    per_case = Counter(m.group() for row in sms if (m := CASE_NUMBER.search(row["body"])))
    return {
        "outbox_messages": len(rows),
        "by_channel": dict(Counter(row["channel"] for row in rows)),
        "by_status": dict(Counter(row["status"] for row in rows)),
        "sms": len(sms),
        "sms_by_kind": dict(Counter(row["kind"] for row in sms)),
        "sms_cases": len(per_case),
        "sms_per_case_max": max(per_case.values(), default=0),
        "sms_per_case_mean": round(sum(per_case.values()) / len(per_case), 2) if per_case else 0,
        "sms_sent_by_gateway": sum(1 for message_id in gateway if message_id in sent_sms),
        "sms_sent_twice_by_gateway": sum(1 for n in gateway.values() if n > 1),
        "gateway_calls_repeated_and_refused_by_key": sum(repeated.values()),
        "sms_sent_but_not_at_gateway": len(sent_sms - set(gateway)),
        "identical_sms_to_one_phone": sum(n - 1 for n in same_text.values() if n > 1),
        "requeued_after_a_lost_task": sum(1 for row in rows if row["requeued_at"] is not None),
    }


def tasks_check(base: dict, started_at) -> dict:
    from django_q.models import Failure, Success

    return {
        "lost": undelivered(base),
        "redis_queue_at_end": redis_queue_length(),
        "succeeded": Success.objects.filter(started__gte=started_at).count(),
        "failed": Failure.objects.filter(started__gte=started_at).count(),
        "warning_sweeps": Success.objects.filter(
            started__gte=started_at, func="supervision.tasks.warnings_sweep"
        ).count(),
    }


def nginx_upstreams(since: float) -> dict:
    """Requests per upstream instance and the statuses nginx itself answered, from its log."""
    counts = Counter()
    path = cluster.LOGS / "nginx-access.log"
    pattern = re.compile(r"\[(?P<t>[^]]+)\] .* upstream=(?P<up>.*?) upstream_status=(?P<st>.*?) rt=")
    from datetime import datetime

    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.search(line)
        if not match or datetime.fromisoformat(match["t"]).timestamp() < since:
            continue
        tried = re.findall(r"\d+\.\d+\.\d+\.\d+:\d+", match["up"])
        for upstream, status in zip(tried, re.findall(r"\d{3}|-", match["st"]), strict=False):
            counts[f"{upstream} {status}"] += 1
        if len(tried) > 1:
            counts["retried on the other instance"] += 1
    return dict(sorted(counts.items()))


def summarise_pages(pages: dict) -> tuple[int, dict]:
    requests = sum(page["requests"] for page in pages.values())
    errors = Counter()
    for page in pages.values():
        for status, n in page["statuses"].items():
            if status == "0" or int(status) >= 400:
                errors[status] += n
    return requests, dict(sorted(errors.items()))


def main() -> int:
    args = parse_args()
    if cluster.status() != 0:
        print("the cluster is not (fully) running: `make cluster` first", file=sys.stderr)
        return 2
    django_setup()
    from django.utils import timezone

    started_at = timezone.now()
    wall_start = time.time()
    base = baseline()
    seeded = seed_warnings(args.warned, started_at)
    LOCUST_RESULTS.unlink(missing_ok=True)
    print(f"soak: {args.seconds} s, {args.users} users, {len(seeded)} cases warned during the run", flush=True)

    chaos_log: list[dict] = []
    started = time.monotonic()
    killer = threading.Thread(target=chaos, args=(args, started, chaos_log), daemon=True)
    killer.start()
    locust_status = run_locust(args)
    traffic_s = round(time.monotonic() - started, 1)
    killer.join(timeout=60)
    drained_s = drain(base, args.drain, seeded)

    locust = json.loads(LOCUST_RESULTS.read_text(encoding="utf-8")) if LOCUST_RESULTS.exists() else {}
    pages = locust.get("pages", {})
    requests, errors = summarise_pages(pages)
    result = {
        "run": {
            "started_at": started_at.isoformat(timespec="seconds"),
            "traffic_seconds": traffic_s,
            "users": args.users,
            "drain_seconds": drained_s,
            "locust_exit_status": locust_status,
            "topology": "nginx (TLS) → web1:8441, web2:8442 (gunicorn 2×4 gthread each); worker1, worker2 "
            "(qcluster, 2 workers each) on Redis; PostgreSQL; config.settings.production",
            "machine": f"{os.cpu_count()} cores, shared with other sessions",
        },
        "chaos": chaos_log,
        "requests": requests,
        "errors_by_status": errors,
        "pages": pages,
        "served_by_upstream": nginx_upstreams(wall_start),
        "retried_submissions": locust.get("retried_submissions", {}),
        "claims": claims_check(base, locust.get("acknowledged", [])),
        "warnings": warnings_check(base, seeded),
        "messages": messages_check(base),
        "tasks": tasks_check(base, started_at),
    }
    checks = {
        "traffic_at_least_3_minutes": traffic_s >= 180,
        "claims_acknowledged_equal_claims_in_database": result["claims"]["equal"]
        and result["claims"]["duplicate_submission_keys"] == 0,
        "no_duplicate_warning_events": result["warnings"]["duplicates"] == 0,
        "no_sms_sent_twice": result["messages"]["sms_sent_twice_by_gateway"] == 0
        and result["messages"]["identical_sms_to_one_phone"] == 0,
        "no_task_lost": result["tasks"]["lost"] == 0 and result["messages"]["sms_sent_but_not_at_gateway"] == 0,
        "both_kills_done": sum(1 for e in chaos_log if e["event"].startswith("SIGKILL") and e["done"]) == 2,
    }
    result["checks"] = checks
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: result[k] for k in ("requests", "errors_by_status", "claims", "tasks", "checks")},
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
