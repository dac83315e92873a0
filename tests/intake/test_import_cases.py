"""The historical import (issue #12): ``manage.py import_cases FILE.jsonl``."""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, CaseEvent, Party, Status, WarningLevel
from intake.importer import cases_import
from intake.models import Claim
from notifications.models import OutboxMessage
from routing.models import MatterType

pytestmark = pytest.mark.django_db


def record(n=1, **changes):
    data = {
        "external_id": f"GM-OLD-{n:05d}",
        "channel": "hotline",
        "matter": "labor.wages",
        "region": "440608102201",
        "description": "明东村五金厂老板拖欠三个月工资共计一万二千元，多次讨要无果。",
        "contact_name": "何秀英",
        "contact_phone": "13900139000",
        "people": 3,
        "created_at": "2025-03-03T09:30:00+08:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def write(tmp_path, rows, name="old.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows))
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], code, err.getvalue()


def test_a_file_is_imported_and_each_line_mapped_to_its_case(tmp_path, demo):
    rows = [
        record(1, status="closed", result="企业已足额支付工资", closed_at="2025-03-20T16:00:00+08:00"),
        record(2, status="handling", channel="window", contact_phone="0757-88886666"),
        record(3, channel="letter", matter="neighbour.noise", contact_phone="", created_at="2026-12-01"),
    ]
    output, code, _err = run(write(tmp_path, rows))
    assert code == 0
    numbers = [Case.objects.get(external_id=f"GM-OLD-{n:05d}").number for n in (1, 2, 3)]
    assert output == [
        {"line": n, "external_id": f"GM-OLD-{n:05d}", "case": number} for n, number in zip((1, 2, 3), numbers)
    ]
    assert numbers[0].startswith("高明-2025-") and numbers[2].startswith("高明-2026-")
    assert Claim.objects.count() == 3 and Party.objects.count() == 3
    assert not OutboxMessage.objects.exists()  # no SMS, no in-app message, not even a record


def test_a_closed_case_has_its_result_closing_time_and_back_dated_timeline(tmp_path, demo):
    run(write(tmp_path, [record(status="closed", result="企业已足额支付工资", closed_at="2025-03-20T16:00:00+08:00")]))
    case = Case.objects.get()
    assert case.status == Status.CLOSED and case.result == "企业已足额支付工资"
    assert timezone.localtime(case.closed_at).isoformat() == "2025-03-20T16:00:00+08:00"
    assert timezone.localtime(case.created_at).isoformat() == "2025-03-03T09:30:00+08:00"
    assert case.lead_unit.code == "GM-RSJ" and case.result_unit == case.lead_unit
    assert case.stage_due_at is None and case.warning_level == WarningLevel.NONE
    events = list(case.events.order_by("created_at", "id"))
    assert [e.transition for e in events] == [
        "submit", "accept", "dispatch", "sign", "warning_red", "submit_result", "approve", "import_close",
    ]  # fmt: skip
    assert events[0].created_at == case.created_at and events[-1].created_at == case.closed_at
    assert all(e.created_at <= case.closed_at for e in events)
    assert "GM-OLD-00001" in events[0].note
    # the person joins their account, as a window registration does
    party = case.parties.get()
    assert party.user.phone == "13900139000" and party.name == "何秀英"
    claim = Claim.objects.get()
    assert claim.case == case and claim.submitter == party.user and claim.created_at == case.created_at


@pytest.mark.parametrize(
    ("status", "lead", "stage"),
    [
        ("submitted", None, "accept"),
        ("accepted", None, "accept"),
        ("dispatched", "GM-RSJ", "sign"),
        ("handling", "GM-RSJ", "handle"),
        ("reviewing", "GM-RSJ", "review"),
        ("feedback", "GM-RSJ", "feedback"),
    ],
)
def test_open_statuses_are_routed_as_the_services_would(tmp_path, demo, status, lead, stage):
    result = "已约谈企业" if status in ("reviewing", "feedback") else None
    recent = (timezone.now() - timedelta(hours=1)).isoformat()
    output, code, _err = run(write(tmp_path, [record(status=status, result=result, created_at=recent)]))
    assert code == 0, output
    case = Case.objects.get()
    assert case.status == status and case.stage == stage
    assert (case.lead_unit.code if case.lead_unit else None) == lead
    assert case.centre.code == "GM-ZX" and case.stage_due_at > timezone.now()
    if status != "submitted":
        assert case.routing_rule == "labor-wages" and case.routing_explanation
    assert case.routing_queued == (status == "accepted")


