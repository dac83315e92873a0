"""Directory import/export (docs/directory-format.md): every bad file aborts everything; upserts; round trip."""

import copy
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from routing import yaml_io
from routing.directory_io import DirectoryError
from routing.models import DirectoryVersion, MatterType, Region, RoutingRule, RuleTarget, SeverityRule, Unit, UnitRole
from routing.selectors import directory_export
from routing.services import directory_import

pytestmark = pytest.mark.django_db

DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"

BASE = {
    "regions": [
        {"code": "44", "name": "广东省", "level": "province"},
        {"code": "4406", "name": "佛山市", "level": "city", "parent": "44"},
        {"code": "440608", "name": "高明区", "level": "district", "parent": "4406"},
        {"code": "440608102", "name": "明城镇", "level": "town", "parent": "440608"},
        {"code": "440608102201", "name": "明东村", "level": "village", "parent": "440608102"},
    ],
    "matter_types": [
        {"code": "labor", "name": "劳动保障"},
        {
            "code": "labor.wages",
            "name": "拖欠工资",
            "parent": "labor",
            "keywords": ["欠薪", "讨薪"],
            "mediable": True,
            "deadlines": {"accept": 1, "sign": 1, "handle": 10},
        },
        {"code": "neighbour", "name": "邻里纠纷"},
    ],
    "units": [
        {"code": "GM-ZX", "name": "高明区群众诉求服务中心", "region": "440608", "roles": ["dispatch"]},
        {"code": "GM-RSJ", "name": "高明区人社局", "region": "440608", "roles": ["labor"]},
        {"code": "GM-MC-ZZ", "name": "明城镇综治中心", "region": "440608102", "roles": ["comprehensive_centre"]},
    ],
    "rules": [
        {
            "id": "wages",
            "matter": "labor.wages",
            "region": "440608",
            "min_parties": 2,
            "channels": ["web", "hotline"],
            "priority": 3,
            "lead": {"role": "labor", "level": "district"},
            "cooperating": [{"role": "comprehensive_centre", "level": "town"}, {"unit": "GM-ZX"}],
            "note": "欠薪",
        },
        {"id": "any", "lead": {"unit": "GM-ZX"}},
    ],
}


def base():
    return copy.deepcopy(BASE)


def snapshot():
    """Everything an import could touch: row counts, the full export, the directory stamp."""
    counts = {
        model.__name__: model.objects.count()
        for model in (Region, MatterType, Unit, UnitRole, RoutingRule, RuleTarget, DirectoryVersion)
    }
    stamp = DirectoryVersion.objects.values_list("stamp", flat=True).first()
    paths = list(Region.objects.order_by("code").values_list("code", "path", "depth"))
    return counts, directory_export(), stamp, paths


def wipe_directory():
    SeverityRule.objects.all().delete()
    RuleTarget.objects.all().delete()
    RoutingRule.objects.all().delete()
    Unit.objects.all().delete()
    UnitRole.objects.all().delete()
    Region.objects.update(parent=None)
    Region.objects.all().delete()
    MatterType.objects.update(parent=None)
    MatterType.objects.all().delete()


def export_text() -> str:
    out = StringIO()
    call_command("export_directory", stdout=out)
    return out.getvalue()


# --- Bad files -----------------------------------------------------------------------------------
def with_valid_changes(data):
    """A file that would change plenty if it were accepted (so an abort is visible)."""
    data["regions"][2]["name"] = "高明区（改名）"
    data["regions"].append({"code": "440608103", "name": "更合镇", "level": "town", "parent": "440608"})
    data["units"][1]["active"] = False
    data["units"].append({"code": "GM-NEW", "name": "新单位", "region": "440608102", "roles": ["new_role"]})
    data["rules"] = [{"id": "replacement", "lead": {"unit": "GM-RSJ"}}]
    return data


def bad(mutate):
    def make():
        data = with_valid_changes(base())
        mutate(data)
        return data

    return make


