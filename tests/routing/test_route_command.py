"""`manage.py route FILE.jsonl`: one JSON decision per line, error lines, exit status, stdin, read-only."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing.models import DirectoryVersion, MatterType, Region, RoutingRule, RuleTarget, Unit, UnitRole
from routing.selectors import directory_export

pytestmark = pytest.mark.django_db

DECISION_KEYS = {"ref", "lead", "cooperating", "rule", "queue", "explanation"}
ERROR_KEYS = {"ref", "error"}

DIRECTORY = {
    "regions": [
        {"code": "44", "name": "广东省", "level": "province"},
        {"code": "4406", "name": "佛山市", "level": "city", "parent": "44"},
        {"code": "440608", "name": "高明区", "level": "district", "parent": "4406"},
        {"code": "440608101", "name": "杨和镇", "level": "town", "parent": "440608"},
        {"code": "440608101201", "name": "杨梅村", "level": "village", "parent": "440608101"},
    ],
    "matter_types": [
        {"code": "labor", "name": "劳动保障"},
        {"code": "labor.wages", "name": "拖欠工资", "parent": "labor"},
        {"code": "student", "name": "学生伤害"},
    ],
    "units": [
        {"code": "GM-ZX", "name": "高明区群众诉求服务中心", "region": "440608", "roles": ["dispatch"]},
        {"code": "GM-RSJ", "name": "高明区人社局", "region": "440608", "roles": ["labor"]},
        {"code": "FS-RSJ", "name": "佛山市人社局", "region": "4406", "roles": ["labor"]},
        {"code": "GH-ZZ", "name": "杨和镇综治中心", "region": "440608101", "roles": ["comprehensive_centre"]},
    ],
    "rules": [
        {
            "id": "wages",
            "matter": "labor.wages",
            "lead": {"role": "labor", "level": "district"},
            "cooperating": [{"role": "comprehensive_centre", "level": "town"}],
        },
        {"id": "wages-group", "matter": "labor.wages", "min_parties": 2, "priority": 5, "lead": {"unit": "FS-RSJ"}},
    ],
}

VILLAGE = "440608101201"


@pytest.fixture
def routed(directory):
    directory(DIRECTORY)


def claim(ref, matter="labor.wages", region=VILLAGE, **extra):
    return json.dumps({"ref": ref, "matter": matter, "region": region, **extra}, ensure_ascii=False)


def route(path_or_dash):
    """Run the command; return (output lines parsed as JSON, exit status)."""
    out = StringIO()
    try:
        call_command("route", str(path_or_dash), stdout=out)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], status, out.getvalue()


def write(tmp_path, lines):
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_one_decision_per_line_in_order(routed, tmp_path):
    path = write(
        tmp_path,
        [
            claim("c1", parties=1, channel="web"),
            claim("c2", parties=12, channel="hotline"),
            claim("c3", matter="student"),
        ],
    )

    results, status, raw = route(path)

    assert status == 0
    assert [r["ref"] for r in results] == ["c1", "c2", "c3"]
    assert all(set(r) == DECISION_KEYS for r in results)
    c1, c2, c3 = results
    assert (c1["lead"], c1["cooperating"], c1["rule"], c1["queue"]) == ("GM-RSJ", ["GH-ZZ"], "wages", False)
    assert (c2["lead"], c2["cooperating"], c2["rule"], c2["queue"]) == ("FS-RSJ", [], "wages-group", False)
    assert (c3["lead"], c3["cooperating"], c3["rule"], c3["queue"]) == ("GM-ZX", [], None, True)
    assert any("采用规则 wages" in line for line in c1["explanation"])
    assert any("转入人工分派" in line for line in c3["explanation"])
    assert "采用规则" in raw  # Chinese is printed as is, not \u-escaped
    assert len(raw.splitlines()) == 3


def test_queued_claims_print_rule_null(routed, tmp_path):
    path = write(tmp_path, [claim("q", matter="student")])
    results, status, raw = route(path)
    assert status == 0
    assert '"rule": null' in raw
    assert results[0]["rule"] is None
    assert results[0]["queue"] is True


def test_parties_default_to_one(routed, tmp_path):
    path = write(tmp_path, [claim("default"), claim("one", parties=1), claim("two", parties=2)])
    results, _status, _raw = route(path)
    assert [r["rule"] for r in results] == ["wages", "wages", "wages-group"]


def test_channel_defaults_to_web(routed, tmp_path, directory):
    directory({"rules": [{"id": "web-only", "channels": ["web"], "lead": {"unit": "GM-RSJ"}}]})
    path = write(tmp_path, [claim("c1"), claim("c2", channel="hotline")])
    results, _status, _raw = route(path)
    assert [r["rule"] for r in results] == ["web-only", None]


def test_error_lines_and_the_rest_still_runs(routed, tmp_path):
    path = write(
        tmp_path,
        [
            claim("ok1"),
            claim("bad-matter", matter="labor.nothing"),
            "{not json",
            claim("bad-region", region="440608999"),
            "",
            claim("ok2", matter="student"),
            claim("bad-channel", channel="fax"),
            claim("bad-parties", parties="many"),
            json.dumps({"ref": "no-region", "matter": "labor.wages"}),
            json.dumps(["a", "list"]),
            claim("ok3", parties=3),
        ],
    )

    results, status, _raw = route(path)

    assert status == 1
    assert [r["ref"] for r in results] == [
        "ok1",
        "bad-matter",
        None,
        "bad-region",
        "ok2",
        "bad-channel",
        "bad-parties",
        "no-region",
        None,
        "ok3",
    ]
    errors = {i: r for i, r in enumerate(results) if "error" in r}
    assert sorted(errors) == [1, 2, 3, 5, 6, 7, 8]
    assert all(set(r) == ERROR_KEYS for r in errors.values())
    assert "labor.nothing" in errors[1]["error"]
    assert "JSON" in errors[2]["error"]
    assert "第 3 行" in errors[2]["error"]
    assert "440608999" in errors[3]["error"]
    assert "fax" in errors[5]["error"]
    assert "parties" in errors[6]["error"]
    assert "region" in errors[7]["error"]
    assert all(set(r) == DECISION_KEYS for i, r in enumerate(results) if i not in errors)
    assert results[-1]["rule"] == "wages-group"


@pytest.mark.parametrize(
    "line",
    [claim("x", matter="nope"), claim("x", region="99"), "oops"],
    ids=["unknown-matter", "unknown-region", "invalid-json"],
)
def test_a_single_error_line_exits_1(routed, tmp_path, line):
    results, status, _raw = route(write(tmp_path, [claim("fine"), line]))
    assert status == 1
    assert set(results[1]) == ERROR_KEYS
    assert "error" not in results[0]


def test_dash_reads_standard_input(routed, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(claim("s1") + "\n" + claim("s2", matter="student") + "\n"))
    results, status, _raw = route("-")
    assert status == 0
    assert [(r["ref"], r["lead"]) for r in results] == [("s1", "GM-RSJ"), ("s2", "GM-ZX")]


def test_dash_with_errors_exits_1(routed, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("garbage\n" + claim("s2") + "\n"))
    results, status, _raw = route("-")
    assert status == 1
    assert results[0] == {"ref": None, "error": results[0]["error"]}
    assert results[1]["lead"] == "GM-RSJ"


def test_an_empty_input_prints_nothing_and_succeeds(routed, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    results, status, _raw = route(path)
    assert (results, status) == ([], 0)


def test_a_missing_file_is_a_command_error(routed, tmp_path):
    with pytest.raises(CommandError):
        call_command("route", str(tmp_path / "nope.jsonl"), stdout=StringIO())


def test_the_command_changes_nothing(routed, tmp_path):
    models = (Region, MatterType, Unit, UnitRole, RoutingRule, RuleTarget, DirectoryVersion)
    before = ({m.__name__: m.objects.count() for m in models}, directory_export(), DirectoryVersion.objects.get().stamp)
    path = write(
        tmp_path, [claim("c1"), claim("c2", parties=5), claim("c3", matter="student"), claim("c4", region="0")]
    )

    with CaptureQueriesContext(connection) as queries:
        _results, status, _raw = route(path)

    assert status == 1
    after = ({m.__name__: m.objects.count() for m in models}, directory_export(), DirectoryVersion.objects.get().stamp)
    assert after == before
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