def test_an_old_open_case_is_red_now_without_a_flood_of_warnings(tmp_path, demo):
    from supervision.services import warnings_sweep

    run(write(tmp_path, [record(status="handling")]))
    case = Case.objects.get()
    assert case.warning_level == WarningLevel.RED
    assert case.events.filter(transition="warning_red", created_at=case.stage_due_at).count() == 1
    result = warnings_sweep(now=timezone.now())
    assert not result.events and not OutboxMessage.objects.exists()  # the sweep finds nothing to announce


def test_a_re_run_prints_the_same_numbers_and_duplicates_nothing(tmp_path, demo):
    path = write(tmp_path, [record(n, status="handling") for n in range(1, 6)])
    first, _code, _err = run(path)
    counts = (Case.objects.count(), Claim.objects.count(), CaseEvent.objects.count(), Party.objects.count())
    second, code, _err = run(path)
    assert code == 0 and second == first
    assert (Case.objects.count(), Claim.objects.count(), CaseEvent.objects.count(), Party.objects.count()) == counts
    # a grown file: the old lines keep their numbers, the new one is added
    grown, _code, _err = run(write(tmp_path, [record(n, status="handling") for n in range(1, 7)]))
    assert grown[:5] == first and Case.objects.count() == 6


def test_the_same_id_from_another_source_is_another_case(tmp_path, demo):
    path = write(tmp_path, [record()])
    run(path)
    output, _code, _err = run(path, "--source", "hotline-2019")
    assert Case.objects.count() == 2 and Case.objects.get(import_source="hotline-2019").number == output[0]["case"]


BAD_LINES = [
    ("not json {", "不是有效的 JSON"),
    ("[1, 2]", "每行应为一个 JSON 对象"),
    (record(matter=None), "缺少字段：matter"),
    (record(colour="red"), "未知字段：colour"),
    (record(channel="fax"), "channel 应为"),
    (record(matter="labor.nothing"), "matter 不是已有的事项类型编码"),
    (record(region="999999"), "region 不是已有的区划编码"),
    (record(contact_phone="12345"), "contact_phone 不是有效的电话号码"),
    (record(contact_phone=13900139000), "contact_phone 应为文字"),
    (record(created_at="yesterday"), "created_at 不是有效的 ISO 8601 时间"),
    (record(created_at="2999-01-01T00:00:00"), "created_at 不是有效的 ISO 8601 时间"),
    (record(status="closed", closed_at="2025-03-01T08:00:00+08:00"), "closed_at 早于 created_at"),
    (record(status="closed"), "status 为 closed 时必须有 closed_at"),
    (record(status="handling", closed_at="2025-04-01T08:00:00+08:00"), "不应有 closed_at"),
    (record(status="lost"), "status 应为 closed 或在办状态"),
    (record(status="handling", result="已办"), "result 只用于"),
    (record(people=0), "people 应为 1 到 100000 之间的整数"),
    (record(people=True), "people 应为 1 到 100000 之间的整数"),
    (record(description="  "), "description 不能为空"),
    (record(external_id=""), "external_id 不能为空"),
    (record(contact_name="何" * 51), "contact_name 不超过 50 个字"),
    (record(region="440608"), "不能是区县及以上"),
    (record(matter="labor"), "是事项分组"),
    (record(matter="labor.inactive"), "已停用"),
    (record(matter="labor.wages", status="dispatched", people=1, channel="api"), None),
]


@pytest.mark.parametrize(("bad", "message"), [b for b in BAD_LINES if b[1]])
def test_each_bad_line_is_reported_by_number_and_nothing_is_imported(tmp_path, demo, bad, message):
    labor = MatterType.objects.get(code="labor")
    MatterType.objects.create(code="labor.inactive", name="已停用的事项", parent=labor, active=False)
    rows = [record(1), record(2), bad, record(4)]
    output, code, err = run(write(tmp_path, rows))
    assert code == 1 and "整个文件未导入" in err
    assert [r["line"] for r in output] == [1, 2, 3, 4]
    assert message in output[2]["error"]
    assert all("未导入：文件第 3 行有错误" in output[i]["error"] for i in (0, 1, 3))
    assert not Case.objects.exists() and not Claim.objects.exists()


def test_skip_bad_imports_the_good_lines_and_reports_the_bad(tmp_path, demo):
    rows = [record(1), record(2, channel="fax"), "", record(4), record(1)]
    output, code, _err = run(write(tmp_path, rows), "--skip-bad")
    assert code == 0
    assert [r["line"] for r in output] == [1, 2, 4, 5]  # the blank line 3 is no record
    assert "case" in output[0] and "channel" in output[1]["error"] and "case" in output[2]
    assert "与第 1 行重复" in output[3]["error"]
    assert Case.objects.count() == 2


