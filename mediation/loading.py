"""Loading a row for a staff screen: 403 for anyone who is not staff, 404 for a row outside the
user's scope (so an id never confirms that something exists). Shared by the workbench, the
agreement and the litigation views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import is_staff_member

from . import selectors
from .models import Mediation


def found_for_staff(request, select, key):
    """``select(user, key)`` for staff; 403 for anyone else, 404 when the row is not in scope."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    row = select(request.user, key)
    if row is None:
        raise Http404
    return row


def mediation_for_staff(request, number: str) -> Mediation:
    """The mediation ``number`` as the user may see it (``selectors.mediation_detail``)."""
    return found_for_staff(request, selectors.mediation_detail, number)
