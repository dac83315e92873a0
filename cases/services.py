"""Every write to a case. One function per transition, each atomic, each writing one CaseEvent,
all through the one transition path ``cases.transitions._run`` (the pattern is described there).

The clock's services (中止/恢复计时, 延期) live in ``cases.pauses`` and the stage clock in
``cases.clock``; their public names are importable from here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from notifications.services import notification_send, notifications_batch_enqueue, notifications_bulk_send
from routing.dispatch import directory_pinned, unit_cached
from routing.models import MatterType, Region, Unit
from routing.roles import DISPATCH_ROLE

from . import messages as texts
from .baoan import case_baoan_release as case_baoan_release
from .baoan import case_baoan_take as case_baoan_take
from .baoan import case_plate_hang as case_plate_hang
from .baoan import case_plate_remove as case_plate_remove
from .baoan import leader_notice, leader_result_message, review_owner_check

# Re-exported: callers import the case services from here.
from .clock import CLOCK_FIELDS as CLOCK_FIELDS
from .clock import enter_stage, start_contact_clock
from .clock import set_thresholds_source as set_thresholds_source
from .models import (
    CONTACT_STATUSES,
    NOTE_STATUSES,
    Case,
    CaseEvent,
    CaseNumberSequence,
    ContactMethod,
    ExtensionRequest,
    ExtensionStatus,
    Outcome,
    Party,
    PartyRole,
    PersonalDataAccess,
    RatedVia,
    Rating,
    Status,
    WarningLevel,
)
from .pauses import PAUSABLE as PAUSABLE
from .pauses import case_approve_extension as case_approve_extension
from .pauses import case_deny_extension as case_deny_extension
from .pauses import case_pause as case_pause
from .pauses import case_request_extension as case_request_extension
from .pauses import case_resume as case_resume
from .permissions import can_add_note, can_callback, can_contact, is_handling_unit_member
from .rating_links import rating_link_issue
from .severity import case_severity_set as case_severity_set
from .transitions import CaseError as CaseError
from .transitions import (
    Step,
    _acting_unit,
    _citizen_messages,
    _event,
    _notify_citizens,
    _notify_unit,
    _now,
    _require_text,
    _run,
    _run_steps,
    _unit_messages,
)
from .transitions import case_event_record as case_event_record
from .transitions import case_events_bulk_record as case_events_bulk_record


@dataclass
class PartyData:
    name: str
    phone: str = ""
    id_number: str = ""
    role: str = PartyRole.APPLICANT
    user_id: int | None = None
    notify: bool = False


@dataclass
class CaseOrigin:
    """Where a case came from beyond its channel (issue #12): a letter's number and date, a higher
    authority's document number and deadline (上级交办: caps the clock), an imported case's source
    and id in the old system. Empty values are left empty."""

    letter_number: str = ""
    letter_date: date | None = None
    referral_authority: str = ""
    referral_document: str = ""
    referral_due_at: datetime | None = None
    import_source: str = ""
    external_id: str = ""

    def apply(self, case: Case) -> None:
        for name, value in vars(self).items():
            setattr(case, name, value.strip() if isinstance(value, str) else value)


_NEXT_NUMBER_SQL = (
    f"UPDATE {CaseNumberSequence._meta.db_table} SET last = last + %s WHERE prefix = %s AND year = %s RETURNING last"
)


def _next_number(prefix: str, year: int) -> str:
    """Readable, unique, gap-tolerant numbers per prefix and year (高明-2026-000123): one
    ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35), the row locked until commit."""
    return _reserve_numbers(prefix, year, 1)[0]


def _reserve_numbers(prefix: str, year: int, count: int) -> list[str]:
    """``count`` consecutive numbers with the same one ``UPDATE`` (the historical import)."""
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_NUMBER_SQL, [count, prefix, year])
            row = cursor.fetchone()
        if row is not None:
            return [f"{prefix}-{year}-{n:06d}" for n in range(row[0] - count + 1, row[0] + 1)]
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass  # another request created it first: increment theirs
    raise CaseError(_("案件编号生成失败，请重试。"))


def _keep_prefetched(case: Case, name: str, rows: list) -> None:
    """What ``prefetch_related(name)`` would leave on ``case``, from rows the caller just wrote."""
    queryset = getattr(case, name).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    case._prefetched_objects_cache = {**getattr(case, "_prefetched_objects_cache", {}), name: queryset}


def _number_prefix(centre: Unit) -> str:
    """The centre's place without its suffix (高明区 → 高明): letters and digits only, at most 20,
    so an odd region name can neither overflow the counter's column nor break a case URL."""
    name = re.sub(r"\W", "", centre.region.name)
    for suffix in ("自治县", "新区", "区", "县", "市", "镇", "街道", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    return name[:20] or centre.region.code[:20]


# Creating --------------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # claim_submit's transaction is the one to roll back
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
    origin: CaseOrigin | None = None,
) -> Case:
    """Register a new case (待受理) at the claims centre responsible for ``region``.

    Guarantees: a unique readable number, the accept-stage due time, the parties, one
    ``submit`` event. Triggers nothing else: acceptance is a separate step. The parties written
    are kept on the returned case (``case.parties.all()`` reads no row again).
    """
    at = _now(at)
    with directory_pinned() as index:
        centre_code = index.nearest_with_role(region.code, DISPATCH_ROLE)
        if centre_code is None:
            raise CaseError(_("该地区尚未设置诉求服务中心，暂时无法登记，请联系系统管理员。"))
        centre = unit_cached(centre_code)
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
        # 严重程度: proposed by the directory's rules, confirmed or changed by the centre (cases.severity)
        case.severity, case.severity_reasons = index.propose_severity(
            matter=matter.code, parties=case.people_count, text=f"{case.title}\n{case.description}"
        )
        if origin is not None:
            origin.apply(case)  # before the clock: a higher authority's deadline caps it
        enter_stage(case, "accept", at)
        case.save()
        written = Party.objects.bulk_create(
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
        _keep_prefetched(case, "parties", written)
        _event(case, "submit", actor=actor, from_status="", note=texts.channel_note(channel), at=at)
    return case


# 受理 ------------------------------------------------------------------------------------------


@transaction.atomic
def case_accept(*, case: Case, actor, note: str = "", at: datetime | None = None) -> Case:
    """Accept (受理) and dispatch automatically by the routing rules.

    A decision with a lead unit sends the case to that unit (已派单, sign-stage clock); a queued
    decision leaves it 已受理 in the centre's manual dispatch queue with the suggestion stored.
    Citizens are told; the lead unit is told of the new assignment.

    Both transitions are written together (one ``UPDATE``, one ``INSERT`` of the two events, one
    of the messages, one delivery task): the same rows as accepting, then dispatching.
    """
    at = _now(at)
    with directory_pinned() as index:
        decision = index.decide(
            matter=case.matter.code,
            region=case.region.code,
            parties=case.people_count,
            channel=case.channel,
            severity=case.severity,
        )
        rule_name = index.rule_name(decision.rule)
        routing = {
            "routing_rule": decision.rule or "",
            "routing_rule_name": rule_name,
            "routing_queued": decision.queue,
            # staff read rules and matters by their Chinese names, never their ids (#17)
            "routing_explanation": index.named(decision.explanation),
        }
        accept = Step("accept", actor=actor, note=note, fields=routing, stage="accept")
        if decision.queue or not decision.lead:
            _run_steps(case, [accept], at=at)
            _notify_citizens(case, texts.citizen_accepted(case))
            return case
        lead = unit_cached(decision.lead)
        cooperating = [unit_cached(code) for code in decision.cooperating]
        auto_note = _("按分派规则“%(rule)s”自动派单") % {"rule": rule_name}
        dispatch, cooperating = _dispatch_step(lead, cooperating, actor=None, note=auto_note, system=True)
        events = _run_steps(case, [accept, dispatch], at=at)
        # A case just accepted has no cooperating units yet: add, without reading them first.
        case.cooperating_units.add(*cooperating)
        notifications_bulk_send(
            _citizen_messages(case, texts.citizen_accepted(case))
            + _dispatch_messages(case, lead, cooperating, events[-1].reply_due_at)
        )
        # Inside notifications_batched (the window form), the delivery task commits with this
        # transaction: one commit fewer per claim with q2's ORM broker.
        notifications_batch_enqueue()
    return case


def _dispatch_step(lead: Unit, cooperating: list[Unit], *, actor, note: str, system=False) -> tuple[Step, list[Unit]]:
    if not lead.active:
        raise CaseError(_("单位“%(unit)s”已停用，不能派单。") % {"unit": lead.name})
    cooperating = [u for u in cooperating if u.pk != lead.pk]
    parts = [note, _("主办：%(lead)s") % {"lead": lead.name}]
    if cooperating:
        parts.append(_("协办：%(units)s") % {"units": "、".join(u.name for u in cooperating)})
    text = "；".join(part for part in parts if part)
    step = Step("dispatch", actor=actor, note=text, fields={"lead_unit": lead}, stage="sign", system=system)
    return step, cooperating


def _dispatch_messages(case: Case, lead: Unit, cooperating: list[Unit], reply_due_at) -> list[dict]:
    return _citizen_messages(case, texts.citizen_dispatched(case, lead, reply_due_at)) + _unit_messages(
        [(lead, texts.unit_assigned(case))] + [(unit, texts.unit_cooperating(case, lead)) for unit in cooperating],
        case=case,
    )


def _dispatch(case: Case, *, actor, lead: Unit, cooperating: list[Unit], note: str, at, system=False) -> None:
    step, cooperating = _dispatch_step(lead, cooperating, actor=actor, note=note, system=system)
    events = _run_steps(case, [step], at=at)
    case.cooperating_units.set(cooperating)
    notifications_bulk_send(_dispatch_messages(case, lead, cooperating, events[0].reply_due_at))


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
    _notify_result(case)
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
    """签收: the lead unit takes the case; the handle-stage clock starts, and on the first signing
    the contact clock (首次联系, ``cases.clock.start_contact_clock``) too; a 首接单位's duty on a
    buck-passed case ends (``cases.handover``)."""
    at = _now(at)
    contact = {name: getattr(case, name) for name in start_contact_clock(case, at)}
    _run(case, "sign", actor=actor, stage="handle", fields=contact, at=at)  # ends a 首接负责 (``_run_steps``)
    return case


CONTACT_NOTE_MAX = 500


@transaction.atomic
def case_contact(*, case: Case, actor, method: str, note: str, at=None) -> CaseEvent:
    """首次联系: the lead unit records contacting the citizen (电话 / 上门 / 短信, with a note).

    Guarantees: once per case — one conditional ``UPDATE`` stops the contact clock (its level back
    to none), so of two handlers recording at once exactly one succeeds and the other is told it is
    already recorded; one internal ``contact`` event with the method and the note. The status does
    not change. Only the lead unit's handlers, while the case is 处置中 or 待审核."""
    if method not in ContactMethod.values:
        raise CaseError(_("请选择联系方式（电话、上门或短信）。"))
    note = _require_text(note, _("请填写联系情况，例如联系了谁、群众的主要诉求和答复。"))[:CONTACT_NOTE_MAX]
    if case.status not in CONTACT_STATUSES:
        raise CaseError(_("该案件当前状态为“%(status)s”，不能记录首次联系。") % {"status": case.get_status_display()})
    if not can_contact(actor, case):
        raise PermissionDenied
    at = _now(at)
    updated = Case.objects.filter(pk=case.pk, contacted_at__isnull=True, status__in=CONTACT_STATUSES).update(
        contacted_at=at, contact_method=method, contact_level=WarningLevel.NONE, contact_changed_at=at
    )
    if not updated:
        raise CaseError(_("该案件已记录过首次联系，请刷新页面查看。"))
    case.contacted_at, case.contact_method, case.contact_level = at, method, WarningLevel.NONE
    label = ContactMethod(method).label
    text = _("%(method)s联系：%(note)s") % {"method": label, "note": note}
    if case.contact_due_at is not None and at > case.contact_due_at:
        text += _("（已超过首次联系时限）")
    return _event(case, "contact", actor=actor, from_status=case.status, note=text, public=False, at=at)


def _handover(case: Case, transition: str, *, actor, to_unit: Unit, reason: str, at) -> Case:
    reason = _require_text(reason, _("请填写移交理由。"))
    if not to_unit.active:
        raise CaseError(_("单位“%(unit)s”已停用。") % {"unit": to_unit.name})
    if to_unit.pk == case.lead_unit_id:
        raise CaseError(_("案件已由该单位主办，请选择其他单位。"))
    leaving = case.lead_unit_id
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
    from .handover import handover_lapse

    handover_lapse(case, at=at)  # a pending 退回/转办申请 of the unit it leaves is moot
    from .unreason import unreason_lapse

    unreason_lapse(case, unit_id=leaving, actor=actor, at=at)  # and its pending 不合理诉求 proposal
    _notify_unit(to_unit, texts.unit_assigned(case), case=case)
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


@transaction.atomic
def case_submit_result(*, case: Case, actor, result: str, outcome: str, joint_override: str = "", at=None) -> Case:
    """办结报告 by the lead unit; goes to the centre for review (待审核).

    While a 联办任务 is open it is refused, unless ``joint_override`` gives the reason to submit
    anyway: then an internal ``joint_override`` event records the reason and the units not yet
    answered (``cases.joint.joint_guard``)."""
    from .joint import joint_guard

    result = _require_text(result, _("请填写办理结果。"))
    if outcome not in Outcome.values:
        raise CaseError(_("请选择办理结论。"))
    override_note = joint_guard(case, joint_override)
    if override_note:
        _event(case, "joint_override", actor=actor, from_status=case.status, note=override_note, public=False, at=at)
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
    notifications_bulk_send(leader_result_message(case))  # 包案: the leader reviews it
    return case


# 监督 / 反馈 ------------------------------------------------------------------------------------


@transaction.atomic
def case_approve(*, case: Case, actor, note: str = "", at=None) -> Case:
    """审核通过: the result is sent to the citizen for rating (待评价). While a leader owns the case
    (包案) only they or an admin may approve (``can_review``; the owner re-read under a row lock)."""
    review_owner_check(case)
    _run(
        case,
        "approve",
        actor=actor,
        note=note.strip() or _("审核通过，办理结果已告知群众"),
        fields={"flagged": False},
        stage="feedback",
        at=at,
    )
    _notify_result(case)
    return case


def _notify_result(case: Case) -> None:
    """The result SMS (待评价). The applicant's carries a new single-use rating link, stored in this
    transaction (``cases.rating_links``); the raw token is only in that SMS, masked in the outbox."""
    body = texts.citizen_result(case)
    link = rating_link_issue(case)
    if link is None:
        _notify_citizens(case, body)
        return
    party = next(p for p in case.parties.all() if p.pk == link.party_id)
    others = [m for m in _citizen_messages(case, body) if (m["phone"], m["user_id"]) != (party.phone, party.user_id)]
    notifications_bulk_send(others)
    notification_send(
        kind="case_update",
        phone=party.phone,
        user=party.user if party.user_id else None,
        body=texts.citizen_result_link(case, link.url),
        secret=link.secret,
        one_time=False,  # listed in the message centre (token masked) and kept, not purged
        case_number=case.number,
    )


@transaction.atomic
def case_send_back(*, case: Case, actor, reason: str, at=None) -> Case:
    """驳回重办: back to the lead unit with the reason; the handle-stage clock restarts."""
    reason = _require_text(reason, _("请填写驳回理由，说明需要补充或重办的内容。"))
    review_owner_check(case)
    _run(case, "send_back", actor=actor, note=reason, public=False, stage="handle", at=at)
    _notify_unit(case.lead_unit, texts.unit_sent_back(case, reason), case=case, kind="case_sent_back")
    return case


#: How each way of rating is marked on the staff timeline (the note starts with it).
_RATED_VIA_NOTE = {RatedVia.LINK: _lazy("短信链接评价"), RatedVia.PHONE: _lazy("电话回访")}


@transaction.atomic
def case_rate(
    *,
    case: Case,
    actor,
    rating: str,
    comment: str = "",
    solved: bool | None = None,
    via: str = RatedVia.WEB,
    at=None,
) -> Case:
    """The citizen rates: 满意 / 基本满意 close the case; 不满意 returns it for review, flagged.

    ``via`` (``Case.rated_via``): ``web`` — the citizen logged in (the transition's permission);
    ``phone`` — a clerk of the centre records what the citizen said on a call-back (``actor`` is
    the clerk, checked with ``can_callback``; the event says 电话回访); ``link`` — the SMS link,
    whose single-use token the caller (``feedback``) has checked and claimed. ``solved``: the
    answer to 问题是否解决 (None: not answered). A reason for 不满意 is required on the web only.
    """
    if rating not in Rating.values:
        raise CaseError(_("请选择评价。"))
    if via not in RatedVia.values:
        raise CaseError(_("未知的评价方式。"))
    if via == RatedVia.PHONE and not can_callback(actor, case):
        raise PermissionDenied
    system = via != RatedVia.WEB  # the permission was checked above (phone) or by the token (link)
    comment = comment.strip()
    if rating == Rating.UNSATISFIED and via == RatedVia.WEB:
        comment = _require_text(comment, _("请说明不满意的原因，便于重新办理。"))
    at = _now(at)
    note = "：".join(part for part in (str(_RATED_VIA_NOTE.get(via, "")), comment) if part)
    fields = {"rating": rating, "rating_comment": comment, "rated_via": via, "solved": solved}
    if rating == Rating.UNSATISFIED:
        _run(
            case,
            "rate_unsatisfied",
            actor=actor,
            note=note or _("不满意（未说明原因）"),
            fields={**fields, "flagged": True},
            stage="review",
            at=at,
            system=system,
        )
        # 包案: back to 待审核, which only the owner may now review
        notifications_bulk_send(
            leader_notice(
                case, _("群众对您包案的案件 %(n)s 评价不满意，案件已回到待审核，请审核。") % {"n": case.number}
            )
        )
    else:
        _run(
            case,
            "rate_closed",
            actor=actor,
            note=note,
            fields={**fields, "closed_at": at},
            stage=None,
            at=at,
            system=system,
        )
        _notify_citizens(case, texts.citizen_closed(case))
    return case


@transaction.atomic
def case_close_unreached(*, case: Case, actor, note: str, at=None) -> Case:
    """回访未接通: a clerk closes a case awaiting a rating whose citizen could not be reached (the
    feedback app checks the call attempts first). No rating is recorded; the citizen is told."""
    _run(case, "close_unreached", actor=actor, note=note, fields={"closed_at": _now(at)}, stage=None, at=at)
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
def case_merge(*, case: Case, actor, into: Case, note: str = "", at=None, system: bool = False) -> Case:
    """一案多投: ``case`` is a duplicate of ``into``; its parties then follow ``into``, and ``into``'s
    重复诉求次数 (``repeat_count``) grows by ``case``'s, in the same transaction.

    ``system``: the merge is the platform's, taken at intake on the submitter's own choice (a
    citizen or grid worker joining a similar open case, intake.duplicates); ``actor`` is recorded
    but the merge permission is not asked of them."""
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
        system=system,
    )
    # 重复诉求次数: ``into`` now carries the merged case's claims too — one set-based UPDATE that
    # reads the merged case's count in the database (exact even if ``case`` was loaded earlier).
    carried = Case.objects.filter(pk=case.pk).values("repeat_count")
    Case.objects.filter(pk=into.pk).update(repeat_count=F("repeat_count") + Subquery(carried))
    into.repeat_count += case.repeat_count
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