def test_a_status_the_rules_cannot_reach_is_an_error(tmp_path, demo, directory):
    directory({"regions": [{"code": "44", "name": "广东省", "level": "province"}]})
    output, code, _err = run(write(tmp_path, [record(region="44")]))
    assert code == 1 and ("region" in output[0]["error"] or "诉求服务中心" in output[0]["error"])


def test_phones_are_never_in_a_log_line(tmp_path, demo, caplog):
    rows = [record(1), record(2, **{"13812345678": "x"}), record(3, contact_phone="1391234567")]
    with caplog.at_level(logging.INFO, logger="yikouban.import"):
        output, _code, _err = run(write(tmp_path, rows), "--skip-bad")
    assert "13812345678" not in caplog.text and "13900139000" not in caplog.text
    assert "13812345678" not in json.dumps(output, ensure_ascii=False)
    assert "1391234567" not in caplog.text and "line 3" in caplog.text


def test_a_thousand_lines_import_in_bulk(tmp_path, demo, django_assert_max_num_queries):
    statuses = ["submitted", "accepted", "dispatched", "handling", "closed"]
    rows = []
    for n in range(1000):
        status = statuses[n % 5]
        extra = {"status": status}
        if status == "closed":
            extra.update(result="已办结", closed_at="2025-04-01T10:00:00+08:00")
        rows.append(record(n, contact_phone=f"139{n:08d}", **extra))
    path = write(tmp_path, rows)
    with django_assert_max_num_queries(40), open(path, encoding="utf-8") as stream:  # 33: no statement per line
        results, imported = cases_import(lines=stream)
    assert imported and len(results) == 1000 and all("case" in r for r in results)
    assert Case.objects.count() == 1000 and len({r["case"] for r in results}) == 1000
    assert not OutboxMessage.objects.exists()


def test_a_concurrent_import_of_the_same_ids_rolls_this_one_back_whole(tmp_path, demo, monkeypatch):
    from django.core.management.base import CommandError

    from intake import importer

    path = write(tmp_path, [record(1), record(2)])
    run(write(tmp_path, [record(2)], name="other.jsonl"))  # "the other import" got there first
    monkeypatch.setattr(importer, "_existing_numbers", lambda source, ids: {})  # not seen when checked
    with pytest.raises(CommandError, match="另一个导入同时写入了相同的案件"):
        call_command("import_cases", str(path), stdout=StringIO(), stderr=StringIO())
    assert Case.objects.count() == 1 and Claim.objects.count() == 1


def test_a_status_needing_a_unit_is_an_error_when_the_rules_queue_the_case(tmp_path, demo, directory):
    directory({"rules": [{"id": "only", "matter": "neighbour", "lead": {"unit": "GM-RSJ"}}]})  # wages: manual
    output, code, _err = run(write(tmp_path, [record(status="handling")]))
    assert code == 1 and "请改为 accepted" in output[0]["error"]
    closed = record(status="closed", closed_at="2025-04-01T10:00:00+08:00")
    output, code, _err = run(write(tmp_path, [record(2, status="accepted"), closed]))
    assert code == 0 and all("case" in r for r in output)
    case = Case.objects.get(status=Status.CLOSED)
    assert case.lead_unit is None and case.result_unit == case.centre  # closed by the centre itself
    assert [e.transition for e in case.events.order_by("created_at", "id")] == [
        "submit", "accept", "warning_red", "import_close",
    ]  # fmt: skip
    assert Case.objects.get(status=Status.ACCEPTED).routing_queued


def test_standard_input_and_unreadable_files(tmp_path, demo, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", StringIO(json.dumps(record(), ensure_ascii=False) + "\n"))
    output, code, _err = run("-")
    assert code == 0 and output[0]["case"] == Case.objects.get().number
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes("何秀英".encode("gb18030"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        call_command("import_cases", str(latin), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_cases", str(tmp_path / "missing.jsonl"), stdout=StringIO(), stderr=StringIO())


def test_the_admin_finds_an_imported_case_by_its_old_id(tmp_path, demo, admin_client):
    output, _code, _err = run(write(tmp_path, [record(7)]))
    page = admin_client.get("/admin/cases/case/", {"q": "GM-OLD-00007"}).content.decode()
    assert output[0]["case"] in page


def test_a_utf8_bom_does_not_spoil_line_1(tmp_path, demo):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(record(1), ensure_ascii=False) + "\n").encode())
    output, code, _err = run(path)
    assert code == 0 and output[0]["line"] == 1 and "case" in output[0]
