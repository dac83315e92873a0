"""Who may see and assess a risk warning (研判预警).

A warning belongs to a place: supervisors whose unit's region is that place or lies above it see
it and assess it; admins see every warning but assess only where they are supervisors too.
Anyone else is refused the screens (403); a warning outside the user's scope is a 404."""

from __future__ import annotations

from accounts.models import Role
from accounts.selectors import user_memberships
from cases.permissions import is_admin


def _supervises(user, warning) -> bool:
    path = warning.region.path
    return any(m.role == Role.SUPERVISOR and path.startswith(m.unit.region.path) for m in user_memberships(user))


def can_view_risk_warning(user, warning) -> bool:
    return user.is_authenticated and (is_admin(user) or _supervises(user, warning))


def can_assess_risk_warning(user, warning) -> bool:
    return user.is_authenticated and _supervises(user, warning)
