"""The staff home's sections that cases owns (accounts.homes): the centre's queues for clerks and
dispatchers, the unit's inbox for handlers — counts by stage with the late ones, and the late
cases themselves. Registered in ``CasesConfig.ready``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.homes import LATE_SHOWN, Count, Late, Work
from accounts.models import Role

from . import selectors
from .models import Status


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _late_rows(cases) -> list[Late]:
    return [
        Late(
            number=case.number,
            title=case.title,
            stage=Status(case.status).label,
            due_at=case.stage_due_at,
            url=reverse("cases:case-detail", args=[case.number]),
            plate=case.plate_hung_at is not None,
        )
        for case in cases[:LATE_SHOWN]
    ]


def centre_home(*, user, roles: set[str], now) -> Work | None:
    """待受理 for clerks; dispatchers also 待派单 and 待审核 (the queues they may open)."""
    if Role.DISPATCHER in roles:
        statuses = [Status.SUBMITTED, Status.ACCEPTED, Status.REVIEWING]
    elif Role.CLERK in roles:
        statuses = [Status.SUBMITTED]
    else:
        return None
    scope = selectors.centre_scope(user)
    if scope is None:
        return None
    work = selectors.centre_work(user, statuses, now=now, scope=scope)
    late = selectors.centre_late_cases(user, statuses, now=now, limit=LATE_SHOWN, scope=scope)
    counts = [
        Count(
            key=f"queue-{status}",
            label=Status(status).label,
            count=work[status][0],
            late=work[status][1],
            url=_url("cases:queue", tab=status),
        )
        for status in statuses
    ]
    if Role.DISPATCHER in roles:  # 退回/转办申请 waiting for the centre (issue #15, cases.handover)
        from .handover import pending_count

        counts.append(
            Count(
                key="queue-handover",
                label=_("退回/转办申请"),
                count=pending_count(user),
                url=_url("cases:queue", tab="handover"),
            )
        )
    return Work(
        title=_("中心队列"),
        counts=counts,
        late=_late_rows(late),
        late_more=len(late) > LATE_SHOWN,
        late_url=_url("cases:queue", tab=statuses[0]),
        late_title=_("中心超期案件"),
    )


def inbox_home(*, user, roles: set[str], now) -> Work | None:
    """The handler's units: 待签收, 处置中, 待审核 (lead and cooperating cases)."""
    if Role.HANDLER not in roles:
        return None
    work = selectors.inbox_work(user, now=now)
    late = selectors.inbox_late_cases(user, now=now, limit=LATE_SHOWN)
    labels = {Status.DISPATCHED: _("待签收"), Status.HANDLING: _("处置中"), Status.REVIEWING: _("待审核")}
    counts = [
        Count(
            key=f"inbox-{status}",
            label=labels[status],
            count=work[status][0],
            late=work[status][1],
            url=_url("cases:inbox", tab=status),
        )
        for status in selectors.INBOX_STATUSES
    ]
    joint, joint_late = work[selectors.JOINT_INBOX_TAB]
    if joint:  # 联办任务 given to the unit (issue #15), late past their own deadline
        counts.append(
            Count(
                key="inbox-joint",
                label=_("联办任务"),
                count=joint,
                late=joint_late,
                url=_url("cases:inbox", tab=selectors.JOINT_INBOX_TAB),
            )
        )
    first, first_late = work[selectors.FIRST_INBOX_TAB]
    if first:  # 首接负责 (issue #15): buck-passed cases the unit answers for until a unit signs
        counts.append(
            Count(
                key="inbox-first",
                label=_("首接负责"),
                count=first,
                late=first_late,
                url=_url("cases:inbox", tab=selectors.FIRST_INBOX_TAB),
            )
        )
    return Work(
        title=_("本单位待办案件"),
        counts=counts,
        late=_late_rows(late),
        late_more=len(late) > LATE_SHOWN,
        late_url=_url("cases:inbox"),
        late_title=_("本单位超期案件"),
    )


def unreason_home(*, user, roles: set[str], now) -> Work | None:
    """不合理诉求待审核 (issue #15): the proposals waiting for the dispatcher's centre (one query);
    nothing when there are none."""
    from .unreason import pending_labels

    pending = pending_labels(user).count()
    if not pending:
        return None
    count = Count(
        key="unreason-pending", label=_("不合理诉求待审核"), count=pending, url=reverse("cases:unreason-list")
    )
    return Work(title=_("不合理诉求认定"), counts=[count])
