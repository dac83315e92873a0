"""Every write to a case. One function per transition, each atomic, each writing one CaseEvent.

The pattern (CONVENTIONS.md "The lifecycle"): check the state → check the permission → run the
FSM transition in memory → ``save(update_fields=…)`` (``ConcurrentTransitionMixin`` makes the
UPDATE conditional on the status we loaded, so of two concurrent transitions exactly one wins and
the other raises ``ConcurrentTransition`` and rolls back) → append the ``CaseEvent`` → enqueue
notifications on commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Membership, Role
from accounts.selectors import user_memberships
from notifications.models import NotificationChannel
from notifications.services import notification_send
from routing.dispatch import current_index
from routing.models import MatterType, Region, Unit
from routing.roles import DISPATCH_ROLE

from . import messages as texts
from .locks import HELD_TRANSITIONS, hold_reason
from .models import (
    NOTE_STATUSES,
    Case,
    CaseEvent,
    CaseNumberSequence,
    ExtensionRequest,
    ExtensionStatus,
    Outcome,
    Party,
    PartyRole,
    PersonalDataAccess,
    Rating,
    Status,
    WarningLevel,
)
from .permissions import can_add_note, can_pause, is_handling_unit_member
from .workdays import add_working_days


class CaseError(Exception):
    """A request that cannot be carried out as asked; ``message`` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class PartyData:
    name: str
    phone: str = ""
    id_number: str = ""
    role: str = PartyRole.APPLICANT
    user_id: int | None = None
    notify: bool = False


# Helpers -------------------------------------------------------------------------------------


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _acting_unit(actor, case: Case) -> Unit | None:
    """The unit on whose behalf ``actor`` acts on ``case`` (for the timeline)."""
    if actor is None:
        return None
    memberships = user_memberships(actor)
    for unit_id in (case.lead_unit_id, *[u.id for u in case.cooperating_units.all()]):
        for m in memberships:
            if m.unit_id == unit_id and m.role == Role.HANDLER:
                return m.unit
    path = case.region.path
    scoped = [m for m in memberships if path.startswith(m.unit.region.path)]
    if scoped:
        return max(scoped, key=lambda m: m.unit.region.depth).unit
    return None


def _event(
    case: Case, transition: str, *, actor, from_status: str, note: str = "", public: bool = True, at=None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        transition=transition,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_unit=_acting_unit(actor, case),
        note=note,
        public=public,
        created_at=_now(at),
    )


def case_event_record(
    *, case: Case, transition: str, actor, from_status: str, note: str = "", public: bool = True, at=None
) -> CaseEvent:
    """Append one entry to the case timeline for a change another app made (a 督办, …); the case's
    own transitions go through ``_run``."""
    return _event(case, transition, actor=actor, from_status=from_status, note=note, public=public, at=at)


def case_events_bulk_record(*, cases, transition: str, note: str, public: bool = False, at=None) -> int:
    """One event (no actor, status unchanged) per case of the queryset ``cases`` with ONE
    ``INSERT … SELECT`` (no Python loop over cases), in the caller's transaction; returns how many.
    The warning sweep records level changes this way."""
    at = connection.ops.adapt_datetimefield_value(_now(at))
    select, params = cases.order_by().values(picked_id=F("pk"), picked_status=F("status")).query.sql_with_params()
    names = ["transition", "note", "public", "created_at", "case", "from_status", "to_status"]
    fields = ", ".join(connection.ops.quote_name(CaseEvent._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(CaseEvent._meta.db_table)} ({fields}) "
            f"SELECT %s, %s, %s, %s, picked.picked_id, picked.picked_status, picked.picked_status FROM ({select}) picked",
            [transition, note, public, at, *params],
        )
        return cursor.rowcount


