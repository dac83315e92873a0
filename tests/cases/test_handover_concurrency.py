"""退回/转办申请 races (issue #15): two dispatchers deciding one request at once, and a decision
meeting the unit's withdrawal — one decision, one event. Threads against PostgreSQL (real
row-level concurrency); skipped on SQLite."""

import pytest
from django.db import connection  # noqa: F401 (the skipif condition reads it)

from accounts.models import User
from cases import services as s
from cases.handover import handover_approve, handover_refuse, handover_request, handover_withdraw
from cases.handover_models import HandoverRequest, HandoverStatus
from cases.models import Case, CaseEvent, Status
from cases.transitions import CaseError
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


@pytest.fixture
def request_row(demo):
    citizen = User.objects.get(phone="13800138000")
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="老板拖欠三个月工资，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=citizen,
    )
    labor = User.objects.get(username="gm_labor")
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=labor)
    return handover_request(case=loaded_case(claim.case_id), actor=labor, kind="return", reason="不属劳动争议")


def loaded_case(pk):
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=pk)


def loaded(pk):
    row = HandoverRequest.objects.select_related("unit", "requested_by", "proposed_unit").get(pk=pk)
    row.case = loaded_case(row.case_id)
    return row


@pytest.fixture
def second_dispatcher(demo):
    from accounts.services import staff_user_ensure

    return staff_user_ensure(
        username="gm_dispatch2", full_name="调度二", password="x-Pass-2026", memberships=[("GM-ZX", "dispatcher")]
    )


DECISIONS = {"handover_refuse", "return_case"}


def test_approve_meets_refuse_one_decision(request_row, race, second_dispatcher):
    first = User.objects.get(username="gm_dispatch")
    copies = [loaded(request_row.pk), loaded(request_row.pk)]
    results = race(
        lambda: handover_approve(request=copies[0], actor=first),
        lambda: handover_refuse(request=copies[1], actor=second_dispatcher, reason="仍属人社职责"),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], CaseError), results
    saved = HandoverRequest.objects.get(pk=request_row.pk)
    events = list(CaseEvent.objects.filter(transition__in=DECISIONS).values_list("transition", flat=True))
    assert len(events) == 1
    case = Case.objects.get(pk=request_row.case_id)
    if saved.status == HandoverStatus.APPROVED:
        assert events == ["return_case"] and case.status == Status.ACCEPTED
    else:
        assert events == ["handover_refuse"] and case.status == Status.HANDLING


def test_two_approvals_at_once_approve_once(request_row, race, second_dispatcher):
    first = User.objects.get(username="gm_dispatch")
    copies = [loaded(request_row.pk), loaded(request_row.pk)]
    results = race(
        lambda: handover_approve(request=copies[0], actor=first),
        lambda: handover_approve(request=copies[1], actor=second_dispatcher),
    )
    assert sum(isinstance(r, CaseError) for r in results) == 1, results
    assert CaseEvent.objects.filter(transition="return_case").count() == 1
    assert HandoverRequest.objects.get(pk=request_row.pk).status == HandoverStatus.APPROVED


def test_a_decision_meets_the_withdrawal(request_row, race):
    copies = [loaded(request_row.pk), loaded(request_row.pk)]
    results = race(
        lambda: handover_refuse(request=copies[0], actor=User.objects.get(username="gm_dispatch"), reason="不同意"),
        lambda: handover_withdraw(request=copies[1], actor=User.objects.get(username="gm_labor")),
    )
    assert sum(isinstance(r, CaseError) for r in results) == 1, results
    saved = HandoverRequest.objects.get(pk=request_row.pk)
    kinds = set(CaseEvent.objects.filter(transition__startswith="handover_").values_list("transition", flat=True))
    expected = "handover_refuse" if saved.status == HandoverStatus.REFUSED else "handover_withdraw"
    assert kinds == {"handover_request", expected}
