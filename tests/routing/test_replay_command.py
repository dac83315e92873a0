"""Rule-change replay on the command line: ``manage.py import_directory FILE --dry-run --replay 12``.

The replay must agree with ``manage.py route`` case by case — before the import with the current
rules, after the real import with the new ones — and must leave the database as it found it.
"""

import copy
import json
from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases.models import Case, Status
from routing import yaml_io
from routing.models import DirectoryVersion
from routing.replay import months_before

pytestmark = pytest.mark.django_db

DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"


@pytest.fixture
def demo_cases(demo):
    """Forty demo cases of every matter, place and channel (demo/cases.py), all within 70 days."""
    from demo.cases import load_demo_cases

    load_demo_cases(count=40)
    return list(Case.objects.exclude(status__in=[Status.REJECTED, Status.MERGED]).select_related("matter", "region"))


@pytest.fixture
def city():
    return yaml_io.load(DEMO_CITY.read_text(encoding="utf-8"))


def write(tmp_path, data, name="new.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml_io.dump(data), encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_directory", *args, stdout=out)
    return out.getvalue()


def route_all(cases, tmp_path, name) -> dict[str, dict]:
    """``manage.py route`` on every case, by case number."""
    claims = tmp_path / f"{name}.jsonl"
    claims.write_text(
        "".join(
            json.dumps(
                {
                    "ref": c.number,
                    "matter": c.matter.code,
                    "region": c.region.code,
                    "parties": c.people_count,
                    "channel": c.channel,
                    "severity": c.severity,
                },
                ensure_ascii=False,
            )
            + "\n"
            for c in cases
        ),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("route", str(claims), stdout=out)
    return {row["ref"]: row for row in map(json.loads, out.getvalue().splitlines())}


def busiest_rule(cases) -> str:
    from routing.dispatch import current_index

    index = current_index()
    counts = Counter(
        index.decide(
            matter=c.matter.code, region=c.region.code, parties=c.people_count, channel=c.channel, severity=c.severity
        ).rule
        for c in cases
    )
    counts.pop(None, None)
    return counts.most_common(1)[0][0]


def with_lead(data: dict, rule_id: str, lead: dict) -> dict:
    data = copy.deepcopy(data)
    rule = next(r for r in data["rules"] if r["id"] == rule_id)
    rule["lead"] = lead
    return data


def snapshot() -> dict:
    """Row counts of every table and the directory stamp."""
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    return {"counts": counts, "stamp": DirectoryVersion.objects.get().stamp}


def test_months_before_keeps_the_day_or_takes_the_months_last():
    moment = timezone.now().replace(year=2026, month=3, day=31, hour=10)
    assert months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert months_before(moment, 12).date().isoformat() == "2025-03-31"
    assert months_before(moment.replace(month=12, day=7), 12).date().isoformat() == "2025-12-07"


def test_replay_matches_route_case_by_case_and_changes_nothing(demo_cases, city, tmp_path):
    rule = busiest_rule(demo_cases)
    changed = with_lead(city, rule, {"unit": "FS-ZX"})
    path = write(tmp_path, changed)
    before = route_all(demo_cases, tmp_path, "before")
    state = snapshot()

    moves = tmp_path / "moves.jsonl"
    report = json.loads(run(path, "--dry-run", "--replay", "12", "--json", "--moves", str(moves)))

    assert snapshot() == state  # nothing written: row counts and the DirectoryVersion stamp
    assert report["cases"] == len(demo_cases)
    moved = {row["ref"]: row for row in map(json.loads, moves.read_text(encoding="utf-8").splitlines())}
    assert moved and report["moved"] == len(moved)
    # one rule changed: every change the replay reports comes from it, and goes to FS-ZX
    assert {(c["old_rule"], c["new_rule"], c["new_unit"]) for c in report["changes"]} == {(rule, rule, "FS-ZX")}

    run(path)  # the real import
    after = route_all(demo_cases, tmp_path, "after")
    expected_moves = {
        ref
        for ref in before
        if (before[ref]["lead"], before[ref]["queue"]) != (after[ref]["lead"], after[ref]["queue"])
    }
    assert set(moved) == expected_moves
    for ref, row in moved.items():
        assert (row["old_lead"], row["old_rule"]) == (before[ref]["lead"], before[ref]["rule"])
        assert (row["new_lead"], row["new_rule"]) == (after[ref]["lead"], after[ref]["rule"]) == ("FS-ZX", rule)

    # per unit: what the replay says each unit gains and loses is what route says
    gained = Counter(after[ref]["lead"] for ref in expected_moves)
    lost = Counter(before[ref]["lead"] for ref in expected_moves)
    for unit in report["units"]:
        if not unit["queue"]:
            assert (unit["gained"], unit["lost"]) == (gained[unit["unit"]], lost[unit["unit"]]), unit
    assert sum(u["gained"] for u in report["units"]) == sum(u["lost"] for u in report["units"]) == len(moved)
    coop_changed = sum(set(before[r]["cooperating"]) != set(after[r]["cooperating"]) for r in before)
    assert report["cooperating_changed"] == coop_changed


def test_the_same_file_moves_nothing(demo_cases, city, tmp_path):
    output = run(write(tmp_path, city), "--dry-run", "--replay")
    assert f"登记的 {len(demo_cases)} 件案件" in output
    assert "主办单位改变 0 件" in output and "没有案件会换承办单位" in output
    assert "数据库未作任何更改" in output


def test_text_report_names_units_and_rules(demo_cases, city, tmp_path):
    rule = busiest_rule(demo_cases)
    output = run(write(tmp_path, with_lead(city, rule, {"unit": "FS-ZX"})), "--dry-run", "--replay", "12")
    assert "各单位（主办）增减" in output
    assert "佛山市群众诉求服务中心（FS-ZX）" in output
    assert f"{rule} → {rule}：" in output


def test_only_cases_of_the_window_are_replayed(demo_cases, city, tmp_path):
    old = demo_cases[0]
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    report = json.loads(run(write(tmp_path, city), "--dry-run", "--replay", "12", "--json"))
    assert report["cases"] == len(demo_cases) - 1
    report = json.loads(run(write(tmp_path, city), "--dry-run", "--replay", "24", "--json"))
    assert report["cases"] == len(demo_cases)


def test_rejected_and_merged_cases_are_not_replayed(demo_cases, city, tmp_path):
    Case.objects.filter(pk=demo_cases[0].pk).update(status=Status.MERGED)
    report = json.loads(run(write(tmp_path, city), "--dry-run", "--replay", "12", "--json"))
    assert report["cases"] == len(demo_cases) - 1


def test_a_queue_is_a_target_of_its_own(demo_cases, city, tmp_path):
    """Without rules every case waits in a centre's manual dispatch queue: all of them move there."""
    no_rules = {**copy.deepcopy(city), "rules": []}
    report = json.loads(run(write(tmp_path, no_rules), "--dry-run", "--replay", "--json"))
    assert report["queued_after"] == report["cases"] == len(demo_cases)
    queues = [u for u in report["units"] if u["queue"]]
    assert queues and all(u["label"].startswith("人工分派：") for u in queues)
    assert sum(u["gained"] for u in queues) == report["moved"]
    assert all(c["new_rule"] is None for c in report["changes"])


def test_dry_run_without_replay_checks_and_writes_nothing(demo, city, tmp_path):
    state = snapshot()
    changed = copy.deepcopy(city)
    changed["units"].append({"code": "GM-NEW", "name": "高明区新设单位", "region": "440608", "roles": ["labor"]})
    output = run(write(tmp_path, changed), "--dry-run")
    assert "承办单位：新增 1" in output and "导入预演（未作任何更改）" in output
    assert "重放" not in output
    assert snapshot() == state


def test_bad_file_is_a_clear_error_and_changes_nothing(demo, city, tmp_path):
    state = snapshot()
    broken = with_lead(city, "labor-wages", {"unit": "NO-SUCH-UNIT"})
    with pytest.raises(
        CommandError,
        match=r"导入失败，未作任何更改。共 1 处错误：\n  - 规则 labor-wages 主办目标：单位 NO-SUCH-UNIT 不存在",
    ):
        run(write(tmp_path, broken), "--dry-run", "--replay", "12")
    not_yaml = tmp_path / "bad.yaml"
    not_yaml.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 YAML"):
        run(str(not_yaml), "--dry-run", "--replay")
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "missing.yaml"), "--dry-run", "--replay")
    assert snapshot() == state


@pytest.mark.parametrize(
    "args, message",
    [
        (["--replay", "12"], "--replay 须与 --dry-run 同用"),
        (["--dry-run", "--replay", "0"], "1 到 120"),
        (["--dry-run", "--replay", "121"], "1 到 120"),
        (["--dry-run", "--moves", "x.jsonl"], "--moves 须与 --dry-run --replay 同用"),
    ],
)
def test_option_mistakes_are_refused(demo, city, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, city), *args)
