"""Demo 退回申请 / 转办申请 and 推诿 (issue #15, docs/handover.md), through the real services:

- a hotline claim about unpaid wages, signed by 高明区人社局, whose 退回申请 the centre refused: the
  unit still handles it, on its own clock; its panel and timeline show the refusal and the reason;
- a hotline claim dispatched by the rules to 高明区人社局 (its 首接单位), whose 转办申请 to 明城镇综治中心
  is approved; 明城镇综治中心's 退回申请 is approved too — the second unit handoff, 推诿: the case
  waits in the centre's dispatch queue marked "首接负责：高明区人力资源和社会保障局", with the
  automatic 督办 to that unit open (the other demo orders are the supervisors').

Idempotent (each claim has its own submission key: a second load changes nothing); times are
relative to the day of the first load; messages are recorded, not delivered.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases import services as cs
from cases.handover import handover_approve, handover_refuse, handover_request
from cases.handover_models import HandoverKind
from cases.models import Case
from core.periods import day_start
from notifications.services import notifications_suppressed
from routing.models import MatterType, Region, Unit

REFUSED_KEY = "demo-handover-refused"
PASSED_KEY = "demo-handover-buck-passed"


def _case(pk: int) -> Case:
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=pk)


def _decide(request, how, *, at, **kwargs) -> None:
    request.case = _case(request.case_id)
    how(request=request, actor=User.objects.get(username="gm_dispatch"), at=at, **kwargs)


def load_demo_handover(*, now: dt.datetime | None = None) -> int:
    """The two cases (new ones only); returns how many were made."""
    from intake.services import claim_submit

    now = now or timezone.now()
    start = day_start(timezone.localdate(now)) - dt.timedelta(days=2) + dt.timedelta(hours=9)
    hotline = User.objects.get(username="gm_hotline")
    labor, centre = User.objects.get(username="gm_labor"), User.objects.get(username="mc_centre")
    village = Region.objects.get(code="440608102201")
    made = 0
    with notifications_suppressed():
        claim, created = claim_submit(
            channel="hotline",
            matter=MatterType.objects.get(code="labor.wages"),
            region=village,
            description="在明东村一家家具厂做了两个月，老板以试用期为由不发工资，要求帮忙追讨。",
            contact_name="邓先生",
            contact_phone="13712340201",
            registered_by=hotline,
            submission_key=REFUSED_KEY,
            at=start,
        )
        if created:
            made += 1
            cs.case_accept(case=_case(claim.case_id), actor=hotline, at=start + dt.timedelta(minutes=15))
            cs.case_sign(case=_case(claim.case_id), actor=labor, at=start + dt.timedelta(hours=1))
            request = handover_request(
                case=_case(claim.case_id),
                actor=labor,
                kind=HandoverKind.RETURN,
                reason="当事人称未签劳动合同，疑为承揽关系，建议由镇综治中心调处。",
                at=start + dt.timedelta(hours=3),
            )
            _decide(
                request,
                handover_refuse,
                at=start + dt.timedelta(hours=5),
                reason="未签合同不影响认定劳动关系，欠薪属人社部门职责，请继续办理。",
            )

        claim, created = claim_submit(
            channel="hotline",
            matter=MatterType.objects.get(code="labor.wages"),
            region=village,
            description="明东村一建材店拖欠三名搬运工半年工资，店主说生意不好，一直拖着。",
            contact_name="冯女士",
            contact_phone="13712340202",
            registered_by=hotline,
            submission_key=PASSED_KEY,
            at=start + dt.timedelta(hours=1),
        )
        if created:
            made += 1
            at = start + dt.timedelta(hours=1, minutes=15)
            cs.case_accept(case=_case(claim.case_id), actor=hotline, at=at)  # → 高明区人社局 by the rules
            first = handover_request(
                case=_case(claim.case_id),
                actor=labor,
                kind=HandoverKind.TRANSFER,
                proposed_unit=Unit.objects.get(code="GM-MC-ZZ"),
                reason="涉事店铺为个体工商户，建议由明城镇综治中心先行调处。",
                at=at + dt.timedelta(hours=2),
            )
            _decide(first, handover_approve, at=at + dt.timedelta(hours=4))
            second = handover_request(
                case=_case(claim.case_id),
                actor=centre,
                kind=HandoverKind.RETURN,
                reason="欠薪追讨需劳动监察执法，镇综治中心无执法权，请中心重新分派。",
                at=at + dt.timedelta(days=1),
            )
            _decide(second, handover_approve, at=at + dt.timedelta(days=1, hours=2))
    return made
