"""The mediation workbench screens: who sees what, the actions through the browser forms, bad
input, and query counts."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from mediation.models import Mediation, MediationSession, MediationStatus


def detail(m):
    return reverse("mediation:mediation-detail", args=[m.number])


def act(m, action):
    return reverse("mediation:mediation-act", args=[m.number, action])


@pytest.mark.parametrize(
    "username,status",
    [
        ("gm_mediator", 200),  # assigned to it
        ("gm_dispatch", 200),  # the centre of its area
        ("gm_supervisor", 200),  # supervisor of the area
        ("gm_labor", 200),  # the lead handling unit
        ("admin", 200),
        ("gm_lawyer", 404),  # another mediator
        ("mc_centre", 404),  # a handler of another unit
        ("fs_medical_mediator", 404),
    ],
)
def test_who_may_open_a_mediation(mediation_in, login, username, status):
    m = mediation_in("in_progress")
    assert login(username).get(detail(m)).status_code == status


def test_a_citizen_may_not_use_the_workbench(mediation_in, client, citizen):
    m = mediation_in("in_progress")
    client.force_login(citizen)
    assert client.get(reverse("mediation:mediation-list")).status_code == 403
    assert client.get(detail(m)).status_code == 403


def test_a_mediator_lists_only_their_own(mediation_in, login):
    mine = mediation_in("assigned")
    other = mediation_in("assigned", mediator="gm_lawyer")
    page = login("gm_mediator").get(reverse("mediation:mediation-list"), {"tab": "assigned"})
    body = page.content.decode()
    assert mine.number in body and other.number not in body


def test_parties_are_masked_except_for_the_running_mediator(mediation_in, login):
    m = mediation_in("in_progress")
    assert "13800138000" in login("gm_mediator").get(detail(m)).content.decode()
    body = login("gm_dispatch").get(detail(m)).content.decode()
    assert "13800138000" not in body and "138****8000" in body


def test_the_case_page_offers_referral_to_its_lead_handler(handling_case, login):
    case = handling_case()
    page = login("gm_labor").get(reverse("cases:case-detail", args=[case.number]))
    assert 'data-testid="refer-mediation"' in page.content.decode()
    page = login("gm_supervisor").get(reverse("cases:case-detail", args=[case.number]))
    assert 'data-testid="refer-mediation"' not in page.content.decode()


def test_refer_through_the_form(handling_case, login):
    case = handling_case()
    client = login("gm_labor")
    url = reverse("mediation:case-refer", args=[case.number])
    bad = client.post(url, {"note": "  "})
    assert bad.status_code == 400 and "请说明移交调解的理由" in bad.content.decode()
    assert not Mediation.objects.exists()
    ok = client.post(url, {"note": "双方同意调解"})
    m = Mediation.objects.get()
    assert ok.status_code == 302 and ok["Location"] == detail(m)
    assert login("mc_centre").get(url).status_code == 403  # cooperating unit: sees the case, may not refer
    assert login("md_grid").get(url).status_code == 404  # not its case at all


def test_assign_page_recommends_three_with_scores_and_assigns(mediation_in, login, user):
    m = mediation_in("requested")
    client = login("gm_dispatch")
    url = reverse("mediation:mediation-assign", args=[m.number])
    page = client.get(url)
    body = page.content.decode()
    assert body.count('data-testid="recommendation"') == 3
    scores = [candidate.score for candidate in page.context["top"]]  # each card shows its composite score
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    for score in scores:
        assert f'title="综合得分" data-testid="score">{score} 分</span>' in body
    assert client.post(url, {"mediator": "999999"}).status_code == 400
    assert Mediation.objects.get(pk=m.pk).status == MediationStatus.REQUESTED
    lawyer = user("gm_lawyer").mediator_profile
    response = client.post(url, {"mediator": str(lawyer.pk), "note": "熟悉劳动合同"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == MediationStatus.ASSIGNED and m.mediator_id == lawyer.pk
    assert login("gm_labor").get(url).status_code == 403  # handlers do not assign


def test_accept_without_the_declaration_is_refused(mediation_in, login):
    m = mediation_in("assigned")
    client = login("gm_mediator")
    response = client.post(act(m, "accept"), {})
    assert response.status_code == 400 and "无利害关系" in response.content.decode()
    assert Mediation.objects.get(pk=m.pk).status == MediationStatus.ASSIGNED
    response = client.post(act(m, "accept"), {"no_conflict": "on"})
    assert response.status_code == 302
    assert Mediation.objects.get(pk=m.pk).status == MediationStatus.IN_PROGRESS


def test_an_action_not_offered_is_forbidden(mediation_in, login):
    m = mediation_in("in_progress")
    assert login("gm_dispatch").post(act(m, "fail"), {"reason": "x", "next_step": "other"}).status_code == 403
    assert login("gm_mediator").post(act(m, "nonsense"), {}).status_code == 404


def test_session_schedule_and_record_through_the_forms(mediation_in, login):
    m = mediation_in("in_progress")
    client = login("gm_mediator")
    url = reverse("mediation:session-new", args=[m.number])
    bad = client.post(url, {"scheduled_at": "2026-13-40 25:00", "mode": "onsite", "place": "明城镇调解室"})
    assert bad.status_code == 400 and "时间格式不正确" in bad.content.decode()
    assert "明城镇调解室" in bad.content.decode()  # nothing typed is lost
    no_place = client.post(url, {"scheduled_at": "2026-11-25T09:30", "mode": "onsite"})
    assert no_place.status_code == 400 and "现场调解请填写地点" in no_place.content.decode()
    from django.utils import timezone

    today = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    ok = client.post(url, {"scheduled_at": today, "mode": "onsite", "place": "明城镇调解室"})
    assert ok.status_code == 302
    session = MediationSession.objects.get()
    record_url = reverse("mediation:session-record", args=[m.number, session.pk])
    assert client.post(record_url, {"attendance": "双方到场", "record": ""}).status_code == 400
    assert client.post(record_url, {"attendance": "双方到场", "record": "双方同意分两期支付。"}).status_code == 302
    session.refresh_from_db()
    assert session.status == "held"
    assert login("gm_lawyer").get(record_url).status_code == 404


def test_register_a_court_referral(mediators, login):
    from routing.models import MatterType, Unit

    client = login("gm_window")
    url = reverse("mediation:referral-new")
    assert client.get(url).status_code == 200
    data = {
        "source": "court",
        "referring_unit": str(Unit.objects.get(code="GM-FY").pk),
        "referral_document": "（2026）粤0608民诉前调88号",
        "matter": str(MatterType.objects.get(code="labor.wages").pk),
        "region_0": "44",
        "region_1": "4406",
        "region_2": "440608",
        "region_3": "440608102",
        "region_4": "440608102201",
        "title": "拖欠工资纠纷（诉前委派）",
        "description": "法院诉前委派：原告诉被告拖欠工资一万二千元。",
        "applicant_name": "夏志明",
        "applicant_phone": "1380013800",  # one digit short
        "respondent_name": "明东五金制品厂",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "请输入 11 位手机号" in bad.content.decode()
    assert "拖欠工资纠纷（诉前委派）" in bad.content.decode()
    wrong_unit = client.post(
        url, {**data, "applicant_phone": "13800138000", "referring_unit": str(Unit.objects.get(code="GM-XFJ").pk)}
    )
    assert wrong_unit.status_code == 400 and "与移送机关类型不符" in wrong_unit.content.decode()
    assert not Mediation.objects.exists()
    ok = client.post(url, {**data, "applicant_phone": "13800138000"})
    assert ok.status_code == 302, ok.content.decode()[:2000]
    m = Mediation.objects.get()
    assert m.source == "court" and m.referral_document == "（2026）粤0608民诉前调88号"
    assert CaseEvent.objects.filter(case=m.case, transition="mediation_request").exists()
    assert login("gm_labor").get(url).status_code == 403


def test_list_query_count(mediation_in, login, django_assert_max_num_queries):
    for _ in range(3):
        mediation_in("assigned")
    client = login("gm_mediator")
    url = reverse("mediation:mediation-list")
    client.get(url)
    with django_assert_max_num_queries(12) as ctx:
        response = client.get(url, {"tab": "assigned"})
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    few = len(ctx.captured_queries)
    for _ in range(3):
        mediation_in("assigned")
    with django_assert_max_num_queries(few):
        response = client.get(url, {"tab": "assigned"})
    assert response.status_code == 200 and len(response.context["rows"]) == 6


def test_detail_query_count_does_not_grow_with_sessions(mediation_in, login, django_assert_max_num_queries, user):
    from django.utils import timezone

    from mediation import services as ms

    m = mediation_in("in_progress")
    client = login("gm_mediator")
    ms.session_schedule(mediation=m, actor=user("gm_mediator"), scheduled_at=timezone.now(), mode="phone")
    client.get(detail(m))
    with django_assert_max_num_queries(40) as ctx:
        response = client.get(detail(m))
    assert response.status_code == 200 and response.content.decode().count('data-testid="session"') == 1
    few = len(ctx.captured_queries)
    for _ in range(3):
        ms.session_schedule(mediation=m, actor=user("gm_mediator"), scheduled_at=timezone.now(), mode="phone")
    with django_assert_max_num_queries(few):
        response = client.get(detail(m))
    assert response.status_code == 200 and response.content.decode().count('data-testid="session"') == 4


def test_the_referral_form_names_real_fields_and_labels_its_empty_choices(mediators, login):
    """Issue #17: the unit's empty choice pointed to a 说明 field that does not exist, and 纠纷类型
    showed Django's "---------"."""
    html = login("gm_window").get(reverse("mediation:referral-new")).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>请选择纠纷类型</option>' in html
    assert "（目录外单位，请在“纠纷事实与诉求”中写明单位名称）" in html
    assert "纠纷事实与诉求" in html and "说明中写明" not in html
