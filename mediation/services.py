"""Every write to a mediation's lifecycle and sessions. Agreements: ``mediation.agreements``;
court hand-off: ``mediation.litigation``.

The pattern is the case's (CONVENTIONS.md "The lifecycle"): check the state → check the
permission → FSM transition in memory → ``save(update_fields=…)`` (``ConcurrentTransitionMixin``:
of two concurrent transitions one wins, the other raises ``ConcurrentTransition``) → one
``CaseEvent`` on the case's timeline → notifications on commit.

While a case is in mediation its stage clock is stopped (中止, reason "调解中"): the handling unit
waits for the mediation, which has its own deadline (``MEDIATION_DAYS`` calendar days from
acceptance). The clock restarts when the mediation ends or is withdrawn.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Membership, Role
from cases.models import Case, Party, PartyRole
from cases.services import CaseError, PartyData, case_accept, case_create, case_pause, case_record, case_resume
from notifications.models import NotificationChannel
from notifications.services import notification_send
from routing.models import MatterType, Region, Unit

from . import permissions
from .matching import candidates
from .models import (
    EXTERNAL_SOURCES,
    OPEN_MEDIATION,
    AgreementStatus,
    FailureNext,
    Mediation,
    MediationSession,
    MediationStatus,
    MediatorProfile,
    SessionMode,
    SessionStatus,
    Source,
)

#: A record (笔录) may be written from this long before the session's time (people gather early).
RECORD_EARLY_MINUTES = 30

#: The pause reason the mediation writes, so that it only resumes clocks it stopped itself.
PAUSE_PREFIX = "调解中"


class MediationError(CaseError):
    """A mediation request that cannot be carried out as asked; ``message`` is for the user."""


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _require(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MediationError(message)
    return value


def _notify_unit(unit: Unit | None, body: str, kind: str = "mediation", case_number: str = "") -> None:
    if unit is None:
        return
    for m in Membership.objects.filter(unit=unit, role=Role.HANDLER, active=True).select_related("user"):
        notification_send(kind=kind, user=m.user, body=body, channel=NotificationChannel.INAPP, case_number=case_number)


def _notify_mediator(mediation: Mediation, body: str, kind: str = "mediation") -> None:
    if mediation.mediator_id:
        user = mediation.mediator.user
        number = mediation.case.number
        notification_send(kind=kind, user=user, body=body, channel=NotificationChannel.INAPP, case_number=number)


def _notify_dispatchers(case: Case, body: str) -> None:
    for m in Membership.objects.filter(unit=case.centre, role=Role.DISPATCHER, active=True).select_related("user"):
        notification_send(
            kind="mediation", user=m.user, body=body, channel=NotificationChannel.INAPP, case_number=case.number
        )


def _run(
    mediation: Mediation,
    transition: str,
    *,
    actor,
    note: str,
    fields: dict | None = None,
    at: datetime | None = None,
    public: bool = True,
) -> None:
    """Take one FSM transition, save it, and write it on the case's timeline. Inside ``atomic``.

    The row is locked and compared with what the caller loaded: a re-assignment keeps the status,
    so the status check of ``ConcurrentTransitionMixin`` alone would let a replaced mediator's
    stale accept or decline through."""
    current = Mediation.objects.select_for_update().filter(pk=mediation.pk).values_list("status", "mediator_id").first()
    if current != (mediation.status, mediation.mediator_id):
        raise MediationError(_("该调解刚被他人处理，请刷新页面查看最新状态。"))
    method = getattr(mediation, transition)
    if not can_proceed(method):
        raise MediationError(
            _("该调解当前状态为“%(status)s”，不能执行此操作；请刷新页面查看最新进展。")
            % {"status": mediation.get_status_display()}
        )
    if not has_transition_perm(method, actor):
        raise PermissionDenied
    method()
    update = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(mediation, name, value)
        update.append(name)
    mediation.save(update_fields=update)
    case_record(
        case=mediation.case,
        transition=f"mediation_{transition}",
        actor=actor,
        note=note,
        public=public,
        at=at,
    )


def _pause_case(case: Case, mediation: Mediation, actor, at) -> None:
    case.refresh_from_db(fields=["status", "paused_at", "pause_reason"])
    if case.status in ("dispatched", "handling") and case.paused_at is None:
        case_pause(case=case, actor=actor, reason=f"{PAUSE_PREFIX}（{mediation.number}）", at=at, system=True)


def _resume_case(case: Case, actor, at) -> None:
    case.refresh_from_db(fields=["status", "paused_at", "pause_reason"])
    if case.paused_at is not None and case.pause_reason.startswith(PAUSE_PREFIX):
        case_resume(case=case, actor=actor, at=at, system=True)


def _next_number(case: Case) -> str:
    return f"{case.number}-调{case.mediations.count() + 1}"


def case_hold_reason(case: Case) -> str | None:
    """Why ``case`` is held by a mediation in progress (``cases.locks``), or None. No query when
    the case page's prefetched timeline shows it was never referred to mediation."""
    events = getattr(case, "_prefetched_objects_cache", {}).get("events")
    if events is not None and not any(e.transition == "mediation_request" for e in events):
        return None
    number = (
        Mediation.objects.filter(case_id=case.pk, status__in=OPEN_MEDIATION).values_list("number", flat=True).first()
    )
    if number is None:
        return None
    return _("本案正在调解中（%(n)s）：请待调解结束，或先撤回调解，再办理此项。") % {"n": number}


