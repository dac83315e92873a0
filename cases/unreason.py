"""不合理诉求 / 恶意诉求 (issue #15): the lead unit proposes the label with grounds and reasons, the
centre's dispatchers approve or refuse it (审核认定) and may later revoke an approved one; an
approved case is left out of that unit's 满意率 (``supervision.kpi.measures``).

Services (every write), the selectors of the screens, and the hook through which the KPI snapshot
learns that a closed day's figures changed (``register_label_listener``: supervision registers it
at start-up, cases does not import supervision). See docs/unreasonable-claims.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import user_memberships
from core.errors import StaleError

from .models import Case, Status
from .permissions import can_decide_unreason, can_propose_unreason
from .transitions import CaseError, _event, _notify_unit, _now, _require_text
from .unreason_models import (
    LIVE_STATUSES,
    MALICIOUS_GROUNDS,
    UnreasonGround,
    UnreasonKind,
    UnreasonLabel,
    UnreasonStatus,
)

#: While the unit works the case, waits for the centre's review or the citizen's rating, or after
#: it closed (ratings come at the end: an unsatisfied one sends the case back to 待审核).
PROPOSE_STATUSES = [Status.HANDLING, Status.REVIEWING, Status.FEEDBACK, Status.CLOSED]
#: A closed case may be proposed this many days after it closed (then its month's figures stand).
PROPOSE_DAYS_AFTER_CLOSE = 30
REASON_MAX = 1000
DECISION_MAX = 500

# The KPI snapshot's hook --------------------------------------------------------------------------

_listeners: list[Callable[[dt.date], None]] = []


def register_label_listener(listener: Callable[[dt.date], None]) -> None:
    """``listener(day)`` is called inside the transaction that approves or revokes a label of a case
    closed on ``day`` (local date): the KPI snapshot forgets that day, so it is counted live and
    written again (``supervision.kpi.snapshot.kpi_day_invalidate``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _closed_day_changed(case: Case) -> None:
    if case.closed_at is None:
        return  # not closed: no day's 满意率 holds it yet
    day = timezone.localdate(case.closed_at)
    for listener in _listeners:
        listener(day)


# Helpers ----------------------------------------------------------------------------------------


def propose_refusal(case: Case, now: dt.datetime) -> str | None:
    """Why the case cannot be proposed now (in Chinese), or None. Shared by the panel and the service."""
    if case.status not in PROPOSE_STATUSES:
        if case.status == Status.DISPATCHED:
            return _("请先签收案件；不属于本单位职责的，请退回诉求服务中心。")
        return _("该案件当前状态为“%(status)s”，不能申请认定不合理诉求。") % {"status": case.get_status_display()}
    closed_at = case.closed_at if case.status == Status.CLOSED else None
    if closed_at is not None and now - closed_at > dt.timedelta(days=PROPOSE_DAYS_AFTER_CLOSE):
        return _("案件办结已超过 %(n)s 天，不能再申请认定不合理诉求。") % {"n": PROPOSE_DAYS_AFTER_CLOSE}
    return None


def _grounds_text(grounds: list[str]) -> str:
    return "、".join(str(UnreasonGround(g).label) for g in grounds)


def _kind_label(kind: str) -> str:
    return str(UnreasonKind(kind).label)


# Services --------------------------------------------------------------------------------------


@transaction.atomic
def unreason_propose(
    *, case: Case, actor, kind: str, grounds: list[str], reason: str, at: dt.datetime | None = None
) -> UnreasonLabel:
    """申请认定不合理诉求 / 恶意诉求: the lead unit's handler, with at least one standard ground (a
    恶意诉求 at least one of the malicious ones) and a written reason.

    Guarantees: only the lead unit's handlers, while the case is 处置中 / 待审核 / 待评价, or within
    ``PROPOSE_DAYS_AFTER_CLOSE`` days after it closed; one live (pending or approved) label per case
    — a second proposal, even at the same moment, is refused (the ``unreason_one_live`` constraint);
    one internal ``unreason_propose`` event. Nothing is written on bad input."""
    at = _now(at)
    if kind not in UnreasonKind.values:
        raise CaseError(_("请选择类别：不合理诉求或恶意诉求。"), field="kind")
    grounds = [g for g in UnreasonGround.values if g in set(grounds or [])]
    if not grounds:
        raise CaseError(_("请至少勾选一项认定情形。"), field="grounds")
    if kind == UnreasonKind.MALICIOUS and not MALICIOUS_GROUNDS & set(grounds):
        raise CaseError(
            _("认定恶意诉求须至少勾选一项恶意情形：虚构歪曲事实、谋取不当利益、辱骂威胁或缠访闹访。"), field="grounds"
        )
    reason = _require_text(reason, _("请填写申请理由，说明诉求内容、已做的答复和认定依据。"))[:REASON_MAX]
    if not can_propose_unreason(actor, case):
        raise PermissionDenied
    problem = propose_refusal(case, at)
    if problem:
        raise CaseError(problem)
    # one live label per case *and unit*: a label of a unit the case has left (approved for it, kept
    # for its 满意率) does not stop the current lead unit from proposing its own
    live = UnreasonLabel.objects.filter(case=case, unit_id=case.lead_unit_id, status__in=LIVE_STATUSES).first()
    if live is not None:
        raise CaseError(_already(live))
    try:
        with transaction.atomic():
            label = UnreasonLabel.objects.create(
                case=case,
                unit_id=case.lead_unit_id,
                kind=kind,
                grounds=grounds,
                reason=reason,
                proposed_by=actor,
                proposed_at=at,
            )
    except IntegrityError:
        raise StaleError(_("该案件刚有人提出了认定申请，请查看最新情况。")) from None
    note = _("申请认定为%(kind)s（%(grounds)s）：%(reason)s") % {
        "kind": _kind_label(kind),
        "grounds": _grounds_text(grounds),
        "reason": reason,
    }
    _event(case, "unreason_propose", actor=actor, from_status=case.status, note=note, public=False, at=at)
    return label


def _already(live: UnreasonLabel) -> str:
    if live.status == UnreasonStatus.PENDING:
        return _("该案件已有待审核的认定申请，请等待诉求服务中心审核。")
    return _("该案件已被认定为%(kind)s。") % {"kind": _kind_label(live.kind)}


def _decide(*, label: UnreasonLabel, actor, approve: bool, reason: str, at) -> UnreasonLabel:
    case = label.case
    if not can_decide_unreason(actor, case):
        raise PermissionDenied
    at = _now(at)
    status = UnreasonStatus.APPROVED if approve else UnreasonStatus.REFUSED
    updated = UnreasonLabel.objects.filter(pk=label.pk, status=UnreasonStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=at, decision_reason=reason
    )
    if not updated:
        raise StaleError(_("该认定申请刚被他人审核，请查看审核结果。"))
    label.status, label.decided_by, label.decided_at, label.decision_reason = status, actor, at, reason
    kind = _kind_label(label.kind)
    if approve:
        Case.objects.filter(pk=case.pk).update(unreason=label.kind, unreason_unit=label.unit_id)
        case.unreason, case.unreason_unit_id = label.kind, label.unit_id
        _closed_day_changed(case)
        note = _("认定为%(kind)s，不纳入%(unit)s满意率考核") % {"kind": kind, "unit": label.unit.name}
        transition = "unreason_approve"
        body = _("案件 %(n)s 已认定为%(kind)s，不纳入本单位满意率考核。") % {"n": case.number, "kind": kind}
    else:
        note = _("不予认定为%(kind)s") % {"kind": kind}
        transition = "unreason_refuse"
        body = _("案件 %(n)s 的%(kind)s认定申请未获通过：%(reason)s") % {
            "n": case.number,
            "kind": kind,
            "reason": reason,
        }
    if reason:
        note += _("：%(reason)s") % {"reason": reason}
    _event(case, transition, actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_unit(label.unit, body, case=case, kind="unreason")
    return label


@transaction.atomic
def unreason_approve(*, label: UnreasonLabel, actor, reason: str = "", at: dt.datetime | None = None) -> UnreasonLabel:
    """审核认定: approve a pending proposal (the reason optional). The case then carries the label and
    is left out of the unit's 满意率; a closed day already in the KPI snapshot is written again.

    Guarantees: only a dispatcher of the case's centre; one conditional ``UPDATE`` (of two decisions
    at once exactly one is kept, the other is told); one internal ``unreason_approve`` event; the
    unit's handlers get an in-app message on commit."""
    reason = (reason or "").strip()[:DECISION_MAX]
    return _decide(label=label, actor=actor, approve=True, reason=reason, at=at)


@transaction.atomic
def unreason_refuse(*, label: UnreasonLabel, actor, reason: str, at: dt.datetime | None = None) -> UnreasonLabel:
    """不予认定: refuse a pending proposal, with a reason the unit reads. Same guarantees as approving;
    the case keeps counting in the unit's 满意率 and the unit may propose again with new grounds."""
    reason = _require_text(reason, _("不予认定须填写理由，告知申请单位。"))[:DECISION_MAX]
    return _decide(label=label, actor=actor, approve=False, reason=reason, at=at)


@transaction.atomic
def unreason_revoke(*, label: UnreasonLabel, actor, reason: str, at: dt.datetime | None = None) -> UnreasonLabel:
    """撤销认定: the centre takes back an approved label, with a reason (e.g. the citizen's new facts).

    Guarantees: only a dispatcher of the case's centre; one conditional ``UPDATE``; the case counts in
    the unit's 满意率 again (the snapshot's day is written again); one internal ``unreason_revoke``
    event; the unit is told."""
    reason = _require_text(reason, _("撤销认定须填写理由。"))[:DECISION_MAX]
    case = label.case
    if not can_decide_unreason(actor, case):
        raise PermissionDenied
    at = _now(at)
    updated = UnreasonLabel.objects.filter(pk=label.pk, status=UnreasonStatus.APPROVED).update(
        status=UnreasonStatus.REVOKED, revoked_by=actor, revoked_at=at, revoke_reason=reason
    )
    if not updated:
        raise StaleError(_("该认定刚被他人撤销，请查看最新情况。"))
    label.status, label.revoked_by, label.revoked_at, label.revoke_reason = UnreasonStatus.REVOKED, actor, at, reason
    # the case's label fields carry the latest approval: clear them only if they are this label's
    if Case.objects.filter(pk=case.pk, unreason_unit_id=label.unit_id).update(unreason="", unreason_unit=None):
        case.unreason, case.unreason_unit_id = "", None
    _closed_day_changed(case)
    kind = _kind_label(label.kind)
    note = _("撤销%(kind)s认定，恢复计入%(unit)s满意率：%(reason)s") % {
        "kind": kind,
        "unit": label.unit.name,
        "reason": reason,
    }
    _event(case, "unreason_revoke", actor=actor, from_status=case.status, note=note, public=False, at=at)
    body = _("案件 %(n)s 的%(kind)s认定已被撤销：%(reason)s") % {"n": case.number, "kind": kind, "reason": reason}
    _notify_unit(label.unit, body, case=case, kind="unreason")
    return label


def unreason_lapse(case: Case, *, unit_id: int | None, actor=None, at: dt.datetime | None = None) -> int:
    """The case left ``unit_id`` (an approved 转办/退回申请, a centre transfer, an escalation): that
    unit's *pending* proposal is moot — the case is no longer counted in its 满意率 — so it is marked
    已失效, with one internal ``unreason_lapse`` event and a message to the unit. An approved label
    stays (it was the centre's decision for that unit). Call inside the moving transaction; one
    conditional ``UPDATE`` (a decision at the same moment either wins first or finds it lapsed)."""
    if unit_id is None:
        return 0
    at = _now(at)
    label = (
        UnreasonLabel.objects.filter(case=case, unit_id=unit_id, status=UnreasonStatus.PENDING)
        .select_related("unit")
        .first()
    )
    if label is None:
        return 0
    reason = _("案件已移交其他单位办理，认定申请自动失效")
    if not UnreasonLabel.objects.filter(pk=label.pk, status=UnreasonStatus.PENDING).update(
        status=UnreasonStatus.LAPSED, decided_at=at, decision_reason=reason
    ):
        return 0
    kind = _kind_label(label.kind)
    note = _("%(unit)s的%(kind)s认定申请已失效：案件已移交其他单位办理") % {"unit": label.unit.name, "kind": kind}
    _event(case, "unreason_lapse", actor=actor, from_status=case.status, note=note, public=False, at=at)
    body = _("案件 %(n)s 已移交其他单位办理，本单位的%(kind)s认定申请自动失效。") % {"n": case.number, "kind": kind}
    _notify_unit(label.unit, body, case=case, kind="unreason")
    return 1


# Selectors ----------------------------------------------------------------------------------------


def case_labels(case: Case) -> list[UnreasonLabel]:
    """The case's proposals, oldest first, with who proposed and decided (one query)."""
    return list(
        UnreasonLabel.objects.filter(case=case).select_related("unit", "proposed_by", "decided_by", "revoked_by")
    )


def _centre_paths(user) -> list[str]:
    return [m.unit.region.path for m in user_memberships(user) if m.role == Role.DISPATCHER]


def pending_labels(user) -> QuerySet[UnreasonLabel]:
    """The proposals waiting for ``user``'s decision: pending ones of cases in the region subtrees
    where they dispatch, oldest first, with what the list shows (one query for a page)."""
    paths = _centre_paths(user)
    if not paths:
        return UnreasonLabel.objects.none()
    place = Q(pk__in=[])
    for path in paths:
        place |= Q(case__region__path__startswith=path)
    return (
        UnreasonLabel.objects.filter(place, status=UnreasonStatus.PENDING)
        .select_related("case", "case__first_unit", "case__baoan_leader", "unit", "proposed_by")
        .order_by("proposed_at", "id")
    )


def label_with_case(user, pk: int) -> UnreasonLabel | None:
    """A label whose case ``user`` may open on the staff page (its case loaded as the case page
    loads it), or None (→ 404). Whether they may decide is the caller's next question (→ 403)."""
    from .selectors import staff_case_page

    label = UnreasonLabel.objects.select_related("case", "unit").filter(pk=pk).first()
    if label is None:
        return None
    case = staff_case_page(user, label.case.number)
    if case is None:
        return None
    label.case = case
    return label
