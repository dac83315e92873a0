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
