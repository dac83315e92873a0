"""Reads for clerk screens (kept apart from the citizen selectors)."""

from __future__ import annotations

from accounts.models import Role
from accounts.selectors import user_roles
from cases.models import Case
from cases.selectors import visible_cases

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
