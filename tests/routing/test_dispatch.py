"""The dispatcher, clause by clause of DESIGN.md "Dispatch semantics", on a small directory.

Every case imports the same regions and matter types (once per module, see ``base_directory``),
the base units (with per-case additions or overrides by code) and its own rules, then decides
one claim.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from routing.dispatch import DirectoryIndex, UnknownCode, current_index, dispatch_decide
from routing.models import Unit
from routing.services import directory_import, directory_object_save

pytestmark = pytest.mark.django_db

REGIONS = [
    ("44", "广东省", "province", None),
    ("4406", "佛山市", "city", "44"),
    ("440608", "高明区", "district", "4406"),
    ("440608102", "明城镇", "town", "440608"),
    ("440608102201", "明东村", "village", "440608102"),
    ("440608102201001", "明东村第一网格", "grid", "440608102201"),
    ("440608102202", "明西村", "village", "440608102"),
    ("440608103", "更合镇", "town", "440608"),
    ("440608103201", "合水村", "village", "440608103"),
    ("440605", "南海区", "district", "4406"),
    ("440605124", "狮山镇", "town", "440605"),
    ("440605124201", "小塘村", "village", "440605124"),
]
MATTERS = [
    ("labor", "劳动保障", None),
    ("labor.wages", "拖欠工资", "labor"),
    ("labor.injury", "工伤", "labor"),
    ("neighbour", "邻里纠纷", None),
    ("neighbour.livestock", "养殖异味", "neighbour"),
]
BASE_UNITS = [
    ("FS-ZX", "佛山市群众诉求服务中心", "4406", ["dispatch"]),
    ("FS-RSJ", "佛山市人社局", "4406", ["labor"]),
    ("FS-JRJ", "佛山市金融工作局", "4406", ["finance_regulation"]),
    ("GM-ZX", "高明区群众诉求服务中心", "440608", ["dispatch"]),
    ("GM-RSJ", "高明区人社局", "440608", ["labor"]),
    ("GM-NYJ", "高明区农业农村局", "440608", ["agriculture"]),
    ("GM-MC-ZZ", "明城镇综治中心", "440608102", ["comprehensive_centre"]),
    ("GM-MC-NYB", "明城镇农业农村办", "440608102", ["agriculture"]),
    ("GM-MC-MD", "明东村村委会", "440608102201", ["village_committee"]),
    ("GM-GH-ZZ", "更合镇综治中心", "440608103", ["comprehensive_centre"]),
    ("NH-RSJ", "南海区人社局", "440605", ["labor"]),
    ("NH-SS-ZZ", "狮山镇综治中心", "440605124", ["comprehensive_centre"]),
]

TOWN = "440608102"  # 明城镇
VILLAGE = "440608102201"  # 明东村
GRID = "440608102201001"  # 明东村第一网格
GH_VILLAGE = "440608103201"  # 合水村 (更合镇 has no agriculture office)
NH_VILLAGE = "440605124201"  # 小塘村 (南海区 has no claims centre)


@pytest.fixture(scope="module", autouse=True)
def base_directory(django_db_setup, django_db_blocker, demo_wipe):
    """The regions, matter types and base units, imported once for the module and rolled back after it.

    Each test runs in a savepoint inside this transaction; its own import then only adds what differs.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        demo_wipe()
        directory_import(data=directory_data([]))
        yield
        transaction.set_rollback(True)


def unit(code, region, *roles, active=True, name=None):
    return {"code": code, "name": name or f"单位{code}", "region": region, "roles": list(roles), "active": active}


def retired(code):
    """The base unit ``code`` with ``active: false``."""
    code_, name, region, roles = next(u for u in BASE_UNITS if u[0] == code)
    return unit(code_, region, *roles, name=name, active=False)


def rel(role, level):
    return {"role": role, "level": level}


def fixed(code):
    return {"unit": code}


def rule(rule_id, lead, *cooperating, **fields):
    entry = {"id": rule_id, **fields, "lead": lead}
    if cooperating:
        entry["cooperating"] = list(cooperating)
    return entry


