"""Who may see and act on a mediation (docs/permissions.md, "Mediation").

- the mediator assigned to it: sees it and runs it (accept / decline, sessions, agreements, outcome);
- centre dispatchers of the case's region subtree: see, assign (and reassign), withdraw;
- the case's lead handling unit: sees it, refers the case, withdraws a request it made;
- supervisors of the region subtree: see (read-only);
- admins: see everything.
A mediator sees only their own mediations: any other is a 404.
"""

from __future__ import annotations

from accounts.models import Role
from accounts.selectors import user_memberships
from cases import permissions as case_permissions

from .models import Mediation


def mediator_profile(user):
    """The user's active mediator profile, or None (cached on the user object per request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_yikouban_mediator"):
        from .models import MediatorProfile

        user._yikouban_mediator = MediatorProfile.objects.filter(user=user, active=True).first()
    return user._yikouban_mediator


def is_mediator(user) -> bool:
    return mediator_profile(user) is not None


def is_own(user, mediation: Mediation) -> bool:
    profile = mediator_profile(user)
    return profile is not None and mediation.mediator_id == profile.id


def can_assign(user, mediation: Mediation) -> bool:
    return case_permissions.is_admin(user) or case_permissions.is_dispatcher_for(user, mediation.case)


def can_refer(user, case) -> bool:
    """Refer a case to mediation: its lead handler, or the centre's dispatcher."""
    return case_permissions.is_lead_handler(user, case) or case_permissions.is_dispatcher_for(user, case)


def can_withdraw(user, mediation: Mediation) -> bool:
    return can_assign(user, mediation) or case_permissions.is_lead_handler(user, mediation.case)


def can_view(user, mediation: Mediation) -> bool:
    if not user.is_authenticated:
        return False
    case = mediation.case
    return (
        is_own(user, mediation)
        or case_permissions.is_admin(user)
        or case_permissions.is_dispatcher_for(user, case)
        or case_permissions.is_supervisor_for(user, case)
        or case_permissions.is_lead_handler(user, case)
    )


def can_see_personal_data(user, mediation: Mediation) -> bool:
    """Phones and ID numbers unmasked: the mediator running it (to reach the parties)."""
    return is_own(user, mediation) and mediation.is_open


def can_download_agreement(user, mediation: Mediation) -> bool:
    """The agreement PDF carries full ID numbers and phones (it is the legal document): its
    mediator, and the case's lead handling unit (whose opening is recorded, as on the case page)."""
    return is_own(user, mediation) or case_permissions.is_lead_handler(user, mediation.case)


def can_register_referral(user) -> bool:
    """Register a dispute handed over by a court / petition bureau / police / procuratorate."""
    return any(m.role in (Role.CLERK, Role.DISPATCHER) for m in user_memberships(user))


def available_actions(user, mediation: Mediation) -> list[str]:
    actions = [t.name for t in mediation.get_available_user_status_transitions(user)]
    return actions
