"""Every write of the citizen's voice and the call-back (issue #11; docs/feedback.md).

- 补充材料 / 留言 (``supplement_add``): on an open case, a public timeline event, the lead unit told,
  a daily limit per case; files are checked by the caller with intake's rules and stored as
  attachments of the citizen's claim.
- 催办 (``case_press``): once per working day per case, the lead unit told at once, the region's
  supervisors told from the third press within seven days; ``Case.press_count`` counts them.
- the rating link (``rating_link_issue`` when the result is sent, ``rating_link_rate`` when used):
  single use, stored hashed, through ``cases.services.case_rate``.
- 电话回访 (``callback_record``, ``callback_close_unreached``) by the centre's clerks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from cases.models import OPEN_STATUSES, Case, CaseEvent, PartyRole, RatedVia, Status
from cases.permissions import can_callback
from cases.rating_links import RatingLink
from cases.services import case_close_unreached, case_event_record, case_rate
from cases.workdays import is_workday
from core.errors import ServiceError
from core.masking import mask_numbers_in_text
from intake.models import Claim
from intake.services import claim_attachments_add
from intake.uploads import CheckedUpload
from notifications.models import NotificationChannel
from notifications.services import notifications_bulk_send

from .models import CallAttempt, CallOutcome, RatingToken, Supplement, SupplementKind, SupplementVia


class FeedbackError(ServiceError):
    """A citizen's or clerk's request refused; ``message`` says why, in Chinese."""


class LinkInvalid(FeedbackError):
    """A rating link that is unknown, replaced, or for a case no longer awaiting a rating (404)."""

    status = 404


class LinkUsed(FeedbackError):
    """The link was used already: the 已评价 page."""


#: Statuses a citizen may press (催办): the case is with the centre or a unit, not with the citizen.
PRESSABLE = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def _day_bounds(at: datetime) -> tuple[datetime, datetime]:
    start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _locked(case: Case) -> Case:
    """The case row locked until commit (PostgreSQL; SQLite serialises writers anyway), so two
    requests cannot both pass a daily limit."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    return case


# Who is told ----------------------------------------------------------------------------------


def _inapp(user_ids, body: str, kind: str, case: Case) -> list[dict]:
    return [
        {"kind": kind, "user_id": uid, "body": body, "channel": NotificationChannel.INAPP, "case_number": case.number}
        for uid in dict.fromkeys(user_ids)
    ]


def _unit_recipients(case: Case) -> list[int]:
    """The lead unit's handlers; before a unit has the case, the centre's clerks and dispatchers.
    While the result awaits review (待审核) the centre's dispatchers hold the case: they are told
    too, beside the lead unit's handlers."""
    if case.lead_unit_id:
        members = Membership.objects.filter(unit_id=case.lead_unit_id, role=Role.HANDLER, active=True)
        if case.status == Status.REVIEWING:
            members |= Membership.objects.filter(unit_id=case.centre_id, role=Role.DISPATCHER, active=True)
    else:
        members = Membership.objects.filter(unit_id=case.centre_id, role__in=[Role.CLERK, Role.DISPATCHER], active=True)
    return list(dict.fromkeys(members.order_by("pk").values_list("user_id", flat=True)))


