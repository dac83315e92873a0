"""The nightly 疑似重复 scan with the real similarity engine (``similar``, issue #13): the same
problem told in other words in the same town and matter branch is flagged with the engine's
reason; the same words in another town, or another matter branch, are not."""

import pytest

pytest.importorskip("similar.engine")

from cases import duplicates as d
from cases.models import DuplicatePair

pytestmark = pytest.mark.django_db

MINGDONG, MINGCHENG, YANGMEI = (
    "440608102201",
    "440608102001",
    "440608101201",
)  # 明东村, 明城社区 (明城镇); 杨梅村 (杨和镇)


def test_the_scan_flags_the_same_problem_in_the_same_town(submit_case, user):
    first = submit_case(
        region=MINGDONG,
        text="明东村旁边的工地包工头拖欠我们二十多个工人三个月的工资，一共十二万元，一直找借口不给。",
        phone="13600000001",
    )
    again = submit_case(
        region=MINGCHENG,
        text="工地包工头欠我们工人三个月工资十二万元不给，我们二十多个工人多次去讨要都没有结果。",
        phone="13600000002",
    )
    elsewhere = submit_case(
        region=YANGMEI,
        text="明东村旁边的工地包工头拖欠我们二十多个工人三个月的工资，一共十二万元，一直找借口不给。",
        phone="13600000003",
    )
    noise = submit_case(
        region=MINGDONG,
        matter="neighbour.noise",
        text="明东村旁边的工地每天晚上施工到凌晨，噪音很大，影响休息。",
        phone="13600000004",
    )
    run = d.duplicates_scan()
    found = {(p.case_a_id, p.case_b_id): p for p in DuplicatePair.objects.all()}
    assert (first.pk, again.pk) in found, found
    pair = found[(first.pk, again.pk)]
    assert pair.reason.startswith("描述相似") and 0 < pair.score <= 1
    for other in (elsewhere, noise):  # another town; another matter branch
        assert not any(other.pk in key for key in found), found
    assert run.pairs_added == len(found)
    # marked 非重复, changed, scanned again: not flagged again
    assert d.duplicate_pair_dismiss(pair=pair, actor=user("gm_dispatch"))
    from cases import services as s

    s.case_accept(case=type(first).objects.get(pk=first.pk), actor=user("gm_window"))
    assert d.duplicates_scan().pairs_added == 0
