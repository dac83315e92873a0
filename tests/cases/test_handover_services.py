"""退回申请 / 转办申请, 推诿 and 首接负责 (issue #15, docs/handover.md): the services.

The demo case: a 拖欠工资 claim in 明东村, dispatched by the rules to 高明区人社局 (gm_labor), with
明城镇综治中心 (mc_centre) cooperating; the centre is 高明区群众诉求服务中心 (gm_dispatch)."""

import pytest
from django.core.exceptions import PermissionDenied

from cases import services as s
from cases.handover import (
    HandoverStale,
    handover_approve,
    handover_refuse,
    handover_request,
    handover_withdraw,
)
from cases.handover_models import HandoverKind, HandoverRequest, HandoverStatus
from cases.models import CaseEvent, Status
from cases.transitions import CaseError
from notifications.models import OutboxMessage
from routing.models import Unit
from supervision.models import OrderStatus, SupervisionOrder


def unit(code):
    return Unit.objects.get(code=code)


def kinds(case, since=0):
    return list(CaseEvent.objects.filter(case=case, id__gt=since).order_by("id").values_list("transition", flat=True))


def last_event_id(case):
    return CaseEvent.objects.filter(case=case).order_by("-id").values_list("id", flat=True).first()


@pytest.fixture
def ask(user, fresh):
    """``ask(case, kind, who="gm_labor", proposed=None)``: a request, loaded as the views load it."""

    def make(case, kind=HandoverKind.RETURN, who="gm_labor", proposed=None, reason="系商业合同纠纷，不属劳动争议"):
        request = handover_request(
            case=fresh(case), actor=user(who), kind=kind, reason=reason, proposed_unit=proposed and unit(proposed)
        )
        request.case = fresh(case)
        return request

    return make


def loaded(request, fresh):
    request = HandoverRequest.objects.select_related("unit", "proposed_unit", "requested_by").get(pk=request.pk)
    request.case = fresh(request.case)
    return request


# The request --------------------------------------------------------------------------------------


def test_a_request_changes_nothing_on_the_case(case_in, ask, fresh, user):
    case = case_in("handling")
    before = fresh(case)
    since = last_event_id(case)
    request = ask(case, HandoverKind.TRANSFER, proposed="GM-MC-ZZ")
    after = fresh(case)
    assert (after.status, after.lead_unit_id, after.stage_started_at, after.stage_due_at) == (
        before.status,
        before.lead_unit_id,
        before.stage_started_at,
        before.stage_due_at,
    )
    assert request.status == HandoverStatus.PENDING and request.unit.code == "GM-RSJ"
    event = CaseEvent.objects.get(case=case, id__gt=since)
    assert event.transition == "handover_request" and not event.public
    assert "转办申请" in event.note and "明城镇综治中心" in event.note
    told = OutboxMessage.objects.filter(kind="handover_request", recipient_user=user("gm_dispatch"))
    assert told.count() == 1 and case.number in told.get().body


def test_one_pending_request_per_case(case_in, ask, user, fresh):
    case = case_in("dispatched")
    ask(case)
    with pytest.raises(CaseError, match="已有待审核"):
        ask(case, HandoverKind.TRANSFER)
    assert HandoverRequest.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "   "}, "请填写申请理由"),
        ({"kind": "elsewhere"}, "请选择申请类型"),
        ({"kind": HandoverKind.TRANSFER, "proposed": "GM-RSJ"}, "不能是本单位"),
        ({"kind": HandoverKind.TRANSFER, "proposed": "GM-MC-NLY"}, "已停用"),
    ],
)
def test_bad_requests_write_nothing(case_in, ask, kwargs, message):
    case = case_in("dispatched")
    since = last_event_id(case)
    with pytest.raises(CaseError, match=message):
        ask(case, **kwargs)
    assert not HandoverRequest.objects.filter(case=case).exists() and kinds(case, since) == []


@pytest.mark.parametrize("who", ["mc_centre", "gm_dispatch", "gm_window", "gm_supervisor", "md_grid"])
def test_only_the_lead_unit_may_ask(case_in, ask, who):
    case = case_in("dispatched")
    with pytest.raises(PermissionDenied):
        ask(case, who=who)


@pytest.mark.parametrize("status", ["accepted", "reviewing", "feedback"])
def test_no_request_outside_dispatched_or_handling(case_in, user, fresh, status):
    case = case_in(status)
    with pytest.raises((CaseError, PermissionDenied)):
        handover_request(case=fresh(case), actor=user("gm_labor"), kind=HandoverKind.RETURN, reason="不属本单位")


def test_withdraw_is_the_requesting_units_alone(case_in, ask, user, fresh):
    case = case_in("dispatched")
    request = ask(case)
    with pytest.raises(PermissionDenied):
        handover_withdraw(request=loaded(request, fresh), actor=user("gm_dispatch"))
    handover_withdraw(request=loaded(request, fresh), actor=user("gm_labor"))
    assert HandoverRequest.objects.get(pk=request.pk).status == HandoverStatus.WITHDRAWN
    assert kinds(case)[-1] == "handover_withdraw"
    with pytest.raises(HandoverStale):  # already withdrawn: nothing more is written
        handover_withdraw(request=loaded(request, fresh), actor=user("gm_labor"))
    ask(case)  # a new request may follow
    assert fresh(case).status == Status.DISPATCHED


