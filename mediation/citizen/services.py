"""A citizen's own request for mediation (申请调解) and the other party's answer by link.

1. ``request_submit``: the citizen names the matter, the place, the other party (name, phone) and,
   optionally, one of the three recommended mediators; a web case (待受理) is opened at the centre
   with both parties, and the centre's dispatchers are told.
2. ``request_confirm``: a dispatcher of the centre confirms (accepting the case if nobody has yet)
   and picks the mediator (the citizen's preference by default); the other party gets an SMS with
   a single-use link. Only the link's SHA-256 is stored; the raw token lives in the SMS alone
   (``notification_send(secret=…)`` masks it in the outbox row).
3. ``invitation_answer``: the other party agrees or declines through the link. The first answer
   claims the invitation with one conditional ``UPDATE`` (a second click, a reused or an expired
   link changes nothing). Only on agreement is the ``Mediation`` opened (``mediation_request``,
   in the confirming dispatcher's name, since the centre's confirmation was conditional on it) and
   the confirmed mediator assigned; a declined request leaves the case to ordinary handling.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from cases import permissions as case_permissions
from cases.models import TERMINAL_STATUSES, WITHDRAWABLE, Case, PartyRole, Status
from cases.services import PartyData, case_accept, case_create, case_record, case_withdraw
from core.masking import mask_phone
from notifications.models import NotificationChannel
from notifications.services import notification_send
from routing.models import MatterType, Region

from ..matching import candidates, recommend
from ..models import LIVE_REQUEST_STATUSES, MediationRequest, MediatorProfile, RequestStatus, Source
from ..services import MediationError, _notify_dispatchers, mediation_assign, mediation_request

#: How long the other party's invitation link stays usable (calendar days).
INVITE_DAYS = getattr(settings, "MEDIATION_INVITE_DAYS", 7)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_PHONE = re.compile(r"1[3-9]\d{9}")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def probe_case(matter: MatterType, region: Region) -> Case:
    """An unsaved case carrying only what the recommendation reads (matter and place)."""
    return Case(matter=matter, region=region)


def recommended_for(matter: MatterType, region: Region) -> list:
    """The three mediators the dispatcher would see recommended for this matter and place."""
    return recommend(probe_case(matter, region))


@transaction.atomic
def request_submit(
    *,
    applicant,
    matter: MatterType,
    region: Region,
    description: str,
    other_name: str,
    other_phone: str,
    preferred: MediatorProfile | None = None,
    address: str = "",
    at: datetime | None = None,
) -> MediationRequest:
    """Open the web case of a mediation request (待受理) and tell the centre's dispatchers.
    Refuses a matter that is not mediable, an invalid or own phone for the other party, and a
    preferred mediator who is not among the three recommended."""
    at = at or timezone.now()
    if not applicant.is_authenticated:
        raise PermissionDenied
    if not matter.mediable or not matter.active:
        raise MediationError(_("“%(m)s”类事项不适用调解，请选择其他事项，或直接反映诉求。") % {"m": matter.name})
    other_name = (other_name or "").strip()
    other_phone = (other_phone or "").strip()
    if not other_name:
        raise MediationError(_("请填写对方的姓名或单位名称。"), field="other_name")
    if not _PHONE.fullmatch(other_phone):
        raise MediationError(_("请填写对方的 11 位手机号，如 13800138000。"), field="other_phone")
    if other_phone == (applicant.phone or ""):
        raise MediationError(_("对方手机号不能是您本人的手机号。"), field="other_phone")
    if preferred is not None and preferred.pk not in {c.profile.pk for c in recommended_for(matter, region)}:
        raise MediationError(_("您选择的调解员暂时不能接受新的调解，请重新选择。"), field="preferred")
    case = case_create(
        channel="web",
        matter=matter,
        region=region,
        title=_("申请调解：%(m)s") % {"m": matter.name},
        description=description.strip(),
        address=address.strip(),
        parties=[
            PartyData(
                name=applicant.full_name or applicant.username,
                phone=applicant.phone or "",
                role=PartyRole.APPLICANT,
                user_id=applicant.pk,
                notify=True,
            ),
            PartyData(name=other_name, phone=other_phone, role=PartyRole.RESPONDENT),
        ],
        actor=applicant,
        at=at,
    )
    request = MediationRequest.objects.create(
        case=case,
        applicant=applicant,
        preferred_mediator=preferred,
        other_name=other_name,
        other_phone=other_phone,
        created_at=at,
    )
    _notify_dispatchers(case, _("新的调解申请 %(n)s，请确认并邀请对方当事人。") % {"n": case.number})
    return request


def can_confirm(user, request: MediationRequest) -> bool:
    """The centre confirms: a dispatcher of the case's region subtree (or an admin)."""
    return case_permissions.is_dispatcher_for(user, request.case) or case_permissions.is_admin(user)


