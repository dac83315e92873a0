"""Mediation on other pages: the panel on the staff case page (registered in ``cases.panels`` by
``MediationConfig.ready``) and status badges."""

from __future__ import annotations

from django import template

from mediation.models import MediationStatus
from mediation.permissions import can_refer, can_view
from mediation.selectors import case_mediations

register = template.Library()

_STATUS_CLASS = {
    MediationStatus.REQUESTED: "text-bg-warning",
    MediationStatus.ASSIGNED: "text-bg-info",
    MediationStatus.IN_PROGRESS: "text-bg-primary",
    MediationStatus.SETTLED: "text-bg-success",
    MediationStatus.FAILED: "text-bg-danger",
    MediationStatus.WITHDRAWN: "text-bg-light border",
}


@register.filter
def mediation_status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "text-bg-secondary")


MEDIATION_PANEL_TEMPLATE = "mediation/case_panel.html"


def case_mediation_panel_context(*, request, user, case, page) -> dict:
    """Mediations of the case (one query, skipped when the timeline shows none) and, for its lead
    handler or the centre's dispatcher, the 移交调解 button while the case may be referred."""
    events = page.get("events")
    referred = events is None or any(e.transition == "mediation_request" for e in events)
    mediations = case_mediations(case) if referred else []
    for m in mediations:
        m.case = case  # the page's case: the predicates read it without a query
        m.viewable = bool(user) and can_view(user, m)
    open_one = any(m.is_open for m in mediations)
    may_refer = (
        bool(user)
        and case.matter.mediable
        and case.status in ("accepted", "dispatched", "handling", "reviewing")
        and not open_one
        and can_refer(user, case)
    )
    return {"case": case, "mediations": mediations, "can_refer": may_refer}
