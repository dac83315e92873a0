"""Races that a real centre produces: two handlers signing at once, a double-posted claim.

Run with threads against PostgreSQL (real row-level concurrency); on SQLite writers are
serialised by the database lock, which the same assertions also hold for.
"""

import pytest
from django.db import connection
from django_fsm import ConcurrentTransition

from accounts.models import User
from cases import services as s
from cases.models import Case, CaseEvent, Status
from intake.models import Claim
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


@pytest.fixture
def dispatched_case(demo):
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
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    return Case.objects.get(pk=claim.case_id)


def test_two_handlers_sign_at_once_one_wins_one_event(dispatched_case, race):
    from accounts.services import staff_user_ensure

    second = staff_user_ensure(
        username="rsj2", full_name="人社局二", password="x-Pass-2026", memberships=[("GM-RSJ", "handler")]
    )
    first = User.objects.get(username="gm_labor")
    loaded = [Case.objects.select_related("region", "matter").get(pk=dispatched_case.pk) for _ in range(2)]
    results = race(
        lambda: s.case_sign(case=loaded[0], actor=first),
        lambda: s.case_sign(case=loaded[1], actor=second),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], ConcurrentTransition), results
    assert Case.objects.get(pk=dispatched_case.pk).status == Status.HANDLING
    assert CaseEvent.objects.filter(case=dispatched_case, transition="sign").count() == 1


def test_approve_and_send_back_at_once(dispatched_case, race):
    labor = User.objects.get(username="gm_labor")
    s.case_sign(case=Case.objects.get(pk=dispatched_case.pk), actor=labor)
    s.case_submit_result(case=Case.objects.get(pk=dispatched_case.pk), actor=labor, result="已支付", outcome="resolved")
    dispatcher = User.objects.get(username="gm_dispatch")
    a, b = (Case.objects.get(pk=dispatched_case.pk) for _ in range(2))
    results = race(
        lambda: s.case_approve(case=a, actor=dispatcher),
        lambda: s.case_send_back(case=b, actor=dispatcher, reason="补充材料"),
    )
    assert sum(isinstance(r, ConcurrentTransition) for r in results) == 1, results
    assert CaseEvent.objects.filter(case=dispatched_case, transition__in=["approve", "send_back"]).count() == 1


def test_double_posted_claim_creates_one(demo, race):
    matter = MatterType.objects.get(code="neighbour.noise")
    region = Region.objects.get(code="440608102201")

    def post():
        claim, created = claim_submit(
            channel="web",
            matter=matter,
            region=region,
            description="楼上每晚十二点后还在拖动家具，多次沟通无果。",
            contact_name="何秀英",
            contact_phone="13900139000",
            submission_key="same-click",
        )
        return claim.pk, created

    results = race(post, post)
    assert all(not isinstance(r, Exception) for r in results), results
    assert results[0][0] == results[1][0]
    assert sorted(r[1] for r in results) == [False, True]
    assert Claim.objects.count() == 1 and Case.objects.count() == 1
    assert connection.vendor == "postgresql"


def test_two_handlers_record_the_first_contact_at_once_one_is_recorded(dispatched_case, race):
    """首次联系: a conditional UPDATE on ``contacted_at IS NULL``; the second is told it is done."""
    from accounts.services import staff_user_ensure

    second = staff_user_ensure(
        username="rsj3", full_name="人社局三", password="x-Pass-2026", memberships=[("GM-RSJ", "handler")]
    )
    first = User.objects.get(username="gm_labor")
    s.case_sign(case=Case.objects.get(pk=dispatched_case.pk), actor=first)
    loaded = [Case.objects.select_related("region", "matter").get(pk=dispatched_case.pk) for _ in range(2)]
    results = race(
        lambda: s.case_contact(case=loaded[0], actor=first, method="phone", note="电话联系申请人"),
        lambda: s.case_contact(case=loaded[1], actor=second, method="visit", note="上门走访申请人"),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], s.CaseError), results
    assert "已记录过首次联系" in losers[0].message
    assert CaseEvent.objects.filter(case=dispatched_case, transition="contact").count() == 1
    assert Case.objects.get(pk=dispatched_case.pk).contacted_at is not None
