"""Reads of cases, always scoped to what the user may see (docs/permissions.md)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles

from .models import Case, CaseEvent, Party, Status


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("matter", "region", "centre", "lead_unit")


def visible_cases(user) -> QuerySet[Case]:
    """Every case ``user`` may open: region subtree (centre staff, supervisors), units (handlers),
    own cases (citizens). Admins see all. Unscoped lists cannot be written by accident."""
    if not user.is_authenticated:
        return Case.objects.none()
    if Role.ADMIN in user_roles(user):
        return _base()
    condition = Q(pk__in=[])
    memberships = user_memberships(user)
    for m in memberships:
        if m.role in (Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR):
            condition |= Q(region__path__startswith=m.unit.region.path)
    handler_units = [m.unit_id for m in memberships if m.role == Role.HANDLER]
    if handler_units:
        condition |= Q(lead_unit_id__in=handler_units)
        condition |= Q(
            Exists(Case.cooperating_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=handler_units))
        )
    if user.is_citizen:
        condition |= Q(Exists(Party.objects.filter(case_id=OuterRef("pk"), user=user)))
    return _base().filter(condition)


def case_detail(user, number: str) -> Case | None:
    """One case by number with what its page shows, or None when absent or not visible (→ 404)."""
    return (
        visible_cases(user)
        .select_related("result_unit", "merged_into")
        .prefetch_related(
            "cooperating_units",
            "parties",
            Prefetch(
                "events", queryset=CaseEvent.objects.select_related("actor", "actor_unit").order_by("created_at", "id")
            ),
        )
        .filter(number=number)
        .first()
    )


def handler_inbox(user, *, status: str | None = None) -> QuerySet[Case]:
    """Open cases led by (or shared with) the handler's units, soonest due first."""
    units = [m.unit_id for m in user_memberships(user) if m.role == Role.HANDLER]
    coop = Case.cooperating_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)
    qs = _base().filter(Q(lead_unit_id__in=units) | Q(Exists(coop)))
    statuses = [status] if status else [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
    return qs.filter(status__in=statuses).order_by("stage_due_at", "id")


def centre_queue(user, *, status: str) -> QuerySet[Case]:
    """The centre's queues: 待受理 (submitted), 待派单 (accepted) and 待审核 (reviewing)."""
    paths = [m.unit.region.path for m in user_memberships(user) if m.role in (Role.CLERK, Role.DISPATCHER)]
    if not paths:
        return Case.objects.none()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return _base().filter(condition, status=status).order_by("stage_due_at", "id")


def citizen_timeline(case: Case) -> list[CaseEvent]:
    """What the citizen sees: public events, units named, staff never."""
    return [e for e in case.events.all() if e.public]
