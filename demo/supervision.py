"""Demo 督办 orders: the district supervisor (``gm_supervisor``) and the city's (``fs_supervisor``)
press some of the red demo cases, through the real services, in every state an order takes:
waiting for the unit's reply (one already past its reply deadline), replied and waiting for the
supervisor, pressed again (再次督办) after a thin reply, and closed. Idempotent; ``load_demo`` runs
it after the warning sweep has turned the late cases red."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Role, User
from cases.models import OPEN_STATUSES, Case, WarningLevel
from notifications.services import notifications_suppressed
from supervision import services as sv
from supervision.models import SupervisionOrder

GAOMING = "/44/4406/440608/"

#: The oldest red case gets the first. (what happens to the order, the supervisor's instruction, the unit's reply, the press, the close)
SCRIPTS = (
    ("overdue", "该诉求已超期，请承办单位负责人亲自督促，尽快回复办理情况。", "", "", ""),
    ("open", "该诉求已超过办理时限，请于两个工作日内联系当事人并回复处置进展。", "", "", ""),
    (
        "replied",
        "请说明超期原因，并于两个工作日内提出办结时间表。",
        "已联系当事人说明情况，已组织现场核查，计划五个工作日内办结并书面答复当事人。",
        "",
        "",
    ),
    (
        "pressed",
        "群众多次来电催问，请加快办理并回复具体措施。",
        "正在协调处理中。",
        "回复未说明具体措施和办结时间，请明确责任人和完成时限后再次回复。",
        "",
    ),
    (
        "closed",
        "请于两个工作日内回复处置结果。",
        "已约谈责任方并现场督促整改，已电话告知当事人处理进展，当事人表示认可。",
        "",
        "回复措施具体，督办事项已落实，请按期办结。",
    ),
)


def _handler(case: Case) -> User:
    from demo.cases import _Actors

    return _Actors().get(case.lead_unit, Role.HANDLER)


def _red_cases(region_path: str, *, exclude: str = "", limit: int) -> list[Case]:
    qs = Case.objects.filter(
        status__in=OPEN_STATUSES, warning_level=WarningLevel.RED, lead_unit__isnull=False, orders__isnull=True
    ).filter(region__path__startswith=region_path)
    if exclude:
        qs = qs.exclude(region__path__startswith=exclude)
    return list(qs.select_related("region", "matter", "lead_unit", "centre").order_by("stage_due_at", "id")[:limit])


def load_demo_orders(*, now: datetime | None = None) -> int:
    """督办 orders on red demo cases (see the module); how many were issued."""
    if SupervisionOrder.objects.exists():
        return 0
    now = now or timezone.now()
    gaoming = User.objects.get(username="gm_supervisor")
    city = User.objects.get(username="fs_supervisor")
    plan = [(gaoming, case) for case in _red_cases(GAOMING, limit=len(SCRIPTS))]
    plan += [(city, case) for case in _red_cases("/44/4406/", exclude=GAOMING, limit=1)]
    with notifications_suppressed():
        for (supervisor, case), script in zip(plan, SCRIPTS + SCRIPTS[:1], strict=False):
            _order(case, supervisor=supervisor, script=script, now=now)
    return len(plan)


def _order(case: Case, *, supervisor: User, script: tuple[str, ...], now: datetime) -> None:
    state, instruction, reply, press, close = script
    # Issued after the case went red, early enough that the overdue one's reply deadline passed.
    start = max(case.stage_due_at, now - timedelta(days=8)) if case.stage_due_at else now - timedelta(days=8)
    issued = min(start + timedelta(hours=2), now - timedelta(hours=4))
    if state == "open":
        issued = now - timedelta(hours=3)
    span = now - issued
    order = sv.order_issue(case=case, unit=case.lead_unit, actor=supervisor, instruction=instruction, at=issued)
    if reply:
        order = sv.order_reply(order=order, actor=_handler(case), reply=reply, at=issued + span * 0.4)
    if press:
        sv.order_press(order=order, actor=supervisor, instruction=press, at=issued + span * 0.6)
    if close:
        sv.order_close(order=order, actor=supervisor, note=close, at=issued + span * 0.8)
