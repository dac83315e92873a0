"""Reads of the 研判预警 screens, always scoped to the user (supervision.selectors' scope: the
region subtrees they supervise; admins everything)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from cases.models import Case, Party, PartyRole

from ..models import RiskWarning
from ..selectors import supervised_paths

#: The detail page lists at most this many of the cases behind a warning.
CASES_SHOWN = 200


def _scope(user) -> Q | None:
    paths = supervised_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return None
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return condition


def risk_warnings(user, *, status: str = "", kind: str = "") -> QuerySet[RiskWarning]:
    """The warnings of the user's scope, newest first, optionally of one status and kind."""
    scope = _scope(user)
    if scope is None:
        return RiskWarning.objects.none()
    qs = RiskWarning.objects.filter(scope).select_related("region", "matter", "acknowledged_by")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def risk_status_counts(user) -> dict[str, int]:
    """Warnings of the scope by status (one grouped query)."""
    from django.db.models import Count

    scope = _scope(user)
    if scope is None:
        return {}
    rows = RiskWarning.objects.filter(scope).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def risk_warning_for(user, pk: int) -> RiskWarning | None:
    """One warning if it lies in the user's scope, else None (the view answers 404)."""
    scope = _scope(user)
    if scope is None:
        return None
    return RiskWarning.objects.filter(scope, pk=pk).select_related("region", "matter", "acknowledged_by").first()


def risk_warning_cases(warning: RiskWarning) -> list[Case]:
    """The cases behind a warning (at most ``CASES_SHOWN``), newest first, with their applicants."""
    applicants = Prefetch(
        "parties", queryset=Party.objects.filter(role=PartyRole.APPLICANT).order_by("id"), to_attr="applicants"
    )
    return list(
        Case.objects.filter(risk_warnings=warning)
        .select_related("matter", "region", "lead_unit", "centre")
        .prefetch_related(applicants)
        .order_by("-created_at", "-id")[:CASES_SHOWN]
    )


def risk_warning_history(warning: RiskWarning):
    return list(warning.notes.select_related("actor").order_by("created_at", "id"))


def case_risk_warnings(user, case: Case) -> list[RiskWarning]:
    """The warnings of the user's scope that ``case`` is behind, newest first (one query)."""
    scope = _scope(user)
    if scope is None:
        return []
    return list(
        RiskWarning.objects.filter(scope, case_links__case=case)
        .select_related("region", "matter")
        .order_by("-created_at", "-id")[:10]
    )