def _region_supervisors(case: Case) -> list[int]:
    """Supervisors whose area covers the case's place (its region and every region above it)."""
    codes = [code for code in case.region.path.split("/") if code]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return list(
        Membership.objects.filter(role=Role.SUPERVISOR, active=True, unit__region__path__in=paths)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


# 补充材料 / 留言 ---------------------------------------------------------------------------------


def _daily_limit(kind: str) -> int:
    return settings.FEEDBACK_DAILY_LIMITS[kind]


def supplements_left_today(case: Case, kind: str, *, at: datetime | None = None) -> int:
    return supplements_left_by_kind(case, at=at)[kind]


def supplements_left_by_kind(case: Case, *, at: datetime | None = None) -> dict[str, int]:
    """What the citizen may still add to ``case`` today, per kind, in ONE grouped query."""
    start, end = _day_bounds(_now(at))
    used = dict(
        Supplement.objects.filter(case=case, created_at__gte=start, created_at__lt=end)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {kind: max(0, _daily_limit(kind) - used.get(kind, 0)) for kind in SupplementKind.values}


def _check_open(case: Case) -> None:
    if case.status not in OPEN_STATUSES:
        raise FeedbackError(_("该诉求已经结束办理，不能再补充材料或留言；如有新的问题，请重新反映。"))


@transaction.atomic
def supplement_add(
    *,
    claim: Claim,
    case: Case,
    kind: str,
    text: str,
    uploads: list[CheckedUpload],
    actor=None,
    via: str = SupplementVia.ACCOUNT,
    at: datetime | None = None,
) -> Supplement:
    """Add the citizen's materials (``material``: at least one file, already checked with intake's
    upload rules) or message (``message``: text) to ``case``, the open case ``claim`` belongs to
    (or, merged, now follows). Refused — with nothing stored — when the case is closed or today's
    limit for the case is used up. Writes one public event (``supplement`` / ``citizen_message``)
    and tells the lead unit (in-app) after commit."""
    at = _now(at)
    text = (text or "").strip()
    if kind not in SupplementKind.values:
        raise FeedbackError(_("未知的提交类别。"))
    if kind == SupplementKind.MESSAGE and not text:
        raise FeedbackError(_("请填写留言内容。"), field="text")
    if kind == SupplementKind.MATERIAL and not uploads:
        raise FeedbackError(_("请选择要补充的材料（图片或 PDF 文件）。"), field="attachments")
    _locked(case)
    _check_open(case)
    if supplements_left_today(case, kind, at=at) <= 0:
        what = SupplementKind(kind).label
        raise FeedbackError(
            _("今天该诉求的“%(what)s”已达到 %(n)s 次上限，请明天再提交；紧急情况请拨打 12345。")
            % {"what": what, "n": _daily_limit(kind)}
        )
    supplement = Supplement.objects.create(
        case=case, claim=claim, kind=kind, text=text, author=actor, via=via, created_at=at
    )
    attachments = claim_attachments_add(claim=claim, uploads=uploads) if kind == SupplementKind.MATERIAL else []
    supplement.attachments.set(attachments)
    if kind == SupplementKind.MATERIAL:
        names = "、".join(a.original_name for a in attachments)
        note = _("补充材料 %(n)s 个：%(names)s") % {"n": len(attachments), "names": names}
        note = f"{note}。{text}" if text else note
        body = _("案件 %(num)s 的群众补充了 %(n)s 个材料，请查看。") % {"num": case.number, "n": len(attachments)}
        transition = "supplement"
    else:
        note = text
        # the quote reaches handlers' message centre: phone and ID numbers masked (as in lists)
        quote = mask_numbers_in_text(text)[:100]
        body = _("案件 %(num)s 的群众留言：%(text)s") % {"num": case.number, "text": quote}
        transition = "citizen_message"
    case_event_record(case=case, transition=transition, actor=actor, from_status=case.status, note=note, at=at)
    notifications_bulk_send(_inapp(_unit_recipients(case), body, "citizen_voice", case))
    return supplement


# 催办 --------------------------------------------------------------------------------------------


def press_day(at: datetime) -> date:
    """The working day a press counts for: its own date, or the next working day when made on a
    weekend or holiday (a Saturday press and a Monday press are the same working day)."""
    day = _local_day(at)
    for _step in range(60):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def press_allowed(case: Case, *, at: datetime | None = None) -> bool:
    """May the citizen press now: the case is pressable and not yet pressed for this working day."""
    if case.status not in PRESSABLE:
        return False
    last = CaseEvent.objects.filter(case=case, transition="press").order_by("-created_at", "-id").first()
    return last is None or press_day(last.created_at) != press_day(_now(at))


@transaction.atomic
def case_press(*, case: Case, actor=None, at: datetime | None = None) -> int:
    """催办: the citizen asks for the case to be hurried. At most once per working day per case.
    Counts on ``Case.press_count`` (an atomic ``F()`` increment), writes a public ``press`` event,
    tells the lead unit at once (the centre before a unit has the case); the third press within
    seven days (``FEEDBACK_PRESS_ALERT``) also tells the supervisors of the case's region — once:
    only the press that brings the count within the window to exactly the threshold alerts, the
    fourth, fifth… do not (they would again only when the window had dropped below it).
    Returns the number of presses in the window."""
    at = _now(at)
    _locked(case)
    if case.status not in PRESSABLE:
        raise FeedbackError(_("该诉求当前不在办理中，不需要催办。"))
    if not press_allowed(case, at=at):
        raise FeedbackError(_("该诉求本工作日已催办过，我们已提醒办理单位；请下一个工作日再催办。"))
    Case.objects.filter(pk=case.pk).update(press_count=F("press_count") + 1)
    case.press_count = Case.objects.filter(pk=case.pk).values_list("press_count", flat=True).get()
    case_event_record(
        case=case,
        transition="press",
        actor=actor,
        from_status=case.status,
        note=_("群众催办（累计第 %(n)s 次）") % {"n": case.press_count},
        at=at,
    )
    alert_count, alert_days = settings.FEEDBACK_PRESS_ALERT
    recent = CaseEvent.objects.filter(case=case, transition="press", created_at__gt=at - timedelta(days=alert_days))
    in_window = recent.count()
    body = _("群众催办：案件 %(num)s（%(title)s）请抓紧办理并及时答复群众（累计催办 %(n)s 次）。") % {
        "num": case.number,
        "title": case.title,
        "n": case.press_count,
    }
    messages = _inapp(_unit_recipients(case), body, "citizen_press", case)
    if in_window == alert_count:  # reaching the threshold alerts; the presses past it do not
        alert = _("案件 %(num)s（%(title)s）%(d)s 天内被群众催办 %(n)s 次，请关注办理情况。") % {
            "num": case.number,
            "title": case.title,
            "d": alert_days,
            "n": in_window,
        }
        messages += _inapp(_region_supervisors(case), alert, "citizen_press_alert", case)
    notifications_bulk_send(messages)
    return in_window


# The rating link -----------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _applicant(case: Case):
    """Who the link is for: the first applicant (lowest id) with a phone who receives updates."""
    parties = sorted(case.parties.all(), key=lambda p: p.pk)
    return next((p for p in parties if p.role == PartyRole.APPLICANT and p.phone and p.notify), None)


def rating_link_issue(case: Case) -> RatingLink | None:
    """A new single-use rating link for the result SMS (``cases.rating_links``), in the caller's
    transaction (the approval's): earlier unused links of the case are revoked; only the hash of
    the new token is stored (192 random bits, 32 characters)."""
    party = _applicant(case)
    if party is None:
        return None
    now = timezone.now()
    RatingToken.objects.filter(case=case, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(24)
    RatingToken.objects.create(case=case, party=party, token_hash=_hash(raw), created_at=now)
    url = settings.PUBLIC_BASE_URL + reverse("feedback:rating-link", args=[raw])
    return RatingLink(url=url, secret=raw, party_id=party.pk)


def rating_token_find(raw: str) -> RatingToken | None:
    """The link's row (with its case), or None for anything that is not one of ours."""
    if not raw or not _TOKEN.fullmatch(raw):
        return None
    return (
        RatingToken.objects.select_related("case", "party", "party__user", "case__region")
        .filter(token_hash=_hash(raw))
        .first()
    )


def rating_token_state(token: RatingToken | None) -> str:
    """``open`` (may rate), ``used`` (已评价) or ``invalid`` (404)."""
    if token is None:
        return "invalid"
    if token.used_at is not None:
        return "used"
    if token.revoked_at is not None or token.case.status != Status.FEEDBACK:
        return "invalid"
    return "open"


@transaction.atomic
def rating_link_rate(*, raw: str, rating: str, solved: bool | None, comment: str = "", at=None) -> Case:
    """Rate through the link: the token is claimed with one conditional ``UPDATE`` (of two clicks
    exactly one gets it; the other reads 已评价), then ``case_rate(via=link)`` — 不满意 sends the
    case back to review, flagged. A refused rating rolls the claim back (the link stays usable)."""
    at = _now(at)
    token = rating_token_find(raw)
    state = rating_token_state(token)
    if state == "used":
        raise LinkUsed(_("您已评价过。"))
    if state != "open":
        raise LinkInvalid(_("评价链接不存在或已失效。"))
    claimed = RatingToken.objects.filter(pk=token.pk, used_at__isnull=True, revoked_at__isnull=True).update(used_at=at)
    if not claimed:
        raise LinkUsed(_("您已评价过。"))
    actor = token.party.user if token.party and token.party.user_id else None
    case = Case.objects.select_related("region", "lead_unit").get(pk=token.case_id)
    return case_rate(case=case, actor=actor, rating=rating, comment=comment, solved=solved, via=RatedVia.LINK, at=at)


# 电话回访 ----------------------------------------------------------------------------------------


def _check_callback(actor, case: Case) -> None:
    if not can_callback(actor, case):
        raise PermissionDenied
    if case.status != Status.FEEDBACK:
        raise FeedbackError(_("该案件已不在待评价状态，无需回访；请刷新查看最新状态。"))


@transaction.atomic
def callback_record(
    *,
    case: Case,
    actor,
    outcome: str,
    rating: str = "",
    solved: bool | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> CallAttempt:
    """Record one call-back call. ``rated``: the citizen rated on the phone — ``case_rate`` with the
    clerk as the actor (电话回访 on the event); ``no_answer`` / ``refused``: a staff-only
    ``callback_attempt`` event. The case must await its rating; clerks of its place only."""
    at = _now(at)
    _check_callback(actor, case)
    comment = (comment or "").strip()
    if outcome not in CallOutcome.values:
        raise FeedbackError(_("请选择回访结果。"), field="outcome")
    if outcome == CallOutcome.RATED:
        if not rating:
            raise FeedbackError(_("请选择群众在电话中的评价。"), field="rating")
        case_rate(case=case, actor=actor, rating=rating, comment=comment, solved=solved, via=RatedVia.PHONE, at=at)
    else:
        label = CallOutcome(outcome).label
        note = _("电话回访：%(what)s") % {"what": label}
        case_event_record(
            case=case,
            transition="callback_attempt",
            actor=actor,
            from_status=case.status,
            note=f"{note}。{comment}" if comment else note,
            public=False,
            at=at,
        )
    return CallAttempt.objects.create(
        case=case, clerk=actor, outcome=outcome, note=comment, day=_local_day(at), created_at=at
    )


def unanswered_days(case: Case) -> list[date]:
    """The different days of this rating round (since the result was sent) with an unanswered call."""
    since = case.stage_started_at or case.created_at
    return sorted(
        set(
            CallAttempt.objects.filter(case=case, outcome=CallOutcome.NO_ANSWER, created_at__gte=since).values_list(
                "day", flat=True
            )
        )
    )


@transaction.atomic
def callback_close_unreached(*, case: Case, actor, at: datetime | None = None) -> Case:
    """未接通: close a case whose citizen did not answer on ``FEEDBACK_UNREACHED_DAYS`` (3) different
    days of this round. No rating is recorded (the KPI counts it as not rated)."""
    _check_callback(actor, case)
    days = unanswered_days(case)
    needed = settings.FEEDBACK_UNREACHED_DAYS
    if len(days) < needed:
        raise FeedbackError(
            _("需在 %(n)s 个不同的日期各回访一次均未接通，才能按“未接通”办结（目前 %(m)s 天）。")
            % {"n": needed, "m": len(days)}
        )
    dates = "、".join(f"{d.month}月{d.day}日" for d in days)
    note = _("电话回访 %(n)s 天未接通（%(dates)s），按未接通办结") % {"n": len(days), "dates": dates}
    return case_close_unreached(case=case, actor=actor, note=note, at=at)