def _stage_due(case: Case, stage: str, start: datetime, extra_days: int = 0) -> datetime:
    matter = case.matter
    days = {
        "accept": matter.accept_days,
        "sign": matter.sign_days,
        "handle": matter.handle_days,
        "review": settings.CASE_REVIEW_DAYS,
    }[stage]
    return add_working_days(start, days + extra_days)


CLOCK_FIELDS = [
    "stage_started_at",
    "stage_due_at",
    "blue_at",
    "yellow_at",
    "warning_level",
    "paused_at",
    "pause_reason",
]


def _settings_thresholds() -> dict[str, float]:
    return settings.SUPERVISION_WARNING_THRESHOLDS


#: Where ``_set_clock`` reads the warning thresholds ({"blue": 0.5, "yellow": 0.8}): the settings,
#: unless an app above us installs another source (supervision: the admin-editable values) with
#: ``set_thresholds_source`` — so cases never imports supervision.
_thresholds_source: Callable[[], dict[str, float]] = _settings_thresholds


def set_thresholds_source(source: Callable[[], dict[str, float]] | None) -> None:
    """Install the callable ``_set_clock`` asks for the thresholds (``None``: the settings)."""
    global _thresholds_source
    _thresholds_source = source or _settings_thresholds


def _set_clock(case: Case, started: datetime | None, due: datetime | None) -> list[str]:
    """Set the stage window and its warning thresholds; a new window starts with no warning."""
    case.stage_started_at, case.stage_due_at = started, due
    if started is not None and due is not None and due > started:
        thresholds = _thresholds_source()
        window = due - started
        case.blue_at = started + window * thresholds["blue"]
        case.yellow_at = started + window * thresholds["yellow"]
    else:
        case.blue_at = case.yellow_at = None
    case.warning_level = WarningLevel.NONE
    case.paused_at = None
    case.pause_reason = ""
    return list(CLOCK_FIELDS)


def _enter_stage(case: Case, stage: str | None, at: datetime) -> list[str]:
    """Start the clock of the stage the case has just entered."""
    if stage == "feedback":
        due = at + timedelta(days=settings.CASE_AUTO_CLOSE_DAYS)
    elif stage is None:
        due = None
    else:
        due = _stage_due(case, stage, at)
    return _set_clock(case, at, due)


def _run(
    case: Case,
    transition: str,
    *,
    actor,
    note: str = "",
    public: bool = True,
    fields: dict | None = None,
    stage: str | None | bool = False,
    at: datetime | None = None,
    system: bool = False,
) -> CaseEvent:
    """Take one FSM transition and record it. Call inside ``transaction.atomic``."""
    method = getattr(case, transition)
    if not can_proceed(method):
        raise CaseError(
            _("该案件当前状态为“%(status)s”，不能执行此操作；请刷新页面查看最新进展。")
            % {"status": case.get_status_display()}
        )
    if not system and not has_transition_perm(method, actor):
        raise PermissionDenied
    if transition in HELD_TRANSITIONS:
        reason = hold_reason(case)
        if reason:
            raise CaseError(reason)
    at = _now(at)
    from_status = case.status
    method()
    update_fields = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(case, name, value)
        update_fields.append(name)
    if stage is not False:
        update_fields += _enter_stage(case, stage, at)
    case.save(update_fields=update_fields)
    return _event(case, transition, actor=actor, from_status=from_status, note=note, public=public, at=at)


def _notify_citizens(case: Case, body: str) -> None:
    for party in case.parties.filter(notify=True).exclude(phone=""):
        notification_send(kind="case_update", phone=party.phone, user=party.user, body=body)


def _notify_unit(unit: Unit | None, body: str) -> None:
    if unit is None:
        return
    for membership in Membership.objects.filter(unit=unit, role=Role.HANDLER, active=True).select_related("user"):
        notification_send(kind="case_assignment", user=membership.user, body=body, channel=NotificationChannel.INAPP)


def _require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message)
    return value


