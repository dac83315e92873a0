"""严重程度 (issue #15) on a case: proposed at registration by the directory's rules, routing by a
minimum severity, shorter deadlines for a more serious case, confirmed or changed by the centre."""

import copy
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import services as s
from cases.models import CaseEvent, Status
from cases.workdays import add_working_days
from routing import yaml_io

pytestmark = pytest.mark.django_db

DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"
SEVERITY = [
    {"level": "serious", "min_parties": 10, "note": "群体性"},
    {"level": "major", "min_parties": 30},
    {"level": "major", "keywords": ["跳楼", "自杀"], "note": "极端言行"},
    {"level": "serious", "matter": "labor", "keywords": ["堵路"]},
]


@pytest.fixture
def city():
    return yaml_io.load(DEMO_CITY.read_text(encoding="utf-8"))


@pytest.fixture
def severity_city(city, directory):
    """The demo city with severity rules, 重大 wage claims led by the 高明区 centre, and handling
    deadlines for wage claims of 3 (重大) and 7 (较大) working days instead of 10."""
    data = copy.deepcopy(city)
    data["severity"] = SEVERITY
    wages = next(m for m in data["matter_types"] if m["code"] == "labor.wages")
    wages["severity_deadlines"] = {"major": {"handle": 3}, "serious": {"handle": 7}}  # 10 otherwise
    data["rules"].append(
        {
            "id": "labor-wages-major",
            "matter": "labor.wages",
            "min_severity": "major",
            "priority": 9,
            "lead": {"role": "dispatch", "level": "district"},
        }
    )
    directory(data)
    return data


# --- proposed at registration ----------------------------------------------------------------
def test_the_demo_city_proposes_severity(demo, submit_case):
    case = submit_case(matter="labor.wages", people=12, text="老板拖欠十二名工人工资，工人准备拉横幅。")
    assert case.severity == "serious"
    assert "较大：涉及 12 人（不少于 10 人）（群体性诉求）" in case.severity_reasons
    assert "较大：内容含“拉横幅”（可能激化）" in case.severity_reasons


@pytest.mark.parametrize(
    "people, text, level",
    [
        (1, "老板拖欠三个月工资共计一万二千元。", "general"),
        (12, "老板拖欠十二名工人三个月工资。", "serious"),
        (40, "老板拖欠四十名工人工资。", "major"),
        (1, "讨薪无果，工友说要去跳楼。", "major"),
        (3, "工人准备堵路讨薪。", "serious"),
    ],
)
def test_severity_is_proposed_from_people_matter_and_words(severity_city, submit_case, people, text, level):
    case = submit_case(matter="labor.wages", people=people, text=text)
    assert case.severity == level
    assert case.severity_confirmed_at is None
    assert bool(case.severity_reasons) == (level != "general")


def test_the_proposal_says_why(severity_city, submit_case):
    case = submit_case(matter="labor.wages", people=40, text="讨薪无果，有人扬言跳楼。")
    assert case.severity == "major"
    assert "重大：涉及 40 人（不少于 30 人）" in case.severity_reasons
    assert "重大：内容含“跳楼”（极端言行）" in case.severity_reasons
    assert "较大：涉及 40 人（不少于 10 人）（群体性）" in case.severity_reasons


def test_keyword_rule_for_a_matter_branch_only(severity_city, submit_case):
    # 堵路 is 较大 for labour matters only
    assert submit_case(matter="neighbour.livestock", text="养猪场臭味熏天，村民准备堵路。").severity == "general"


def test_without_severity_rules_every_case_is_general(demo, directory, submit_case):
    directory({"severity": []})
    assert submit_case(matter="labor.wages", people=400, text="要跳楼").severity == "general"


# --- routing by minimum severity, deadlines by severity --------------------------------------
def test_a_major_case_goes_where_the_major_rule_says(severity_city, submit_case, user, fresh):
    major = submit_case(matter="labor.wages", people=40)
    general = submit_case(matter="labor.wages", people=1)
    for case in (major, general):
        s.case_accept(case=fresh(case), actor=user("gm_window"))
    major, general = fresh(major), fresh(general)
    assert (major.lead_unit.code, major.routing_rule) == ("GM-ZX", "labor-wages-major")
    assert (general.lead_unit.code, general.routing_rule) == ("GM-RSJ", "labor-wages")
    # the general case's explanation says why the 重大 rule did not apply
    assert any("严重程度一般低于规则要求的重大" in line for line in general.routing_explanation)
    assert any("严重程度重大" in line for line in major.routing_explanation)


@pytest.mark.parametrize("level, days", [("general", 10), ("serious", 7), ("major", 3)])
def test_handling_deadline_is_shorter_for_a_more_serious_case(severity_city, case_in, user, fresh, level, days):
    case = case_in("dispatched")  # 拖欠工资, 1 person: proposed 一般, led by 高明区人社局
    s.case_severity_set(case=case, actor=user("gm_dispatch"), severity=level, reason="核实后调整")
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    case = fresh(case)
    assert case.stage_due_at == add_working_days(case.stage_started_at, days)


def test_a_severity_raised_by_the_centre_shortens_the_next_stage(severity_city, case_in, user, fresh):
    case = case_in("dispatched")  # 拖欠工资, 1 person: 一般, led by 高明区人社局
    s.case_severity_set(case=case, actor=user("gm_dispatch"), severity="serious", reason="涉及多名工人，情绪激动")
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    case = fresh(case)
    assert case.stage_due_at == add_working_days(case.stage_started_at, 7)


