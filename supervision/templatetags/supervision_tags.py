"""The 督办 panel on the staff case page (``{% case_orders_panel case %}``).

The case page's view may pass ``supervision_orders`` (a list from ``selectors.case_orders``); when
it does not, the tag reads them itself — with no query at all when the case's timeline, already
loaded by the page, shows no 督办, and one query otherwise.
"""

from __future__ import annotations

from django import template

from supervision.permissions import can_issue_order
from supervision.selectors import case_orders

register = template.Library()


@register.inclusion_tag("supervision/order_case_panel.html", takes_context=True)
def case_orders_panel(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    orders = context.get("supervision_orders")
    if orders is None:
        orders = case_orders(case)
    can_issue = bool(user) and case.is_open and can_issue_order(user, case)
    return {"case": case, "orders": orders, "can_issue": can_issue}
