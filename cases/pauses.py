"""The clock's services: 中止/恢复计时 (pause and resume a stage) and 延期 (extensions).

Public names are re-exported by ``cases.services``, where callers import them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .clock import CLOCK_FIELDS, capped_due, set_clock
from .locks import hold_reason
from .models import Case, CaseEvent, ExtensionRequest, ExtensionStatus, Status
from .permissions import can_pause
from .transitions import CaseError, _event, _now, _require_text, _run
from .workdays import add_working_days

PAUSABLE = [Status.DISPATCHED, Status.HANDLING]


@transaction.atomic
def case_pause(*, case: Case, actor, reason: str, at=None, system: bool = False) -> CaseEvent:
    """中止: the stage clock stops (awaiting an appraisal, a party's supplement, a court).

    ``system=True`` is for other services that stop the clock on their own authority (a case
    handed to mediation); the caller has checked its own permission.
    """
    reason = _require_text(reason, _("请填写中止原因，如等待鉴定结论、当事人补充材料。"))
    if not system and not can_pause(actor, case):
        raise PermissionDenied
    at = _now(at)
    if case.status not in PAUSABLE:
        raise CaseError(_("只有待签收或处置中的案件可以中止计时。"))
    paused = Case.objects.filter(pk=case.pk, status=case.status, paused_at__isnull=True).update(
        paused_at=at, pause_reason=reason[:200]
    )
    if not paused:
        raise CaseError(_("该案件已中止计时，或状态已变化，请刷新页面。"))
    case.paused_at, case.pause_reason = at, reason[:200]
    return _event(case, "pause", actor=actor, from_status=case.status, note=reason, at=at)


@transaction.atomic
def case_resume(*, case: Case, actor, at=None, system: bool = False) -> CaseEvent:
    """Resume a paused stage: every clock point moves later by the time it stood still."""
    if not system and not can_pause(actor, case):
        raise PermissionDenied
    if not system:
        reason = hold_reason(case)
        if reason:
            raise CaseError(reason)
    at = _now(at)
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    if fresh.paused_at is None:
        raise CaseError(_("该案件没有中止计时。"))
    shift = at - fresh.paused_at
    moved = {
        name: getattr(fresh, name) + shift if getattr(fresh, name) else None
        for name in ("stage_started_at", "stage_due_at", "blue_at", "yellow_at")
    }
    if capped_due(fresh, moved["stage_due_at"]) != moved["stage_due_at"]:
        # the authority's deadline does not move with the pause (上级交办): the window shrinks
        probe = Case(referral_due_at=fresh.referral_due_at)
        set_clock(probe, moved["stage_started_at"], capped_due(fresh, moved["stage_due_at"]))
        moved.update({name: getattr(probe, name) for name in ("stage_due_at", "blue_at", "yellow_at")})
    Case.objects.filter(pk=case.pk).update(paused_at=None, pause_reason="", **moved)
    for name, value in moved.items():
        setattr(case, name, value)
    case.paused_at, case.pause_reason = None, ""
    days = shift.total_seconds() / 86400
    return _event(
        case, "resume", actor=actor, from_status=case.status, note=_("恢复计时（中止 %(d).1f 天）") % {"d": days}, at=at
    )


@transaction.atomic
def case_request_extension(*, case: Case, actor, days: int, reason: str, at=None) -> ExtensionRequest:
    """延期申请 by the lead unit; the clock keeps running until a decision."""
    reason = _require_text(reason, _("请填写延期理由。"))
    if not 1 <= days <= 30:
        raise CaseError(_("延期天数应在 1 到 30 个工作日之间。"))
    unit = case.lead_unit
    _run(
        case,
        "request_extension",
        actor=actor,
        note=_("申请延期 %(d)s 个工作日：%(r)s") % {"d": days, "r": reason},
        public=False,
        fields={"extension_pending": True},
        at=at,
    )
    try:
        with transaction.atomic():
            return ExtensionRequest.objects.create(case=case, unit=unit, requested_by=actor, days=days, reason=reason)
    except IntegrityError as exc:
        raise CaseError(_("已有待审批的延期申请。")) from exc


def _decide_extension(case: Case, *, actor, approve: bool, note: str, at) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().filter(case=case, status=ExtensionStatus.PENDING).first()
    if request is None:
        raise CaseError(_("没有待审批的延期申请。"))
    at = _now(at)
    fields: dict = {"extension_pending": False}
    if approve:
        base = case.stage_due_at or at
        set_clock(case, case.stage_started_at or at, capped_due(case, add_working_days(base, request.days)))
        fields.update({name: getattr(case, name) for name in CLOCK_FIELDS})
        text = _("同意延期 %(d)s 个工作日") % {"d": request.days}
    else:
        text = _("不同意延期")
    _run(
        case,
        "approve_extension" if approve else "deny_extension",
        actor=actor,
        note=text + (f"：{note}" if note else ""),
        public=approve,
        fields=fields,
        at=at,
    )
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by = actor
    request.decided_at = at
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request


@transaction.atomic
def case_approve_extension(*, case: Case, actor, note: str = "", at=None) -> ExtensionRequest:
    """Approve the pending extension: the handle-stage due time moves by the days asked."""
    return _decide_extension(case, actor=actor, approve=True, note=note.strip(), at=at)


@transaction.atomic
def case_deny_extension(*, case: Case, actor, note: str = "", at=None) -> ExtensionRequest:
    return _decide_extension(case, actor=actor, approve=False, note=note.strip(), at=at)
