"""The 督办 panel on the staff case page, registered in ``cases.panels`` by ``SupervisionConfig.ready``.

The case page's view may pass ``supervision_orders`` (a list from ``selectors.case_orders``); when
it does not, the panel reads them itself — with no query at all when the case's timeline, already
loaded by the page, shows no 督办, and one query otherwise.
"""

from __future__ import annotations

from supervision.permissions import can_issue_order
from supervision.selectors import case_orders

ORDERS_PANEL_TEMPLATE = "supervision/order_case_panel.html"


def case_orders_panel_context(*, request, user, case, page) -> dict:
    orders = page.get("supervision_orders")
    if orders is None:
        orders = case_orders(case)
    can_issue = bool(user) and case.is_open and can_issue_order(user, case)
    return {"case": case, "orders": orders, "can_issue": can_issue}


# 研判预警 (issue #15) ---------------------------------------------------------------------------

RISK_PANEL_TEMPLATE = "supervision/risk_case_panel.html"


def case_risk_panel_context(*, request, user, case, page) -> dict:
    """The risk warnings this case is behind, for the supervisors who may open them (one query);
    nothing — and no query — for anyone else."""
    from .risk.selectors import case_risk_warnings

    if not user or not can_issue_order(user, case):  # a supervisor covering the case's place
        return {"risk_warnings": []}
    return {"risk_warnings": case_risk_warnings(user, case)}