# --- confirmed or changed by the centre --------------------------------------------------------
def test_dispatcher_confirms_the_proposal(severity_city, case_in, user, fresh):
    case = case_in("dispatched")
    event = s.case_severity_set(case=case, actor=user("gm_dispatch"), severity="general")
    case = fresh(case)
    assert case.severity == "general" and case.severity_confirmed_at is not None
    assert (event.transition, event.public, event.note) == ("severity_confirm", False, "确认严重程度为“一般”")


def test_dispatcher_changes_it_with_a_reason(severity_city, case_in, user, fresh):
    case = case_in("handling")
    with pytest.raises(s.CaseError, match="调整严重程度须填写理由"):
        s.case_severity_set(case=case, actor=user("gm_dispatch"), severity="major", reason="  ")
    assert fresh(case).severity == "general"
    event = s.case_severity_set(case=case, actor=user("gm_dispatch"), severity="major", reason="媒体已关注")
    assert fresh(case).severity == "major"
    assert event.transition == "severity_change"
    assert event.note == "严重程度由“一般”调整为“重大”：媒体已关注"


def test_a_closed_case_keeps_its_severity(severity_city, case_in, user, fresh):
    case = case_in("submitted")
    s.case_reject(case=case, actor=user("gm_window"), reason="不属于受理范围")
    with pytest.raises(s.CaseError, match="案件已结束"):
        s.case_severity_set(case=fresh(case), actor=user("gm_dispatch"), severity="major", reason="x")


def test_a_concurrent_change_is_not_overwritten(severity_city, case_in, user, fresh):
    case = case_in("dispatched")
    stale = fresh(case)
    s.case_severity_set(case=case, actor=user("gm_dispatch"), severity="major", reason="第一位调度员")
    with pytest.raises(s.CaseError, match="刚被他人修改"):
        s.case_severity_set(case=stale, actor=user("gm_dispatch"), severity="serious", reason="第二位调度员")
    assert fresh(case).severity == "major"


def test_an_unknown_level_is_refused(severity_city, case_in, user):
    with pytest.raises(s.CaseError, match="请选择严重程度"):
        s.case_severity_set(case=case_in("dispatched"), actor=user("gm_dispatch"), severity="huge", reason="x")


# --- on screen and the permission cells -----------------------------------------------------
def test_case_page_shows_the_level_and_why(severity_city, submit_case, login):
    case = submit_case(matter="labor.wages", people=40)
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="severity"' in page and "重大" in page and "（系统建议，待中心确认）" in page
    assert "涉及 40 人（不少于 30 人）" in page
    assert reverse("cases:case-act", args=[case.number, "severity"]) in page


def test_the_form_round_trip(severity_city, case_in, login, act, fresh):
    case = case_in("dispatched")
    client = login("gm_dispatch")
    response = act(client, case, "severity", {"severity": "serious", "reason": ""})
    assert response.status_code == 400
    assert "调整严重程度须填写理由" in response.content.decode()
    response = act(client, case, "severity", {"severity": "serious", "reason": "十余名工人联名"})
    assert response.status_code == 302
    assert fresh(case).severity == "serious"
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert "严重程度已调整为“较大”" in page and "调整严重程度" in page and "（中心已确认，" in page
    response = act(client, case, "severity", {"severity": "huge", "reason": "x"})
    assert response.status_code == 400 and "请从一般、较大、重大中选择严重程度" in response.content.decode()


@pytest.mark.parametrize(
    "who, status",
    [
        ("gm_dispatch", 302),  # dispatcher, in
        ("dispatcher_out", 404),  # a 禅城 dispatcher
        ("gm_window", 403),  # clerk, in
        ("gm_supervisor", 403),
        ("fs_supervisor", 403),
        ("gm_labor", 403),  # handler, lead
        ("mc_centre", 403),  # handler, cooperating
        ("admin", 403),  # admins act only through their memberships
        ("gm_mediator", 404),
        ("citizen", 403),  # citizens never reach staff actions
    ],
)
def test_who_may_confirm_or_change_the_severity(severity_city, case_in, login, citizen, act, fresh, who, status):
    from accounts.services import staff_user_ensure

    case = case_in("dispatched")
    if who == "dispatcher_out":
        who = staff_user_ensure(
            username=who, full_name="禅城调度", password="x-Pass-2026", memberships=[("CC-ZX", "dispatcher")]
        )
    client = login(citizen if who == "citizen" else who)
    response = act(client, case, "severity", {"severity": "major", "reason": "测试"})
    assert response.status_code == status
    assert fresh(case).severity == ("major" if status == 302 else "general")
    assert CaseEvent.objects.filter(case=case, transition="severity_change").exists() == (status == 302)


def test_the_service_checks_the_permission_too(severity_city, case_in, user):
    with pytest.raises(PermissionDenied):
        s.case_severity_set(case=case_in("dispatched"), actor=user("gm_labor"), severity="major", reason="x")


def test_open_statuses_offer_the_action_to_the_dispatcher_only(severity_city, case_in, user):
    from cases.permissions import available_actions

    case = case_in("accepted")
    assert case.status == Status.ACCEPTED
    assert "severity" in available_actions(user("gm_dispatch"), case)
    assert "severity" not in available_actions(user("gm_window"), case)


def test_the_centre_queue_marks_serious_cases(severity_city, submit_case, login, django_assert_max_num_queries):
    submit_case(matter="labor.wages", people=40)
    submit_case(matter="labor.wages", people=12)
    submit_case(matter="labor.wages", people=1)
    client = login("gm_dispatch")
    client.get(reverse("cases:queue"))
    with django_assert_max_num_queries(30):
        page = client.get(reverse("cases:queue")).content.decode()
    assert page.count('data-testid="severity"') == 2
    assert ">重大</span>" in page and ">较大</span>" in page
