"""A 退回/转办申请 filed at the moment the centre transfers the case (review of issue #15, finding 4):
whichever commits first, no pending request of the unit the case left survives to block the new
unit. Threads against PostgreSQL (real row locks); skipped on SQLite."""

import pytest
from django.db import connection  # noqa: F401 (the skipif condition reads it)

from accounts.models import User
from cases import services as s
from cases.handover import HandoverStale, handover_request
from cases.handover_models import HandoverRequest, HandoverStatus
from cases.models import Case
from cases.permissions import available_actions
from intake.services import claim_submit
from routing.models import MatterType, Region, Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


def loaded_case(pk):
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=pk)


@pytest.fixture
def handling(demo):
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="老板拖欠三个月工资，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
    )
    s.case_accept(case=loaded_case(claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=loaded_case(claim.case_id), actor=User.objects.get(username="gm_labor"))
    return claim.case_id


@pytest.mark.parametrize("attempt", range(3))
def test_a_request_racing_a_centre_transfer_leaves_nothing_pending(handling, race, attempt):
    labor, dispatcher = User.objects.get(username="gm_labor"), User.objects.get(username="gm_dispatch")
    copies = [loaded_case(handling), loaded_case(handling)]
    results = race(
        lambda: handover_request(case=copies[0], actor=labor, kind="return", reason="不属劳动争议"),
        lambda: s.case_transfer(
            case=copies[1], actor=dispatcher, to_unit=Unit.objects.get(code="GM-MC-ZZ"), reason="中心直接转办"
        ),
    )
    assert not isinstance(results[1], Exception), results
    assert results[0] is not None and (not isinstance(results[0], Exception) or isinstance(results[0], HandoverStale))
    case = loaded_case(handling)
    assert case.lead_unit.code == "GM-MC-ZZ"
    assert not HandoverRequest.objects.filter(case_id=handling, status=HandoverStatus.PENDING).exists()
    if not isinstance(results[0], Exception):  # the request committed first: the transfer lapsed it
        assert HandoverRequest.objects.get(case_id=handling).status == HandoverStatus.LAPSED
    assert "request_return" in available_actions(User.objects.get(username="mc_centre"), case)