# Referral ------------------------------------------------------------------------------------


@transaction.atomic
def mediation_request(
    *,
    case: Case,
    actor,
    note: str,
    source: str = Source.HANDLER,
    referral_document: str = "",
    referring_unit: Unit | None = None,
    at: datetime | None = None,
) -> Mediation:
    """Refer a case to mediation (移交调解). Guarantees: at most one open mediation per case, the
    case's clock stopped, one ``mediation_request`` event; the centre's dispatchers are told."""
    at = _now(at)
    note = _require(note, _("请说明移交调解的理由和争议焦点。"))
    if source not in Source.values:
        raise MediationError(_("请选择调解来源。"))
    external = source in EXTERNAL_SOURCES
    if external:
        referral_document = _require(referral_document, _("请填写移送文书号，如（2026）粤0608民诉前调1234号。"))
    if not (permissions.can_refer(actor, case) or (external and permissions.can_register_referral(actor))):
        raise PermissionDenied
    if not case.is_open or case.status in ("submitted", "feedback"):
        raise MediationError(_("该案件当前状态为“%(s)s”，不能移交调解。") % {"s": case.get_status_display()})
    if not case.matter.mediable:
        raise MediationError(_("“%(m)s”类事项不适用调解。") % {"m": case.matter.name})
    if case.mediations.filter(status__in=OPEN_MEDIATION).exists():
        raise MediationError(_("该案件已有进行中的调解，不能重复移交。"))
    mediation = Mediation(
        number=_next_number(case),
        case=case,
        source=source,
        referral_document=referral_document.strip(),
        referring_unit=referring_unit,
        request_note=note,
        requested_by=actor,
        requested_at=at,
    )
    try:
        with transaction.atomic():
            mediation.save()
    except IntegrityError as exc:
        raise MediationError(_("该案件已有进行中的调解，不能重复移交。")) from exc
    text = _("%(src)s；%(note)s") % {"src": mediation.get_source_display(), "note": note}
    if referral_document:
        text += _("（文书号：%(d)s）") % {"d": referral_document}
    case_record(case=case, transition="mediation_request", actor=actor, note=text, at=at)
    _pause_case(case, mediation, actor, at)
    _notify_dispatchers(case, _("案件 %(n)s 已移交调解，请指派调解员。") % {"n": case.number})
    return mediation


@transaction.atomic
def referral_register(
    *,
    actor,
    source: str,
    referral_document: str,
    referring_unit: Unit | None,
    matter: MatterType,
    region: Region,
    title: str,
    description: str,
    parties: list[PartyData],
    address: str = "",
    at: datetime | None = None,
) -> Mediation:
    """A dispute handed over by a court (诉前委派), petition bureau, police or procuratorate:
    register the case at the centre, accept it (routing assigns the responsible unit) and open
    the mediation with the referral document number. The referring body is told the outcome."""
    if not permissions.can_register_referral(actor):
        raise PermissionDenied
    if source not in EXTERNAL_SOURCES:
        raise MediationError(_("请选择移送机关类型。"))
    referral_document = _require(referral_document, _("请填写移送文书号，如（2026）粤0608民诉前调1234号。"))
    if not parties:
        raise MediationError(_("请至少填写一名当事人。"))
    at = _now(at)
    case = case_create(
        channel="referral",
        matter=matter,
        region=region,
        title=title,
        description=description,
        parties=parties,
        address=address,
        people_count=sum(1 for p in parties if p.role == PartyRole.APPLICANT) or 1,
        actor=actor,
        at=at,
    )
    case = case_accept(case=case, actor=actor, note=_("移送调解案件，按规则派单"), at=at)
    return mediation_request(
        case=case,
        actor=actor,
        note=description,
        source=source,
        referral_document=referral_document,
        referring_unit=referring_unit,
        at=at,
    )