def _next_number(prefix: str, year: int) -> str:
    """Readable, unique, gap-tolerant numbers per prefix and year (高明-2026-000123)."""
    for _attempt in range(3):
        updated = CaseNumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        if updated:
            last = CaseNumberSequence.objects.get(prefix=prefix, year=year).last
            return f"{prefix}-{year}-{last:06d}"
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass  # another request created it first: increment theirs
    raise CaseError(_("案件编号生成失败，请重试。"))


def _number_prefix(centre: Unit) -> str:
    name = centre.region.name
    for suffix in ("自治县", "新区", "区", "县", "市", "镇", "街道", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# Creating --------------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    channel: str,
    matter: MatterType,
    region: Region,
    title: str,
    description: str,
    parties: list[PartyData],
    address: str = "",
    people_count: int = 1,
    actor=None,
    at: datetime | None = None,
) -> Case:
    """Register a new case (待受理) at the claims centre responsible for ``region``.

    Guarantees: a unique readable number, the accept-stage due time, the parties, one
    ``submit`` event. Triggers nothing else: acceptance is a separate step.
    """
    at = _now(at)
    centre_code = current_index().nearest_with_role(region.code, DISPATCH_ROLE)
    if centre_code is None:
        raise CaseError(_("该地区尚未设置诉求服务中心，暂时无法登记，请联系系统管理员。"))
    centre = Unit.objects.select_related("region").get(code=centre_code)
    case = Case(
        number=_next_number(_number_prefix(centre), timezone.localtime(at).year),
        title=_require_text(title, _("请填写诉求标题。"))[:120],
        description=_require_text(description, _("请填写诉求内容。")),
        channel=channel,
        matter=matter,
        region=region,
        address=address.strip(),
        people_count=max(1, people_count),
        centre=centre,
        created_at=at,
    )
    _enter_stage(case, "accept", at)
    case.save()
    Party.objects.bulk_create(
        [
            Party(
                case=case,
                role=p.role,
                name=p.name.strip(),
                phone=p.phone.strip(),
                id_number=p.id_number.strip(),
                user_id=p.user_id,
                notify=p.notify,
            )
            for p in parties
        ]
    )
    _event(case, "submit", actor=actor, from_status="", note=texts.channel_note(channel), at=at)
    return case


# 受理 ------------------------------------------------------------------------------------------


@transaction.atomic
def case_accept(*, case: Case, actor, note: str = "", at: datetime | None = None) -> Case:
    """Accept (受理) and dispatch automatically by the routing rules.

    A decision with a lead unit sends the case to that unit (已派单, sign-stage clock); a queued
    decision leaves it 已受理 in the centre's manual dispatch queue with the suggestion stored.
    Citizens are told; the lead unit is told of the new assignment.
    """
    at = _now(at)
    decision = current_index().decide(
        matter=case.matter.code, region=case.region.code, parties=case.people_count, channel=case.channel
    )
    routing = {
        "routing_rule": decision.rule or "",
        "routing_queued": decision.queue,
        "routing_explanation": decision.explanation,
    }
    _run(case, "accept", actor=actor, note=note, fields=routing, stage="accept", at=at)
    _notify_citizens(case, texts.citizen_accepted(case))
    if not decision.queue and decision.lead:
        lead = Unit.objects.get(code=decision.lead)
        cooperating = list(Unit.objects.filter(code__in=decision.cooperating))
        auto_note = _("按分派规则 %(rule)s 自动派单") % {"rule": decision.rule}
        _dispatch(case, actor=None, lead=lead, cooperating=cooperating, note=auto_note, at=at, system=True)
    return case


