"""Reads of mediations, always scoped to what the user may see (docs/permissions.md, "Mediation")."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles
from cases.models import CaseEvent
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel

from .models import OPEN_MEDIATION, Mediation, MediationSession, MediationStatus, MediatorProfile
from .permissions import mediator_profile

#: Timeline events that belong to a mediation (written on the case by mediation's services).
MEDIATION_EVENTS = (
    "mediation_request",
    "mediation_assign",
    "mediation_accept",
    "mediation_decline",
    "mediation_session",
    "mediation_settle",
    "mediation_fail",
    "mediation_withdraw",
    "agreement_sealed",
    "judicial_apply",
    "judicial_decide",
    "performance_check",
    "litigation_submit",
    "court_reply",
)

LIST_TABS = {
    "requested": [MediationStatus.REQUESTED],
    "assigned": [MediationStatus.ASSIGNED],
    "in_progress": [MediationStatus.IN_PROGRESS],
    "ended": [MediationStatus.SETTLED, MediationStatus.FAILED, MediationStatus.WITHDRAWN],
}


def _base() -> QuerySet[Mediation]:
    return Mediation.objects.select_related(
        "case__matter", "case__region", "case__centre", "case__lead_unit", "mediator__user", "referring_unit"
    )


def visible_mediations(user) -> QuerySet[Mediation]:
    """Mediations ``user`` may open: their own (mediators), their region subtree (centre staff,
    supervisors), their unit's cases (handlers); admins all."""
    if not user.is_authenticated:
        return Mediation.objects.none()
    if Role.ADMIN in user_roles(user):
        return _base()
    condition = Q(pk__in=[])
    profile = mediator_profile(user)
    if profile is not None:
        condition |= Q(mediator=profile)
    for m in user_memberships(user):
        if m.role in (Role.DISPATCHER, Role.SUPERVISOR):
            condition |= Q(case__region__path__startswith=m.unit.region.path)
        elif m.role == Role.HANDLER:
            condition |= Q(case__lead_unit_id=m.unit_id)
    return _base().filter(condition)


def mediation_list(user, *, tab: str) -> QuerySet[Mediation]:
    """One tab of the workbench; open ones soonest due / oldest first, ended ones newest first."""
    qs = visible_mediations(user).filter(status__in=LIST_TABS[tab])
    if tab == "ended":
        return qs.order_by("-ended_at", "-id")
    return qs.order_by("requested_at", "id")


def tab_counts(user) -> dict[str, int]:
    """Counts of the open tabs (bounded by the user's scope; ended is not counted)."""
    from django.db.models import Count

    rows = (
        visible_mediations(user).filter(status__in=OPEN_MEDIATION).order_by().values("status").annotate(n=Count("id"))
    )
    counts = {tab: 0 for tab in LIST_TABS}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def mediation_detail(user, number: str) -> Mediation | None:
    """One mediation with what its page shows, or None when absent or not visible (→ 404)."""
    return (
        visible_mediations(user)
        .select_related("assigned_by", "requested_by")
        .prefetch_related(
            "case__parties",
            "mediator__specialties",
            Prefetch("sessions", queryset=MediationSession.objects.order_by("scheduled_at", "id")),
        )
        .filter(number=number)
        .first()
    )


def can_still_see(user, mediation: Mediation) -> bool:
    """Whether ``mediation`` is (still) in ``user``'s scope, read afresh: after a decline or a
    re-assignment the mediator may have lost it, so a view knows where to send them."""
    return visible_mediations(user).filter(pk=mediation.pk).exists()


def mediation_timeline(mediation: Mediation) -> list[CaseEvent]:
    """The mediation's steps on the case timeline (since it was requested)."""
    return list(
        CaseEvent.objects.filter(
            case_id=mediation.case_id,
            transition__in=MEDIATION_EVENTS,
            created_at__gte=mediation.requested_at,
        )
        .select_related("actor", "actor_unit")
        .order_by("created_at", "id")
    )


def case_mediations(case) -> list[Mediation]:
    return list(case.mediations.select_related("mediator__user").order_by("-requested_at", "-id"))


# Mediators (调解员名录, a mediator's figures) -------------------------------------------------------------


def mediator_of(user) -> MediatorProfile | None:
    """``user``'s mediator profile, active or not (their own figures stay theirs), with the user."""
    return MediatorProfile.objects.select_related("user").filter(user=user).first()


def mediator_by_pk(pk: int) -> MediatorProfile | None:
    return MediatorProfile.objects.select_related("user").filter(pk=pk).first()


def directory_matters() -> list[MatterType]:
    """The active matter types, in tree order (the directory's specialty filter)."""
    return list(MatterType.objects.filter(active=True).order_by("path").only("code", "name", "path", "depth"))


def directory_regions() -> list[Region]:
    """Regions down to towns, in tree order (the directory's region filter)."""
    levels = [level for level, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[RegionLevel.TOWN]]
    return list(Region.objects.filter(level__in=levels).order_by("path").only("code", "name", "path", "level"))


def mediator_directory(
    *, kind: str = "", active: str = "", matter: MatterType | None = None, region: Region | None = None
) -> QuerySet[MediatorProfile]:
    """Mediators by organisation, filtered by organisation kind, active (``"1"``/``"0"``), a
    specialty (the matter, a type above it or one below it) and a region served (the region, one
    above it or one below), with their user, specialties and regions."""
    condition = Q()
    if kind:
        condition &= Q(organisation_kind=kind)
    if active:
        condition &= Q(active=active == "1")
    if matter is not None:
        condition &= Q(
            pk__in=MediatorProfile.objects.filter(
                Q(specialties__code__in=matter.ancestor_codes) | Q(specialties__path__startswith=matter.path)
            ).values("pk")
        )
    if region is not None:
        condition &= Q(
            pk__in=MediatorProfile.objects.filter(
                Q(regions__code__in=region.ancestor_codes) | Q(regions__path__startswith=region.path)
            ).values("pk")
        )
    return (
        MediatorProfile.objects.select_related("user")
        .prefetch_related("specialties", "regions")
        .filter(condition)
        .order_by("organisation", "id")
    )


def home_counts(user, *, now) -> tuple[dict[str, tuple[int, int]], list[Mediation]]:
    """(mediations, of which past their 调解期限) per open tab in one grouped query, and the
    late ones, the longest late first (6 rows: five shown, and whether more follow) — for the staff home."""
    from django.db.models import Count

    late = Q(due_at__lt=now)
    visible = visible_mediations(user).filter(status__in=OPEN_MEDIATION)
    rows = visible.order_by().values("status").annotate(n=Count("id"), late=Count("id", filter=late))
    counts = {status: (0, 0) for status in OPEN_MEDIATION}
    for row in rows:
        counts[row["status"]] = (row["n"], row["late"])
    overdue = list(
        visible.filter(late)
        .select_related(None)
        .select_related("case")
        .only("number", "status", "due_at", "case__title")
        .order_by("due_at", "id")[:6]
    )
    return counts, overdue
