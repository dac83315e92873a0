"""Reads of citizens' mediation requests: the applicant's own, and the centre's list by area."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.selectors import user_memberships
from cases import permissions as case_permissions
from cases.models import TERMINAL_STATUSES

from ..models import LIVE_REQUEST_STATUSES, MediationRequest, RequestStatus


def _base() -> QuerySet[MediationRequest]:
    return MediationRequest.objects.select_related(
        "case__matter", "case__region", "case__centre", "preferred_mediator__user", "mediator__user", "mediation"
    )


def own_requests(user) -> QuerySet[MediationRequest]:
    return _base().filter(applicant=user)


def own_request(user, pk: int) -> MediationRequest | None:
    return own_requests(user).filter(pk=pk).first()


def centre_requests(user) -> QuerySet[MediationRequest]:
    """Requests in the region subtrees of the user's dispatcher units (admins: all)."""
    if case_permissions.is_admin(user):
        return _base()
    paths = {m.unit.region.path for m in user_memberships(user) if m.role == Role.DISPATCHER}
    if not paths:
        return MediationRequest.objects.none()
    scope = Q()
    for path in paths:
        scope |= Q(case__region__path__startswith=path)
    return _base().filter(scope)


def by_status(rows: QuerySet[MediationRequest], status: str) -> QuerySet[MediationRequest]:
    """Rows in ``status`` as the people see it: a live request whose claim has ended (not yet
    marked by the hourly sweep) counts as ``closed``, not as waiting."""
    ended = Q(status__in=LIVE_REQUEST_STATUSES, case__status__in=TERMINAL_STATUSES)
    if status == RequestStatus.CLOSED:
        return rows.filter(Q(status=status) | ended)
    if status in LIVE_REQUEST_STATUSES:
        return rows.filter(status=status).exclude(ended)
    return rows.filter(status=status)