def _dispatch(case: Case, *, actor, lead: Unit, cooperating: list[Unit], note: str, at, system=False) -> None:
    if not lead.active:
        raise CaseError(_("单位“%(unit)s”已停用，不能派单。") % {"unit": lead.name})
    cooperating = [u for u in cooperating if u.pk != lead.pk]
    parts = [note, _("主办：%(lead)s") % {"lead": lead.name}]
    if cooperating:
        parts.append(_("协办：%(units)s") % {"units": "、".join(u.name for u in cooperating)})
    text = "；".join(part for part in parts if part)
    _run(case, "dispatch", actor=actor, note=text, fields={"lead_unit": lead}, stage="sign", at=at, system=system)
    case.cooperating_units.set(cooperating)
    _notify_citizens(case, texts.citizen_dispatched(case, lead))
    _notify_unit(lead, texts.unit_assigned(case))
    for unit in cooperating:
        _notify_unit(unit, texts.unit_cooperating(case, lead))


@transaction.atomic
def case_reject(*, case: Case, actor, reason: str, redirect_to: str = "", at=None) -> Case:
    """不予受理, with the reason and where to go instead, both shown to the citizen."""
    reason = _require_text(reason, _("请填写不予受理的理由。"))
    _run(
        case,
        "reject",
        actor=actor,
        note=reason,
        fields={"reject_reason": reason, "redirect_to": redirect_to.strip(), "closed_at": _now(at)},
        stage=None,
        at=at,
    )
    _notify_citizens(case, texts.citizen_rejected(case))
    return case


@transaction.atomic
def case_resolve_on_spot(*, case: Case, actor, result: str, at=None) -> Case:
    """即接即办: the clerk records the result at the window; the case goes straight to 待评价."""
    result = _require_text(result, _("请填写当场办理的结果。"))
    unit = _acting_unit(actor, case) or case.centre
    _run(
        case,
        "resolve_on_spot",
        actor=actor,
        note=result,
        fields={"result": result, "outcome": Outcome.RESOLVED, "result_unit": unit},
        stage="feedback",
        at=at,
    )
    _notify_citizens(case, texts.citizen_result(case))
    return case


@transaction.atomic
def case_dispatch(
    *, case: Case, actor, lead_unit: Unit, cooperating_units: list[Unit], note: str = "", at=None
) -> Case:
    """Manual dispatch from the centre's queue by a dispatcher."""
    _dispatch(case, actor=actor, lead=lead_unit, cooperating=cooperating_units, note=note.strip(), at=at)
    return case


# 流转 / 处置 ------------------------------------------------------------------------------------


@transaction.atomic
def case_sign(*, case: Case, actor, at=None) -> Case:
    """签收: the lead unit takes the case; the handle-stage clock starts."""
    _run(case, "sign", actor=actor, stage="handle", at=at)
    return case


@transaction.atomic
def case_return(*, case: Case, actor, reason: str, at=None) -> Case:
    """退回: not this unit's matter; back to the centre's queue (已受理) with the reason."""
    reason = _require_text(reason, _("请填写退回理由，说明为什么不属于本单位办理。"))
    _run(
        case,
        "return_case",
        actor=actor,
        note=reason,
        fields={"lead_unit": None, "routing_queued": True},
        stage="accept",
        at=at,
    )
    case.cooperating_units.clear()
    return case


def _handover(case: Case, transition: str, *, actor, to_unit: Unit, reason: str, at) -> Case:
    reason = _require_text(reason, _("请填写移交理由。"))
    if not to_unit.active:
        raise CaseError(_("单位“%(unit)s”已停用。") % {"unit": to_unit.name})
    if to_unit.pk == case.lead_unit_id:
        raise CaseError(_("案件已由该单位主办，请选择其他单位。"))
    _run(
        case,
        transition,
        actor=actor,
        note=_("%(reason)s（移交至 %(unit)s）") % {"reason": reason, "unit": to_unit.name},
        fields={"lead_unit": to_unit, "extension_pending": False},
        stage="sign",
        at=at,
    )
    ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.DENIED, decision_note=_("案件已移交")
    )
    _notify_unit(to_unit, texts.unit_assigned(case))
    return case