def region(code, level, parent=None, name="某地"):
    entry = {"code": code, "name": name, "level": level}
    if parent is not None:
        entry["parent"] = parent
    return entry


BAD_FILES = [
    pytest.param(
        bad(lambda d: d["regions"].append(region("440608104", "town", "440699"))),
        ["440608104", "440699", "不存在"],
        id="unknown-parent",
    ),
    pytest.param(
        bad(
            lambda d: d["matter_types"].extend(
                [{"code": "x.a", "name": "甲", "parent": "x.b"}, {"code": "x.b", "name": "乙", "parent": "x.a"}]
            )
        ),
        ["x.a", "x.b", "循环"],
        id="matter-cycle-in-file",
    ),
    pytest.param(
        bad(lambda d: d["regions"].extend([region("R1", "town", "R2"), region("R2", "town", "R1")])),
        ["R1", "循环"],
        id="region-cycle-in-file",
    ),
    pytest.param(
        # labor.wages is already labor's child in the database: labor under labor.wages closes a loop.
        lambda: {"matter_types": [{"code": "labor", "name": "劳动保障", "parent": "labor.wages"}]},
        ["labor", "循环"],
        id="matter-cycle-with-db-rows",
    ),
    pytest.param(
        lambda: {"regions": [region("440608", "district", "440608102201", name="高明区")]},
        ["440608", "循环"],
        id="region-cycle-with-db-rows",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append(region("440608103", "town", "440608", name="重复"))),
        ["440608103", "重复"],
        id="duplicate-region-code",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-RSJ", "name": "又一个", "region": "440608"})),
        ["GM-RSJ", "重复"],
        id="duplicate-unit-code",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"code": "labor", "name": "又一个"})),
        ["labor", "重复"],
        id="duplicate-matter-code",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append(region("440608104", "county", "440608"))),
        ["440608104", "county"],
        id="unknown-level",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append(region("440608104", "district", "440608"))),
        ["440608104", "不低于"],
        id="child-level-not-below-parent",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append(region("440608104", "city", "440608"))),
        ["440608104", "不低于"],
        id="child-level-above-parent",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "某单位", "region": "440699", "roles": []})),
        ["GM-X", "440699"],
        id="unit-in-unknown-region",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "某单位", "roles": []})),
        ["GM-X", "region"],
        id="unit-without-region",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append({"code": "440608104", "level": "town", "parent": "440608"})),
        ["440608104", "name"],
        id="missing-name",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"name": "无编码"})),
        ["matter_types", "code"],
        id="missing-code",
    ),
    pytest.param(
        bad(
            lambda d: d["regions"].append(
                {"code": "440608104", "name": ["不是", "文字"], "level": "town", "parent": "440608"}
            )
        ),
        ["440608104", "name"],
        id="name-wrong-type",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append({"code": {"x": 1}, "name": "某地", "level": "town"})),
        ["regions", "code"],
        id="code-wrong-type",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "某单位", "region": "440608", "roles": "labor"})),
        ["GM-X", "roles"],
        id="roles-not-a-list",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "某单位", "region": "440608", "active": "no"})),
        ["GM-X", "active"],
        id="active-not-bool",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"code": "m", "name": "某事", "mediable": "yes"})),
        ["m", "mediable"],
        id="mediable-not-bool",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"code": "m", "name": "某事", "keywords": "欠薪"})),
        ["m", "keywords"],
        id="keywords-not-a-list",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"code": "m", "name": "某事", "deadlines": {"handle": "ten"}})),
        ["m", "时限"],
        id="deadline-not-int",
    ),
    pytest.param(
        bad(lambda d: d["matter_types"].append({"code": "m", "name": "某事", "deadlines": {"close": 3}})),
        ["m", "deadlines"],
        id="deadline-unknown-key",
    ),
    pytest.param(
        bad(lambda d: d["regions"].append("440608104")),
        ["regions", "映射"],
        id="entry-not-a-mapping",
    ),
    pytest.param(
        bad(lambda d: d.update(units={"code": "GM-X"})),
        ["units", "列表"],
        id="section-not-a-list",
    ),
    pytest.param(
        bad(lambda d: d.update(rules={})),
        ["rules", "列表"],
        id="rules-not-a-list",  # must not silently empty the rule set
    ),
    pytest.param(
        bad(lambda d: d.update(regions={})),
        ["regions", "列表"],
        id="empty-mapping-instead-of-a-list",
    ),
    # Over-long values: an import error on every database (SQLite would store them, PostgreSQL fail).
    pytest.param(
        bad(lambda d: d["regions"].append(region("4" * 41, "town", "440608"))),
        ["4" * 41, "40"],
        id="code-too-long",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "长" * 101, "region": "440608"})),
        ["GM-X", "100"],
        id="name-too-long",
    ),
    pytest.param(
        bad(lambda d: d["units"].append({"code": "GM-X", "name": "某单位", "region": "440608", "roles": ["r" * 41]})),
        ["GM-X", "roles"],
        id="role-too-long",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r" * 81, "lead": {"unit": "GM-ZX"}})),
        ["r" * 81, "80"],
        id="rule-id-too-long",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "note": "注" * 201})),
        ["r-bad", "note"],
        id="rule-note-too-long",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"role": "r" * 41, "level": "town"}})),
        ["r-bad", "职能"],
        id="rule-target-role-too-long",
    ),
    pytest.param(lambda: ["regions"], ["映射"], id="file-is-a-list"),
    pytest.param(lambda: "regions: []", ["映射"], id="file-is-a-string"),
    pytest.param(
        bad(lambda d: d.update(region=[])),
        ["region", "未知的键"],
        id="unknown-top-level-key",
    ),
    # Rules --------------------------------------------------------------------------------------
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "matter": "labor.nothing", "lead": {"unit": "GM-ZX"}})),
        ["r-bad", "labor.nothing"],
        id="rule-unknown-matter",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "region": "440699", "lead": {"unit": "GM-ZX"}})),
        ["r-bad", "440699"],
        id="rule-unknown-region",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-NOPE"}})),
        ["r-bad", "GM-NOPE"],
        id="rule-unknown-lead-unit",
    ),
    pytest.param(
        bad(
            lambda d: d["rules"].append(
                {"id": "r-bad", "lead": {"unit": "GM-ZX"}, "cooperating": [{"unit": "GM-NOPE"}]}
            )
        ),
        ["r-bad", "GM-NOPE"],
        id="rule-unknown-cooperating-unit",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"level": "district"}})),
        ["r-bad", "role"],
        id="rule-role-less-target",
    ),
    pytest.param(
        bad(
            lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "cooperating": [{"level": "town"}]})
        ),
        ["r-bad", "role"],
        id="rule-role-less-cooperating-target",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"role": "labor", "level": "county"}})),
        ["r-bad", "county"],
        id="rule-target-unknown-level",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"role": "labor"}})),
        ["r-bad", "None"],
        id="rule-target-without-level",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX", "role": "labor", "level": "town"}})),
        ["r-bad", "unit"],
        id="rule-target-unit-and-role",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "channels": ["web", "fax"]})),
        ["r-bad", "fax"],
        id="rule-unknown-channel",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "replacement", "lead": {"unit": "GM-ZX"}})),
        ["replacement", "重复"],
        id="rule-duplicate-id",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad"})),
        ["r-bad", "lead"],
        id="rule-without-lead",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "min_parties": 0})),
        ["r-bad", "min_parties"],
        id="rule-min-parties-zero",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "priority": "high"})),
        ["r-bad", "priority"],
        id="rule-priority-not-int",
    ),
    pytest.param(
        bad(lambda d: d["rules"].append({"id": "r-bad", "lead": {"unit": "GM-ZX"}, "region_code": "44"})),
        ["r-bad", "region_code"],
        id="rule-unknown-key",
    ),
]


