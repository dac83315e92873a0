"""退回申请 / 转办申请, 推诿 and 首接负责 (issue #15, docs/handover.md).

A unit no longer returns or transfers a case by itself: it files a request (reason required; for a
转办申请 optionally the unit it suggests) and the case stays with it, in its status, on its running
clock. The dispatchers of the case's place decide: approve → the existing effect (退回: back to
the centre's dispatch queue, 已受理; 转办: to the suggested unit or one the dispatcher picks, which
must sign); refuse with a reason → the request closes, the unit is told, nothing else changes.

A case handed off between units twice (two approved requests) is 推诿: its 首接单位 (the first unit
it was dispatched to) is responsible again until some unit signs it, and the supervision app —
told through ``register_buck_pass_listener``, cases never imports it — issues an automatic 督办.

Every write is one conditional ``UPDATE … WHERE status = 'pending'`` on the request first, so of
two dispatchers deciding at once exactly one decides and writes its one event; the other is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.selectors import user_memberships
from notifications.models import NotificationChannel
from notifications.services import notifications_bulk_send
from routing.models import Unit

from .baoan import leader_notice
from .handover_models import HandoverKind, HandoverRequest, HandoverStatus
from .locks import hold_reason
from .models import Case, CaseEvent, ExtensionRequest, ExtensionStatus
from .permissions import (
    HANDOVER_STATUSES,
    can_decide_handover,
    can_request_handover,
    can_withdraw_handover,
)
from .transitions import UNSIGNED_STATUSES, CaseError, _event, _notify_unit, _now, _require_text, _run

REASON_MAX = 1000


class HandoverStale(CaseError):
    """The request was decided or withdrawn meanwhile, or its case moved on: nothing is written;
    the view says so and goes back to the case page (HTTP 409)."""

    status = 409


#: Approved unit handoffs after which a case counts as buck-passed (推诿).
BUCK_PASS_HANDOFFS = 2


# Listeners (the supervision app's automatic 督办) ------------------------------------------------


@dataclass(frozen=True)
class BuckPass:
    """What a listener is told when a case becomes (or stays) buck-passed at a handoff."""

    case: Case
    first_unit: Unit
    handoffs: list[HandoverRequest]  # the approved ones, oldest first
    at: datetime


#: A listener returns what it did (the automatic 督办 issued) or None (nothing new).
_listeners: list[Callable[[BuckPass], object]] = []


def register_buck_pass_listener(listener: Callable[[BuckPass], object]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def history_words(handoffs: list[HandoverRequest]) -> str:
    """``高明区人社局退回；明城镇综治中心转办至杨和镇综治中心`` — the handoffs in order."""
    parts = []
    for item in handoffs:
        if item.kind == HandoverKind.RETURN:
            parts.append(_("%(unit)s退回") % {"unit": item.unit.name})
        else:
            target = item.to_unit.name if item.to_unit_id else ""
            parts.append(_("%(unit)s转办至%(to)s") % {"unit": item.unit.name, "to": target})
    return "；".join(parts)


# Helpers ---------------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return str(HandoverKind(kind).label)


def _notify_dispatchers(case: Case, body: str) -> None:
    """In-app messages to the dispatchers of the case's centre (who decide the request)."""
    users = Membership.objects.filter(unit_id=case.centre_id, role=Role.DISPATCHER, active=True).order_by("pk")
    notifications_bulk_send(
        [
            {
                "kind": "handover_request",
                "user_id": user_id,
                "body": body,
                "channel": NotificationChannel.INAPP,
                "case_number": case.number,
            }
            for user_id in users.values_list("user_id", flat=True)
        ]
    )


def handover_lapse(case: Case, *, at=None, other_units_only: bool = False) -> int:
    """Mark the case's pending request 已失效 (the case left the requesting unit some other way:
    the centre transferred it, the unit escalated it). One ``UPDATE``; called by ``_handover``, and
    with ``other_units_only`` by ``handover_request`` (a pending request of a unit the case is no
    longer with is moot — ``pending_handover`` already ignores it — and must not block a new one)."""
    rows = HandoverRequest.objects.filter(case=case, status=HandoverStatus.PENDING)
    if other_units_only:
        rows = rows.exclude(unit_id=case.lead_unit_id)
    return rows.update(status=HandoverStatus.LAPSED, decided_at=_now(at), decision_note=_("案件已移交，申请自动失效"))


def _still_with_unit(request: HandoverRequest, case: Case) -> None:
    """A decision needs the case still with the requesting unit, still being handled."""
    if case.status not in HANDOVER_STATUSES or case.lead_unit_id != request.unit_id:
        raise HandoverStale(
            _("案件 %(n)s 已不在%(unit)s办理（当前状态“%(status)s”），该申请无需再审核；请刷新页面查看最新进展。")
            % {"n": case.number, "unit": request.unit.name, "status": case.get_status_display()}
        )


