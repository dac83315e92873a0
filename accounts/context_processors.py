from .models import Role
from .selectors import user_memberships, user_roles


def staff_context(request):
    """Navigation needs the user's roles on every page; computed once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set(), "nav_memberships": []}
    roles = user_roles(user)
    memberships = user_memberships(user)
    return {
        "nav_roles": {str(r) for r in roles},
        "nav_memberships": memberships,
        "nav_is_staff_member": bool(roles - {Role.CITIZEN}),
        "nav_is_grid_worker": any(m.role == Role.HANDLER and m.unit.region.level == "grid" for m in memberships),
    }
