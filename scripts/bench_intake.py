#!/usr/bin/env python
"""`make bench-intake`: how fast a window claim is registered, accepted and routed (issue #16).

Database
    BENCH_DATABASE_URL (PostgreSQL) when set — THE BENCH WIPES THAT DATABASE (drops every table in
    its current schema, migrates, loads the demo directory and accounts). Otherwise a scratch SQLite
    file under var/bench-intake/ (deleted and recreated). Never DATABASE_URL.

Measures
    1. Service, one process: what the window form does once it is valid — look the person up by
       phone, ``claim_submit`` (window channel, by the clerk ``gm_window``), ``case_accept`` (which
       routes: 已派单 to 高明区人社局 with 明城镇综治中心 cooperating) — inside one
       ``notifications_batched`` and one ``directory_pinned`` as the view runs them. The clerk is
       read again for each claim (as each request does), so its memberships are read too.
       ``service_claims_per_s`` over --claims claims (or --claims-seconds, whichever ends first)
       after 30 untimed ones;
       ``queries_per_claim``: every SQL statement of one such claim (the q2 enqueue aside: with the
       ORM broker it is one more INSERT, into django_q_ormq, reported as ``broker_queries_per_claim``).
    2. Real server: gunicorn with config/gunicorn.py (3 processes × 2 threads) and
       config.settings.bench, on this machine, with --clients load-generator threads here too.
       Each client logs in as gm_window through the login form (CSRF), reads the window form for
       its token, then posts claims as multipart/form-data (CSRF token, session cookie, a fresh
       submission key each) and counts the 302s to the receipt (not followed).
       ``form_claims_per_s`` over --seconds after a warm-up; ``bare_view_per_s``: the same clients
       posting the same body to a bench-only view (config/urls_bench.py: login required, CSRF
       checked, body parsed, nothing done); ``form_vs_bare`` = form / bare.

Writes bench/intake.json: the keys above plus ``vendor``, for the PostgreSQL run at the top level
(the latest run's when there is none yet) and every vendor's run under ``by_vendor``, with the load
average, the broker and the counts. Targets: service ≥ 100/s, ≤ 15 queries, form ≥ 60/s,
form_vs_bare ≥ 0.25.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_db import bench_database, wipe_and_migrate  # noqa: E402
from bench_server import gunicorn, load  # noqa: E402

bench_database("bench-intake", relative=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RESULTS = ROOT / "bench" / "intake.json"
PASSWORD = "Yikouban@2026"
CLERK = "gm_window"
WALK_IN = {
    "contact_name": "何秀英",
    "contact_phone": "13900139000",
    "matter": "labor.wages",
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
    "address": "明东村工业区 3 号",
    "description": "在明东村五金厂打工，老板拖欠两个月工资八千元。",
    "people_count": "1",
    "next_step": "accept",
    # the same caller again and again: the clerk has seen the 疑似重复 panel and registers anew
    # (issue #13); without it the form asks first and registers nothing
    "register_new": "True",
}


# 1. The service, in this process ------------------------------------------------------------------
def register_and_accept(clerk, key: str):
    """As ``intake.views.staff.window_register`` after ``form.is_valid()`` (next step: 受理)."""
    from cases.services import case_accept
    from intake.selectors_staff import citizen_by_phone
    from intake.services import claim_submit
    from notifications.services import notifications_batched
    from routing.dispatch import directory_pinned, directory_row
    from routing.models import MatterType, Region

    with notifications_batched(), directory_pinned():
        # as the form's clean_matter / clean_region (from the snapshot once this process has them)
        matter = directory_row(MatterType, WALK_IN["matter"])
        region = directory_row(Region, WALK_IN["region_4"])
        claim, created = claim_submit(
            channel="window",
            matter=matter,
            region=region,
            description=WALK_IN["description"],
            contact_name=WALK_IN["contact_name"],
            contact_phone=WALK_IN["contact_phone"],
            address=WALK_IN["address"],
            registered_by=clerk,
            submitter=citizen_by_phone(WALK_IN["contact_phone"]),
            submission_key=key,
        )
        case_accept(case=claim.case, actor=clerk)
    return claim, created


def _clerk():
    """The request's user, fresh each time: its memberships not read yet."""
    from accounts.models import User

    return User.objects.get(username=CLERK)


def one_claim(key: str):
    """``register_and_accept`` with its statements captured."""
    clerk = _clerk()
    with CaptureQueriesContext(connection) as queries:
        claim, created = register_and_accept(clerk, key)
    assert created and claim.case.status == "dispatched", claim.case.status
    return queries.captured_queries


def _shape(sql: str) -> str:
    """A statement without its values (the demo's names and phone numbers stay out of the file)."""
    return re.split(r" VALUES | WHERE | SET ", sql, maxsplit=1)[0][:120]


