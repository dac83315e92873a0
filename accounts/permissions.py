"""Who may do what: predicates used by views and again by services."""

from __future__ import annotations

from .models import Role
from .selectors import user_roles


def has_role(user, role: str) -> bool:
    return user.is_authenticated and role in user_roles(user)


def has_any_role(user, *roles: str) -> bool:
    return user.is_authenticated and bool(user_roles(user) & set(roles))


def is_staff_member(user) -> bool:
    return user.is_authenticated and bool(user_roles(user) - {Role.CITIZEN})


def can_use_rule_simulator(user) -> bool:
    return has_any_role(user, Role.ADMIN, Role.DISPATCHER)


def can_import_directory(user) -> bool:
    return has_role(user, Role.ADMIN)
