"""Demo 包案 and 挂牌督办 (issue #15, docs/baoan.md): 赵丽 (``gm_supervisor``, 高明区督办) owns one
open 高明 case — an overdue one in 处置中 when there is one — with a target date two weeks ahead and
the plate hung, so a supervisor signing in finds it in 我的包案, on the overdue board's 挂牌督办 list
and marked in the dispatcher's queue and the handler's inbox.

Idempotent and deterministic: nothing is done when 赵丽 already owns a case; otherwise the case is
the lowest-numbered candidate. Messages are recorded, not delivered, as the other loaders' are.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases import services as cs
from cases.models import Case, Status, WarningLevel
from cases.workdays import is_workday
from notifications.services import notifications_suppressed

LEADER = "gm_supervisor"
NOTE = "每周五前报告进展；春节前兑付到位"
PLATE_REASON = "欠薪涉及多名工人，群众多次反映，领导挂牌督办"


def _target(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=14)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def load_demo_baoan(*, now: dt.datetime | None = None) -> str:
    """Take and hang one case for 赵丽; returns the line the loader prints."""
    leader = User.objects.get(username=LEADER)
    if Case.objects.filter(baoan_leader=leader).exists():
        return "演示包案：已存在，未改动"
    gaoming = leader.memberships.select_related("unit__region").get(role="supervisor").unit.region.path
    candidates = Case.objects.filter(
        region__path__startswith=gaoming, status=Status.HANDLING, baoan_leader__isnull=True
    ).select_related("region", "matter", "lead_unit", "centre")
    case = candidates.filter(warning_level=WarningLevel.RED).order_by("id").first() or candidates.order_by("id").first()
    if case is None:
        return "演示包案：没有可包案的在办案件"
    now = now or timezone.now()
    with notifications_suppressed():
        cs.case_baoan_take(case=case, actor=leader, due_date=_target(timezone.localdate(now)), note=NOTE, at=now)
        cs.case_plate_hang(case=case, actor=leader, reason=PLATE_REASON, at=now)
    return f"演示包案：{leader.display_name} 包案并挂牌督办 {case.number}"
