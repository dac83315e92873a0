"""A unit's return as it happens since issue #15 (docs/handover.md): the unit files a 退回申请 and
the centre's dispatcher approves it — for tests that need a case returned to the dispatch queue."""

from __future__ import annotations

from accounts.models import User
from cases.handover import handover_approve, handover_request
from cases.handover_models import HandoverKind
from cases.models import Case


def return_via_centre(*, case: Case, actor, reason: str, at=None, dispatcher=None) -> Case:
    """``actor`` (a handler of the lead unit) asks to return ``case``; ``dispatcher`` (default: the
    demo's 高明 dispatcher) approves at the same moment. Returns the case as the approval left it."""
    request = handover_request(case=case, actor=actor, kind=HandoverKind.RETURN, reason=reason, at=at)
    request.case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
    handover_approve(request=request, actor=dispatcher or User.objects.get(username="gm_dispatch"), at=at)
    return request.case
