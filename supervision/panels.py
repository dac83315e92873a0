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