# Assignment ----------------------------------------------------------------------------------


@transaction.atomic
def mediation_assign(
    *, mediation: Mediation, actor, mediator: MediatorProfile, note: str = "", at: datetime | None = None
) -> Mediation:
    """指派 (or re-assign) a mediator. Anyone eligible may be picked, not only the recommended;
    the score and its explanation are stored. The mediator is told."""
    at = _now(at)
    scored = {c.profile.pk: c for c in candidates(mediation.case)}
    chosen = scored.get(mediator.pk)
    if chosen is None or not chosen.eligible:
        raise MediationError(
            _("调解员“%(m)s”当前不可指派（不在岗或已达同时调解上限），请选择其他调解员。")
            % {"m": mediator.display_name}
        )
    explanation = [_("综合得分 %(s)d") % {"s": chosen.score}, *chosen.reasons]
    text = _("指派调解员：%(m)s") % {"m": mediator.display_name}
    if mediator.organisation not in mediator.display_name:
        text += _("（%(o)s）") % {"o": mediator.organisation}
    if note.strip():
        text += "；" + note.strip()
    _run(
        mediation,
        "assign",
        actor=actor,
        note=text,
        fields={
            "mediator": mediator,
            "assigned_by": actor,
            "assigned_at": at,
            "match_explanation": explanation,
            "accepted_at": None,
            "no_conflict_declared": False,
        },
        at=at,
    )
    _notify_mediator(
        mediation, _("您被指派调解案件 %(n)s：%(t)s，请及时接受。") % {"n": mediation.number, "t": mediation.case.title}
    )
    return mediation


@transaction.atomic
def mediation_accept(*, mediation: Mediation, actor, no_conflict: bool, at: datetime | None = None) -> Mediation:
    """The mediator accepts, declaring no conflict of interest (无利害关系声明); the mediation's
    own deadline starts."""
    if not no_conflict:
        raise MediationError(_("请确认与各方当事人无利害关系后再接受；如有利害关系，请选择“不接受”。"))
    at = _now(at)
    _run(
        mediation,
        "accept",
        actor=actor,
        note=_("调解员接受调解，已声明与当事人无利害关系"),
        fields={
            "accepted_at": at,
            "no_conflict_declared": True,
            "due_at": at + timedelta(days=settings.MEDIATION_DAYS),
        },
        at=at,
    )
    return mediation


@transaction.atomic
def mediation_decline(*, mediation: Mediation, actor, reason: str, at: datetime | None = None) -> Mediation:
    """The mediator declines (conflict of interest, no capacity); back to the dispatchers."""
    reason = _require(reason, _("请填写不接受的原因，如与当事人存在利害关系。"))
    at = _now(at)
    # internal: a conflict of interest names relationships the parties need not read about
    _run(
        mediation,
        "decline",
        actor=actor,
        note=reason,
        fields={"mediator": None, "assigned_at": None},
        at=at,
        public=False,
    )
    _notify_dispatchers(mediation.case, _("调解 %(n)s 未被接受，请重新指派。") % {"n": mediation.number})
    return mediation


# Sessions ------------------------------------------------------------------------------------


def _own_running(mediation: Mediation, actor) -> None:
    if not permissions.is_own(actor, mediation):
        raise PermissionDenied
    if mediation.status != MediationStatus.IN_PROGRESS:
        raise MediationError(_("只有调解中的案件可以安排调解会或制作笔录。"))


@transaction.atomic
def session_schedule(
    *,
    mediation: Mediation,
    actor,
    scheduled_at: datetime,
    mode: str,
    place: str = "",
    meeting_link: str = "",
    participants: str = "",
    notify_parties: bool = True,
    at: datetime | None = None,
) -> MediationSession:
    """Schedule a session; parties with a phone are told when and how (a reminder follows the
    day before, by ``session_reminders_send``)."""
    _own_running(mediation, actor)
    if mode not in SessionMode.values:
        raise MediationError(_("请选择调解方式。"))
    if mode == SessionMode.ONSITE and not place.strip():
        raise MediationError(_("现场调解请填写地点。"))
    if mode == SessionMode.VIDEO and not meeting_link.strip():
        raise MediationError(_("视频调解请填写会议链接。"))
    # a double click schedules once (and texts the parties once)
    Mediation.objects.select_for_update().filter(pk=mediation.pk).first()
    same = MediationSession.objects.filter(
        mediation=mediation, status=SessionStatus.SCHEDULED, scheduled_at=scheduled_at, mode=mode
    ).first()
    if same is not None:
        return same
    session = MediationSession.objects.create(
        mediation=mediation,
        scheduled_at=scheduled_at,
        mode=mode,
        place=place.strip(),
        meeting_link=meeting_link.strip(),
        participants=participants.strip(),
        created_by=actor,
    )
    when = timezone.localtime(scheduled_at).strftime("%Y年%m月%d日 %H:%M")
    if notify_parties:
        body = _session_text(session, when)
        for party in mediation.case.parties.exclude(phone=""):
            notification_send(
                kind="mediation_session",
                phone=party.phone,
                user=party.user,
                body=body,
                case_number=mediation.case.number,
            )
    case_record(
        case=mediation.case,
        transition="mediation_session",
        actor=actor,
        note=_("安排%(mode)s：%(when)s") % {"mode": session.get_mode_display(), "when": when},
        at=at,
    )
    return session