def _close(request: HandoverRequest, status: str, *, actor, at, **fields) -> None:
    """The one conditional ``UPDATE`` that decides (or withdraws) a pending request."""
    updated = HandoverRequest.objects.filter(pk=request.pk, status=HandoverStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=at, **fields
    )
    if not updated:
        raise HandoverStale(_("该申请已由他人审核或已撤回，请刷新页面查看最新结果。"))
    request.status, request.decided_by, request.decided_at = status, actor, at
    for name, value in fields.items():
        setattr(request, name, value)


# Services --------------------------------------------------------------------------------------


@transaction.atomic
def handover_request(
    *, case: Case, actor, kind: str, reason: str, proposed_unit: Unit | None = None, at=None
) -> HandoverRequest:
    """退回申请 / 转办申请 by the lead unit's handler. The case is not changed (status, unit, clock).

    Guarantees: reason required; only while 已派单 or 处置中 and not held (a mediation); one pending
    request per case (the database refuses a second); one internal ``handover_request`` event; the
    centre's dispatchers are told in-app."""
    if kind not in HandoverKind.values:
        raise CaseError(_("请选择申请类型（退回或转办）。"))
    label = _kind_label(kind)
    reason = _require_text(reason, _("请填写申请理由，说明为什么不应由本单位办理。"))[:REASON_MAX]
    if case.status not in HANDOVER_STATUSES:
        raise CaseError(
            _("该案件当前状态为“%(status)s”，不能提出%(kind)s。") % {"status": case.get_status_display(), "kind": label}
        )
    if not can_request_handover(actor, case):
        raise PermissionDenied
    held = hold_reason(case)
    if held:
        raise CaseError(held)
    if kind == HandoverKind.RETURN:
        proposed_unit = None
    elif proposed_unit is not None:
        if not proposed_unit.active:
            raise CaseError(_("单位“%(unit)s”已停用，请另选。") % {"unit": proposed_unit.name})
        if proposed_unit.pk == case.lead_unit_id:
            raise CaseError(_("建议承办单位不能是本单位，请另选或留空由中心指定。"))
    at = _now(at)
    # The case as the form saw it, locked: a centre transfer or escalation committed meanwhile (or
    # waiting on this lock) would leave a request of a unit the case no longer belongs to.
    still = Case.objects.select_for_update().filter(
        pk=case.pk, status__in=HANDOVER_STATUSES, lead_unit_id=case.lead_unit_id
    )
    if not still.exists():
        raise HandoverStale(
            _("案件 %(n)s 刚已移交或状态已变化，不能再提出%(kind)s；请刷新页面查看最新进展。")
            % {"n": case.number, "kind": label}
        )
    handover_lapse(case, at=at, other_units_only=True)  # a request left over from a unit it moved from
    try:
        with transaction.atomic():
            request = HandoverRequest.objects.create(
                case=case,
                kind=kind,
                unit=case.lead_unit,
                requested_by=actor,
                reason=reason,
                proposed_unit=proposed_unit,
                created_at=at,
            )
    except IntegrityError:
        raise CaseError(_("该案件已有待审核的退回或转办申请，请等待中心审核，或先撤回原申请。")) from None
    case._pending_handover = request
    note = _("%(kind)s：%(reason)s") % {"kind": label, "reason": reason}
    if proposed_unit is not None:
        note += _("（建议转至 %(unit)s）") % {"unit": proposed_unit.name}
    _event(case, "handover_request", actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_dispatchers(
        case,
        _("案件 %(n)s：%(unit)s提出%(kind)s，请审核。")
        % {"n": case.number, "unit": case.lead_unit.name, "kind": label},
    )
    return request


@transaction.atomic
def handover_withdraw(*, request: HandoverRequest, actor, at=None) -> HandoverRequest:
    """撤回申请: the requesting unit's handlers, while it is pending. One internal event."""
    if not can_withdraw_handover(actor, request):
        raise PermissionDenied
    at = _now(at)
    _close(request, HandoverStatus.WITHDRAWN, actor=actor, at=at)
    case = request.case
    note = _("撤回%(kind)s") % {"kind": _kind_label(request.kind)}
    _event(case, "handover_withdraw", actor=actor, from_status=case.status, note=note, public=False, at=at)
    return request


@transaction.atomic
def handover_refuse(*, request: HandoverRequest, actor, reason: str, at=None) -> HandoverRequest:
    """不同意: the request closes with the reason; the case is unchanged (its clock too); the
    request counts as 推诿 against the unit (``charged_at``); the unit's handlers are told."""
    case = request.case
    reason = _require_text(reason, _("请填写不同意的理由，告诉承办单位为什么仍应由其办理。"))[:REASON_MAX]
    if not can_decide_handover(actor, case):
        raise PermissionDenied
    _still_with_unit(request, case)
    at = _now(at)
    _close(request, HandoverStatus.REFUSED, actor=actor, at=at, decision_note=reason, charged_at=at)
    label = _kind_label(request.kind)
    note = _("不同意%(unit)s的%(kind)s：%(reason)s") % {"unit": request.unit.name, "kind": label, "reason": reason}
    _event(case, "handover_refuse", actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_unit(
        request.unit,
        _("案件 %(n)s 的%(kind)s未获同意：%(reason)s。请继续办理，办理时限不变。")
        % {"n": case.number, "kind": label, "reason": reason},
        case=case,
        kind="handover_refused",
    )
    return request


@transaction.atomic
def handover_approve(
    *, request: HandoverRequest, actor, to_unit: Unit | None = None, note: str = "", at=None
) -> HandoverRequest:
    """同意: 退回 → the case goes back to the centre's dispatch queue (已受理, ``return_case``);
    转办 → to ``to_unit`` (default: the unit the request suggested), which must sign (``transfer``).
    Then the 推诿 check: at the second approved handoff the case gets its 首接单位 and an
    automatic 督办 (``_buck_pass``)."""
    case = request.case
    if not can_decide_handover(actor, case):
        raise PermissionDenied
    _still_with_unit(request, case)
    note = (note or "").strip()[:REASON_MAX]
    if request.kind == HandoverKind.TRANSFER:
        to_unit = to_unit or request.proposed_unit
        if to_unit is None:
            raise CaseError(_("请选择转办至哪个单位。"))
        if not to_unit.active:
            raise CaseError(_("单位“%(unit)s”已停用，请另选。") % {"unit": to_unit.name})
        if to_unit.pk == request.unit_id:
            raise CaseError(_("不能转办给申请单位自己，请另选单位。"))
    else:
        to_unit = None
    at = _now(at)
    _close(request, HandoverStatus.APPROVED, actor=actor, at=at, decision_note=note, to_unit=to_unit)
    approved_by = _("经%(who)s审核同意") % {"who": actor.display_name}
    if request.kind == HandoverKind.RETURN:
        # The unit's return, approved: the event is the unit's (退回次数 counts it for the unit).
        _run(
            case,
            "return_case",
            actor=request.requested_by,
            note=_("%(reason)s（%(by)s）") % {"reason": request.reason, "by": approved_by},
            fields={"lead_unit": None, "routing_queued": True, "extension_pending": False},
            stage="accept",
            at=at,
            system=True,  # the decision permission was checked above, on the dispatcher
        )
        case.cooperating_units.clear()
        ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.DENIED, decision_note=_("案件已退回")
        )
        from .unreason import unreason_lapse

        unreason_lapse(case, unit_id=request.unit_id, actor=actor, at=at)  # its 不合理诉求 proposal is moot
    else:
        from .services import _handover

        reason = _("%(unit)s转办申请：%(reason)s；%(by)s") % {
            "unit": request.unit.name,
            "reason": request.reason,
            "by": approved_by,
        }
        _handover(case, "transfer", actor=actor, to_unit=to_unit, reason=reason, at=at)
    where = _("已退回诉求服务中心重新分派") if to_unit is None else _("已转至%(unit)s") % {"unit": to_unit.name}
    _notify_unit(
        request.unit,
        _("案件 %(n)s 的%(kind)s已同意，%(where)s。")
        % {"n": case.number, "kind": _kind_label(request.kind), "where": where},
        case=case,
        kind="handover_approved",
    )
    notifications_bulk_send(
        leader_notice(
            case,
            _("您包案的案件 %(n)s：%(unit)s的%(kind)s已获中心同意，%(where)s。")
            % {"n": case.number, "unit": request.unit.name, "kind": _kind_label(request.kind), "where": where},
        )
    )
    _buck_pass(case, at=at)
    return request


def _buck_pass(case: Case, *, at) -> None:
    """推诿: from the second approved handoff on, charge the approved requests not yet charged,
    put the case under its 首接单位's duty (until a unit signs) and tell the listeners (the
    automatic 督办; idempotent there). The first handoff does nothing."""
    handoffs = list(
        HandoverRequest.objects.filter(case=case, status=HandoverStatus.APPROVED)
        .select_related("unit", "to_unit")
        .order_by("decided_at", "id")
    )
    if len(handoffs) < BUCK_PASS_HANDOFFS:
        return
    HandoverRequest.objects.filter(case=case, status=HandoverStatus.APPROVED, charged_at__isnull=True).update(
        charged_at=at
    )
    first_unit = case.first_unit if case.first_unit_id else first_dispatched_unit(case)
    if first_unit is None:
        return
    if not case.first_duty:
        Case.objects.filter(pk=case.pk).update(first_unit=first_unit, first_duty=True)
        case.first_unit, case.first_duty = first_unit, True
        history = history_words(handoffs)
        text = _("该案已在单位间移交 %(n)s 次（%(history)s），按首接负责制由首接单位%(unit)s负责，直至有单位签收。") % {
            "n": len(handoffs),
            "history": history,
            "unit": first_unit.name,
        }
        _event(case, "first_duty_start", actor=None, from_status=case.status, note=text, public=False, at=at)
        _notify_unit(
            first_unit,
            _("案件 %(n)s 已多次移交，按首接负责制由本单位负责协调，直至有单位签收。") % {"n": case.number},
            case=case,
            kind="first_duty",
        )
    event = BuckPass(case=case, first_unit=first_unit, handoffs=handoffs, at=at)
    issued = [listener(event) for listener in _listeners]
    if any(issued):  # a new automatic 督办 (none while one is open): the 包案 leader is told
        notifications_bulk_send(
            leader_notice(
                case,
                _("您包案的案件 %(n)s 已在单位间移交 %(k)s 次（推诿），系统已向首接单位%(unit)s发出督办。")
                % {"n": case.number, "k": len(handoffs), "unit": first_unit.name},
            )
        )


def first_dispatched_unit(case: Case) -> Unit | None:
    """The 首接单位: the unit of the case's first 派单 (automatic or manual), from its timeline."""
    unit_id = (
        CaseEvent.objects.filter(case=case, transition="dispatch", handling_unit__isnull=False)
        .order_by("created_at", "id")
        .values_list("handling_unit_id", flat=True)
        .first()
    )
    return Unit.objects.filter(pk=unit_id).first() if unit_id else None


def first_duty_release(case: Case, *, actor, at=None, transition: str = "sign") -> bool:
    """The unsigned phase ended — a unit signed the case, or it was resolved at the window, merged,
    withdrawn, rejected or closed: the 首接单位's duty ends (one conditional ``UPDATE``, one internal
    ``first_duty_end`` event). Called by ``cases.transitions._run_steps`` after any transition that
    leaves 已受理 / 已派单; False when there was no duty."""
    if not case.first_duty:
        return False
    if not Case.objects.filter(pk=case.pk, first_duty=True).update(first_duty=False):
        return False
    case.first_duty = False
    unit = case.first_unit.name if case.first_unit_id else ""
    if transition == "sign" and case.lead_unit_id:
        note = _("%(signer)s已签收，首接单位%(unit)s的首接责任解除。") % {"signer": case.lead_unit.name, "unit": unit}
    else:
        note = _("案件已%(status)s，不再待签收，首接单位%(unit)s的首接责任解除。") % {
            "status": case.get_status_display(),
            "unit": unit,
        }
    _event(case, "first_duty_end", actor=actor, from_status=case.status, note=note, public=False, at=at)
    return True


# Reads -----------------------------------------------------------------------------------------


def case_handover_requests(case: Case) -> list[HandoverRequest]:
    """Every request on the case, oldest first, with who and which units (one query)."""
    return list(
        HandoverRequest.objects.filter(case=case)
        .select_related("unit", "requested_by", "proposed_unit", "to_unit", "decided_by")
        .order_by("created_at", "id")
    )


def _dispatcher_scope(user) -> Q | None:
    paths = [m.unit.region.path for m in user_memberships(user) if m.role == Role.DISPATCHER]
    if not paths:
        return None
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(case__region__path__startswith=path)
    return condition


def pending_for_dispatcher(user) -> QuerySet[HandoverRequest]:
    """The pending requests a dispatcher decides: cases of their place still with the requesting
    unit (a request whose case moved otherwise is not shown), oldest first."""
    scope = _dispatcher_scope(user)
    if scope is None:
        return HandoverRequest.objects.none()
    return (
        HandoverRequest.objects.filter(
            scope,
            status=HandoverStatus.PENDING,
            case__status__in=HANDOVER_STATUSES,
            case__lead_unit_id=F("unit_id"),
        )
        .select_related("case", "case__region", "case__matter", "case__first_unit", "case__baoan_leader")
        .select_related("unit", "requested_by")
        .select_related("proposed_unit")
        .order_by("created_at", "id")
    )


def pending_count(user) -> int:
    return pending_for_dispatcher(user).aggregate(n=Count("id"))["n"]


def first_duty_cases(user) -> QuerySet[Case]:
    """Cases the handler's units answer for as 首接单位, still unsigned (the inbox's 首接负责 tab)."""
    units = [m.unit_id for m in user_memberships(user) if m.role == Role.HANDLER]
    return (
        Case.objects.filter(first_unit_id__in=units, first_duty=True, status__in=UNSIGNED_STATUSES)
        .select_related("matter", "region", "centre", "lead_unit", "first_unit", "baoan_leader")
        .order_by("stage_due_at", "id")
    )
