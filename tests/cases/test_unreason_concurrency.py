"""不合理诉求 races (issue #15): two dispatchers deciding one proposal at once, a decision meeting a
revocation, two proposals at once. Threads against PostgreSQL (real row-level concurrency);
skipped on SQLite."""

import pytest
from django.db import connection  # noqa: F401 (the skipif condition reads it)

from accounts.models import User
from cases import services as s
from cases.models import Case, CaseEvent, UnreasonLabel
from cases.unreason import unreason_approve, unreason_propose, unreason_refuse, unreason_revoke
from core.errors import ServiceError, StaleError
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


@pytest.fixture
def handling(demo):
    citizen = User.objects.get(phone="13800138000")
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="要求单位按本人自报工时补发三年加班费。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=citizen,
    )
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_labor"))
    return Case.objects.get(pk=claim.case_id)


def second_dispatcher():
    from accounts.services import staff_user_ensure

    return staff_user_ensure(
        username="gm_dispatch2", full_name="调度员二", password="x-Pass-2026", memberships=[("GM-ZX", "dispatcher")]
    )


def case_of(pk):
    return Case.objects.select_related("region", "lead_unit").get(pk=pk)


def label_of(pk):
    return UnreasonLabel.objects.select_related("case__region", "unit").get(pk=pk)


def propose(case, **kw):
    return unreason_propose(
        case=case,
        actor=User.objects.get(username="gm_labor"),
        kind="unreasonable",
        grounds=["excessive"],
        reason=kw.get("reason", "诉求明显超出合理范围，已答复三次。"),
    )


def test_two_decisions_at_once_decide_once(handling, race):
    label = propose(handling)
    first, second = User.objects.get(username="gm_dispatch"), second_dispatcher()
    copies = [label_of(label.pk), label_of(label.pk)]
    results = race(
        lambda: unreason_approve(label=copies[0], actor=first, reason="属实"),
        lambda: unreason_refuse(label=copies[1], actor=second, reason="有政策依据"),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], StaleError), results
    saved = UnreasonLabel.objects.get(pk=label.pk)
    decided = CaseEvent.objects.filter(case=handling, transition__in=["unreason_approve", "unreason_refuse"])
    assert decided.count() == 1
    assert decided.get().transition == f"unreason_{'approve' if saved.status == 'approved' else 'refuse'}"
    assert Case.objects.get(pk=handling.pk).unreason == ("unreasonable" if saved.status == "approved" else "")


def test_two_revocations_at_once_revoke_once(handling, race):
    label = unreason_approve(label=propose(handling), actor=User.objects.get(username="gm_dispatch"))
    first, second = User.objects.get(username="gm_dispatch"), second_dispatcher()
    copies = [label_of(label.pk), label_of(label.pk)]
    results = race(
        lambda: unreason_revoke(label=copies[0], actor=first, reason="新证据一"),
        lambda: unreason_revoke(label=copies[1], actor=second, reason="新证据二"),
    )
    assert sum(isinstance(r, StaleError) for r in results) == 1, results
    assert CaseEvent.objects.filter(case=handling, transition="unreason_revoke").count() == 1
    assert Case.objects.get(pk=handling.pk).unreason == ""


def test_two_proposals_at_once_make_one(handling, race):
    results = race(
        lambda: propose(case_of(handling.pk), reason="申请一"), lambda: propose(case_of(handling.pk), reason="申请二")
    )
    assert sum(isinstance(r, ServiceError) for r in results) == 1, results
    assert UnreasonLabel.objects.filter(case=handling).count() == 1
    assert CaseEvent.objects.filter(case=handling, transition="unreason_propose").count() == 1
