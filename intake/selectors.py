"""Reads for the citizen and public screens. Each returns everything its page shows, preloaded,
so templates never query and page cost does not grow with the number of rows or events."""

from __future__ import annotations

import hmac

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.permissions import is_staff_member
from cases.models import Case, CaseEvent, Status
from cases.permissions import can_view_case

from .models import Attachment, Claim

#: How many merges we follow from a claim's case to the case now handling it.
MAX_MERGE_HOPS = 5


_CASE_PAGE_RELATED = ("matter", "region", "lead_unit", "result_unit", "merged_into")


def _public_events(lookup: str = "events") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=CaseEvent.objects.filter(public=True)
        .select_related("actor_unit", "handling_unit")
        .order_by("created_at", "id"),
    )


def _claims_with_case_page() -> QuerySet[Claim]:
    return Claim.objects.select_related(*(f"case__{name}" for name in _CASE_PAGE_RELATED)).prefetch_related(
        "attachments", _public_events("case__events"), "case__parties"
    )


def _case_page_cases() -> QuerySet[Case]:
    """A case with what a citizen-facing page shows: public timeline, parties (for permissions)."""
    return Case.objects.select_related(*_CASE_PAGE_RELATED).prefetch_related(_public_events(), "parties")


def citizen_claims(user) -> QuerySet[Claim]:
    """The claims ``user`` submitted, newest first, with their case, the case they follow when
    merged, and the time of the case's latest public event (``last_update``)."""
    latest_public = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), public=True)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        Claim.objects.filter(submitter=user)
        .select_related("case__matter", "case__merged_into")
        .annotate(last_update=Subquery(latest_public))
        .order_by("-created_at", "-id")
    )


def citizen_claim(user, code: str) -> Claim | None:
    """The claim with tracking ``code`` if ``user`` submitted it, else None (→ 404 either way)."""
    if not user.is_authenticated or not code:
        return None
    return _claims_with_case_page().filter(submitter=user, tracking_code=code.upper()).first()


def claim_by_submission(user, submission_key: str) -> Claim | None:
    """The claim an earlier post of the same form created, if any (double click, retry)."""
    return Claim.objects.filter(submitter=user, submission_key=submission_key).only("tracking_code").first()


def followed_case(case: Case) -> Case | None:
    """For a merged case, the open (or finished) case its claimants now follow; else None."""
    if case.status != Status.MERGED or case.merged_into_id is None:
        return None
    target = None
    next_id = case.merged_into_id
    for _hop in range(MAX_MERGE_HOPS):
        target = _case_page_cases().get(pk=next_id)
        if target.status != Status.MERGED or target.merged_into_id is None:
            break
        next_id = target.merged_into_id
    return target


def followed_is_foreign(claim: Claim, followed: Case | None) -> bool:
    """True when ``followed`` (the case ``claim``'s case was merged into) was filed by someone
    else — the claim joined a stranger's case (join_case, 并入此案): its rating is the stranger's
    and its result may name them, so the page hides the rating and masks numbers in the result.
    "Filed by the same one": a claim of that case with the same account or contact phone."""
    if followed is None:
        return False
    same = Q(contact_phone=claim.contact_phone) if claim.contact_phone else Q(pk__in=[])
    if claim.submitter_id:
        same |= Q(submitter_id=claim.submitter_id)
    return not Claim.objects.filter(same, case=followed).exists()


def tracked_claim(code: str, phone_last4: str) -> Claim | None:
    """Public tracking: the claim whose code and contact phone's last four digits both match.

    A wrong pair and an unknown code give the same None; the digits are compared in constant
    time so the answer's timing does not tell them apart either.
    """
    claim = Claim.objects.filter(tracking_code=code).only("id", "contact_phone", "case_id").first()
    expected = (claim.contact_phone[-4:] if claim else "0000").encode()
    if not hmac.compare_digest(expected, phone_last4.encode()) or claim is None:
        return None
    return _claims_with_case_page().get(pk=claim.pk)


def tracked_claim_by_id(pk: int) -> Claim | None:
    """The claim a tracking grant names (``intake.tracking``), with what the result page shows."""
    return _claims_with_case_page().filter(pk=pk).first()


def viewable_attachment(user, pk: int) -> Attachment | None:
    """An attachment ``user`` may open, else None (→ 404).

    A citizen opens only the attachments of claims they submitted (a case that merged other
    people's duplicates has their evidence too, which is not theirs to see). Staff open the
    attachments of any case they may view, including cases a duplicate was merged into.
    """
    if not user.is_authenticated:
        return None
    attachment = Attachment.objects.select_related("claim").filter(pk=pk).first()
    if attachment is None:
        return None
    if attachment.claim.submitter_id == user.id:
        return attachment
    if not is_staff_member(user):
        return None
    case_id = attachment.claim.case_id
    for _hop in range(MAX_MERGE_HOPS + 1):
        case = (
            Case.objects.select_related("region", "lead_unit")
            .prefetch_related("cooperating_units", "parties")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return None
        if can_view_case(user, case):
            return attachment
        if case.merged_into_id is None:
            return None
        case_id = case.merged_into_id
    return None