@transaction.atomic
def case_transfer(*, case: Case, actor, to_unit: Unit, reason: str, at=None) -> Case:
    """转办 by the centre to another unit (the new unit must sign)."""
    return _handover(case, "transfer", actor=actor, to_unit=to_unit, reason=reason, at=at)


@transaction.atomic
def case_escalate(*, case: Case, actor, to_unit: Unit, reason: str, at=None) -> Case:
    """上报 by the lead unit to a unit at a higher level of the same place."""
    current = case.lead_unit
    if (
        current is None
        or not current.region.path.startswith(to_unit.region.path)
        or to_unit.region_id == current.region_id
    ):
        raise CaseError(_("上报只能报送到本单位所在地的上级区划单位。"))
    return _handover(case, "escalate", actor=actor, to_unit=to_unit, reason=reason, at=at)


@transaction.atomic
def case_add_note(*, case: Case, actor, note: str, public: bool, at=None) -> CaseEvent:
    """A progress note (办理进展) by the lead or a cooperating unit, public or internal."""
    note = _require_text(note, _("请填写办理进展。"))
    if case.status not in NOTE_STATUSES:
        raise CaseError(_("该案件当前状态为“%(status)s”，不能添加进展。") % {"status": case.get_status_display()})
    if not can_add_note(actor, case):
        raise PermissionDenied
    return _event(case, "add_note", actor=actor, from_status=case.status, note=note, public=public, at=at)


@transaction.atomic
def case_record(*, case: Case, transition: str, actor, note: str, public: bool = True, at=None) -> CaseEvent:
    """Append a timeline event that changes no status, for what other apps do to a case
    (a mediation's steps, a court's reply). The caller has checked its own permission."""
    return _event(case, transition, actor=actor, from_status=case.status, note=note, public=public, at=at)


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
        _set_clock(case, case.stage_started_at or at, add_working_days(base, request.days))
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


@transaction.atomic
def case_submit_result(*, case: Case, actor, result: str, outcome: str, at=None) -> Case:
    """办结报告 by the lead unit; goes to the centre for review (待审核)."""
    result = _require_text(result, _("请填写办理结果。"))
    if outcome not in Outcome.values:
        raise CaseError(_("请选择办理结论。"))
    _run(
        case,
        "submit_result",
        public=False,  # the citizen sees the result once the centre approves it
        actor=actor,
        note=result,
        fields={"result": result, "outcome": outcome, "result_unit": case.lead_unit},
        stage="review",
        at=at,
    )
    return case


# 监督 / 反馈 ------------------------------------------------------------------------------------


@transaction.atomic
def case_approve(*, case: Case, actor, note: str = "", at=None) -> Case:
    """审核通过: the result is sent to the citizen for rating (待评价)."""
    _run(
        case,
        "approve",
        actor=actor,
        note=note.strip() or _("审核通过，办理结果已告知群众"),
        fields={"flagged": False},
        stage="feedback",
        at=at,
    )
    _notify_citizens(case, texts.citizen_result(case))
    return case


@transaction.atomic
def case_send_back(*, case: Case, actor, reason: str, at=None) -> Case:
    """驳回重办: back to the lead unit with the reason; the handle-stage clock restarts."""
    reason = _require_text(reason, _("请填写驳回理由，说明需要补充或重办的内容。"))
    _run(case, "send_back", actor=actor, note=reason, public=False, stage="handle", at=at)
    _notify_unit(case.lead_unit, texts.unit_sent_back(case, reason))
    return case


@transaction.atomic
def case_rate(*, case: Case, actor, rating: str, comment: str = "", at=None) -> Case:
    """The citizen rates: 满意 / 基本满意 close the case; 不满意 returns it for review, flagged."""
    if rating not in Rating.values:
        raise CaseError(_("请选择评价。"))
    comment = comment.strip()
    at = _now(at)
    if rating == Rating.UNSATISFIED:
        comment = _require_text(comment, _("请说明不满意的原因，便于重新办理。"))
        _run(
            case,
            "rate_unsatisfied",
            actor=actor,
            note=comment,
            fields={"rating": rating, "rating_comment": comment, "flagged": True},
            stage="review",
            at=at,
        )
    else:
        _run(
            case,
            "rate_closed",
            actor=actor,
            note=comment,
            fields={"rating": rating, "rating_comment": comment, "closed_at": at},
            stage=None,
            at=at,
        )
        _notify_citizens(case, texts.citizen_closed(case))
    return case