def directory_data(rules, units=()):
    by_code = {code: unit(code, region, *roles, name=name) for code, name, region, roles in BASE_UNITS}
    by_code.update({u["code"]: u for u in units})
    return {
        "regions": [
            {"code": code, "name": name, "level": level, **({"parent": parent} if parent else {})}
            for code, name, level, parent in REGIONS
        ],
        "matter_types": [
            {"code": code, "name": name, **({"parent": parent} if parent else {})} for code, name, parent in MATTERS
        ],
        "units": list(by_code.values()),
        "rules": list(rules),
    }


def case(case_id, *, rules, claim, lead, rule=None, cooperating=(), queue=False, explain=(), units=()):
    claim = {"matter": "labor.wages", "region": VILLAGE, "parties": 1, "channel": "web", **claim}
    expected = {"lead": lead, "cooperating": list(cooperating), "rule": rule, "queue": queue}
    return pytest.param(rules, units, claim, expected, list(explain), id=case_id)


def run_cases(directory, rules, units, claim, expected, explain):
    directory(directory_data(rules, units))
    decision = dispatch_decide(**claim)
    got = {"lead": decision.lead, "cooperating": decision.cooperating, "rule": decision.rule, "queue": decision.queue}
    assert got == expected, "\n".join(decision.explanation)
    text = "\n".join(decision.explanation)
    for fragment in explain:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    return decision


WAGES = {"matter": "labor.wages"}

# 1. Candidates: matter, region, min_parties, channels ---------------------------------------------
CANDIDATES = [
    case(
        "matter-ancestor-matches",
        rules=[rule("labor", rel("labor", "district"), matter="labor")],
        claim=WAGES,
        lead="GM-RSJ",
        rule="labor",
        explain=["采用规则 labor"],
    ),
    case(
        "matter-itself-matches",
        rules=[rule("wages", rel("labor", "district"), matter="labor.wages")],
        claim=WAGES,
        lead="GM-RSJ",
        rule="wages",
    ),
    case(
        "matter-descendant-does-not-match",
        rules=[rule("wages", fixed("GM-RSJ"), matter="labor.wages")],
        claim={"matter": "labor"},
        lead="GM-ZX",
        queue=True,
        explain=["没有适用的规则"],
    ),
    case(
        "sibling-matter-does-not-match",
        rules=[rule("injury", fixed("GM-RSJ"), matter="labor.injury")],
        claim=WAGES,
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "region-ancestor-matches",
        rules=[rule("gaoming", fixed("GM-RSJ"), region="440608")],
        claim={"region": GRID},
        lead="GM-RSJ",
        rule="gaoming",
    ),
    case(
        "region-itself-matches",
        rules=[rule("mingcheng", fixed("GM-RSJ"), region=TOWN)],
        claim={"region": TOWN},
        lead="GM-RSJ",
        rule="mingcheng",
    ),
    case(
        "other-region-does-not-match",
        rules=[rule("nanhai", fixed("NH-RSJ"), region="440605")],
        claim={"region": VILLAGE},
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "rule-region-below-the-claim-does-not-match",
        rules=[rule("mingdong", fixed("GM-RSJ"), region=VILLAGE)],
        claim={"region": TOWN},
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "unset-matter-and-region-match-everything",
        rules=[rule("all", fixed("FS-RSJ"))],
        claim={"matter": "neighbour.livestock", "region": NH_VILLAGE},
        lead="FS-RSJ",
        rule="all",
    ),
    case(
        "unset-matter-matches-any-matter-in-the-region",
        rules=[rule("gaoming", fixed("GM-RSJ"), region="440608")],
        claim={"matter": "neighbour"},
        lead="GM-RSJ",
        rule="gaoming",
    ),
    case(
        "min-parties-met",
        rules=[rule("group", fixed("FS-RSJ"), min_parties=5), rule("single", fixed("GM-RSJ"))],
        claim={"parties": 5},
        lead="FS-RSJ",
        rule="group",
    ),
    case(
        "min-parties-not-met",
        rules=[rule("group", fixed("FS-RSJ"), min_parties=5), rule("single", fixed("GM-RSJ"))],
        claim={"parties": 4},
        lead="GM-RSJ",
        rule="single",
        explain=["规则 group 不适用", "涉及人数 4 少于规则要求的 5 人"],
    ),
    case(
        "min-parties-defaults-to-1",
        rules=[rule("single", fixed("GM-RSJ"))],
        claim={"parties": 1},
        lead="GM-RSJ",
        rule="single",
    ),
    case(
        "min-parties-2-rejects-a-single-party",
        rules=[rule("pair", fixed("GM-RSJ"), min_parties=2)],
        claim={"parties": 1},
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "channel-in-the-list-matches",
        rules=[rule("phone", fixed("FS-RSJ"), channels=["hotline", "window"]), rule("other", fixed("GM-RSJ"))],
        claim={"channel": "window"},
        lead="FS-RSJ",
        rule="phone",
    ),
    case(
        "channel-not-in-the-list-is-filtered",
        rules=[rule("phone", fixed("FS-RSJ"), channels=["hotline", "window"]), rule("other", fixed("GM-RSJ"))],
        claim={"channel": "web"},
        lead="GM-RSJ",
        rule="other",
        explain=["规则 phone 不适用", "只适用于渠道 hotline、window"],
    ),
    case(
        "unset-channels-match-any-channel",
        rules=[rule("any", fixed("GM-RSJ"))],
        claim={"channel": "referral"},
        lead="GM-RSJ",
        rule="any",
    ),
]

