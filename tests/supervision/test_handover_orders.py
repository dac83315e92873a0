"""The automatic 督办 of a buck-passed case (issue #15, docs/handover.md) on the order screens: no
issuer (shown as the platform's), the 首接单位 replies, the supervisor closes it."""

import pytest
from django.urls import reverse

from cases import services as cs
from cases.handover import handover_approve, handover_request
from routing.models import Unit
from supervision.models import OrderStatus, SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def automatic(submit_case, user, fresh):
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))
    for who in ("gm_labor", "mc_centre"):
        request = handover_request(case=fresh(case), actor=user(who), kind="return", reason="不属本单位")
        request.case = fresh(case)
        handover_approve(request=request, actor=user("gm_dispatch"))
        if who == "gm_labor":
            cs.case_dispatch(
                case=fresh(case),
                actor=user("gm_dispatch"),
                lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
                cooperating_units=[],
            )
    return SupervisionOrder.objects.get(case=case)


def test_the_platforms_order_reads_and_works_like_any_other(automatic, login):
    assert automatic.is_automatic and automatic.unit.code == "GM-RSJ"
    supervisor = login("gm_supervisor")
    assert "系统自动督办（推诿）" in supervisor.get(reverse("supervision:orders")).content.decode()
    detail = reverse("supervision:order-detail", args=[automatic.pk])
    assert "系统自动督办（推诿）" in supervisor.get(detail).content.decode()
    labor = login("gm_labor")
    assert labor.get(detail).status_code == 200
    reply = reverse("supervision:order-act", args=[automatic.pk, "reply"])
    assert labor.post(reply, {"reply": "已与镇综治中心会商，建议由区人社局劳动监察大队办理。"}).status_code == 302
    close = reverse("supervision:order-act", args=[automatic.pk, "close"])
    assert supervisor.post(close, {"note": "已落实"}).status_code == 302
    assert SupervisionOrder.objects.get(pk=automatic.pk).status == OrderStatus.CLOSED