@transaction.atomic
def case_withdraw(*, case: Case, actor, reason: str = "", at=None) -> Case:
    """The citizen withdraws an open case (撤回)."""
    _run(
        case,
        "withdraw",
        actor=actor,
        note=reason.strip() or _("群众主动撤回"),
        fields={"closed_at": _now(at)},
        stage=None,
        at=at,
    )
    return case


@transaction.atomic
def case_merge(*, case: Case, actor, into: Case, note: str = "", at=None) -> Case:
    """一案多投: ``case`` is a duplicate of ``into``; its parties then follow ``into``."""
    if into.pk == case.pk:
        raise CaseError(_("不能合并到案件自身。"))
    if not into.is_open:
        raise CaseError(_("目标案件 %(n)s 已结束，不能合并到它。") % {"n": into.number})
    _run(
        case,
        "merge",
        actor=actor,
        note=note.strip() or _("与案件 %(n)s 重复，已合并办理") % {"n": into.number},
        fields={"merged_into": into, "closed_at": _now(at)},
        stage=None,
        at=at,
    )
    existing = {(p.name, p.phone, p.user_id) for p in into.parties.all()}
    Party.objects.bulk_create(
        [
            Party(
                case=into,
                role=p.role,
                name=p.name,
                phone=p.phone,
                id_number=p.id_number,
                user_id=p.user_id,
                notify=p.notify,
            )
            for p in case.parties.all()
            if (p.name, p.phone, p.user_id) not in existing
        ]
    )
    _event(
        into,
        "merge_in",
        actor=actor,
        from_status=into.status,
        note=_("合并了重复诉求 %(n)s") % {"n": case.number},
        at=at,
    )
    _notify_citizens(case, texts.citizen_merged(case, into))
    return case


@transaction.atomic
def case_auto_close(*, case: Case, at: datetime | None = None) -> Case:
    """Close one case whose citizen did not rate in time (system action, no person)."""
    days = settings.CASE_AUTO_CLOSE_DAYS
    note = _("超过 %(d)s 天未评价，系统自动办结") % {"d": days}
    _run(case, "auto_close", actor=None, note=note, fields={"closed_at": _now(at)}, stage=None, at=at, system=True)
    _notify_citizens(case, texts.citizen_closed(case))
    return case


def case_auto_close_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close cases left unrated past their feedback deadline (q2 schedule).

    Each case is closed in its own transaction through the FSM; a case another worker (or the
    citizen) closed meanwhile raises ``ConcurrentTransition`` and is skipped, so running this
    twice or concurrently closes each case once, with one event.
    """
    from django_fsm import ConcurrentTransition

    now = _now(now)
    ids = list(
        Case.objects.filter(status=Status.FEEDBACK, stage_due_at__lte=now)
        .order_by("stage_due_at")
        .values_list("id", flat=True)[:limit]
    )
    closed = 0
    for case in Case.objects.filter(id__in=ids).select_related("region", "matter"):
        try:
            case_auto_close(case=case, at=now)
        except (ConcurrentTransition, CaseError):
            continue
        closed += 1
    return closed


def personal_data_open(*, case: Case, actor) -> bool:
    """Record that a member of the handling unit opened the unmasked parties; True if allowed."""
    if not is_handling_unit_member(actor, case):
        return False
    unit = _acting_unit(actor, case)
    PersonalDataAccess.objects.create(case=case, user=actor, unit=unit or case.lead_unit)
    return True