# 2. Order: priority, deeper rule region, deeper rule matter, definition order ----------------------
# In each case the rule that should lose is defined first.
ORDER = [
    case(
        "priority-beats-depth",
        rules=[
            rule("specific", fixed("GM-RSJ"), matter="labor.wages", region=GRID),
            rule("urgent", fixed("FS-RSJ"), priority=1),
        ],
        claim={"region": GRID},
        lead="FS-RSJ",
        rule="urgent",
    ),
    case(
        "negative-priority-loses-to-default",
        rules=[
            rule("demoted", fixed("GM-RSJ"), matter="labor.wages", region=VILLAGE, priority=-1),
            rule("broad", fixed("FS-RSJ")),
        ],
        claim=WAGES,
        lead="FS-RSJ",
        rule="broad",
    ),
    case(
        "deeper-rule-region-beats-deeper-matter",
        rules=[
            rule("district-wages", fixed("GM-RSJ"), matter="labor.wages", region="440608"),
            rule("town-labor", fixed("FS-RSJ"), matter="labor", region=TOWN),
        ],
        claim=WAGES,
        lead="FS-RSJ",
        rule="town-labor",
    ),
    case(
        "any-region-is-shallower-than-the-root-region",
        rules=[
            rule("everywhere-wages", fixed("GM-RSJ"), matter="labor.wages"),
            rule("province-labor", fixed("FS-RSJ"), matter="labor", region="44"),
        ],
        claim=WAGES,
        lead="FS-RSJ",
        rule="province-labor",
    ),
    case(
        "deeper-matter-wins-at-equal-region",
        rules=[
            rule("labor", fixed("FS-RSJ"), matter="labor", region="440608"),
            rule("wages", fixed("GM-RSJ"), matter="labor.wages", region="440608"),
        ],
        claim=WAGES,
        lead="GM-RSJ",
        rule="wages",
    ),
    case(
        "any-matter-is-shallower-than-a-root-matter",
        rules=[rule("anything", fixed("FS-RSJ")), rule("labor", fixed("GM-RSJ"), matter="labor")],
        claim=WAGES,
        lead="GM-RSJ",
        rule="labor",
    ),
    case(
        "definition-order-breaks-ties",
        rules=[rule("first", fixed("GM-RSJ"), matter="labor"), rule("second", fixed("FS-RSJ"), matter="labor")],
        claim=WAGES,
        lead="GM-RSJ",
        rule="first",
        explain=["候选规则（按优先级、规则区划深度、事项深度、定义顺序）：first、second"],
    ),
    case(
        "definition-order-breaks-ties-swapped",
        rules=[rule("second", fixed("FS-RSJ"), matter="labor"), rule("first", fixed("GM-RSJ"), matter="labor")],
        claim=WAGES,
        lead="FS-RSJ",
        rule="second",
    ),
]