def bench_service(claims: int, limit_s: float) -> dict:
    for n in range(30):
        one_claim(f"warm-{n}")
    # The timed loop runs without capturing (capturing costs time), for ``claims`` claims or
    # ``limit_s`` seconds, whichever comes first (a busy machine).
    started = time.perf_counter()
    done = 0
    while done < claims and time.perf_counter() - started < limit_s:
        register_and_accept(_clerk(), f"timed-{done}")
        done += 1
    elapsed = time.perf_counter() - started
    claims = done
    # Transaction control aside (SQLite's backend logs its BEGIN IMMEDIATE / COMMIT, PostgreSQL's
    # does not), every statement the claim sent.
    statements = [q["sql"] for q in one_claim("counted") if q["sql"] not in ("BEGIN IMMEDIATE", "BEGIN", "COMMIT")]
    broker = [s for s in statements if "django_q_ormq" in s]
    return {
        "service_claims_per_s": round(claims / elapsed, 1),
        "queries_per_claim": len(statements) - len(broker),
        "broker_queries_per_claim": len(broker),
        "service_claims": claims,
        "statements": [_shape(s) for s in statements],
    }


# 2. The window form through gunicorn ----------------------------------------------------------------
class Clerk:
    """One browser: its own keep-alive connection and cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {**(headers or {}), "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the server closed a kept-alive connection: a new one, once
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), data

    def token(self, path: str) -> str:
        status, _loc, page = self.request("GET", path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: {status}, no CSRF token")
        return match.group(1).decode()

    def login(self) -> None:
        token = self.token("/accounts/login/")
        body = f"csrfmiddlewaretoken={token}&username={CLERK}&password={PASSWORD}".encode()
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/accounts/login/"},
        )
        if status != 302:
            raise RuntimeError(f"login refused ({status})")
        self.form_token = self.token("/window/new/")  # the token rotates at login

    def post_claim(self, path: str, expect: int) -> bool:
        boundary = uuid.uuid4().hex
        fields = {**WALK_IN, "csrfmiddlewaretoken": self.form_token, "submission_key": uuid.uuid4().hex}
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        status, location, _ = self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": "http://127.0.0.1/window/new/",
            },
        )
        return status == expect and (expect != 302 or "/window/receipt/" in location)


def bench_server(clients: int, seconds: float) -> dict:
    with gunicorn("bench-intake-gunicorn.log") as port:
        browsers = [Clerk(port) for _ in range(clients)]
        for browser in browsers:
            browser.login()
        bare = load("/bench/bare/", 200, browsers, warmup=3, seconds=seconds)
        form = load("/window/new/", 302, browsers, warmup=3, seconds=seconds)
    return {
        "form_claims_per_s": round(form, 1),
        "bare_view_per_s": round(bare, 1),
        "form_vs_bare": round(form / bare, 3),
        "clients": clients,
        "server": "gunicorn config/gunicorn.py (gthread, 3 × 2)",
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--claims-seconds", type=float, default=45, help="stop the service loop after this")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    vendor = connection.vendor
    load_before = os.getloadavg()
    print(
        f"database: {vendor}; load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}", flush=True
    )
    wipe_and_migrate()
    service = bench_service(args.claims, args.claims_seconds)
    print(
        f"service: {service['service_claims_per_s']} claims/s over {service['service_claims']}; "
        f"{service['queries_per_claim']} queries per claim (+{service['broker_queries_per_claim']} q2 broker)",
        flush=True,
    )
    connection.close()  # gunicorn's processes open their own
    server = bench_server(args.clients, args.seconds)
    print(
        f"server: form {server['form_claims_per_s']}/s, bare view {server['bare_view_per_s']}/s "
        f"→ {server['form_vs_bare']:.1%} of bare",
        flush=True,
    )
    load_after = os.getloadavg()
    run = {
        "vendor": vendor,
        **{k: v for k, v in service.items() if k != "statements"},
        **server,
        "broker": "redis" if "redis" in settings.Q_CLUSTER else "orm",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "statements_of_one_claim": service["statements"],
    }
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    by_vendor = {**previous.get("by_vendor", {}), vendor: run}
    top = by_vendor.get("postgresql") or run
    keys = ["service_claims_per_s", "queries_per_claim", "form_claims_per_s", "bare_view_per_s", "form_vs_bare"]
    results = {**{k: top[k] for k in keys}, "vendor": top["vendor"], "by_vendor": by_vendor}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    targets = [
        ("service ≥ 100 claims/s", run["service_claims_per_s"] >= 100),
        ("≤ 15 queries per claim", run["queries_per_claim"] <= 15),
        ("form ≥ 60 claims/s", run["form_claims_per_s"] >= 60),
        ("form ≥ 25 % of bare", run["form_vs_bare"] >= 0.25),
    ]
    for name, ok in targets:
        print(f"  {'met' if ok else 'NOT MET'}: {name}")
    print(f"load average after: {load_after[0]:.2f}; wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