def _session_text(session: MediationSession, when: str) -> str:
    mediation = session.mediation
    where = {
        SessionMode.ONSITE: session.place,
        SessionMode.VIDEO: session.meeting_link,
        SessionMode.PHONE: _("调解员将致电您"),
    }[session.mode]
    return _("【一口办】您的纠纷（%(n)s）定于 %(when)s 进行%(mode)s：%(where)s。调解员：%(m)s。") % {
        "n": mediation.case.number,
        "when": when,
        "mode": session.get_mode_display(),
        "where": where,
        "m": mediation.mediator.display_name if mediation.mediator_id else "",
    }


@transaction.atomic
def session_record(
    *, session: MediationSession, actor, attendance: str, record: str, at: datetime | None = None
) -> MediationSession:
    """The record (笔录) of a held session: who came and what was said and agreed."""
    _own_running(session.mediation, actor)
    record = _require(record, _("请填写调解笔录。"))
    if session.status == SessionStatus.CANCELLED:
        raise MediationError(_("该调解会已取消，不能制作笔录。"))
    at = _now(at)
    if session.scheduled_at - at > timedelta(minutes=RECORD_EARLY_MINUTES):
        raise MediationError(
            _("该调解会定于 %(when)s 召开，尚未开始，请在召开后制作笔录。")
            % {"when": timezone.localtime(session.scheduled_at).strftime("%Y年%m月%d日 %H:%M")}
        )
    session.attendance = attendance.strip()
    session.record = record
    session.status = SessionStatus.HELD
    session.recorded_at = at
    session.save(update_fields=["attendance", "record", "status", "recorded_at"])
    return session


