"""Reads of the citizen's voice and the call-back; each preloads what its page shows."""

from __future__ import annotations

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Role
from cases.models import Case, Party, PartyRole, Status
from cases.selectors import scope_bases

from .models import CallAttempt, CallOutcome, Supplement


def case_supplements(case: Case) -> list[Supplement]:
    """What the citizens added to the case, oldest first, with the files. Two queries."""
    return list(
        Supplement.objects.filter(case=case)
        .select_related("claim")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def case_call_attempts(case: Case) -> list[CallAttempt]:
    return list(CallAttempt.objects.filter(case=case).select_related("clerk").order_by("created_at", "id"))


def _this_round(outcome: str | None = None) -> Q:
    """Attempts since the result was last sent (the feedback stage started), of one outcome."""
    q = Q(call_attempts__created_at__gte=F("stage_started_at"))
    return q & Q(call_attempts__outcome=outcome) if outcome else q


def _awaiting_callback(user) -> QuerySet[Case]:
    """Cases awaiting a rating in the clerk's area whose citizen did not refuse this round."""
    bases = scope_bases(user, {Role.CLERK})
    if not bases:
        return Case.objects.none()
    scope = Q()
    if None not in bases:
        for base in bases:
            scope |= Q(region__path__startswith=base.path)
    refused = Exists(
        CallAttempt.objects.filter(
            case=OuterRef("pk"), outcome=CallOutcome.REFUSED, created_at__gte=OuterRef("stage_started_at")
        )
    )
    return Case.objects.filter(scope, status=Status.FEEDBACK).exclude(refused)


def callback_count(user) -> int:
    return _awaiting_callback(user).count()


def callback_queue(user) -> QuerySet[Case]:
    """回访工作台: the cases awaiting a rating in the clerk's area, oldest result first, each with
    this round's attempts (``attempts``), the different days without an answer (``unanswered``),
    the last call (``last_call``) and the applicants (``applicants``, phone for the clerk to call).
    Cases whose citizen refused are left out (they close by themselves at the deadline)."""
    applicants = Party.objects.filter(role=PartyRole.APPLICANT).order_by("pk")
    return (
        _awaiting_callback(user)
        .select_related("region", "matter", "result_unit")
        .prefetch_related(Prefetch("parties", queryset=applicants, to_attr="applicants"))
        .annotate(
            attempts=Count("call_attempts", filter=_this_round()),
            unanswered=Count("call_attempts__day", filter=_this_round(CallOutcome.NO_ANSWER), distinct=True),
            last_call=Max("call_attempts__created_at", filter=_this_round()),
        )
        .order_by("stage_started_at", "id")
    )
