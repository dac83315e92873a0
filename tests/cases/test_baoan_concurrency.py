"""包案 races (issue #15): two leaders taking the same case at once, and a dispatcher approving while a
leader takes the case. Threads against PostgreSQL (real row-level concurrency)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection  # noqa: F401  (the skipif condition reads it)
from django.utils import timezone

from accounts.models import User
from cases import services as s
from cases.models import Case, CaseEvent, Outcome, Status
from cases.transitions import CaseError
from cases.workdays import is_workday
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


def workday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=3)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def handling_case(demo):
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="老板拖欠三个月工资，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
    )
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_labor"))
    return Case.objects.get(pk=claim.case_id)


def load(case):
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)


def test_two_leaders_take_at_once_one_wins_one_event(handling_case, race):
    leaders = [User.objects.get(username="gm_supervisor"), User.objects.get(username="fs_supervisor")]
    loaded = [load(handling_case), load(handling_case)]
    results = race(
        *[
            (lambda c=c, u=u: s.case_baoan_take(case=c, actor=u, due_date=workday()))
            for c, u in zip(loaded, leaders, strict=True)
        ]
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], CaseError), results
    assert "包案" in losers[0].message
    assert CaseEvent.objects.filter(case=handling_case, transition="baoan_take").count() == 1
    assert Case.objects.get(pk=handling_case.pk).baoan_leader in leaders


def test_approve_racing_a_take_never_slips_past_the_leader(handling_case, race):
    s.case_submit_result(
        case=load(handling_case), actor=User.objects.get(username="gm_labor"), result="已支付", outcome=Outcome.RESOLVED
    )
    dispatcher, leader = User.objects.get(username="gm_dispatch"), User.objects.get(username="gm_supervisor")
    for_dispatcher, for_leader = load(handling_case), load(handling_case)
    results = race(
        lambda: s.case_approve(case=for_dispatcher, actor=dispatcher),
        lambda: s.case_baoan_take(case=for_leader, actor=leader, due_date=workday()),
    )
    case = Case.objects.get(pk=handling_case.pk)
    approved = case.status == Status.FEEDBACK
    taken = case.baoan_leader_id == leader.pk
    # Either the review went first (then the leader owns a case already approved) or the take went
    # first and the stale review was refused: never an approval by the dispatcher of an owned case
    # that the approval did not know about.
    if approved:
        assert not isinstance(results[0], Exception)
        approve_at = CaseEvent.objects.get(case=case, transition="approve").pk
        take = CaseEvent.objects.filter(case=case, transition="baoan_take").first()
        assert take is None or take.pk > approve_at
    else:
        assert taken and isinstance(results[0], (CaseError, PermissionDenied)), results
