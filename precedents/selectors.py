"""Reads for 类案推荐: which closed cases a user may be shown, and what each row shows.

The scope is the one that decides which case pages a user may open (``cases.selectors.
visible_cases``: centre staff and supervisors their region subtree, handlers their units' cases,
admins all), plus, for a mediator, the cases of the mediations they may open
(``mediation.selectors.visible_mediations``) — a mediator opens those through the mediation page.
Every row shown is read again through that scope, whatever the engine returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_staff_member
from cases.models import Case, CaseEvent, Outcome, Status
from cases.permissions import is_admin
from cases.selectors import visible_cases
from cases.workdays import calendar_overrides, working_days_between
from core.masking import mask_numbers_in_text
from mediation.models import Agreement, AgreementStatus, FailureNext, LitigationPackage, Mediation, MediationStatus
from mediation.permissions import is_mediator
from mediation.selectors import visible_mediations
from routing.models import MatterType, Region

#: How long a result or agreement summary may be in a row (the case page has the whole text).
SUMMARY_CHARS = 120

#: The events that mark acceptance (受理): the clock of "how long it took" starts there.
ACCEPT_EVENTS = ("accept", "resolve_on_spot")


class Ending:
    """How a closed case ended, for the search filter (办结结论 and the mediation's outcome)."""

    RESOLVED = Outcome.RESOLVED.value
    EXPLAINED = Outcome.EXPLAINED.value
    REFERRED = Outcome.REFERRED.value
    UNRESOLVABLE = Outcome.UNRESOLVABLE.value
    MEDIATED = "mediated"
    MEDIATION_FAILED = "mediation_failed"
    LITIGATION = "litigation"

    CHOICES = [
        (RESOLVED, gettext_lazy("已解决")),
        (MEDIATED, gettext_lazy("调解成功")),
        (EXPLAINED, gettext_lazy("已解释说明")),
        (REFERRED, gettext_lazy("已引导通过其他途径解决")),
        (UNRESOLVABLE, gettext_lazy("暂无法解决")),
        (MEDIATION_FAILED, gettext_lazy("调解不成")),
        (LITIGATION, gettext_lazy("调解不成，转诉讼")),
    ]


def similar_scope(user) -> QuerySet[Case]:
    """The closed cases ``user`` may be shown as similar cases (staff only; none for anyone else)."""
    if not is_staff_member(user):
        return Case.objects.none()
    if is_admin(user):
        return Case.objects.filter(status=Status.CLOSED)
    visible = visible_cases(user).select_related(None).filter(status=Status.CLOSED)
    if not is_mediator(user):
        return visible
    mediated = visible_mediations(user).select_related(None).values("case_id")
    return Case.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=mediated), status=Status.CLOSED)


def source_case(user, *, case_number: str = "", mediation_number: str = "") -> Case | None:
    """The case whose similar cases are asked for, as ``user`` may open it — by its number (the
    case page) or by its mediation's number (the mediation page) — or None (→ 404). Its
    ``page_url`` is where the user opens it."""
    mediation = None
    if case_number:
        case = visible_cases(user).filter(number=case_number).first()
        if case is not None:
            case.page_url = reverse("cases:case-detail", args=[case.number])
            return case
        if not is_mediator(user):
            return None
        mediation = visible_mediations(user).filter(case__number=case_number).order_by("-requested_at").first()
    elif mediation_number:
        mediation = visible_mediations(user).filter(number=mediation_number).first()
    if mediation is None:
        return None
    case = mediation.case
    case.page_url = reverse("mediation:mediation-detail", args=[mediation.number])
    return case


def filtered(
    scope: QuerySet[Case],
    *,
    matter: MatterType | None = None,
    region: Region | None = None,
    closed_from: datetime | None = None,
    closed_before: datetime | None = None,
    ending: str = "",
) -> QuerySet[Case]:
    """``scope`` narrowed by the search page's filters: a matter or region with everything below
    it, a closing-time range (``closed_from`` ≤ closed_at < ``closed_before``) and how it ended."""
    if matter is not None:
        scope = scope.filter(matter__path__startswith=matter.path)
    if region is not None:
        scope = scope.filter(region__path__startswith=region.path)
    if closed_from is not None:
        scope = scope.filter(closed_at__gte=closed_from)
    if closed_before is not None:
        scope = scope.filter(closed_at__lt=closed_before)
    if ending:
        scope = scope.filter(_ending_condition(ending))
    return scope


def _ending_condition(ending: str) -> Q:
    mediations = Mediation.objects.filter(case_id=OuterRef("pk"))
    if ending == Ending.MEDIATED:
        return Q(outcome=Outcome.MEDIATED) | Q(Exists(mediations.filter(status=MediationStatus.SETTLED)))
    if ending == Ending.MEDIATION_FAILED:
        return Q(Exists(mediations.filter(status=MediationStatus.FAILED)))
    if ending == Ending.LITIGATION:
        return Q(Exists(mediations.filter(status=MediationStatus.FAILED, failure_next=FailureNext.LITIGATION))) | Q(
            Exists(LitigationPackage.objects.filter(mediation__case_id=OuterRef("pk")))
        )
    return Q(outcome=ending)


