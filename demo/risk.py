"""Demo 研判预警 (issue #15): a surge of unpaid-wage claims about one building site in 明城镇 over
the last six days, registered at the 12345 hotline and signed by 高明区人社局, then the daily
risk scan — so ``gm_supervisor`` and ``fs_supervisor`` find a 诉求激增 warning (beside the group
claims and frequent claimants the generated cases already give) to assess.

Idempotent: each claim has its own submission key (a second load finds it and changes nothing),
and the scan raises a finding once. The times are relative to the day of the first load; the
messages are recorded, not delivered, as the other loaders' are.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases import services as cs
from cases.models import Case, Status
from core.periods import day_start
from notifications.services import notifications_suppressed
from routing.models import MatterType, Region

#: (days before today, hour, village, caller, phone, what they say)
SURGE = (
    (6, 9, "440608102201", "李师傅", "13712340101", "明东村旁的安置房工地拖欠我们班组三个月工资，包工头联系不上。"),
    (5, 10, "440608102201", "王师傅", "13712340102", "安置房工地欠薪，十几个工友都没拿到钱，过年前要回老家。"),
    (
        4,
        15,
        "440608102202",
        "陈女士",
        "13712340103",
        "我丈夫在明东安置房工地做钢筋工，工资拖了三个月，老板说等工程款。",
    ),
    (3, 11, "440608102001", "刘师傅", "13712340104", "明城镇安置房项目泥水班组工资未发，总包说已付给分包。"),
    (2, 9, "440608102201", "赵师傅", "13712340105", "安置房工地欠薪，工友们准备明天到镇政府反映。"),
    (1, 14, "440608102202", "黄师傅", "13712340106", "明东安置房工地拖欠木工班组工资两万多元，多次讨要无果。"),
)


def load_demo_risk(*, now: dt.datetime | None = None) -> int:
    """The surge's claims (new ones only; returns how many) and then the risk scan."""
    from intake.services import claim_submit
    from supervision.risk.services import risk_scan

    now = now or timezone.now()
    today = day_start(timezone.localdate(now))
    hotline, labor = User.objects.get(username="gm_hotline"), User.objects.get(username="gm_labor")
    wages = MatterType.objects.get(code="labor.wages")
    made = 0
    with notifications_suppressed():
        for n, (days, hour, village, name, phone, text) in enumerate(SURGE):
            at = today - dt.timedelta(days=days) + dt.timedelta(hours=hour)
            claim, created = claim_submit(
                channel="hotline",
                matter=wages,
                region=Region.objects.get(code=village),
                description=text,
                contact_name=name,
                contact_phone=phone,
                people_count=1,
                registered_by=hotline,
                submission_key=f"demo-risk-surge-{n}",
                at=at,
            )
            if not created:
                continue
            made += 1
            case = Case.objects.get(pk=claim.case_id)
            cs.case_accept(case=case, actor=hotline, at=at + dt.timedelta(minutes=20))
            case = Case.objects.get(pk=case.pk)
            if case.status == Status.DISPATCHED and case.lead_unit and case.lead_unit.code == "GM-RSJ":
                cs.case_sign(case=case, actor=labor, at=at + dt.timedelta(hours=2))
        risk_scan(now=now)
    return made