@pytest.mark.parametrize(("make_file", "fragments"), BAD_FILES)
def test_a_bad_file_aborts_the_whole_import_and_names_the_entry(directory, make_file, fragments):
    directory(base())
    before = snapshot()

    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data=make_file())

    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert snapshot() == before
    # A pre-existing row the file would have changed is untouched.
    assert Region.objects.get(code="440608").name == "高明区"
    assert Unit.objects.get(code="GM-RSJ").active is True
    assert list(RoutingRule.objects.values_list("rule_id", flat=True)) == ["wages", "any"]


def test_every_error_in_a_file_is_reported(directory):
    directory(base())
    data = base()
    data["regions"].append(region("440608104", "county", "440608"))
    data["units"].append({"code": "GM-X", "name": "某单位", "region": "440699"})
    data["rules"].append({"id": "r-bad", "lead": {"unit": "GM-NOPE"}})

    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data=data)

    errors = excinfo.value.errors
    assert len(errors) == 3
    assert any("440608104" in e for e in errors)
    assert any("GM-X" in e for e in errors)
    assert any("r-bad" in e for e in errors)


def test_an_existing_child_whose_parent_would_no_longer_be_above_it_is_an_error(directory):
    """明城镇 (town, in the DB only) must stay below 高明区 even if the file lowers 高明区 to a village."""
    directory(base())
    before = snapshot()

    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data={"regions": [region("440608", "village", "4406", name="高明区")]})

    assert "440608102" in str(excinfo.value)
    assert snapshot() == before


