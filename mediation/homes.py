"""The staff home's section that mediation owns (accounts.homes): a mediator's 待接受 and 调解中,
the centre's 待指派, and the mediations past their 调解期限. Registered in ``MediationConfig.ready``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.homes import LATE_SHOWN, Count, Late, Work
from accounts.models import Role

from . import permissions, selectors
from .models import MediationStatus


def _url(**query) -> str:
    return reverse("mediation:mediation-list") + "?" + urlencode(query)


def mediation_home(*, user, roles: set[str], now) -> Work | None:
    mediator = permissions.is_mediator(user)
    if not mediator and Role.DISPATCHER not in roles:
        return None
    counts, overdue = selectors.home_counts(user, now=now)
    shown = []
    if not mediator:  # a mediator's list never holds an unassigned mediation
        shown.append(("requested", _("待指派调解员")))
    shown += [("assigned", _("待接受")), ("in_progress", _("调解中"))]
    items = [
        Count(key=f"mediation-{key}", label=label, count=counts[key][0], late=counts[key][1], url=_url(tab=key))
        for key, label in shown
    ]
    late = [
        Late(
            number=m.number,
            title=m.case.title,
            stage=MediationStatus(m.status).label,
            due_at=m.due_at,
            url=reverse("mediation:mediation-detail", args=[m.number]),
        )
        for m in overdue[:LATE_SHOWN]
    ]
    return Work(
        title=_("我的调解") if mediator else _("调解工作台"),
        counts=items,
        late=late,
        late_more=len(overdue) > LATE_SHOWN,
        late_url=_url(tab="in_progress"),
        late_title=_("超过调解期限"),
    )
