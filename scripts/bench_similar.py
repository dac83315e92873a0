#!/usr/bin/env python
"""`make bench-similar`: duplicate candidates and similar cases at a city's scale (issue #13, docs/search.md).

Database
    BENCH_DATABASE_URL (PostgreSQL) when set — THE BENCH WIPES THAT DATABASE (drops every table in its
    current schema, migrates, loads the demo directory). Otherwise a scratch SQLite file under
    var/bench-similar/. Never DATABASE_URL. Default N: 1,000,000 cases on PostgreSQL, 100,000 on
    SQLite; ``--n`` overrides.

Data
    N cases written in bulk (COPY on PostgreSQL, executemany on SQLite): 10 % open (created in the
    last 60 days), 82 % closed, the rest rejected / withdrawn / merged, over 24 months; every
    active leaf matter and every village/grid of the demo city (60 % in 高明区). Texts are made
    from per-matter templates with generated names (firms, estates, roads), amounts, durations and
    fillers, so that terms have a realistic spread of frequencies (not one story per matter). Their
    index rows are tokenised here and written in bulk too (the GIN index is dropped during the load
    and built after it on PostgreSQL, as ``similar_reindex`` on a new install would not need to),
    then the term statistics are refreshed and the database VACUUM ANALYZEd.

Measures
    At N/10, then again after topping up to N: over ``--queries`` generated claim texts (a fresh
    random place and matter each, after 10 untimed ones), the p95 (nearest rank) of
    ``similar_open_cases`` (duplicate candidates at intake: the town, the matter branch, 30 days)
    and of ``similar_closed_cases`` (类案, all closed cases, matter and place boosts), and, for
    information, ``similar_closed_cases`` restricted to a district's cases (a handler's scope).
    On PostgreSQL also the shared buffers (pages hit or read, from EXPLAIN (ANALYZE, BUFFERS) of
    every statement) one duplicate look-up touches, p95 and mean: a measure the machine's load
    does not move. ``--measure-only`` measures the bench database as it is (no wipe, no load,
    nothing written), to iterate on a query against a loaded million.

Writes bench/similar.json: duplicate_p95_ms / similar_p95_ms / similar_scoped_p95_ms at both sizes,
the growth of each (N over N/10), n_cases, vendor, and the load times. Targets (PostgreSQL, 1,000,000):
duplicate ≤ 100 ms, similar ≤ 200 ms, growth ≤ 2.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_db import bench_database, wipe_and_migrate, write_rows  # noqa: E402

bench_database("bench-similar")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

RESULTS = ROOT / "bench" / "similar.json"
SEED = 20261207
DAY = 86_400.0
STATUSES = [("closed", 82), ("handling", 4), ("submitted", 1.5), ("accepted", 1), ("dispatched", 1.5),
            ("reviewing", 1), ("feedback", 1), ("rejected", 4), ("withdrawn", 2.5), ("merged", 1.5)]  # fmt: skip
OPEN = {"submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"}

# Texts ------------------------------------------------------------------------------------------
SYLLABLES = [
    "华",
    "盛",
    "金",
    "银",
    "鑫",
    "隆",
    "兴",
    "达",
    "丰",
    "源",
    "宏",
    "福",
    "祥",
    "瑞",
    "嘉",
    "新",
    "诚",
    "信",
    "泰",
    "安",
    "康",
    "乐",
    "明",
    "德",
    "美",
    "佳",
    "合",
    "利",
    "顺",
    "旺",
    "永",
    "昌",
    "恒",
    "富",
    "贵",
    "荣",
    "天",
    "海",
    "江",
    "湖",
    "山",
    "林",
    "森",
    "云",
    "星",
    "月",
    "阳",
    "光",
    "辉",
    "龙",
    "凤",
    "鹏",
    "锦",
    "绣",
    "翠",
    "碧",
    "青",
    "蓝",
    "紫",
    "红",
    "绿",
    "东",
    "南",
    "西",
    "北",
    "中",
    "港",
    "湾",
    "桥",
    "湾",
    "泉",
    "溪",
    "峰",
    "岭",
    "园",
    "苑",
    "庭",
    "阁",
    "轩",
    "雅",
    "逸",
    "悦",
    "欣",
    "怡",
    "和",
    "平",
    "宁",
    "静",
    "广",
    "博",
    "远",
    "志",
    "凯",
    "胜",
    "捷",
    "骏",
    "豪",
    "杰",
]
FIRMS = [
    "五金厂",
    "家具厂",
    "陶瓷厂",
    "铝材厂",
    "服装厂",
    "电子厂",
    "印刷厂",
    "纸箱厂",
    "塑料厂",
    "物流公司",
    "装修公司",
    "建筑公司",
    "餐饮店",
    "美容院",
    "培训机构",
]
ESTATES = ["花园", "小区", "家园", "雅苑", "新城", "公寓", "大厦", "华庭", "名苑", "山庄"]
ROADS = ["大道", "路", "街", "巷", "村道"]
FILLERS = [
    "已经反映过好几次了",
    "希望有关部门尽快处理",
    "多次协商无果",
    "请帮忙协调",
    "情况比较紧急",
    "影响很大",
    "邻居们都有意见",
    "现在还没有结果",
    "请尽快派人来看看",
    "对方一直推脱",
    "我们有证据",
    "老人小孩都受影响",
    "已经拖了很久",
    "希望给个说法",
    "之前打过电话",
]
TEMPLATES = {
    "labor": [
        "{place}{firm}拖欠{n}名工人{m}个月工资共{amount}元，老板联系不上",
        "我在{place}{firm}上班，已经{m}个月没发工资，一起的有{n}个人",
        "{firm}不签劳动合同，辞退我们不给经济补偿，做了{m}个月",
        "{place}{firm}没有给员工缴纳社保，已经断缴{m}个月",
        "在{firm}工作时受伤，厂里不肯申报工伤，医药费{amount}元没人管",
    ],
    "property": [
        "{estate}{b}栋电梯经常故障困人，物业维修不彻底",
        "{estate}物业擅自上调物业费，没有经过业主大会",
        "{estate}地下车库停车费涨到{amount}元，业主车位被占",
        "{estate}垃圾几天没人清运，楼道很臭，物业不管",
        "{estate}{b}栋顶楼漏水{m}个月，维修资金一直不启动",
    ],
    "neighbour": [
        "{place}楼下{shop}每天营业到凌晨，噪音扰民",
        "{place}邻居养了很多鸡鸭，气味很臭，沟通无效",
        "{place}邻居建房占了公共通道，我家进出不便",
        "{place}有住户养大狗不拴绳，吓到小孩",
        "{place}楼上装修天天打电钻，午休时间也不停",
    ],
    "consumer": [
        "{place}{shop}突然关门，预付卡里还有{amount}元退不了",
        "在{place}{shop}买的商品质量有问题，商家拒绝退换",
        "网购的东西货不对板，商家不肯退款，金额{amount}元",
        "{shop}收了{amount}元服务费却不履行合同",
    ],
    "traffic": [
        "在{road}发生交通事故，对方全责但拖着不赔{amount}元",
        "{place}路口被电动车撞伤，对方只给了{amount}元",
        "保险公司对{road}的事故拒绝理赔，理由不成立",
    ],
    "family": [
        "{place}老人有{n}个子女都不赡养，生活没人照顾",
        "{place}父母留下的房子，兄弟姐妹为继承闹矛盾",
        "夫妻闹离婚，对方把孩子带走不让探视，{place}",
        "{place}有家庭暴力，妇女长期被打",
    ],
    "environment": [
        "{place}{firm}夜间偷排污水，河涌发黑发臭",
        "{place}{firm}晚上开工噪音很大，居民睡不着",
        "{place}有人乱倒建筑垃圾还焚烧，烟很大",
    ],
    "urban": [
        "{road}下雨就积水，排水不畅，车辆熄火",
        "{road}路面破损，坑很多，有人摔伤",
        "{road}路灯坏了{n}盏，晚上很黑",
        "{place}有人在楼顶违建铁皮房",
        "{place}市场门口占道经营，交通拥堵",
    ],
    "land": [
        "{place}村委会收回我家承包地，没有补偿",
        "{place}宅基地被别人占用建房，村里不处理",
        "{place}征地拆迁补偿标准太低，要求重新评估",
        "房东提前收回房子，押金{amount}元不退，{place}",
    ],
}
SHOPS = ["麻将馆", "烧烤店", "KTV", "健身房", "美容院", "游泳馆", "培训班", "家电城", "火锅店", "药店"]


def _name(rng, k=2):
    return "".join(rng.choice(SYLLABLES) for _ in range(k))


def claim_text(rng: random.Random, branch: str, place: str) -> str:
    template = rng.choice(TEMPLATES.get(branch) or [t for ts in TEMPLATES.values() for t in ts])
    text = template.format(
        place=place,
        firm=_name(rng) + rng.choice(FIRMS),
        estate=_name(rng) + rng.choice(ESTATES),
        road=_name(rng) + rng.choice(ROADS),
        shop=_name(rng) + rng.choice(SHOPS),
        n=rng.randint(2, 40),
        m=rng.randint(1, 12),
        b=rng.randint(1, 30),
        amount=rng.choice([800, 1200, 3000, 5000, 8000, 12000, 20000, 35000, 60000, 150000]),
    )
    fillers = rng.sample(FILLERS, rng.randint(1, 3))
    return "，".join([text, *fillers]) + "。"


# Data -------------------------------------------------------------------------------------------
class World:
    def __init__(self):
        from routing.dispatch import current_index
        from routing.models import MatterType, Region, Unit
        from routing.roles import DISPATCH_ROLE

        index = current_index()
        self.matters = list(MatterType.objects.exclude(parent=None).filter(active=True).order_by("code"))
        self.places = list(Region.objects.filter(level__in=["village", "grid"]).order_by("code"))
        self.gaoming = [r for r in self.places if r.code.startswith("440608")]
        units = {u.code: u.id for u in Unit.objects.all()}
        self.centre = {r.code: units[index.nearest_with_role(r.code, DISPATCH_ROLE)] for r in self.places}
        self.districts = list(Region.objects.filter(level="district").order_by("code"))
        # what the index row copies (similar.index._scope_maps): the town and the matter branch
        towns = {r.code: r.id for r in Region.objects.filter(level="town")}
        self.town = {r.id: next((towns[c] for c in r.ancestor_codes if c in towns), None) for r in self.places}
        roots = {m.path: m.id for m in MatterType.objects.filter(parent=None)}
        self.branch = {m.id: roots.get(f"/{m.ancestor_codes[0]}/") for m in self.matters}

    def place(self, rng):
        return rng.choice(self.gaoming) if rng.random() < 0.6 else rng.choice(self.places)


def _columns():
    from cases.models import Case

    fields = [f for f in Case._meta.concrete_fields]
    defaults = []
    for f in fields:
        value = None if f.null and not f.has_default() else f.get_default()
        defaults.append(f.get_db_prep_save(value, connection))
    return [f.column for f in fields], defaults


def _dt(ts: float):
    value = datetime.fromtimestamp(ts, UTC)
    return value if connection.vendor == "postgresql" else str(value.replace(tzinfo=None))


def generate(world: World, start: int, count: int, rng: random.Random, terms_out: list):
    from similar.index import case_tokens

    columns, defaults = _columns()
    at = {c: i for i, c in enumerate(columns)}
    now = time.time()
    statuses = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    for case_id in range(start, start + count):
        status = rng.choices(statuses, weights)[0]
        matter, region = rng.choice(world.matters), world.place(rng)
        text = claim_text(rng, matter.code.split(".")[0], region.name)
        title = f"{matter.name}：{text[:30]}"
        age = rng.random() * 60 * DAY if status in OPEN else rng.random() * 730 * DAY
        created = now - age
        row = list(defaults)
        row[at["id"]] = case_id
        row[at["number"]] = f"B-{case_id:08d}"
        row[at["title"]], row[at["description"]] = title, text
        row[at["status"]], row[at["channel"]] = status, "hotline"
        row[at["matter_id"]], row[at["region_id"]] = matter.id, region.id
        row[at["centre_id"]] = world.centre[region.code]
        row[at["created_at"]] = row[at["updated_at"]] = _dt(created)
        if status == "closed":
            row[at["closed_at"]] = _dt(min(now - 60, created + rng.random() * 30 * DAY))
            row[at["result"]] = "经协调已解决，当事人表示认可。"
        terms_out.append(
            (
                case_id,
                case_tokens(title, text),
                status in OPEN,
                world.town[region.id],
                world.branch[matter.id],
                _dt(created),
            )
        )
        yield row


def load(world: World, start: int, count: int, rng: random.Random) -> dict:
    from similar.index import term_stats_refresh
    from similar.retrieval import SCOPED_TSV

    started = time.perf_counter()
    columns, _defaults = _columns()
    terms: list = []
    written = 0
    for chunk in range(start, start + count, 100_000):
        size = min(100_000, start + count - chunk)
        written += write_rows("cases_case", columns, generate(world, chunk, size, rng, terms))
        pg = connection.vendor == "postgresql"
        if pg:
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX IF EXISTS similar_caseterms_tsv")
                cursor.execute("DROP INDEX IF EXISTS similar_caseterms_open_scoped")
        write_rows("similar_caseterms", ["case_id", "tokens", "is_open", "town_id", "branch_id", "created_at"], terms)
        terms.clear()
        print(f"  {chunk + size - start:>9,} cases written ({time.perf_counter() - started:.0f} s)", flush=True)
    cases_s = time.perf_counter() - started
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE INDEX IF NOT EXISTS similar_caseterms_tsv ON similar_caseterms USING gin (tsv)")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS similar_caseterms_open_scoped ON similar_caseterms "
                f"USING gin (({SCOPED_TSV})) WHERE is_open"
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))"
            )
    index_s = time.perf_counter() - mark
    mark = time.perf_counter()
    term_stats_refresh()
    stats_s = time.perf_counter() - mark
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    return {"cases": written, "cases_s": round(cases_s, 1), "gin_s": round(index_s, 1), "stats_s": round(stats_s, 1)}


# Measures ---------------------------------------------------------------------------------------
def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[max(0, int(len(ordered) * 0.95 + 0.999999) - 1)], 1)


def measure(world: World, queries: int, rng: random.Random) -> dict:
    from cases.models import Case
    from similar.engine import similar_closed_cases, similar_open_cases

    asks = []
    for _ in range(queries + 10):
        matter, region = rng.choice(world.matters), world.place(rng)
        district = next(d for d in world.districts if region.path.startswith(d.path))
        asks.append((claim_text(rng, matter.code.split(".")[0], region.name), matter.id, region.id, district.path))
    timings: dict[str, list[float]] = {"duplicate": [], "similar": [], "similar_scoped": []}
    found = {"duplicate": 0, "similar": 0, "similar_scoped": 0}
    for i, (text, matter_id, region_id, district_path) in enumerate(asks):
        scope = Case.objects.filter(region__path__startswith=district_path)
        runs = {
            "duplicate": (similar_open_cases, {"region_id": region_id, "matter_id": matter_id}),
            "similar": (similar_closed_cases, {"matter_id": matter_id, "region_id": region_id}),
            "similar_scoped": (similar_closed_cases, {"matter_id": matter_id, "region_id": region_id, "cases": scope}),
        }
        for name, (run, kwargs) in runs.items():
            mark = time.perf_counter()
            got = run(text, **kwargs)
            took = (time.perf_counter() - mark) * 1000
            if i >= 10:
                timings[name].append(took)
                found[name] += bool(got)
    result = {
        **{f"{name}_p95_ms": p95(values) for name, values in timings.items()},
        **{f"{name}_answered": round(found[name] / queries, 2) for name in found},
    }
    if connection.vendor == "postgresql":
        result.update(buffers(asks[10:]))
    return result


def buffers(asks) -> dict:
    """A measure the machine's load does not move: the shared buffers (pages hit or read) that the
    statements of one duplicate look-up touch, by EXPLAIN (ANALYZE, BUFFERS) of each statement it
    runs, summed per look-up; p95 and mean over the same claims, after the timed pass."""
    from similar.engine import similar_open_cases

    statements: list = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    per_query = []
    for text, matter_id, region_id, _district in asks:
        statements.clear()
        with connection.execute_wrapper(capture):
            similar_open_cases(text, region_id=region_id, matter_id=matter_id)
        total = 0
        with connection.cursor() as cursor:
            for sql, params in list(statements):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
                total += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        per_query.append(total)
    return {
        "duplicate_buffers_p95": p95(per_query),
        "duplicate_buffers_mean": round(sum(per_query) / len(per_query), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the bench database as it is (no wipe, no load, nothing written): to iterate on a query",
    )
    args = parser.parse_args()
    vendor = connection.vendor
    if args.measure_only:
        if vendor != "postgresql":
            sys.exit("--measure-only needs BENCH_DATABASE_URL (a scratch SQLite file is emptied at every start).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            print(f"{cursor.fetchone()[0]:,} cases", flush=True)
        print(json.dumps(measure(World(), args.queries, random.Random(SEED + 1)), ensure_ascii=False), flush=True)
        return 0
    n = args.n or (1_000_000 if vendor == "postgresql" else 100_000)
    small = max(1000, n // 10)
    print(f"bench-similar on {vendor}: {small:,} then {n:,} cases", flush=True)
    wipe_and_migrate()
    world = World()
    rng = random.Random(SEED)
    loads = {"small": load(world, 1, small, rng)}
    at_small = measure(world, args.queries, random.Random(SEED + 1))
    print(json.dumps(at_small, ensure_ascii=False), flush=True)
    loads["top_up"] = load(world, small + 1, n - small, rng)
    at_n = measure(world, args.queries, random.Random(SEED + 1))
    print(json.dumps(at_n, ensure_ascii=False), flush=True)
    results = {
        "vendor": vendor,
        "n_cases": n,
        "small_cases": small,
        "queries": args.queries,
        "duplicate_p95_ms": at_n["duplicate_p95_ms"],
        "similar_p95_ms": at_n["similar_p95_ms"],
        "similar_scoped_p95_ms": at_n["similar_scoped_p95_ms"],
        "duplicate_growth": round(at_n["duplicate_p95_ms"] / max(at_small["duplicate_p95_ms"], 0.1), 2),
        "similar_growth": round(at_n["similar_p95_ms"] / max(at_small["similar_p95_ms"], 0.1), 2),
        "at_small": at_small,
        "at_n": at_n,
        "load": loads,
        "load_average": list(os.getloadavg()),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    by_vendor = previous.get("by_vendor", {})
    by_vendor[f"{vendor}-{n}"] = results
    top = results if vendor == "postgresql" else {k: v for k, v in previous.items() if k != "by_vendor"} or results
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({**top, "by_vendor": by_vendor}, ensure_ascii=False, indent=2) + "\n")
    ok = vendor != "postgresql" or (
        results["duplicate_p95_ms"] <= 100
        and results["similar_p95_ms"] <= 200
        and results["duplicate_growth"] <= 2
        and results["similar_growth"] <= 2
    )
    print(json.dumps({k: v for k, v in results.items() if not isinstance(v, dict)}, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
