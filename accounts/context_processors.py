from .models import Role
from .selectors import user_memberships, user_roles


def staff_context(request):
    """Navigation needs the user's roles on every page; computed once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set(), "nav_memberships": []}
    roles = user_roles(user)
    return {
        "nav_roles": {str(r) for r in roles},
        "nav_memberships": user_memberships(user),
        "nav_is_staff_member": bool(roles - {Role.CITIZEN}),
    }
