#!/usr/bin/env python
"""`make bench-routing`: decisions per second on a small and a large directory.

Builds a directory of ~200 regions / 50 rules and one of ~20,000 regions / 5,000 rules in a
scratch SQLite database (var/bench-routing/, or BENCH_DATABASE_URL, which it wipes), routes the same kind of
10,000 claims through ``routing.dispatch.dispatch_decide`` on each — the production path,
including the per-decision freshness check of the cached index — and prints the figures.
Target (issue #3): large no slower than 1.5× small, and ≥ 2,000 decisions/s.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The bench wipes its database: never the one in DATABASE_URL, only a scratch SQLite file or an
# explicitly named BENCH_DATABASE_URL.
os.environ.pop("DATABASE_URL", None)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    scratch = ROOT / "var" / "bench-routing"
    shutil.rmtree(scratch, ignore_errors=True)
    os.environ["YIKOUBAN_VAR_DIR"] = str(scratch)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

CLAIMS = 10_000
GLOBAL_RULES = 20
ROLES = ["labor", "urban_management", "market_regulation", "housing", "agriculture", "environment", "court", "petition"]
CHANNELS = ["web", "window", "hotline", "grid", "api", "letter", "referral"]


def build_directory(*, cities: int, districts: int, towns: int, villages: int, rules: int, seed: int) -> dict:
    rng = random.Random(seed)
    regions = [{"code": "44", "name": "省", "level": "province"}]
    units = []
    leaves: list[str] = []
    district_codes: list[str] = []
    town_codes: list[str] = []
    for c in range(cities):
        city = f"44{c + 1:02d}"
        regions.append({"code": city, "name": f"市{c}", "level": "city", "parent": "44"})
        units.append({"code": f"U{city}-ZX", "name": f"{city}中心", "region": city, "roles": ["dispatch"]})
        for d in range(districts):
            district = f"{city}{d + 1:02d}"
            district_codes.append(district)
            regions.append({"code": district, "name": f"区{district}", "level": "district", "parent": city})
            units.append(
                {"code": f"U{district}-ZX", "name": f"{district}中心", "region": district, "roles": ["dispatch"]}
            )
            for role in ROLES:
                units.append(
                    {"code": f"U{district}-{role}", "name": f"{district}{role}", "region": district, "roles": [role]}
                )
            for t in range(towns):
                town = f"{district}{t + 1:03d}"
                town_codes.append(town)
                regions.append({"code": town, "name": f"镇{town}", "level": "town", "parent": district})
                units.append(
                    {"code": f"U{town}-ZZ", "name": f"{town}综治", "region": town, "roles": ["comprehensive_centre"]}
                )
                for v in range(villages):
                    village = f"{town}{v + 1:03d}"
                    leaves.append(village)
                    regions.append({"code": village, "name": f"村{village}", "level": "village", "parent": town})
    matter_types = []
    matter_leaves = []
    for g in range(15):
        group = f"m{g:02d}"
        matter_types.append({"code": group, "name": f"类{g}"})
        for k in range(4):
            leaf = f"{group}.{k}"
            matter_leaves.append(leaf)
            matter_types.append({"code": leaf, "name": f"事{g}-{k}", "parent": group})
    rule_list = []
    for n in range(rules):
        rule: dict = {"id": f"r{n}"}
        pick = rng.random()
        if pick < 0.6:
            rule["matter"] = rng.choice(matter_leaves)
        elif pick < 0.95:
            rule["matter"] = f"m{rng.randrange(15):02d}"
        # As in a real directory, a few city-wide defaults and local rules for the rest: the
        # number of rules that can match one claim stays about the same as the directory grows.
        if n >= GLOBAL_RULES:
            rule["region"] = rng.choice(district_codes) if rng.random() < 0.4 else rng.choice(town_codes)
        if rng.random() < 0.1:
            rule["min_parties"] = rng.choice([5, 10, 20])
        if rng.random() < 0.1:
            rule["channels"] = rng.sample(CHANNELS, 2)
        rule["priority"] = rng.choice([0, 0, 0, 1, 5])
        rule["lead"] = {"role": rng.choice(ROLES), "level": "district"}
        rule["cooperating"] = [{"role": "comprehensive_centre", "level": "town"}]
        rule_list.append(rule)
    directory = {"regions": regions, "matter_types": matter_types, "units": units, "rules": rule_list}
    claims = [
        {
            "matter": rng.choice(matter_leaves),
            "region": rng.choice(leaves),
            "parties": rng.choice([1, 1, 1, 2, 3, 8, 15, 30]),
            "channel": rng.choice(CHANNELS),
        }
        for _ in range(CLAIMS)
    ]
    return {"directory": directory, "claims": claims}


def run(label: str, spec: dict) -> float:
    from routing.dispatch import current_index, dispatch_decide
    from routing.models import Region, RoutingRule, Unit
    from routing.services import directory_import

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    directory_import(data=spec["directory"])
    imported = time.perf_counter() - started
    started = time.perf_counter()
    current_index()  # warm the cache: the first decision of a process builds it
    built = time.perf_counter() - started
    started = time.perf_counter()
    queued = 0
    for claim in spec["claims"]:
        queued += dispatch_decide(**claim).queue
    elapsed = time.perf_counter() - started
    rate = len(spec["claims"]) / elapsed
    print(
        f"{label:<6} regions={Region.objects.count():>6} units={Unit.objects.count():>5} "
        f"rules={RoutingRule.objects.count():>5}  import={imported:6.1f}s index_build={built * 1000:7.1f}ms  "
        f"decisions={len(spec['claims'])} in {elapsed:5.2f}s → {rate:8.0f}/s  (queued {queued})",
        flush=True,
    )
    return rate


def main() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    print(f"database: {connection.vendor}", flush=True)
    small = run("small", build_directory(cities=1, districts=3, towns=4, villages=15, rules=50, seed=1))
    large = run("large", build_directory(cities=10, districts=10, towns=10, villages=19, rules=5000, seed=2))
    ratio = small / large
    print(f"small_decisions_per_s={small:.0f}")
    print(f"large_decisions_per_s={large:.0f}")
    print(f"slowdown_large_vs_small={ratio:.2f}  (target ≤ 1.5)")
    ok = ratio <= 1.5 and min(small, large) >= 2000
    print("target met" if ok else "TARGET NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