# The centre's decision -----------------------------------------------------------------------------


def test_approve_return_sends_the_case_back_to_the_queue(case_in, ask, user, fresh):
    case = case_in("handling")
    request = ask(case)
    handover_approve(request=request, actor=user("gm_dispatch"))
    case = fresh(case)
    assert case.status == Status.ACCEPTED and case.lead_unit is None and case.routing_queued
    assert case.cooperating_units.count() == 0
    event = CaseEvent.objects.filter(case=case).latest("id")
    # the unit's return, approved: public (the citizen's sentence), counted for the unit (退回次数)
    assert event.transition == "return_case" and event.public and event.actor_unit.code == "GM-RSJ"
    assert "经李强（高明区调度）审核同意" in event.note
    saved = HandoverRequest.objects.get(pk=request.pk)
    assert saved.status == HandoverStatus.APPROVED and saved.decided_by == user("gm_dispatch")
    assert saved.charged_at is None  # one handoff is not 推诿
    assert not SupervisionOrder.objects.filter(case=case).exists() and not case.first_duty
    told = OutboxMessage.objects.filter(kind="handover_approved", recipient_user=user("gm_labor")).get()
    assert "退回申请已同意" in told.body


def test_approve_transfer_to_the_proposed_unit(case_in, ask, user, fresh):
    case = case_in("handling")
    request = ask(case, HandoverKind.TRANSFER, proposed="GM-MC-ZZ")
    handover_approve(request=request, actor=user("gm_dispatch"))
    case = fresh(case)
    assert case.status == Status.DISPATCHED and case.lead_unit.code == "GM-MC-ZZ"
    assert kinds(case)[-1] == "transfer"
    assert HandoverRequest.objects.get(pk=request.pk).to_unit.code == "GM-MC-ZZ"


def test_approve_transfer_the_dispatcher_picks_the_unit(case_in, ask, user, fresh):
    case = case_in("dispatched")
    request = ask(case, HandoverKind.TRANSFER)
    with pytest.raises(CaseError, match="请选择转办至哪个单位"):
        handover_approve(request=request, actor=user("gm_dispatch"))
    assert HandoverRequest.objects.get(pk=request.pk).is_pending
    with pytest.raises(CaseError, match="不能转办给申请单位自己"):
        handover_approve(request=loaded(request, fresh), actor=user("gm_dispatch"), to_unit=unit("GM-RSJ"))
    handover_approve(request=loaded(request, fresh), actor=user("gm_dispatch"), to_unit=unit("GM-HC-ZZ"))
    assert fresh(case).lead_unit.code == "GM-HC-ZZ"


def test_refuse_keeps_the_case_and_its_clock(case_in, ask, user, fresh):
    case = case_in("handling")
    before = fresh(case)
    request = ask(case)
    since = last_event_id(case)
    with pytest.raises(CaseError, match="请填写不同意的理由"):
        handover_refuse(request=request, actor=user("gm_dispatch"), reason=" ")
    handover_refuse(request=loaded(request, fresh), actor=user("gm_dispatch"), reason="欠薪属劳动监察职责")
    after = fresh(case)
    assert (after.status, after.lead_unit_id, after.stage_started_at, after.stage_due_at) == (
        before.status,
        before.lead_unit_id,
        before.stage_started_at,
        before.stage_due_at,
    )
    assert kinds(case, since) == ["handover_refuse"]
    assert not CaseEvent.objects.get(case=case, transition="handover_refuse").public
    saved = HandoverRequest.objects.get(pk=request.pk)
    assert saved.status == HandoverStatus.REFUSED and saved.charged_at == saved.decided_at
    told = OutboxMessage.objects.filter(kind="handover_refused", recipient_user=user("gm_labor")).get()
    assert "欠薪属劳动监察职责" in told.body and "办理时限不变" in told.body


@pytest.mark.parametrize("who", ["gm_labor", "mc_centre", "gm_window", "gm_supervisor"])
def test_only_a_dispatcher_of_the_place_decides(case_in, ask, user, who):
    case = case_in("dispatched")
    request = ask(case)
    with pytest.raises(PermissionDenied):
        handover_approve(request=request, actor=user(who))
    with pytest.raises(PermissionDenied):
        handover_refuse(request=request, actor=user(who), reason="不同意")


