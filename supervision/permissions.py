"""Who may issue, answer and close 督办 orders."""

from __future__ import annotations

from accounts.models import Role
from cases.permissions import is_supervisor_for, units_with_role


def can_issue_order(user, case) -> bool:
    return is_supervisor_for(user, case)


def can_reply_order(user, order) -> bool:
    return order.unit_id in units_with_role(user, Role.HANDLER)


def can_close_order(user, order) -> bool:
    return is_supervisor_for(user, order.case)
