"""Who sees what in the knowledge base: published articles are public (anyone, signed in or not);
unpublished ones only people who may edit articles (``kb.change_article`` in the admin, or the
admin role). The staff panel beside the intake forms is for clerks (and admins)."""

from __future__ import annotations

from accounts.models import Role
from accounts.permissions import has_any_role


def may_edit(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_perm("kb.change_article") or has_any_role(user, Role.ADMIN)


def may_use_panel(user) -> bool:
    return has_any_role(user, Role.CLERK, Role.ADMIN)
