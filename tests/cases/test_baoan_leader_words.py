"""While a leader owns the case (包案), the unit is told its result goes to the leader, not the centre
(review of issue #15, finding 6); the leader is told of what happens to their case (finding 5)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases.workdays import is_workday

pytestmark = pytest.mark.django_db


def workday(after=3) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def owned(case_in, user, fresh):
    def make(status="handling"):
        case = case_in(status)
        s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=workday(), note="每周报告进展")
        return fresh(case)

    return make


def test_the_submit_form_and_message_name_the_leader(owned, login, act, user):
    case = owned()
    leader = user("gm_supervisor").display_name
    client = login("gm_labor")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert f"提交后由包案领导{leader}审核" in page and "提交后由诉求服务中心审核。" not in page
    form = client.get(reverse("cases:case-act", args=[case.number, "submit_result"])).content.decode()
    assert f"提交后由包案领导{leader}审核" in form
    response = act(client, case, "submit_result", {"result": "企业已足额支付工资", "outcome": "resolved"})
    assert response.status_code == 302
    told = [str(m) for m in client.get(response.url).context["messages"]]
    assert any(f"等待包案领导{leader}审核" in m for m in told), told


def test_without_a_leader_the_centre_reviews(case_in, login, act):
    case = case_in("handling")
    client = login("gm_labor")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert "提交后由诉求服务中心审核。" in page
    response = act(client, case, "submit_result", {"result": "企业已足额支付工资", "outcome": "resolved"})
    told = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("等待诉求服务中心审核" in m for m in told), told


def leader_told(user, words):
    from notifications.models import OutboxMessage

    rows = OutboxMessage.objects.filter(kind="case_baoan", recipient_user=user("gm_supervisor"))
    return [m.body for m in rows if words in m.body]


def test_the_leader_is_told_when_a_handover_of_their_case_is_approved(owned, user, fresh):
    from cases.handover import handover_approve, handover_request

    case = owned()
    request = handover_request(case=fresh(case), actor=user("gm_labor"), kind="return", reason="不属本单位")
    request.case = fresh(case)
    assert not leader_told(user, "已获中心同意")
    handover_approve(request=request, actor=user("gm_dispatch"))
    [body] = leader_told(user, "已获中心同意")
    assert case.number in body and "高明区人力资源和社会保障局的退回申请" in body


def test_the_leader_is_told_of_the_automatic_buck_pass_order(owned, user, fresh):
    from cases.handover import handover_approve, handover_request
    from routing.models import Unit

    case = owned()
    for who in ("gm_labor", "mc_centre"):
        request = handover_request(case=fresh(case), actor=user(who), kind="return", reason="不属本单位")
        request.case = fresh(case)
        handover_approve(request=request, actor=user("gm_dispatch"))
        if who == "gm_labor":
            s.case_dispatch(
                case=fresh(case),
                actor=user("gm_dispatch"),
                lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
                cooperating_units=[],
            )
    [body] = leader_told(user, "发出督办")
    assert "推诿" in body and "首接单位高明区人力资源和社会保障局" in body


def test_the_leader_is_told_of_an_unsatisfied_rating(owned, user, fresh, citizen):
    from cases.models import Rating

    case = owned("feedback")
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.UNSATISFIED, comment="工资仍未到账")
    assert fresh(case).status == "reviewing"
    [body] = leader_told(user, "评价不满意")
    assert case.number in body and "请审核" in body


def test_a_satisfied_rating_tells_the_leader_nothing(owned, user, fresh, citizen):
    from cases.models import Rating

    case = owned("feedback")
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.SATISFIED)
    assert not leader_told(user, "评价")
