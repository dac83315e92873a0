"""严重程度 (issue #15): the centre confirms or changes the severity proposed at registration.

Public names are re-exported by ``cases.services``, where callers import them. The proposal itself
is made in ``case_create`` by the directory's severity rules (``DirectoryIndex.propose_severity``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from routing.models import Severity

from .models import OPEN_STATUSES, Case, CaseEvent
from .permissions import can_set_severity
from .transitions import CaseError, _event, _now

SEVERITY_REASON_MAX = 500


@transaction.atomic
def case_severity_set(*, case: Case, actor, severity: str, reason: str = "", at=None) -> CaseEvent:
    """Confirm (same level) or change (another level, with a reason) a case's severity.

    Guarantees: only a dispatcher of the case's centre, while the case is open; a change needs a
    reason; one conditional ``UPDATE`` (a concurrent change of the same case makes the later one
    fail with a message instead of overwriting it unseen); one internal event
    (``severity_confirm`` / ``severity_change``) with the levels and the reason. It does not
    re-route a case already dispatched (a dispatcher transfers it if the new level calls for
    another unit) nor move the running stage's deadline: the next stages use the new level's.
    """
    if severity not in Severity.values:
        raise CaseError(_("请选择严重程度：一般、较大或重大。"), field="severity")
    reason = (reason or "").strip()[:SEVERITY_REASON_MAX]
    if not can_set_severity(actor, case):
        raise PermissionDenied
    if case.status not in OPEN_STATUSES:
        raise CaseError(_("案件已结束，不能再调整严重程度。"))
    changed = severity != case.severity
    if changed and not reason:
        raise CaseError(_("调整严重程度须填写理由，例如涉及人数、社会影响。"), field="reason")
    at = _now(at)
    before = case.severity
    updated = Case.objects.filter(pk=case.pk, severity=before, status__in=OPEN_STATUSES).update(
        severity=severity, severity_confirmed_at=at
    )
    if not updated:
        raise CaseError(_("该案件的严重程度或状态刚被他人修改，请刷新页面后再操作。"))
    case.severity, case.severity_confirmed_at = severity, at
    if changed:
        note = _("严重程度由“%(old)s”调整为“%(new)s”：%(reason)s") % {
            "old": Severity(before).label,
            "new": Severity(severity).label,
            "reason": reason,
        }
        transition = "severity_change"
    else:
        note = _("确认严重程度为“%(level)s”") % {"level": Severity(severity).label}
        if reason:
            note += _("：%(reason)s") % {"reason": reason}
        transition = "severity_confirm"
    return _event(case, transition, actor=actor, from_status=case.status, note=note, public=False, at=at)