# 3. Resolving the lead --------------------------------------------------------------------------
LEAD = [
    case(
        "fixed-unit",
        rules=[rule("city", fixed("FS-RSJ"))],
        claim={"region": NH_VILLAGE},
        lead="FS-RSJ",
        rule="city",
        explain=["主办：指定单位 佛山市人社局（FS-RSJ）"],
    ),
    case(
        "inactive-fixed-lead-falls-through",
        units=[retired("GM-RSJ")],
        rules=[rule("retired", fixed("GM-RSJ"), priority=1), rule("city", fixed("FS-RSJ"))],
        claim=WAGES,
        lead="FS-RSJ",
        rule="city",
        explain=["规则 retired 的主办目标无法确定", "已停用", "改试下一条"],
    ),
    case(
        "unresolvable-relative-lead-falls-through",
        rules=[rule("court", rel("court", "district"), priority=1), rule("labor", rel("labor", "district"))],
        claim=WAGES,
        lead="GM-RSJ",
        rule="labor",
        explain=["规则 court 的主办目标无法确定", "都没有在用的该职能单位", "改试下一条"],
    ),
    case(
        "relative-found-at-its-own-level",
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": VILLAGE},
        lead="GM-MC-NYB",
        rule="agri",
        explain=["从 明城镇（440608102） 开始查找", "在 明城镇（440608102） 找到 明城镇农业农村办（GM-MC-NYB）"],
    ),
    case(
        "relative-walks-up-one-level",
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": GH_VILLAGE},
        lead="GM-NYJ",
        rule="agri",
        explain=["从 更合镇（440608103） 开始查找", "逐级向上", "在 高明区（440608） 找到"],
    ),
    case(
        "relative-walks-up-several-levels",
        rules=[rule("finance", rel("finance_regulation", "village"))],
        claim={"region": GRID},
        lead="FS-JRJ",
        rule="finance",
        explain=["从 明东村（440608102201） 开始查找", "在 佛山市（4406） 找到"],
    ),
    case(
        "relative-stays-in-the-claims-own-branch",
        rules=[rule("labor", rel("labor", "district"))],
        claim={"region": NH_VILLAGE},
        lead="NH-RSJ",
        rule="labor",
        explain=["在 南海区（440605） 找到"],
    ),
    case(
        "inactive-relative-unit-never-chosen",
        units=[retired("GM-MC-NYB")],
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": VILLAGE},
        lead="GM-NYJ",
        rule="agri",
        explain=["在 高明区（440608） 找到"],
    ),
    case(
        "inactive-relative-unit-with-a-lower-code-never-chosen",
        units=[unit("GM-MC-AAA", TOWN, "agriculture", active=False)],
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": VILLAGE},
        lead="GM-MC-NYB",
        rule="agri",
    ),
    case(
        "only-inactive-units-anywhere-falls-through",
        units=[retired("GM-MC-NYB"), retired("GM-NYJ")],
        rules=[rule("agri", rel("agriculture", "town"), priority=1), rule("city", fixed("FS-RSJ"))],
        claim={"region": VILLAGE},
        lead="FS-RSJ",
        rule="city",
    ),
    case(
        "lowest-unit-code-among-several",
        units=[
            unit("GM-MC-NYZ", TOWN, "agriculture"),
            unit("GM-MC-NYA", TOWN, "agriculture", "justice"),
        ],
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": VILLAGE},
        lead="GM-MC-NYA",
        rule="agri",
    ),
    case(
        # Code-point order (as in Python and SQLite), not the database's collation (ICU puts "b" before "C").
        "lowest-unit-code-by-code-point",
        units=[unit("GM-MC-b", TOWN, "agriculture"), unit("GM-MC-C", TOWN, "agriculture")],
        rules=[rule("agri", rel("agriculture", "town"))],
        claim={"region": VILLAGE},
        lead="GM-MC-C",
        rule="agri",
    ),
    case(
        "claim-above-the-target-level-starts-at-its-own-region",
        rules=[rule("centre", rel("comprehensive_centre", "village"))],
        claim={"region": TOWN},
        lead="GM-MC-ZZ",
        rule="centre",
        explain=["从 明城镇（440608102） 开始查找", "在 明城镇（440608102） 找到"],
    ),
    case(
        "claim-above-the-target-level-never-looks-below",
        rules=[rule("committee", rel("village_committee", "village"))],
        claim={"region": TOWN},
        lead="GM-ZX",
        queue=True,
        explain=["规则 committee 的主办目标无法确定"],
    ),
    case(
        "district-claim-with-a-town-target",
        rules=[rule("labor", rel("labor", "town"))],
        claim={"region": "440608"},
        lead="GM-RSJ",
        rule="labor",
        explain=["从 高明区（440608） 开始查找"],
    ),
    case(
        "claim-below-the-target-level-starts-at-the-target-level",
        units=[unit("GM-MC-MD-W1", GRID, "comprehensive_centre")],
        rules=[rule("centre", rel("comprehensive_centre", "town"))],
        claim={"region": GRID},
        lead="GM-MC-ZZ",
        rule="centre",
        explain=["从 明城镇（440608102） 开始查找"],
    ),
    case(
        "grid-target-for-a-grid-claim",
        units=[unit("GM-MC-MD-W1", GRID, "grid")],
        rules=[rule("grid", rel("grid", "grid"))],
        claim={"region": GRID},
        lead="GM-MC-MD-W1",
        rule="grid",
    ),
]

