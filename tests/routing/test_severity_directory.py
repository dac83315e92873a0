"""严重程度 in the directory (issue #15): the `severity` section, `min_severity` on a rule,
`severity_deadlines` on a matter — import, export, errors, the dispatcher, route and the replay."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from routing import yaml_io
from routing.directory_io import DirectoryError
from routing.dispatch import DirectoryIndex
from routing.models import RoutingRule, SeverityRule
from routing.selectors import directory_export
from routing.services import directory_import

pytestmark = pytest.mark.django_db

DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"
SEVERITY = [
    {"level": "serious", "min_parties": 10, "note": "群体性"},
    {"level": "major", "min_parties": 30},
    {"level": "major", "keywords": ["跳楼", "自杀"]},
    {"level": "serious", "matter": "labor", "keywords": ["堵路"]},
]
MAJOR_RULE = {
    "id": "labor-wages-major",
    "matter": "labor.wages",
    "min_severity": "major",
    "priority": 9,
    "lead": {"role": "dispatch", "level": "district"},
}
VILLAGE = "440608102201"  # 明东村


@pytest.fixture
def city():
    return yaml_io.load(DEMO_CITY.read_text(encoding="utf-8"))


def with_severity(city: dict) -> dict:
    data = copy.deepcopy(city)
    data["severity"] = copy.deepcopy(SEVERITY)
    wages = next(m for m in data["matter_types"] if m["code"] == "labor.wages")
    wages["severity_deadlines"] = {"major": {"handle": 3}, "serious": {"handle": 7}}
    data["rules"].append(copy.deepcopy(MAJOR_RULE))
    return data


def test_import_and_export_round_trip(demo, city):
    summary = directory_import(data=with_severity(city))
    assert "严重程度规则：替换为 4 条" in summary.lines()
    exported = directory_export()
    assert exported["severity"] == SEVERITY
    wages = next(m for m in exported["matter_types"] if m["code"] == "labor.wages")
    assert wages["severity_deadlines"] == {"serious": {"handle": 7}, "major": {"handle": 3}}
    assert next(r for r in exported["rules"] if r["id"] == "labor-wages-major")["min_severity"] == "major"
    directory_import(data=exported)  # exported text imports again unchanged
    assert directory_export() == exported


def test_a_file_without_the_section_keeps_the_severity_rules(demo, city):
    directory_import(data=with_severity(city))
    directory_import(data={"units": []})
    assert SeverityRule.objects.count() == 4
    directory_import(data={"severity": []})
    assert SeverityRule.objects.count() == 0
    assert "severity" not in directory_export()  # no rules: the export is as it always was


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda d: d["severity"].append({"level": "huge", "min_parties": 3}), "严重程度 level 应为 general（一般）"),
        (lambda d: d["severity"].append({"level": "major"}), "至少要有一个条件（matter、min_parties 或 keywords）"),
        (lambda d: d["severity"].append({"level": "major", "min_parties": 0}), "min_parties 应为不小于 1 的整数"),
        (lambda d: d["severity"].append({"level": "major", "keywords": "跳楼"}), "keywords 应为非空文字的列表"),
        (lambda d: d["severity"].append({"level": "major", "matter": "nope"}), "事项 nope 不存在"),
        (lambda d: d["severity"].append({"level": "major", "min_parties": 3, "region": "44"}), "未知的键 region"),
        (
            lambda d: d["rules"].append({**MAJOR_RULE, "id": "x", "min_severity": "big"}),
            "规则 x：min_severity 应为 general（一般）",
        ),
        (
            lambda d: next(m for m in d["matter_types"] if m["code"] == "labor.wages").update(
                severity_deadlines={"major": {"handle": 12}}
            ),
            "事项 labor.wages：severity_deadlines.major.handle 应为 1 到 10 之间的整数（不能长于该事项的时限）",
        ),
        (
            lambda d: next(m for m in d["matter_types"] if m["code"] == "labor.wages").update(
                severity_deadlines={"major": {"review": 2}}
            ),
            "severity_deadlines.major 只能包含 accept、sign、handle、contact",
        ),
        (
            lambda d: next(m for m in d["matter_types"] if m["code"] == "labor.wages").update(
                severity_deadlines={"urgent": {"handle": 2}}
            ),
            "severity_deadlines 的键应为",
        ),
    ],
)
def test_bad_severity_entries_are_named_and_nothing_changes(demo, city, change, error):
    data = with_severity(city)
    change(data)
    rules, severity_rules = RoutingRule.objects.count(), SeverityRule.objects.count()
    with pytest.raises(DirectoryError) as caught:
        directory_import(data=data)
    assert any(error in line for line in caught.value.errors), caught.value.errors
    assert (RoutingRule.objects.count(), SeverityRule.objects.count()) == (rules, severity_rules)


@pytest.mark.parametrize(
    "matter, parties, text, level",
    [
        ("labor.wages", 1, "拖欠工资", "general"),
        ("labor.wages", 10, "拖欠工资", "serious"),
        ("neighbour.livestock", 30, "臭味", "major"),
        ("neighbour.livestock", 1, "邻居说要自杀", "major"),
        ("labor.wages", 1, "工人要堵路", "serious"),  # labor.wages is under labor
        ("neighbour.livestock", 1, "村民要堵路", "general"),
    ],
)
def test_the_index_proposes_the_most_serious_matching_level(demo, city, matter, parties, text, level):
    directory_import(data=with_severity(city))
    proposed, reasons = DirectoryIndex.build().propose_severity(matter=matter, parties=parties, text=text)
    assert proposed == level
    assert (level == "general") == (not reasons)  # 一般 needs no reason; any other level names its rules


def test_the_dispatcher_filters_rules_by_minimum_severity(demo, city):
    directory_import(data=with_severity(city))
    index = DirectoryIndex.build()
    general = index.decide(matter="labor.wages", region=VILLAGE, severity="general", detail=True)
    serious = index.decide(matter="labor.wages", region=VILLAGE, severity="serious")
    major = index.decide(matter="labor.wages", region=VILLAGE, severity="major")
    assert (general.lead, general.rule) == ("GM-RSJ", "labor-wages")
    assert serious.rule == "labor-wages"
    assert (major.lead, major.rule) == ("GM-ZX", "labor-wages-major")
    filtered = next(c for c in general.considered if c.rule_id == "labor-wages-major")
    assert (filtered.status, filtered.reason) == ("filtered", "严重程度一般低于规则要求的重大")
    assert "严重程度重大" in major.explanation[0]


def test_route_reads_the_severity(demo, city, tmp_path):
    directory_import(data=with_severity(city))
    claims = tmp_path / "claims.jsonl"
    lines = [
        {"ref": "a", "matter": "labor.wages", "region": VILLAGE},
        {"ref": "b", "matter": "labor.wages", "region": VILLAGE, "severity": "major"},
        {"ref": "c", "matter": "labor.wages", "region": VILLAGE, "severity": "huge"},
    ]
    claims.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("route", str(claims), stdout=out)
    rows = {row["ref"]: row for row in map(json.loads, out.getvalue().splitlines())}
    assert rows["a"]["lead"] == "GM-RSJ" and rows["b"]["lead"] == "GM-ZX"
    assert rows["c"]["error"] == "未知严重程度 huge"


def test_the_replay_moves_only_cases_serious_enough(city, submit_case, tmp_path):
    """A new rule for 重大 wage claims: the replay moves the 重大 case and leaves the others."""
    directory_import(data={"severity": SEVERITY})
    major = submit_case(matter="labor.wages", people=1, text="讨薪无果，有人扬言跳楼。")
    submit_case(matter="labor.wages", people=1)
    assert major.severity == "major"
    new = copy.deepcopy(city)
    new["severity"] = SEVERITY
    new["rules"].append(copy.deepcopy(MAJOR_RULE))
    path = tmp_path / "new.yaml"
    path.write_text(yaml_io.dump(new), encoding="utf-8")
    moves = tmp_path / "moves.jsonl"
    out = StringIO()
    call_command("import_directory", str(path), "--dry-run", "--replay", "--json", "--moves", str(moves), stdout=out)
    report = json.loads(out.getvalue())
    assert report["cases"] == 2 and report["moved"] == 1
    assert [(c["new_rule"], c["new_unit"], c["count"]) for c in report["changes"]] == [
        ("labor-wages-major", "GM-ZX", 1)
    ]
    (row,) = map(json.loads, moves.read_text(encoding="utf-8").splitlines())
    assert (row["ref"], row["severity"]) == (major.number, "major")