def invite_url(raw: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("mediation:invitation", args=[raw])


@transaction.atomic
def request_confirm(
    *, request: MediationRequest, actor, mediator: MediatorProfile | None, at: datetime | None = None
) -> MediationRequest:
    """The centre confirms the request: the case is accepted (if still 待受理), the mediator fixed
    and the other party invited by SMS with a single-use link valid ``INVITE_DAYS`` days."""
    at = at or timezone.now()
    if not can_confirm(actor, request):
        raise PermissionDenied
    locked = MediationRequest.objects.select_for_update().filter(pk=request.pk).values_list("status", flat=True).first()
    if locked != RequestStatus.PENDING:
        raise MediationError(_("该调解申请已处理，请刷新页面查看最新状态。"))
    case = request.case
    if mediator is not None:
        chosen = next((c for c in candidates(case) if c.profile.pk == mediator.pk), None)
        if chosen is None or not chosen.eligible:
            raise MediationError(_("所选调解员当前不可安排，请选择其他调解员。"), field="mediator")
    if case.status == Status.SUBMITTED:
        case = case_accept(case=case, actor=actor, note=_("群众申请调解，中心确认"), at=at)
    elif not case.is_open:
        raise MediationError(_("该案件当前状态为“%(s)s”，不能再邀请对方调解。") % {"s": case.get_status_display()})
    raw = secrets.token_urlsafe(24)
    request.status = RequestStatus.INVITING
    request.mediator = mediator
    request.confirmed_by = actor
    request.confirmed_at = at
    request.invite_expires_at = at + timedelta(days=INVITE_DAYS)
    request.token_hash = _hash(raw)
    request.save(
        update_fields=["status", "mediator", "confirmed_by", "confirmed_at", "invite_expires_at", "token_hash"]
    )
    case_record(
        case=case,
        transition="mediation_invite",
        actor=actor,
        note=_("中心确认调解申请，已短信邀请对方当事人（%(p)s）") % {"p": mask_phone(request.other_phone)},
        public=False,
        at=at,
    )
    body = _(
        "【一口办】%(name)s，%(who)s向%(centre)s申请与您调解“%(matter)s”纠纷。是否同意调解，请在%(days)s天内打开链接答复（仅可使用一次）：%(url)s"
    ) % {
        "name": request.other_name,
        "who": mask_name(request.applicant.full_name or ""),
        "centre": case.centre.name,
        "matter": case.matter.name,
        "days": INVITE_DAYS,
        "url": invite_url(raw),
    }
    # The stored body has the token masked, and the purge clears the raw token a day later: the row
    # can stay as the record of the invitation (the link lives INVITE_DAYS), like the result SMS.
    notification_send(kind="mediation_invite", phone=request.other_phone, body=body, secret=raw, one_time=False)
    notification_send(
        kind="mediation_invite",
        user=request.applicant,
        channel=NotificationChannel.INAPP,
        body=_("您的调解申请已确认，我们已短信邀请对方，对方同意后即开始调解。"),
        case_number=case.number,
    )
    return request


def mask_name(name: str) -> str:
    """夏志明 → 夏先生/女士 is not known; keep the family name only: 夏**."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else _("一位群众")


#: A request the centre refused, the citizen cancelled, or whose claim ended: its link is dead.
ENDED_STATUSES = (RequestStatus.REFUSED, RequestStatus.CANCELLED, RequestStatus.CLOSED)
REASON_MIN, REASON_MAX = 5, 500


def _end(request: MediationRequest, status: str, *, actor, reason: str, at: datetime) -> bool:
    """Claim a live request for ``status`` with one conditional ``UPDATE`` (a confirmation or an
    answer racing with it either wins before, or finds it ended). True if this call ended it."""
    done = MediationRequest.objects.filter(pk=request.pk, status__in=LIVE_REQUEST_STATUSES).update(
        status=status, ended_at=at, ended_by=actor, end_reason=reason
    )
    if done:
        request.status, request.ended_at, request.ended_by, request.end_reason = status, at, actor, reason
    return bool(done)


def can_cancel(user, request: MediationRequest) -> bool:
    return user.is_authenticated and request.applicant_id == user.pk and request.status in LIVE_REQUEST_STATUSES


@transaction.atomic
def request_refuse(*, request: MediationRequest, actor, reason: str, at: datetime | None = None) -> MediationRequest:
    """不予调解: the centre refuses a pending (or already inviting) request with a reason the
    citizen reads. The other party's link stops working; the claim itself stays with the centre
    for ordinary handling (the dispatcher may still accept or reject it as any claim)."""
    at = at or timezone.now()
    if not can_confirm(actor, request):
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise MediationError(
            _("请写明不予调解的理由（至少 %(n)d 个字），群众会看到这段话。") % {"n": REASON_MIN}, field="reason"
        )
    if len(reason) > REASON_MAX:
        raise MediationError(_("理由不能超过 %(n)d 个字。") % {"n": REASON_MAX}, field="reason")
    if not _end(request, RequestStatus.REFUSED, actor=actor, reason=reason, at=at):
        raise MediationError(_("该调解申请已处理，请刷新页面查看最新状态。"))
    case = request.case
    case_record(
        case=case,
        transition="mediation_request_refuse",
        actor=actor,
        note=_("不予调解：%(r)s") % {"r": reason},
        public=False,
        at=at,
    )
    notification_send(
        kind="mediation_invite",
        user=request.applicant,
        channel=NotificationChannel.INAPP,
        body=_("中心认为您的纠纷暂不适合调解：%(r)s。您的诉求将按一般程序继续办理。") % {"r": reason},
        case_number=case.number,
    )
    return request


@transaction.atomic
def request_cancel(*, request: MediationRequest, actor, at: datetime | None = None) -> MediationRequest:
    """撤销申请: the applicant cancels a request that is still waiting (for the centre or for the
    other party). The other party's link stops working and the claim the request opened is
    withdrawn as well (it exists only for this request); the centre's dispatchers are told."""
    at = at or timezone.now()
    if not actor.is_authenticated or request.applicant_id != actor.pk:
        raise PermissionDenied
    if not _end(request, RequestStatus.CANCELLED, actor=actor, reason="", at=at):
        raise MediationError(_("这份调解申请已经有了结果，不能再撤销。请刷新页面查看最新进展。"))
    case = Case.objects.select_for_update().get(pk=request.case_id)
    if case.status in WITHDRAWABLE:
        case_withdraw(case=case, actor=actor, reason=_("群众撤销调解申请"), at=at)
    else:
        case_record(
            case=case,
            transition="mediation_request_cancel",
            actor=actor,
            note=_("群众撤销调解申请"),
            public=False,
            at=at,
        )
    _notify_dispatchers(case, _("调解申请 %(n)s 已由申请人撤销。") % {"n": case.number})
    return request


def request_sync(request: MediationRequest, at: datetime | None = None) -> MediationRequest:
    """A live request whose claim was withdrawn, closed, rejected or merged ends (状态“诉求已撤回或
    办结”); read paths call it so nobody waits for the hourly sweep."""
    if request.status in LIVE_REQUEST_STATUSES and request.case.status in TERMINAL_STATUSES:
        _end(request, RequestStatus.CLOSED, actor=None, reason="", at=at or timezone.now())
    return request


def requests_end_for_closed_claims(at: datetime | None = None) -> int:
    """Set-based: every live request whose claim ended becomes ``closed`` (one ``UPDATE``)."""
    at = at or timezone.now()
    return MediationRequest.objects.filter(status__in=LIVE_REQUEST_STATUSES, case__status__in=TERMINAL_STATUSES).update(
        status=RequestStatus.CLOSED, ended_at=at
    )


def accept_actor(request: MediationRequest, case: Case):
    """Whom the mediation opened on the other party's agreement is recorded as requested by.

    The confirming dispatcher if they are still an active dispatcher for the case's place; else
    the longest-serving active dispatcher of the case's centre who is; else ``None`` (the
    agreement is kept and the dispatchers, or an admin, open the mediation by hand)."""
    confirmer = request.confirmed_by
    if confirmer is not None and confirmer.is_active and case_permissions.is_dispatcher_for(confirmer, case):
        return confirmer
    rows = (
        Membership.objects.filter(
            unit_id=case.centre_id, role=Role.DISPATCHER, active=True, user__is_active=True, unit__active=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for row in rows:
        if case_permissions.is_dispatcher_for(row.user, case):
            return row.user
    return None


def invitation_find(raw: str) -> MediationRequest | None:
    """The invitation behind a link, or None for anything that is not one of ours."""
    if not raw or not _TOKEN.fullmatch(raw):
        return None
    return (
        MediationRequest.objects.select_related("case__matter", "case__centre", "applicant", "mediator__user")
        .filter(token_hash=_hash(raw))
        .first()
    )


def invitation_state(request: MediationRequest | None, at: datetime | None = None) -> str:
    """``open``, ``answered`` (accepted or declined), ``expired`` or ``invalid`` (404)."""
    at = at or timezone.now()
    if request is None:
        return "invalid"
    if request.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        return "answered"
    if request.status == RequestStatus.EXPIRED:
        return "expired"
    if request.status in ENDED_STATUSES:
        return "ended"
    if request.status != RequestStatus.INVITING:
        return "invalid"
    if request.case.status in TERMINAL_STATUSES:
        return "ended"  # the claim was withdrawn or closed before the sweep marked the request
    if request.invite_expires_at is None or request.invite_expires_at <= at:
        return "expired"
    return "open"


@transaction.atomic
def invitation_expire(*, request: MediationRequest, at: datetime | None = None) -> bool:
    """Mark an out-of-date invitation expired (once) and tell the applicant; True if it did."""
    at = at or timezone.now()
    done = MediationRequest.objects.filter(
        pk=request.pk, status=RequestStatus.INVITING, invite_expires_at__lte=at
    ).update(status=RequestStatus.EXPIRED)
    if done:
        request.status = RequestStatus.EXPIRED
        notification_send(
            kind="mediation_invite",
            user=request.applicant,
            channel=NotificationChannel.INAPP,
            body=_("对方未在期限内答复调解邀请，您的诉求将按一般程序继续办理。"),
            case_number=request.case.number,
        )
    return bool(done)


def invitations_expire(at: datetime | None = None, batch: int = 500) -> int:
    """q2 schedule (hourly): end the requests whose claim ended (``requests_end_for_closed_claims``),
    then mark invitations past their date expired and tell the applicants. Each row is claimed by
    ``invitation_expire``'s conditional ``UPDATE``: concurrent runs tell each applicant once.
    Returns the number of invitations expired."""
    at = at or timezone.now()
    requests_end_for_closed_claims(at)
    due = MediationRequest.objects.filter(status=RequestStatus.INVITING, invite_expires_at__lte=at).select_related(
        "case", "applicant"
    )
    return sum(invitation_expire(request=row, at=at) for row in due[:batch])


class InvitationGone(MediationError):
    """The link was answered already, has expired, or is not ours."""


def _declined(request: MediationRequest, case: Case, actor, at: datetime) -> None:
    case_record(
        case=case,
        transition="mediation_invite_answer",
        actor=actor,
        note=_("对方当事人不同意调解"),
        public=False,
        at=at,
    )
    _notify_dispatchers(case, _("调解申请 %(n)s：对方不同意调解，请按一般程序办理。") % {"n": case.number})
    notification_send(
        kind="mediation_invite",
        user=request.applicant,
        channel=NotificationChannel.INAPP,
        body=_("对方不同意调解，您的诉求将按一般程序继续办理。"),
        case_number=case.number,
    )


def _accepted_by_hand(request: MediationRequest, case: Case, actor, problem: str, at: datetime) -> None:
    """The other party agreed but the mediation could not be opened automatically: keep the
    agreement and hand the opening to people (``accept_actor``)."""
    case_record(
        case=case,
        transition="mediation_invite_answer",
        actor=actor,
        note=_("对方当事人同意调解；未能自动开始调解（%(p)s），请中心人工安排") % {"p": problem},
        public=False,
        at=at,
    )
    _notify_dispatchers(
        case,
        _("调解申请 %(n)s：对方已同意调解，但未能自动开始（%(p)s），请人工安排。") % {"n": case.number, "p": problem},
    )
    notification_send(
        kind="mediation_invite",
        user=request.applicant,
        channel=NotificationChannel.INAPP,
        body=_("对方已同意调解，中心会尽快安排调解员与您联系。"),
        case_number=case.number,
    )


@transaction.atomic
def invitation_answer(*, raw: str, accept: bool, at: datetime | None = None) -> MediationRequest:
    """The other party's answer. Claims the invitation with one conditional ``UPDATE``; on
    agreement opens the mediation and assigns the confirmed mediator (if still available; else
    the centre's dispatchers assign one)."""
    at = at or timezone.now()
    request = invitation_find(raw)
    if invitation_state(request, at) != "open":
        raise InvitationGone(_("邀请链接不存在、已使用或已过期。"))
    status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    claimed = (
        MediationRequest.objects.filter(pk=request.pk, status=RequestStatus.INVITING, invite_expires_at__gt=at)
        .exclude(case__status__in=TERMINAL_STATUSES)
        .update(status=status, answered_at=at)
    )
    if not claimed:
        raise InvitationGone(_("邀请链接不存在、已使用或已过期。"))
    request.status, request.answered_at = status, at
    case = Case.objects.select_related("matter", "region", "centre", "lead_unit").get(pk=request.case_id)
    actor = accept_actor(request, case)
    if not accept:
        _declined(request, case, actor, at)
        return request
    mediation, problem = None, _("中心暂无在岗的调度人员")
    if actor is not None:
        try:
            with transaction.atomic():
                mediation = mediation_request(
                    case=case,
                    actor=actor,
                    note=_("群众申请调解，对方当事人已同意：%(d)s") % {"d": case.description[:200]},
                    source=Source.CENTRE,
                    at=at,
                )
        except (MediationError, PermissionDenied) as exc:  # the case moved on since the confirmation
            problem = str(getattr(exc, "message", "") or exc) or _("案件状态已变化")
    if mediation is None:
        _accepted_by_hand(request, case, actor, problem, at)
        return request
    MediationRequest.objects.filter(pk=request.pk).update(mediation=mediation)
    request.mediation = mediation
    if request.mediator_id:
        try:
            with transaction.atomic():
                mediation_assign(mediation=mediation, actor=actor, mediator=request.mediator, at=at)
        except MediationError:
            pass  # no longer available: the dispatchers were told by mediation_request
    notification_send(
        kind="mediation_invite",
        user=request.applicant,
        channel=NotificationChannel.INAPP,
        body=_("对方已同意调解，调解员会尽快与您联系。"),
        case_number=case.number,
    )
    return request