# 4. Cooperating targets -------------------------------------------------------------------------
COOPERATING = [
    case(
        "cooperating-resolved-in-order",
        rules=[
            rule(
                "joint",
                rel("labor", "district"),
                rel("village_committee", "village"),
                fixed("FS-JRJ"),
                rel("comprehensive_centre", "town"),
            )
        ],
        claim=WAGES,
        lead="GM-RSJ",
        rule="joint",
        cooperating=["GM-MC-MD", "FS-JRJ", "GM-MC-ZZ"],
        explain=[
            "协办：村社区级“村（居）委会”",
            "协办：指定单位 佛山市金融工作局（FS-JRJ）",
            "协办：乡镇街道级“综治中心”",
        ],
    ),
    case(
        "cooperating-skips-the-lead",
        rules=[rule("joint", rel("labor", "district"), fixed("GM-RSJ"), rel("comprehensive_centre", "town"))],
        claim=WAGES,
        lead="GM-RSJ",
        rule="joint",
        cooperating=["GM-MC-ZZ"],
        explain=["与已选单位重复，不再列入"],
    ),
    case(
        "cooperating-skips-duplicates",
        rules=[
            rule(
                "joint",
                fixed("FS-RSJ"),
                rel("comprehensive_centre", "town"),
                fixed("GM-MC-ZZ"),
                rel("village_committee", "village"),
                rel("comprehensive_centre", "village"),
            )
        ],
        claim=WAGES,
        lead="FS-RSJ",
        rule="joint",
        cooperating=["GM-MC-ZZ", "GM-MC-MD"],
        explain=["与已选单位重复，不再列入"],
    ),
    case(
        "unresolvable-cooperating-skipped-and-noted",
        rules=[rule("joint", rel("labor", "district"), rel("court", "district"), rel("comprehensive_centre", "town"))],
        claim=WAGES,
        lead="GM-RSJ",
        rule="joint",
        cooperating=["GM-MC-ZZ"],
        explain=["协办目标跳过：区县级“人民法院”", "都没有在用的该职能单位"],
    ),
    case(
        "inactive-fixed-cooperating-skipped-and-noted",
        units=[retired("GM-MC-ZZ")],
        rules=[rule("joint", rel("labor", "district"), fixed("GM-MC-ZZ"), fixed("FS-JRJ"))],
        claim=WAGES,
        lead="GM-RSJ",
        rule="joint",
        cooperating=["FS-JRJ"],
        explain=["协办目标跳过：指定单位 明城镇综治中心（GM-MC-ZZ） 已停用"],
    ),
    case(
        "unresolvable-cooperating-does-not-reject-the-rule",
        rules=[
            rule("joint", fixed("GM-RSJ"), rel("court", "district"), priority=1),
            rule("other", fixed("FS-RSJ")),
        ],
        claim=WAGES,
        lead="GM-RSJ",
        rule="joint",
        cooperating=[],
    ),
    case(
        "cooperating-walks-up",
        rules=[rule("joint", rel("comprehensive_centre", "town"), rel("agriculture", "town"))],
        claim={"region": GH_VILLAGE},
        lead="GM-GH-ZZ",
        rule="joint",
        cooperating=["GM-NYJ"],
        explain=[
            "协办：乡镇街道级“农业农村”：从 更合镇（440608103） 开始查找",
            "在 高明区（440608） 找到 高明区农业农村局（GM-NYJ）",
        ],
    ),
]