@dataclass(frozen=True)
class Precedent:
    """One similar case as a row shows it."""

    case: Case
    match: Any  # similar.engine.Match
    url: str  # where the user opens it ("" if nowhere — never the case for a row in scope)
    ending: str  # 已解决 / 调解成功 / 调解不成，转诉讼 …
    summary: str  # the result or the agreement's terms, numbers masked, shortened
    working_days: int | None  # from acceptance to closing


def _rows(scope: QuerySet[Case], ids: list[int]) -> dict[int, Case]:
    """The cases ``ids`` that are in ``scope``, with what a row shows, in ONE query."""
    ended = Mediation.objects.filter(
        case_id=OuterRef("pk"), status__in=[MediationStatus.SETTLED, MediationStatus.FAILED]
    )
    ended = ended.order_by("-ended_at", "-id")
    accepted = CaseEvent.objects.filter(case_id=OuterRef("pk"), transition__in=ACCEPT_EVENTS).order_by("created_at")
    terms = Agreement.objects.filter(mediation__case_id=OuterRef("pk"), status=AgreementStatus.SEALED)
    qs = (
        scope.filter(pk__in=ids)
        .select_related("matter", "region")
        .only(
            "number",
            "title",
            "status",
            "outcome",
            "result",
            "created_at",
            "closed_at",
            "matter__name",
            "region__name",
        )  # fmt: skip
        .annotate(
            accepted_at=Subquery(accepted.values("created_at")[:1]),
            mediation_status=Subquery(ended.values("status")[:1]),
            mediation_next=Subquery(ended.values("failure_next")[:1]),
            mediation_note=Subquery(ended.values("outcome_note")[:1]),
            agreement_terms=Subquery(terms.order_by("-sealed_at", "-id").values("terms")[:1]),
            litigated=Exists(LitigationPackage.objects.filter(mediation__case_id=OuterRef("pk"))),
        )
        .order_by()
    )
    return {case.pk: case for case in qs}


def _ending(case: Case) -> tuple[str, str]:
    """(how it ended, the text that says what was agreed or done)."""
    if case.mediation_status == MediationStatus.SETTLED:
        return _("调解成功"), case.agreement_terms or case.mediation_note or case.result
    if case.mediation_status == MediationStatus.FAILED:
        to_court = case.litigated or case.mediation_next == FailureNext.LITIGATION
        return (_("调解不成，转诉讼") if to_court else _("调解不成")), case.result or case.mediation_note
    return (case.get_outcome_display() or _("已办结")), case.result


def _summary(text: str | None) -> str:
    """One line: whitespace folded, phone and ID numbers masked (a list, CONVENTIONS), shortened."""
    line = mask_numbers_in_text(" ".join((text or "").split()))
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def _links(user, cases: dict[int, Case]) -> dict[int, str]:
    """Where ``user`` opens each case: its staff page, or (a mediator) the mediation page."""
    ids = list(cases)
    if is_mediator(user) and not is_admin(user):
        case_pages = set(visible_cases(user).filter(pk__in=ids).values_list("pk", flat=True))
    else:  # the scope is the user's case pages
        case_pages = set(ids)
    links = {pk: reverse("cases:case-detail", args=[cases[pk].number]) for pk in case_pages}
    rest = [pk for pk in ids if pk not in case_pages]
    if rest:
        rows = visible_mediations(user).select_related(None).filter(case_id__in=rest)
        for case_id, number in rows.order_by("case_id", "-requested_at", "-id").values_list("case_id", "number"):
            links.setdefault(case_id, reverse("mediation:mediation-detail", args=[number]))
    return links


def precedents(user, matches, *, scope: QuerySet[Case]) -> list[Precedent]:
    """The engine's ``matches`` as rows, best first — only those in ``scope`` (read again here, so
    a case outside it is never shown whatever the engine returned). A few queries, whatever the count."""
    ids = [m.case_id for m in matches]
    if not ids:
        return []
    rows = _rows(scope, ids)
    if not rows:
        return []
    links = _links(user, rows)
    overrides = calendar_overrides()
    found = []
    for match in matches:
        case = rows.get(match.case_id)
        if case is None:
            continue
        ending, text = _ending(case)
        start = case.accepted_at or case.created_at
        days = working_days_between(start, case.closed_at, overrides) if case.closed_at else None
        found.append(
            Precedent(
                case=case,
                match=match,
                url=links.get(case.pk, ""),
                ending=ending,
                summary=_summary(text),
                working_days=days,
            )
        )
    return found