def test_the_command_reports_a_bad_file_and_changes_nothing(directory, tmp_path):
    directory(base())
    before = snapshot()
    data = with_valid_changes(base())
    data["units"].append({"code": "GM-X", "name": "某单位", "region": "440699"})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_io.dump(data), encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("import_directory", str(path), stdout=StringIO())

    assert "GM-X" in str(excinfo.value)
    assert "未作任何更改" in str(excinfo.value)
    assert snapshot() == before


def test_import_of_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_directory", str(tmp_path / "nope.yaml"), stdout=StringIO())


def test_import_of_invalid_yaml_is_a_command_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("regions:\n  - {code: 44, name: [广东省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="YAML"):
        call_command("import_directory", str(path), stdout=StringIO())
    assert Region.objects.count() == 0


# --- Upserts and the rule set --------------------------------------------------------------------
def test_a_second_import_upserts_by_code_and_never_deletes(directory):
    directory(base())
    first_ids = dict(Region.objects.values_list("code", "id"))

    summary = directory(
        {
            "regions": [
                region("440608", "district", "4406", name="高明区（新名）"),
                region("440608103", "town", "440608", name="更合镇"),
            ],
            "matter_types": [{"code": "labor", "name": "劳动与社保"}],
            "units": [{"code": "GM-RSJ", "name": "高明区人力资源和社会保障局", "region": "440608", "roles": ["labor"]}],
        }
    )

    assert (summary.regions_created, summary.regions_updated) == (1, 1)
    assert (summary.matter_types_created, summary.matter_types_updated) == (0, 1)
    assert (summary.units_created, summary.units_updated) == (0, 1)
    assert summary.rules is None
    assert Region.objects.count() == 6
    assert MatterType.objects.count() == 3
    assert Unit.objects.count() == 3
    assert Region.objects.get(code="440608").name == "高明区（新名）"
    assert Region.objects.get(code="440608").id == first_ids["440608"]
    assert Region.objects.get(code="440608102").parent.code == "440608"
    assert MatterType.objects.get(code="labor").name == "劳动与社保"
    assert MatterType.objects.get(code="labor.wages").parent.code == "labor"
    assert Unit.objects.get(code="GM-RSJ").name == "高明区人力资源和社会保障局"
    assert RoutingRule.objects.count() == 2


def test_importing_the_same_file_twice_updates_nothing(directory):
    directory(base())
    summary = directory(base())
    assert summary.regions_created == summary.regions_updated == 0
    assert summary.matter_types_created == summary.matter_types_updated == 0
    assert summary.units_created == summary.units_updated == 0


def test_active_false_retires_a_unit_and_true_brings_it_back(directory):
    directory(base())
    unit = {"code": "GM-RSJ", "name": "高明区人社局", "region": "440608", "roles": ["labor"]}

    directory({"units": [{**unit, "active": False}]})
    assert Unit.objects.get(code="GM-RSJ").active is False
    assert Unit.objects.count() == 3
    assert directory_export()["units"][1] == {**unit, "active": False}

    directory({"units": [unit]})
    assert Unit.objects.get(code="GM-RSJ").active is True


def test_unit_roles_and_region_are_updated(directory):
    directory(base())
    directory(
        {"units": [{"code": "GM-RSJ", "name": "高明区人社局", "region": "440608102", "roles": ["labor", "justice"]}]}
    )
    unit = Unit.objects.get(code="GM-RSJ")
    assert unit.region.code == "440608102"
    assert sorted(unit.roles.values_list("code", flat=True)) == ["justice", "labor"]
    assert UnitRole.objects.get(code="justice").name == "司法行政"


def rule_ids():
    return list(RoutingRule.objects.order_by("position").values_list("rule_id", flat=True))


def test_a_file_with_rules_replaces_the_whole_rule_set(directory):
    directory(base())
    assert rule_ids() == ["wages", "any"]

    summary = directory({"rules": [{"id": "only", "matter": "neighbour", "lead": {"unit": "GM-RSJ"}}]})

    assert summary.rules == 1
    assert rule_ids() == ["only"]
    assert RuleTarget.objects.count() == 1


def test_a_file_without_rules_leaves_them(directory):
    directory(base())
    summary = directory({"regions": [region("440608103", "town", "440608", name="更合镇")]})
    assert summary.rules is None
    assert rule_ids() == ["wages", "any"]
    assert RuleTarget.objects.count() == 4


def test_an_empty_rule_list_removes_every_rule(directory):
    directory(base())
    directory({"rules": []})
    assert RoutingRule.objects.count() == 0
    assert RuleTarget.objects.count() == 0


def test_rules_are_stored_in_definition_order_with_their_targets(directory):
    directory(base())
    wages = RoutingRule.objects.get(rule_id="wages")
    assert (wages.matter.code, wages.region.code, wages.min_parties, wages.priority) == ("labor.wages", "440608", 2, 3)
    assert wages.channels == ["web", "hotline"]
    assert wages.note == "欠薪"
    assert [t.as_yaml() for t in wages.targets.order_by("kind", "position")] == [
        {"role": "comprehensive_centre", "level": "town"},
        {"unit": "GM-ZX"},
        {"role": "labor", "level": "district"},
    ]
    anything = RoutingRule.objects.get(rule_id="any")
    assert (anything.matter, anything.region, anything.min_parties, anything.priority, anything.channels) == (
        None,
        None,
        1,
        0,
        [],
    )
    assert wages.position < anything.position


def test_a_rule_without_id_gets_one(directory):
    directory(base())
    directory({"rules": [{"lead": {"unit": "GM-ZX"}}, {"id": "named", "lead": {"unit": "GM-RSJ"}}]})
    assert rule_ids() == ["rule-1", "named"]


def test_unquoted_yaml_codes_work(tmp_path):
    text = """
regions:
  - {code: 44, name: 广东省, level: province}
  - {code: 4406, name: 佛山市, level: city, parent: 44}
  - {code: 440608, name: 高明区, level: district, parent: 4406}
units:
  - {code: GM-ZX, name: 高明区群众诉求服务中心, region: 440608, roles: [dispatch]}
rules:
  - {id: local, region: 4406, lead: {role: dispatch, level: district}}
"""
    path = tmp_path / "ints.yaml"
    path.write_text(text, encoding="utf-8")

    call_command("import_directory", str(path), stdout=StringIO())

    assert Region.objects.get(code="440608").path == "/44/4406/440608/"
    assert Unit.objects.get(code="GM-ZX").region.code == "440608"
    assert RoutingRule.objects.get(rule_id="local").region.code == "4406"
    assert "{code: '440608'" in export_text() or "code: '440608'" in export_text()


def test_defaults_for_matter_types_and_units(directory):
    directory({"regions": [region("44", "province")], "matter_types": [{"code": "m", "name": "某事"}]})
    directory({"units": [{"code": "U", "name": "某单位", "region": "44"}]})
    matter = MatterType.objects.get(code="m")
    assert (matter.accept_days, matter.sign_days, matter.handle_days, matter.mediable, matter.keywords) == (
        1,
        1,
        15,
        False,
        [],
    )
    unit = Unit.objects.get(code="U")
    assert unit.active is True
    assert unit.roles.count() == 0


def test_every_import_changes_the_directory_stamp(directory):
    directory(base())
    first = DirectoryVersion.objects.get().stamp
    directory(base())
    assert DirectoryVersion.objects.get().stamp not in ("", first)


# --- Export and the round trip -------------------------------------------------------------------
def test_export_sorts_in_tree_order_and_writes_rules_back(directory):
    data = base()
    data["regions"].reverse()  # parents after children in the file: order does not matter
    data["units"].reverse()
    directory(data)

    exported = directory_export()

    assert [r["code"] for r in exported["regions"]] == ["44", "4406", "440608", "440608102", "440608102201"]
    assert [m["code"] for m in exported["matter_types"]] == ["labor", "labor.wages", "neighbour"]
    assert [u["code"] for u in exported["units"]] == ["GM-MC-ZZ", "GM-RSJ", "GM-ZX"]
    assert exported["rules"] == [
        {
            "id": "wages",
            "matter": "labor.wages",
            "region": "440608",
            "min_parties": 2,
            "channels": ["web", "hotline"],
            "priority": 3,
            "lead": {"role": "labor", "level": "district"},
            "cooperating": [{"role": "comprehensive_centre", "level": "town"}, {"unit": "GM-ZX"}],
            "note": "欠薪",
        },
        {"id": "any", "lead": {"unit": "GM-ZX"}},
    ]


def round_trip(tmp_path, source_file):
    call_command("import_directory", str(source_file), stdout=StringIO())
    first = export_text()
    exported = tmp_path / "exported.yaml"
    call_command("export_directory", "-o", str(exported))
    assert exported.read_text(encoding="utf-8") == first

    wipe_directory()
    assert Region.objects.count() == 0
    out = StringIO()
    call_command("import_directory", str(exported), stdout=out)
    assert "导入完成" in out.getvalue()
    second = export_text()
    assert second == first

    # Importing the export over the same directory again changes nothing.
    again = directory_import(data=yaml_io.load(second))
    assert again.regions_updated == again.matter_types_updated == again.units_updated == 0
    assert export_text() == first
    return first


def test_export_import_export_gives_the_identical_text(directory, tmp_path):
    data = base()
    data["units"].append(
        {"code": "GM-OLD", "name": "已撤销单位", "region": "440608", "roles": ["labor"], "active": False}
    )
    source = tmp_path / "source.yaml"
    source.write_text(yaml_io.dump(data), encoding="utf-8")

    text = round_trip(tmp_path, source)

    assert "active: false" in text
    assert yaml_io.load(text)["rules"][0]["cooperating"] == [
        {"role": "comprehensive_centre", "level": "town"},
        {"unit": "GM-ZX"},
    ]


def test_the_demo_city_round_trips(tmp_path):
    text = round_trip(tmp_path, DEMO_CITY)

    shipped = yaml_io.load(DEMO_CITY.read_text(encoding="utf-8"))
    exported = yaml_io.load(text)
    for key in ("regions", "matter_types", "units", "rules", "severity"):
        assert len(exported[key]) == len(shipped[key])
    assert [r["id"] for r in exported["rules"]] == [r["id"] for r in shipped["rules"]]