@transaction.atomic
def session_cancel(*, session: MediationSession, actor, reason: str) -> MediationSession:
    _own_running(session.mediation, actor)
    reason = _require(reason, _("请填写取消原因。"))
    if session.status != SessionStatus.SCHEDULED:
        raise MediationError(_("只有已安排的调解会可以取消。"))
    session.status = SessionStatus.CANCELLED
    session.attendance = reason
    session.save(update_fields=["status", "attendance"])
    return session


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Remind parties of tomorrow's sessions, once each (conditional UPDATE claims the row, so
    two workers at once send one reminder). Run by a q2 schedule."""
    now = _now(now)
    horizon = now + timedelta(hours=settings.MEDIATION_REMINDER_HOURS)
    sent = 0
    due = MediationSession.objects.filter(
        status=SessionStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        scheduled_at__gt=now,
        scheduled_at__lte=horizon,
        mediation__status=MediationStatus.IN_PROGRESS,
    ).values_list("pk", flat=True)[:500]
    for pk in list(due):
        with transaction.atomic():
            if not MediationSession.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            session = MediationSession.objects.select_related("mediation__case", "mediation__mediator__user").get(pk=pk)
            when = timezone.localtime(session.scheduled_at).strftime("%Y年%m月%d日 %H:%M")
            body = _("【提醒】") + _session_text(session, when)
            for party in session.mediation.case.parties.exclude(phone=""):
                notification_send(
                    kind="mediation_reminder",
                    phone=party.phone,
                    user=party.user,
                    body=body,
                    case_number=session.mediation.case.number,
                )
            sent += 1
    return sent


# Outcome -------------------------------------------------------------------------------------


def _cancel_open_sessions(mediation: Mediation, reason: str) -> None:
    """Sessions still scheduled when a mediation ends are off: no reminder goes out for them."""
    MediationSession.objects.filter(mediation=mediation, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED, attendance=reason[:500]
    )


def _tell_referrer(mediation: Mediation, text: str, at) -> None:
    """The referring body (court, petition bureau, police, procuratorate) or the handling unit
    learns the outcome."""
    if mediation.referring_unit_id:
        _notify_unit(mediation.referring_unit, text, kind="mediation_outcome", case_number=mediation.case.number)
        Mediation.objects.filter(pk=mediation.pk).update(referrer_notified_at=at)
        mediation.referrer_notified_at = at
    _notify_unit(mediation.case.lead_unit, text, kind="mediation_outcome", case_number=mediation.case.number)


@transaction.atomic
def mediation_settle(*, mediation: Mediation, actor, note: str = "", at: datetime | None = None) -> Mediation:
    """调解成功: needs at least one sealed agreement. The case's clock restarts; the handling
    unit (and the referring body) are told, so the unit can report the result as 调解成功."""
    at = _now(at)
    if not mediation.agreements.filter(status=AgreementStatus.SEALED).exists():
        raise MediationError(_("尚无各方确认并封存的调解协议书，不能登记调解成功。"))
    signing = mediation.agreements.filter(status=AgreementStatus.SIGNING).count()
    if signing:
        raise MediationError(
            _("还有 %(n)d 份协议书尚未完成各方确认，请等待确认完成或将其作废后，再登记调解成功。") % {"n": signing}
        )
    _run(
        mediation,
        "settle",
        actor=actor,
        note=note.strip() or _("达成调解协议，协议书已封存"),
        fields={"ended_at": at, "outcome_note": note.strip()},
        at=at,
    )
    _cancel_open_sessions(mediation, _("调解已结束"))
    _resume_case(mediation.case, actor, at)
    _tell_referrer(
        mediation,
        _("%(n)s 调解成功，已达成调解协议（%(doc)s）。")
        % {"n": mediation.number, "doc": mediation.referral_document or mediation.case.number},
        at,
    )
    return mediation


@transaction.atomic
def mediation_fail(
    *, mediation: Mediation, actor, reason: str, next_step: str, at: datetime | None = None
) -> Mediation:
    """调解不成: the reason and the way forward (litigation → 一键诉讼, arbitration, other)."""
    at = _now(at)
    reason = _require(reason, _("请填写调解不成的原因。"))
    if next_step not in FailureNext.values:
        raise MediationError(_("请选择后续途径。"))
    _run(
        mediation,
        "fail",
        actor=actor,
        note=_("%(r)s；后续：%(n)s") % {"r": reason, "n": FailureNext(next_step).label},
        fields={"ended_at": at, "outcome_note": reason, "failure_next": next_step},
        at=at,
    )
    _cancel_open_sessions(mediation, _("调解已结束"))
    _resume_case(mediation.case, actor, at)
    _tell_referrer(
        mediation,
        _("%(n)s 调解不成：%(r)s。") % {"n": mediation.number, "r": reason},
        at,
    )
    return mediation


@transaction.atomic
def mediation_withdraw(*, mediation: Mediation, actor, reason: str, at: datetime | None = None) -> Mediation:
    """撤回 by the centre or the referring unit (a party withdrew, the dispute resolved itself)."""
    at = _now(at)
    reason = _require(reason, _("请填写撤回原因。"))
    _run(mediation, "withdraw", actor=actor, note=reason, fields={"ended_at": at, "outcome_note": reason}, at=at)
    _cancel_open_sessions(mediation, _("调解已结束"))
    _resume_case(mediation.case, actor, at)
    if mediation.mediator_id:
        _notify_mediator(mediation, _("调解 %(n)s 已撤回：%(r)s") % {"n": mediation.number, "r": reason})
    _tell_referrer(mediation, _("%(n)s 已撤回调解：%(r)s") % {"n": mediation.number, "r": reason}, at)
    return mediation


# Mediator profiles ---------------------------------------------------------------------------


@transaction.atomic
def mediator_profile_save(
    *,
    user,
    organisation: str,
    organisation_kind: str,
    unit: Unit | None,
    specialties: list[MatterType],
    regions: list[Region],
    max_concurrent: int = 5,
    active: bool = True,
    introduction: str = "",
) -> MediatorProfile:
    """Create or update a mediator's profile (demo data, admin forms)."""
    organisation = _require(organisation, _("请填写所属调解组织。"))
    if not regions:
        raise MediationError(_("请至少选择一个服务区域。"))
    if not 1 <= max_concurrent <= 100:
        raise MediationError(_("同时调解上限应在 1 到 100 件之间。"))
    profile, _created = MediatorProfile.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "organisation_kind": organisation_kind,
            "unit": unit,
            "max_concurrent": max_concurrent,
            "active": active,
            "introduction": introduction.strip(),
        },
    )
    profile.specialties.set(specialties)
    profile.regions.set(regions)
    return profile


def case_parties(case: Case) -> list[Party]:
    return list(case.parties.order_by("id"))
