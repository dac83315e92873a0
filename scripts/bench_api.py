#!/usr/bin/env python
"""`make bench-api`: claims created per second through the partner APIs (issue #12).

Database
    BENCH_DATABASE_URL (PostgreSQL) when set — THE BENCH WIPES THAT DATABASE (drops every table in
    its current schema, migrates, loads the demo directory and accounts). Otherwise a scratch SQLite
    file under var/bench-api/ (deleted and recreated). Never DATABASE_URL.

Measures, through gunicorn with config/gunicorn.py (3 processes × 2 threads) and
config.settings.bench on this machine, with --clients load-generator threads here too (each its own
keep-alive connection), each for --seconds after a warm-up:

- ``rest_claims_per_s``: ``POST /api/v1/claims`` (JSON, ``Authorization: Api-Key``, a fresh
  ``Idempotency-Key`` and ``external_id`` each), counting the 201s;
- ``open311_claims_per_s``: Open311 ``POST /open311/v2/requests.json`` (form-encoded, the same key
  in the header), counting the 200s (GeoReport answers a created request with 200) — null, with ``open311_note``, when that endpoint is not in
  this checkout;
- ``bare_view_per_s``: the same clients posting the REST body to a bench-only view
  (config/urls_bench.py: JSON parsed, nothing done) on the same server;
- ``rest_vs_bare`` / ``open311_vs_bare``: each rate over the bare view's.

A claim is a 12345 hotline call about unpaid wages in 明东村 (the same as ``make bench-intake``'s
walk-in), registered by ``claim_submit`` into the 高明 centre's queue, its SMS queued.
Writes bench/api.json: the PostgreSQL run at the top level (the latest run's when there is none
yet) and every vendor's run under ``by_vendor``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_db import bench_database, wipe_and_migrate  # noqa: E402
from bench_server import gunicorn, load  # noqa: E402

bench_database("bench-api", relative=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

RESULTS = ROOT / "bench" / "api.json"
CLAIM = {
    "channel": "hotline",
    "matter": "labor.wages",
    "region": "440608102201",
    "description": "来电反映在明东村五金厂打工，老板拖欠两个月工资八千元。",
    "contact_name": "何秀英",
    "contact_phone": "13900139000",
    "address": "明东村工业区 3 号",
    "people_count": 1,
}
OPEN311 = {
    "service_code": "labor.wages",
    "attribute[region]": "440608102201",
    "description": CLAIM["description"],
    "first_name": "秀英",
    "last_name": "何",
    "phone": "13900139000",
    "address_string": CLAIM["address"],
}


def open311_path() -> str | None:
    try:
        return reverse("open311:requests", kwargs={"fmt": "json"})
    except NoReverseMatch:
        return None


def make_key() -> str:
    from interfaces.services import SCOPES, api_key_create

    scopes = [s for s in ("claims", "open311") if s in SCOPES]
    _key, raw = api_key_create(partner="bench", scopes=scopes, rate_per_minute=10_000_000)
    return raw


class Partner:
    """One partner connection posting claims in a loop."""

    def __init__(self, port: int, raw_key: str):
        self.port, self.raw_key = port, raw_key
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, path: str, body: bytes, content_type: str) -> int:
        headers = {
            "Host": "127.0.0.1",
            "Content-Type": content_type,
            "Authorization": f"Api-Key {self.raw_key}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        for attempt in range(2):
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.conn.close()  # the server closed a kept-alive connection: a new one, once
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def post_claim(self, path: str, expect: int) -> bool:
        if path.startswith("/open311/"):
            body, content_type = urlencode(OPEN311).encode(), "application/x-www-form-urlencoded"
        else:
            claim = {**CLAIM, "external_id": f"bench-{uuid.uuid4().hex}"}
            body, content_type = json.dumps(claim, ensure_ascii=False).encode(), "application/json"
        return self.send(path, body, content_type) == expect


def bench_server(raw_key: str, clients: int, seconds: float) -> dict:
    open311 = open311_path()
    with gunicorn("bench-api-gunicorn.log") as port:
        partners = [Partner(port, raw_key) for _ in range(clients)]
        bare = load("/bench/bare-json/", 201, partners, warmup=3, seconds=seconds)
        rest = load("/api/v1/claims", 201, partners, warmup=3, seconds=seconds)
        o311 = load(open311, 200, partners, warmup=3, seconds=seconds) if open311 else None
    return {
        "rest_claims_per_s": round(rest, 1),
        "open311_claims_per_s": round(o311, 1) if o311 is not None else None,
        "open311_note": "" if open311 else "Open311 (POST /open311/v2/requests.json) is not in this checkout yet",
        "bare_view_per_s": round(bare, 1),
        "rest_vs_bare": round(rest / bare, 3),
        "open311_vs_bare": round(o311 / bare, 3) if o311 is not None else None,
        "clients": clients,
        "server": "gunicorn config/gunicorn.py (gthread, 3 × 2)",
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
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
    raw_key = make_key()
    connection.close()  # gunicorn's processes open their own
    server = bench_server(raw_key, args.clients, args.seconds)
    open311 = server["open311_claims_per_s"]
    print(
        f"server: REST {server['rest_claims_per_s']}/s, Open311 {open311 if open311 is not None else '—'}/s, "
        f"bare view {server['bare_view_per_s']}/s → REST {server['rest_vs_bare']:.1%} of bare",
        flush=True,
    )
    load_after = os.getloadavg()
    run = {
        "vendor": vendor,
        **server,
        "broker": "redis" if "redis" in settings.Q_CLUSTER else "orm",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    by_vendor = {**previous.get("by_vendor", {}), vendor: run}
    top = by_vendor.get("postgresql") or run
    keys = [
        "rest_claims_per_s",
        "open311_claims_per_s",
        "open311_note",
        "bare_view_per_s",
        "rest_vs_bare",
        "open311_vs_bare",
    ]
    results = {**{k: top[k] for k in keys}, "vendor": top["vendor"], "by_vendor": by_vendor}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"load average after: {load_after[0]:.2f}; wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