# 5. The manual dispatch queue -------------------------------------------------------------------
QUEUE = [
    case(
        "queue-without-rules",
        rules=[],
        claim={"region": VILLAGE},
        lead="GM-ZX",
        queue=True,
        explain=["没有适用的规则", "转入人工分派：高明区（440608） 的调度中心 高明区群众诉求服务中心（GM-ZX）"],
    ),
    case(
        "queue-when-no-candidate-resolves",
        rules=[rule("court", rel("court", "district")), rule("petition", rel("petition", "town"))],
        claim={"region": VILLAGE},
        lead="GM-ZX",
        queue=True,
        explain=["规则 court 的主办目标无法确定", "规则 petition 的主办目标无法确定", "转入人工分派"],
    ),
    case(
        "queue-when-every-rule-is-filtered",
        rules=[rule("group", fixed("FS-RSJ"), min_parties=10)],
        claim={"parties": 3},
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "queue-walks-up-to-the-nearest-centre",
        rules=[],
        claim={"region": NH_VILLAGE},
        lead="FS-ZX",
        queue=True,
        explain=["转入人工分派：佛山市（4406） 的调度中心"],
    ),
    case(
        "queue-at-the-claims-own-region",
        rules=[],
        claim={"region": "440608"},
        lead="GM-ZX",
        queue=True,
    ),
    case(
        "queue-nearest-centre-is-below-the-district",
        units=[unit("GM-MC-DD", TOWN, "dispatch")],
        rules=[],
        claim={"region": GRID},
        lead="GM-MC-DD",
        queue=True,
        explain=["转入人工分派：明城镇（440608102）"],
    ),
    case(
        "queue-skips-an-inactive-centre",
        units=[retired("GM-ZX")],
        rules=[],
        claim={"region": VILLAGE},
        lead="FS-ZX",
        queue=True,
    ),
    case(
        "queue-without-any-centre",
        units=[retired("GM-ZX"), retired("FS-ZX")],
        rules=[],
        claim={"region": VILLAGE},
        lead=None,
        queue=True,
        explain=["没有调度中心"],
    ),
]


@pytest.mark.parametrize(("rules", "units", "claim", "expected", "explain"), CANDIDATES)
def test_candidates(directory, rules, units, claim, expected, explain):
    run_cases(directory, rules, units, claim, expected, explain)


@pytest.mark.parametrize(("rules", "units", "claim", "expected", "explain"), ORDER)
def test_order(directory, rules, units, claim, expected, explain):
    run_cases(directory, rules, units, claim, expected, explain)


@pytest.mark.parametrize(("rules", "units", "claim", "expected", "explain"), LEAD)
def test_lead_resolution(directory, rules, units, claim, expected, explain):
    run_cases(directory, rules, units, claim, expected, explain)


@pytest.mark.parametrize(("rules", "units", "claim", "expected", "explain"), COOPERATING)
def test_cooperating(directory, rules, units, claim, expected, explain):
    run_cases(directory, rules, units, claim, expected, explain)


@pytest.mark.parametrize(("rules", "units", "claim", "expected", "explain"), QUEUE)
def test_queue(directory, rules, units, claim, expected, explain):
    decision = run_cases(directory, rules, units, claim, expected, explain)
    assert decision.rule is None
    assert decision.cooperating == []


# --- Beyond the table ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "fragment"),
    [
        ({"matter": "labor.nothing", "region": VILLAGE}, "labor.nothing"),
        ({"matter": "labor.wages", "region": "440608999"}, "440608999"),
        ({"matter": "labor.wages", "region": VILLAGE, "channel": "fax"}, "fax"),
    ],
    ids=["unknown-matter", "unknown-region", "unknown-channel"],
)
def test_unknown_codes_raise(directory, claim, fragment):
    directory(directory_data([rule("any", fixed("GM-RSJ"))]))
    with pytest.raises(UnknownCode, match=fragment):
        dispatch_decide(**claim)


def test_the_explanation_opens_with_the_claim(directory):
    directory(directory_data([rule("any", fixed("GM-RSJ"))]))
    decision = dispatch_decide(matter="labor.wages", region=VILLAGE, parties=3, channel="hotline")
    assert (
        decision.explanation[0]
        == "诉求：事项 拖欠工资（labor.wages），区划 明东村（440608102201），涉及 3 人，渠道 12345热线"
    )


