"""Who may manage suggestion topics: the clerks and dispatchers of a claims centre (a unit with
the ``dispatch`` role) for that centre's topics; admins for all. Anyone logged in may suggest."""

from __future__ import annotations

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles
from routing.models import Unit

STAFF_ROLES = {Role.CLERK, Role.DISPATCHER}


def managed_centre_ids(user) -> set[int]:
    """The centres whose topics ``user`` manages (cached on the user object per request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_yikouban_suggestion_centres", None)
    if cached is None:
        units = {m.unit_id for m in user_memberships(user) if m.role in STAFF_ROLES}
        cached = set(Unit.objects.filter(pk__in=units, roles__code="dispatch").values_list("pk", flat=True))
        user._yikouban_suggestion_centres = cached
    return cached


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.ADMIN in user_roles(user))


def may_manage_any(user) -> bool:
    return is_admin(user) or bool(managed_centre_ids(user))


def may_manage(user, topic) -> bool:
    return is_admin(user) or topic.centre_id in managed_centre_ids(user)
