"""The demo's 退回/转办申请 (issue #15): a refused return with the unit still handling the case, and
a buck-passed case with its 首接单位 and automatic 督办 open; loading twice changes nothing."""

import pytest

from cases.handover_models import HandoverRequest, HandoverStatus
from cases.models import Case, Status
from demo.handover import PASSED_KEY, REFUSED_KEY, load_demo_handover
from intake.models import Claim
from supervision.models import OrderStatus, SupervisionOrder

pytestmark = pytest.mark.django_db


def case_of(key):
    return Case.objects.select_related("lead_unit", "first_unit").get(pk=Claim.objects.get(submission_key=key).case_id)


def test_the_demo_shows_a_refusal_and_a_buck_passed_case(demo):
    assert load_demo_handover() == 2
    refused = case_of(REFUSED_KEY)
    assert refused.status == Status.HANDLING and refused.lead_unit.code == "GM-RSJ"
    assert HandoverRequest.objects.get(case=refused).status == HandoverStatus.REFUSED
    passed = case_of(PASSED_KEY)
    assert passed.status == Status.ACCEPTED and passed.first_duty and passed.first_unit.code == "GM-RSJ"
    order = SupervisionOrder.objects.get(case=passed)
    assert order.issued_by is None and order.status == OrderStatus.OPEN and order.unit.code == "GM-RSJ"
    assert load_demo_handover() == 0
    assert HandoverRequest.objects.count() == 3 and SupervisionOrder.objects.count() == 1
