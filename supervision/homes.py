"""The staff home's sections that supervision owns (accounts.homes): a supervisor's warnings and
督办 orders, a handler's orders to reply to. Registered in ``SupervisionConfig.ready``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.homes import LATE_SHOWN, Count, Late, Work
from accounts.models import Role
from cases.models import Status

from . import selectors
from .risk import selectors as risk_selectors


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def supervisor_home(*, user, roles: set[str], now) -> Work | None:
    """红 / 黄 / 蓝 warnings over the user's scope, the 督办 orders by state and the risk warnings
    (研判预警) awaiting assessment; the red cases."""
    if not selectors.can_use_boards(user):
        return None
    totals, red = selectors.warning_totals(user)
    orders = selectors.order_counts(selectors.supervised_orders(user), now=now)
    board = reverse("supervision:overdue")
    counts = [
        Count(key="warn-red", label=_("红色预警（已超期）"), count=totals["red"], url=board),
        Count(key="warn-yellow", label=_("黄色预警（时限过八成）"), count=totals["yellow"], url=board),
        Count(key="warn-blue", label=_("蓝色预警（时限过半）"), count=totals["blue"], url=board),
        Count(
            key="orders-open",
            label=_("督办中"),
            count=orders["open"],
            late=orders["overdue"],
            url=_url("supervision:orders", status="open"),
        ),
        Count(
            key="orders-replied",
            label=_("已回复待审阅"),
            count=orders["replied"],
            url=_url("supervision:orders", status="replied"),
        ),
        # 挂牌督办 in scope and the leader's own 包案 (issue #15)
        Count(key="plated", label=_("挂牌督办"), count=totals["plated"], url=_url("supervision:overdue", plate="on")),
        *_baoan_counts(user, roles, now),
        Count(
            key="risk-open",
            label=_("研判预警待研判"),
            count=risk_selectors.risk_warnings(user, status="open").count(),
            url=_url("supervision:risk-list", status="open"),
        ),
    ]
    late = [
        Late(
            number=case.number,
            title=case.title,
            stage=Status(case.status).label,
            due_at=case.stage_due_at,
            url=reverse("cases:case-detail", args=[case.number]),
            plate=case.plate_hung_at is not None,
        )
        for case in red[:LATE_SHOWN]
    ]
    return Work(
        title=_("预警与督办"),
        counts=counts,
        late=late,
        late_more=len(red) > LATE_SHOWN,
        late_url=board,
        late_title=_("红色预警案件（超期最久的在前）"),
    )


def _baoan_counts(user, roles: set[str], now) -> list[Count]:
    """我的包案: the open cases the supervisor owns, those past their target date counted late."""
    if Role.SUPERVISOR not in roles:
        return []
    mine = selectors.baoan_counts(user, today=timezone.localdate(now))
    return [
        Count(
            key="baoan-mine",
            label=_("我的包案"),
            count=mine["open"],
            late=mine["late"],
            url=reverse("supervision:baoan"),
        )
    ]


def unit_orders_home(*, user, roles: set[str], now) -> Work | None:
    """The handler's 督办 orders waiting for a reply (overdue ones counted)."""
    if Role.HANDLER not in roles:
        return None
    counts = selectors.unit_order_counts(user, now=now)
    url = reverse("supervision:unit-orders")
    return Work(
        title=_("督办回复"),
        counts=[
            Count(key="unit-orders-open", label=_("待回复督办"), count=counts["open"], late=counts["overdue"], url=url)
        ],
    )