def test_the_decision_as_json(directory):
    directory(directory_data([rule("joint", rel("labor", "district"), rel("comprehensive_centre", "town"))]))
    decision = dispatch_decide(matter="labor.wages", region=VILLAGE)
    data = decision.as_json("c1")
    assert set(data) == {"ref", "lead", "cooperating", "rule", "queue", "explanation"}
    assert data["ref"] == "c1"
    assert (data["lead"], data["cooperating"], data["rule"], data["queue"]) == ("GM-RSJ", ["GM-MC-ZZ"], "joint", False)
    assert all(isinstance(line, str) for line in data["explanation"])


def test_considered_rules_say_why_they_lost(directory):
    directory(
        directory_data(
            [
                rule("group", fixed("FS-RSJ"), min_parties=5),
                rule("broken", rel("court", "district"), priority=2),
                rule("urgent", fixed("GM-RSJ"), priority=1),
                rule("deep", fixed("FS-RSJ"), region=VILLAGE),
                rule("matter", fixed("FS-RSJ"), matter="labor.wages"),
                rule("plain", fixed("FS-RSJ"), matter="labor.wages"),
            ]
        )
    )
    decision = dispatch_decide(matter="labor.wages", region=VILLAGE, detail=True)
    status = {c.rule_id: (c.status, c.reason) for c in decision.considered}
    assert decision.rule == "urgent"
    assert status["group"][0] == "filtered"
    assert status["broken"][0] == "unresolved"
    assert status["urgent"][0] == "chosen"
    assert status["deep"][0] == "lost"
    assert "优先级 0 低于 urgent 的 1" in status["deep"][1]
    assert [c.rule_id for c in decision.considered if c.status == "lost"] == ["deep", "matter", "plain"]


def test_parties_below_one_count_as_one(directory):
    directory(directory_data([rule("single", fixed("GM-RSJ"))]))
    assert dispatch_decide(matter="labor.wages", region=VILLAGE, parties=0).rule == "single"


def test_the_index_is_rebuilt_after_a_directory_change(directory):
    directory(directory_data([rule("labor", rel("labor", "district"))]))
    assert dispatch_decide(matter="labor.wages", region=VILLAGE).lead == "GM-RSJ"
    first = current_index()
    assert current_index() is first  # unchanged directory: the same index

    # A second import retires GM-RSJ and adds a rule.
    directory(
        directory_data(
            [rule("agri", rel("agriculture", "town"), matter="neighbour"), rule("labor", rel("labor", "district"))],
            units=[retired("GM-RSJ")],
        )
    )
    second = current_index()
    assert second is not first
    assert second.version != first.version
    assert second.units["GM-RSJ"].active is False
    assert dispatch_decide(matter="labor.wages", region=VILLAGE).lead == "FS-RSJ"
    assert dispatch_decide(matter="neighbour.livestock", region=VILLAGE).lead == "GM-MC-NYB"


def test_the_index_is_rebuilt_after_an_admin_edit(directory):
    directory(directory_data([rule("labor", rel("labor", "district"))]))
    assert dispatch_decide(matter="labor.wages", region=VILLAGE).lead == "GM-RSJ"

    unit_ = Unit.objects.get(code="GM-RSJ")
    unit_.active = False
    directory_object_save(obj=unit_)

    assert dispatch_decide(matter="labor.wages", region=VILLAGE).lead == "FS-RSJ"


def test_a_decision_costs_one_query_after_warm_up(directory, django_assert_max_num_queries):
    directory(directory_data([rule("joint", rel("labor", "district"), rel("comprehensive_centre", "town"))]))
    dispatch_decide(matter="labor.wages", region=VILLAGE)  # builds the index

    for region in (VILLAGE, GRID, NH_VILLAGE, "440608"):
        with django_assert_max_num_queries(1):
            dispatch_decide(matter="labor.wages", region=region)


def test_building_the_index_costs_a_fixed_number_of_queries(directory, django_assert_max_num_queries):
    directory(directory_data([rule("joint", rel("labor", "district"), rel("comprehensive_centre", "town"))]))
    with django_assert_max_num_queries(7):  # + the severity rules (issue #15)
        index = DirectoryIndex.build()
    assert index.decide(matter="labor.wages", region=VILLAGE).lead == "GM-RSJ"


def test_deciding_writes_nothing(directory):
    directory(directory_data([rule("labor", rel("labor", "district"))]))
    with CaptureQueriesContext(connection) as queries:
        dispatch_decide(matter="labor.wages", region=VILLAGE)
        dispatch_decide(matter="neighbour", region=NH_VILLAGE)
    assert queries.captured_queries
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
