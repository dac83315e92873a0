"""``manage.py similar_cases FILE.jsonl``: the contract of issue #13, kept exact."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, Status
from similar.models import CaseTerms

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠工人三个月工资，共计八万多元，一直不给结算。"
ASK = "工地包工头欠我们三个月工资八万多元不结算"


def run(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines))
    out, err, code = StringIO(), StringIO(), 0
    try:
        call_command("similar_cases", str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), code


def test_each_line_gets_the_top_five_open_and_closed_cases(tmp_path, submit_case):
    made = [submit_case(text=WAGES) for _ in range(6)]
    Case.objects.filter(pk=made[0].pk).update(status=Status.CLOSED, closed_at=timezone.now())
    merged = submit_case(text=WAGES)
    Case.objects.filter(pk=merged.pk).update(status=Status.MERGED)
    before = (Case.objects.count(), CaseTerms.objects.count(), list(Case.objects.values_list("pk", "status")))
    out, err, code = run(
        tmp_path,
        [
            {"ref": "A1", "text": ASK, "matter": "labor.wages", "region": "440608102201"},
            {"ref": 2, "text": "小区电梯坏了一个月没人修"},
        ],
    )
    assert code == 0 and err == ""
    assert [line["ref"] for line in out] == ["A1", 2]
    first = out[0]["similar"]
    assert len(first) == 5
    numbers = {c.number for c in made}
    assert {s["case"] for s in first} <= numbers and merged.number not in {s["case"] for s in first}
    assert all(0 < s["score"] <= 1 for s in first)
    assert first[0]["why"].startswith("描述相似 ") and "共同词：" in first[0]["why"]
    assert [s["score"] for s in first] == sorted((s["score"] for s in first), reverse=True)
    assert set(first[0]) == {"case", "score", "why"}
    assert out[1] == {"ref": 2, "similar": []}
    after = (Case.objects.count(), CaseTerms.objects.count(), list(Case.objects.values_list("pk", "status")))
    assert after == before  # nothing changed


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{not json", "不是有效的 JSON"),
        ('["a list"]', "应为 JSON 对象"),
        ({"text": ASK}, "缺少 ref"),
        ({"ref": "x"}, "缺少 text"),
        ({"ref": "x", "text": "   "}, "缺少 text"),
        ({"ref": "x", "text": ASK, "matter": "no.such"}, "事项类型编码 no.such 不存在"),
        ({"ref": "x", "text": ASK, "region": "999"}, "行政区划编码 999 不存在"),
        ({"ref": "x", "text": ASK, "region": ["440608"]}, "region 应为编码文字"),
    ],
)
def test_a_bad_line_is_named_on_stderr_the_others_answered_and_the_exit_status_non_zero(
    tmp_path, submit_case, bad, message
):
    submit_case(text=WAGES)
    out, err, code = run(tmp_path, [{"ref": "ok1", "text": ASK}, bad, "", {"ref": "ok2", "text": ASK}])
    assert code == 1
    assert [line["ref"] for line in out] == ["ok1", "ok2"]
    assert len(out[0]["similar"]) == 1
    assert "第 2 行：" in err and message in err


def test_no_cases_and_matter_or_region_left_out(tmp_path, demo):
    out, err, code = run(tmp_path, [{"ref": "r", "text": ASK, "matter": "", "region": None}])
    assert (out, err, code) == ([{"ref": "r", "similar": []}], "", 0)


def test_a_missing_file_is_a_clear_error(tmp_path, demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="无法读取"):
        call_command("similar_cases", str(tmp_path / "missing.jsonl"), stdout=StringIO(), stderr=StringIO())
