#!/usr/bin/env python
"""`make bench-import`: the historical import (``manage.py import_cases``, issue #12) of a generated
file of --lines lines (10,000 by default), timed end to end as the command runs it (read, check
every line, plan, write in bulk, print one JSON line per input line), then timed again as an
idempotent re-run (every line found, nothing written).

Database: BENCH_DATABASE_URL (PostgreSQL; THE BENCH WIPES IT) or a scratch SQLite file under
var/bench-import/ (deleted and recreated), migrated with the demo directory and accounts. Prints
``lines/s`` for both runs and the target: 10,000 lines well under a minute (≥ 170 lines/s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_db import bench_database, wipe_and_migrate  # noqa: E402

bench_database("bench-import")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

STATUSES = ["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback", "closed", "closed"]
PLACES = [("440608102201", "labor.wages"), ("440608102201", "neighbour.noise"), ("440608101", "labor.wages")]
CHANNELS = ["window", "hotline", "web", "letter", "grid"]


def generate(path: Path, lines: int) -> None:
    """Realistic old claims over two years: every importable status, several places and matters."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(lines):
            status = STATUSES[n % len(STATUSES)]
            region, matter = PLACES[n % len(PLACES)]
            day = 1 + n % 28
            row = {
                "external_id": f"OLD-{n:06d}",
                "channel": CHANNELS[n % len(CHANNELS)],
                "matter": matter,
                "region": region,
                "description": f"第 {n} 号历史诉求：反映的问题经多次协调仍未解决，请求有关部门依法处理。",
                "contact_name": "何秀英",
                "contact_phone": f"139{n:08d}",
                "people": 1 + n % 4,
                "created_at": f"{2024 + n % 2}-{1 + n % 12:02d}-{day:02d}T09:30:00+08:00",
                "status": status,
            }
            if status in ("reviewing", "feedback", "closed"):
                row["result"] = "已协调解决，当事人无异议。"
            if status == "closed":
                row["closed_at"] = f"{2024 + n % 2}-{1 + n % 12:02d}-{day:02d}T17:00:00+08:00"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def timed(path: Path) -> tuple[float, float, list[dict]]:
    out, err = StringIO(), StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    call_command("import_cases", str(path), stdout=out, stderr=err)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, [json.loads(line) for line in out.getvalue().splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    wipe_and_migrate()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "old.jsonl"
        generate(path, args.lines)
        load = os.getloadavg()[0]
        first_s, first_cpu, first = timed(path)
        again_s, again_cpu, again = timed(path)
    errors = [r for r in first if "error" in r]
    if errors or len(first) != args.lines or again != first:
        sys.exit(f"import did not map every line once: {errors[:3]}")
    print(f"database: {connection.vendor}; {args.lines} lines; load average {load:.1f} ({os.cpu_count()} CPUs)")
    print(f"import:  {first_s:.1f} s, {args.lines / first_s:.0f} lines/s (CPU of this process {first_cpu:.1f} s)")
    print(
        f"re-run:  {again_s:.1f} s, {args.lines / again_s:.0f} lines/s (CPU {again_cpu:.1f} s; "
        "idempotent: same numbers, nothing written)"
    )
    print("target:  10,000 lines well under a minute:", "met" if first_s * 10_000 / args.lines < 60 else "NOT met")


if __name__ == "__main__":
    main()
