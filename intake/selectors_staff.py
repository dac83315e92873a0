"""Reads for clerk screens (kept apart from the citizen selectors)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles
from cases.models import Case
from cases.selectors import visible_cases
from core.compiled import CompiledQuery
from routing.models import Region

from .models import Claim


def claim_for_staff(user, code: str) -> Claim | None:
    """A claim by tracking code whose case the staff member may see (receipts). Staff only: a
    citizen who is a party to the case still gets ``None`` (the receipt is the clerk's paper)."""
    if not (user_roles(user) - {Role.CITIZEN}):
        return None
    return (
        Claim.objects.select_related("case__centre__region", "case__matter", "case__region", "matter", "region")
        .filter(tracking_code=code, case__in=visible_cases(user))
        .first()
    )


def caller_history(user, phone: str, limit: int = 10) -> list[Case]:
    """Cases of earlier claims from this phone number that the clerk may see, newest first."""
    phone = (phone or "").strip()
    if len(phone) != 11 or not phone.isdigit():
        return []
    case_ids = Claim.objects.filter(contact_phone=phone).values("case_id")
    return list(visible_cases(user).filter(pk__in=case_ids).order_by("-created_at")[:limit])


def caller_open_case(user, phone: str, number: str) -> Case | None:
    """The open case ``number`` among the caller's earlier cases the clerk may see (热线并案), or None."""
    case = next((c for c in caller_history(user, phone) if c.number == number), None)
    return case if case is not None and case.is_open else None


# Read on every staff registration: compiled once (core.compiled). ``first()``'s order and limit.
_CITIZEN_BY_PHONE = CompiledQuery(
    lambda phone: get_user_model().objects.filter(phone=phone, is_citizen=True).order_by("pk")[:1],
    "stand-in phone: no one's",
)


def citizen_by_phone(phone: str):
    """The citizen account with this phone number, if any (a staff-registered claim joins it)."""
    if not phone:
        return None
    found = _CITIZEN_BY_PHONE.fetch(phone)
    return found[0] if found else None


def grid_regions(user) -> list[Region]:
    """The grids whose grid worker (a handler in a grid-level unit) ``user`` is (随手拍)."""
    grid_ids = [
        m.unit.region_id for m in user_memberships(user) if m.role == Role.HANDLER and m.unit.region.level == "grid"
    ]
    return list(Region.objects.filter(id__in=grid_ids).order_by("code"))
