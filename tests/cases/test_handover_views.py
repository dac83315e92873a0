"""退回申请 / 转办申请 screens (issue #15): every permission cell (docs/handover.md), the panel, the
dispatcher's tab and home count, the 首接负责 inbox tab, bad input and query counts."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as s
from cases.handover import handover_approve, handover_request
from cases.handover_models import HandoverKind, HandoverRequest, HandoverStatus
from cases.models import CaseEvent, Status
from routing.models import Unit

pytestmark = pytest.mark.django_db


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def outsiders(demo):
    """A 禅城 dispatcher (another centre) — the demo has none."""
    from accounts.services import staff_user_ensure

    return staff_user_ensure(
        username="cc_dispatch", full_name="禅城调度", password="x-Pass-2026", memberships=[("CC-ZX", "dispatcher")]
    )


@pytest.fixture
def pending(case_in, user, fresh):
    def make(kind=HandoverKind.RETURN, status="handling", proposed=None):
        case = case_in(status)
        unit = Unit.objects.get(code=proposed) if proposed else None
        request = handover_request(
            case=fresh(case), actor=user("gm_labor"), kind=kind, reason="不属本单位职责", proposed_unit=unit
        )
        return fresh(case), request

    return make


def act_url(case, action):
    return reverse("cases:case-act", args=[case.number, action])


# Permission cells -----------------------------------------------------------------------------------

REQUEST_CELLS = [
    ("gm_labor", 302),  # lead unit
    ("mc_centre", 403),  # cooperating unit: sees the case, may not ask
    ("md_grid", 404),  # another unit
    ("gm_dispatch", 403),
    ("gm_window", 403),
    ("gm_supervisor", 403),
    ("gm_mediator", 404),
    ("citizen", 403),  # the citizen: staff screens are not theirs
]


@pytest.mark.parametrize("action", ["request_return", "request_transfer"])
@pytest.mark.parametrize(("who", "code"), REQUEST_CELLS)
def test_request_cells(case_in, login, citizen, who, code, action):
    case = case_in("handling")
    response = login(citizen if who == "citizen" else who).post(act_url(case, action), {"reason": "不属本单位职责"})
    assert response.status_code == code
    assert HandoverRequest.objects.filter(case=case).count() == (1 if code == 302 else 0)


DECIDE_CELLS = [
    ("gm_dispatch", 302),
    ("cc_dispatch", 404),  # a dispatcher of another centre
    ("gm_labor", 403),
    ("mc_centre", 403),
    ("md_grid", 404),
    ("gm_window", 403),
    ("gm_supervisor", 403),
    ("fs_supervisor", 403),
    ("gm_mediator", 404),
    ("citizen", 403),
]


@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize(("who", "code"), DECIDE_CELLS)
def test_decision_cells(pending, login, citizen, outsiders, who, code, decision):
    case, request = pending()
    who = citizen if who == "citizen" else who
    url = reverse(f"cases:handover-{decision}", args=[request.pk])
    assert login(who).get(url).status_code == (200 if code == 302 else code)
    response = login(who).post(url, {"reason": "仍属本单位职责", "note": ""})
    assert response.status_code == code
    expected = {"approve": HandoverStatus.APPROVED, "refuse": HandoverStatus.REFUSED}[decision]
    assert HandoverRequest.objects.get(pk=request.pk).status == (expected if code == 302 else HandoverStatus.PENDING)


WITHDRAW_CELLS = [
    ("gm_labor", 302),
    ("gm_dispatch", 403),
    ("mc_centre", 403),
    ("md_grid", 404),
    ("gm_supervisor", 403),
    ("citizen", 403),
]


@pytest.mark.parametrize(("who", "code"), WITHDRAW_CELLS)
def test_withdraw_cells(pending, login, citizen, who, code):
    case, request = pending()
    who = citizen if who == "citizen" else who
    response = login(who).post(reverse("cases:handover-withdraw", args=[request.pk]))
    assert response.status_code == code
    saved = HandoverRequest.objects.get(pk=request.pk).status
    assert saved == (HandoverStatus.WITHDRAWN if code == 302 else HandoverStatus.PENDING)


@pytest.mark.parametrize(
    ("who", "code"), [("gm_dispatch", 200), ("gm_window", 403), ("gm_labor", 403), ("gm_supervisor", 403)]
)
def test_queue_tab_cells(demo, login, who, code):
    assert login(who).get(reverse("cases:queue") + "?tab=handover").status_code == code


def test_unknown_request_is_404(demo, login):
    assert login("gm_dispatch").post(reverse("cases:handover-approve", args=[999999])).status_code == 404


# The screens ------------------------------------------------------------------------------------------


def test_the_unit_files_and_sees_its_request(case_in, login):
    case = case_in("handling")
    client = login("gm_labor")
    url = act_url(case, "request_transfer")
    unit = Unit.objects.get(code="GM-MC-ZZ")
    response = client.post(url, {"proposed_unit": str(unit.pk), "reason": "属镇街职责"})
    assert response.status_code == 302
    assert any("转办申请已提交" in m for m in flash(response))
    body = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="handover-pending"' in body and "建议转至" in body and "明城镇综治中心" in body
    assert 'data-testid="handover-withdraw"' in body and 'data-testid="handover-approve"' not in body
    # while pending: no second request offered
    assert 'data-testid="action-request_return"' not in body and 'data-testid="action-request_transfer"' not in body


def test_bad_request_input_is_refused_and_kept(case_in, login):
    case = case_in("handling")
    response = login("gm_labor").post(act_url(case, "request_return"), {"reason": "   "})
    assert response.status_code == 400 and "请填写退回理由" in response.content.decode()
    long = "理由" * 501
    response = login("gm_labor").post(act_url(case, "request_return"), {"reason": long})
    assert response.status_code == 400 and "内容过长" in response.content.decode()
    assert not HandoverRequest.objects.filter(case=case).exists()


def test_dispatcher_sees_the_panel_decides_and_the_unit_is_told(pending, login, user, fresh):
    case, request = pending(HandoverKind.TRANSFER, proposed="GM-MC-ZZ")
    client = login("gm_dispatch")
    body = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="handover-approve"' in body and 'data-testid="handover-refuse"' in body
    response = client.post(reverse("cases:handover-refuse", args=[request.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写不同意的理由" in response.content.decode()
    response = client.post(reverse("cases:handover-refuse", args=[request.pk]), {"reason": "仍属人社局职责"})
    assert response.status_code == 302 and any("已不同意" in m for m in flash(response))
    labor = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-status="refused"' in labor and "仍属人社局职责" in labor
    assert fresh(case).status == Status.HANDLING


def test_approve_transfer_form_needs_a_unit(pending, login, fresh):
    case, request = pending(HandoverKind.TRANSFER)
    client = login("gm_dispatch")
    response = client.post(reverse("cases:handover-approve", args=[request.pk]), {"to_unit": ""})
    assert response.status_code == 400 and "请选择转办至哪个单位" in response.content.decode()
    unit = Unit.objects.get(code="GM-HC-ZZ")
    response = client.post(reverse("cases:handover-approve", args=[request.pk]), {"to_unit": str(unit.pk)})
    assert response.status_code == 302 and fresh(case).lead_unit == unit


def test_a_late_decision_gets_a_clear_message(pending, login, user, fresh):
    case, request = pending()
    s.case_transfer(
        case=fresh(case), actor=user("gm_dispatch"), to_unit=Unit.objects.get(code="GM-MC-ZZ"), reason="直接转办"
    )
    before = CaseEvent.objects.filter(case=case).count()
    response = login("gm_dispatch").post(reverse("cases:handover-approve", args=[request.pk]))
    assert response.status_code == 302 and response.url == reverse("cases:case-detail", args=[case.number])
    assert any("该申请无需再审核" in m for m in flash(response))
    assert CaseEvent.objects.filter(case=case).count() == before


def test_the_queue_tab_lists_pending_requests_and_the_home_counts_them(pending, login):
    case, _request = pending()
    client = login("gm_dispatch")
    body = client.get(reverse("cases:queue") + "?tab=handover").content.decode()
    assert 'data-testid="handover-row"' in body and case.number in body and "退回申请" in body
    assert 'data-testid="count-handover">1<' in body
    home = client.get(reverse("home")).content.decode()
    assert "退回/转办申请" in home


def test_queue_tab_queries_do_not_grow(case_in, user, fresh, login, django_assert_max_num_queries):
    client, counts = login("gm_dispatch"), []
    for n in (2, 6):
        while HandoverRequest.objects.count() < n:
            case = case_in("dispatched")
            handover_request(case=fresh(case), actor=user("gm_labor"), kind=HandoverKind.RETURN, reason="不属本单位")
        with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("cases:queue") + "?tab=handover")
        assert response.status_code == 200 and response.content.decode().count('data-testid="handover-row"') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# 首接负责 on the screens ----------------------------------------------------------------------------


def test_first_unit_sees_its_buck_passed_case(case_in, user, fresh, login):
    case = case_in("handling")
    first = handover_request(case=fresh(case), actor=user("gm_labor"), kind="return", reason="不属本单位")
    first.case = fresh(case)
    handover_approve(request=first, actor=user("gm_dispatch"))
    s.case_dispatch(
        case=fresh(case),
        actor=user("gm_dispatch"),
        lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
        cooperating_units=[],
    )
    second = handover_request(case=fresh(case), actor=user("mc_centre"), kind="return", reason="不属镇街")
    second.case = fresh(case)
    handover_approve(request=second, actor=user("gm_dispatch"))
    labor = login("gm_labor")
    inbox = labor.get(reverse("cases:inbox") + "?tab=first").content.decode()
    assert case.number in inbox and "首接负责：高明区人力资源和社会保障局" in inbox
    page = labor.get(reverse("cases:case-detail", args=[case.number]))
    assert page.status_code == 200 and 'data-testid="first-unit"' in page.content.decode()
    queue = login("gm_dispatch").get(reverse("cases:queue") + "?tab=accepted").content.decode()
    assert "首接负责：高明区人力资源和社会保障局" in queue
    assert "首接负责" in labor.get(reverse("home")).content.decode()
    # a unit signs: the duty ends, the tab empties
    s.case_dispatch(
        case=fresh(case), actor=user("gm_dispatch"), lead_unit=Unit.objects.get(code="GM-MC-ZZ"), cooperating_units=[]
    )
    s.case_sign(case=fresh(case), actor=user("mc_centre"))
    inbox = labor.get(reverse("cases:inbox") + "?tab=first").content.decode()
    assert case.number not in inbox