def test_a_decision_after_the_case_moved_writes_nothing(case_in, ask, user, fresh):
    case = case_in("dispatched")
    request = ask(case)
    s.case_transfer(case=fresh(case), actor=user("gm_dispatch"), to_unit=unit("GM-MC-ZZ"), reason="中心直接转办")
    assert HandoverRequest.objects.get(pk=request.pk).status == HandoverStatus.LAPSED
    since = last_event_id(case)
    with pytest.raises(HandoverStale, match="已不在高明区人力资源和社会保障局办理"):
        handover_approve(request=loaded(request, fresh), actor=user("gm_dispatch"))
    with pytest.raises(HandoverStale):
        handover_refuse(request=loaded(request, fresh), actor=user("gm_dispatch"), reason="不同意")
    assert kinds(case, since) == []


def test_a_decision_after_the_citizen_withdrew_writes_nothing(case_in, ask, user, fresh, citizen):
    case = case_in("handling")
    request = ask(case)
    s.case_withdraw(case=fresh(case), actor=citizen, reason="已自行解决")
    since = last_event_id(case)
    with pytest.raises(HandoverStale, match="已撤回"):
        handover_approve(request=loaded(request, fresh), actor=user("gm_dispatch"))
    assert kinds(case, since) == [] and HandoverRequest.objects.get(pk=request.pk).is_pending


def test_a_second_decision_is_told_and_writes_nothing(case_in, ask, user, fresh):
    case = case_in("dispatched")
    request = ask(case)
    stale_copy = loaded(request, fresh)
    handover_refuse(request=request, actor=user("gm_dispatch"), reason="仍属本单位")
    since = last_event_id(case)
    with pytest.raises(HandoverStale, match="已由他人审核"):
        handover_approve(request=stale_copy, actor=user("gm_dispatch"))
    assert kinds(case, since) == [] and fresh(case).status == Status.DISPATCHED


# 推诿 and 首接负责 --------------------------------------------------------------------------------


@pytest.fixture
def passed_twice(case_in, ask, user, fresh):
    """高明区人社局's return approved, the centre dispatches to 明城镇综治中心, whose transfer request
    to 荷城街道综治中心 is approved: two handoffs (推诿)."""

    def make():
        case = case_in("handling")
        first = ask(case)
        handover_approve(request=first, actor=user("gm_dispatch"))
        assert not SupervisionOrder.objects.filter(case=case).exists()  # not at the first
        s.case_dispatch(case=fresh(case), actor=user("gm_dispatch"), lead_unit=unit("GM-MC-ZZ"), cooperating_units=[])
        second = ask(case, HandoverKind.TRANSFER, who="mc_centre", proposed="GM-HC-ZZ", reason="属荷城街道")
        handover_approve(request=second, actor=user("gm_dispatch"))
        return fresh(case), first, second

    return make


def test_the_second_handoff_is_buck_passing(passed_twice, user):
    case, first, second = passed_twice()
    assert case.first_duty and case.first_unit.code == "GM-RSJ"
    order = SupervisionOrder.objects.get(case=case)
    assert order.issued_by is None and order.unit.code == "GM-RSJ" and order.status == OrderStatus.OPEN
    assert "移交 2 次" in order.instruction
    assert "高明区人力资源和社会保障局退回" in order.instruction
    assert "明城镇综治中心转办至荷城街道综治中心" in order.instruction
    charged = HandoverRequest.objects.filter(case=case, charged_at__isnull=False)
    assert set(charged.values_list("pk", flat=True)) == {first.pk, second.pk}
    start = CaseEvent.objects.get(case=case, transition="first_duty_start")
    assert not start.public and "首接单位高明区人力资源和社会保障局" in start.note
    assert OutboxMessage.objects.filter(kind="first_duty", recipient_user=user("gm_labor")).count() == 1
    assert OutboxMessage.objects.filter(kind="supervision_order", recipient_user=user("gm_labor")).count() == 1


def test_a_third_handoff_issues_no_second_order_while_one_is_open(passed_twice, ask, user, fresh):
    case, _first, _second = passed_twice()
    s.case_transfer(case=fresh(case), actor=user("gm_dispatch"), to_unit=unit("GM-MC-ZZ"), reason="仍由明城镇办理")
    third = ask(case, who="mc_centre", reason="再次退回")
    handover_approve(request=third, actor=user("gm_dispatch"))
    assert SupervisionOrder.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, transition="first_duty_start").count() == 1
    assert HandoverRequest.objects.get(pk=third.pk).charged_at is not None  # still counted as 推诿


def test_the_first_units_duty_ends_when_a_unit_signs(passed_twice, user, fresh):
    case, _first, _second = passed_twice()
    from accounts.services import staff_user_ensure

    hc = staff_user_ensure(
        username="hc_centre", full_name="荷城承办", password="x-Pass-2026", memberships=[("GM-HC-ZZ", "handler")]
    )
    s.case_sign(case=fresh(case), actor=hc)
    case = fresh(case)
    assert not case.first_duty and case.first_unit.code == "GM-RSJ"  # recorded, no longer on duty
    end = CaseEvent.objects.get(case=case, transition="first_duty_end")
    assert not end.public and "荷城街道综治中心已签收" in end.note
    assert CaseEvent.objects.filter(case=case, transition="first_duty_end").count() == 1
