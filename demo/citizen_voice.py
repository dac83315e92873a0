"""Demo data for issue #11's call-back and the citizen's voice, through the real services:

- ``demo_callback``: a window / hotline / grid case (its claimant has no account) that reaches
  待评价 is rated on a call-back (``feedback.services.callback_record``, a clerk of its centre, some
  after an unanswered call on an earlier day), through the result SMS's link
  (``rating_link_rate`` with the raw token, readable in the demo's suppressed outbox), or — when
  three calls on three different working days went unanswered — closed as 未接通.
- ``demo_citizen_voice``: 催办 on a handful of open, late cases (one pressed three times within
  seven days, so its region's supervisors got the alert) and a few 留言.

Every choice follows from the case id, never from the generator of ``demo/cases.py``, so its
calibrated sequence stays as it was; times are back-dated and never in the future.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases.models import Case, Rating, Status
from cases.workdays import is_workday
from routing.models import Channel

#: Channels whose claimants have no account: the call-back (or the SMS link) gets their rating.
CALLED = (Channel.WINDOW, Channel.HOTLINE, Channel.GRID)
#: Of every 10 such cases (by id): rated through the SMS link, closed as 未接通, else by phone.
LINK_SLOTS = (6, 7, 8)
UNREACHED_SLOT = 9
MISSED_FIRST_SLOT = 5  # rated by phone on the second try (one unanswered call the day before)
PHONE_COMMENTS = {
    Rating.SATISFIED: "电话回访：群众表示问题已处理，对办理结果满意",
    Rating.BASIC: "电话回访：群众表示基本认可，但希望后续继续跟进",
}
LINK_COMMENTS = {Rating.SATISFIED: "处理很及时，谢谢工作人员", Rating.BASIC: ""}


def _workdays_from(day: date, count: int) -> list[date]:
    days: list[date] = []
    while len(days) < count:
        if is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: date, case_id: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, (case_id * 7) % 60)))


def _rating(case_id: int) -> tuple[str, bool]:
    """The rating given and the answer to 问题是否解决, by id."""
    if case_id % 4 == 3:
        return Rating.BASIC, case_id % 3 != 0
    return Rating.SATISFIED, case_id % 7 != 3


def _fresh(case_id: int) -> Case:
    return Case.objects.select_related("centre", "region", "matter", "lead_unit").get(pk=case_id)


def demo_callback(*, case_id: int, clerk, now: datetime) -> bool:
    """Rate (or close as 未接通) the 待评价 case of a channel without accounts, as the call-back
    would have; False (nothing done) for other cases or when the needed times are not yet past or
    fall after the feedback time (the caller then lets the system close it, as before)."""
    from feedback.models import CallOutcome
    from feedback.services import callback_close_unreached, callback_record

    case = _fresh(case_id)
    if case.status != Status.FEEDBACK or case.channel not in CALLED:
        return False
    latest = min(now - timedelta(minutes=5), case.stage_due_at)
    slot = case_id % 10
    approved = case.stage_started_at
    if slot in LINK_SLOTS:
        return _rate_by_link(case, approved + timedelta(hours=2 + case_id % 20), latest)
    first = timezone.localtime(approved).date() + timedelta(days=1)
    days = _workdays_from(first, 3 if slot in (UNREACHED_SLOT, MISSED_FIRST_SLOT) else 1)
    calls = [_at(day, case_id, 9 + case_id % 8) for day in days]
    if slot == UNREACHED_SLOT:
        close_at = calls[-1] + timedelta(minutes=15)
        if close_at > latest:
            return False
        for at in calls:
            callback_record(case=_fresh(case_id), actor=clerk, outcome=CallOutcome.NO_ANSWER, at=at)
        callback_close_unreached(case=_fresh(case_id), actor=clerk, at=close_at)
        return True
    calls = calls[:2]
    if calls[-1] > latest:
        return False
    rating, solved = _rating(case_id)
    for at in calls[:-1]:
        callback_record(case=_fresh(case_id), actor=clerk, outcome=CallOutcome.NO_ANSWER, at=at)
    callback_record(
        case=_fresh(case_id),
        actor=clerk,
        outcome=CallOutcome.RATED,
        rating=rating,
        solved=solved,
        comment=PHONE_COMMENTS[rating],
        at=calls[-1],
    )
    return True


def _rate_by_link(case: Case, at: datetime, latest: datetime) -> bool:
    """The citizen opens the result SMS's link and rates. The raw token lives only in the SMS; the
    demo's messages are recorded, not delivered, so it still waits in the outbox row."""
    from feedback.models import RatingToken
    from feedback.services import rating_link_rate, rating_token_find
    from notifications.models import OutboxMessage

    if at > latest:
        return False
    token = RatingToken.objects.filter(case=case, used_at=None, revoked_at=None).select_related("party").first()
    if token is None:
        return False
    # The result SMS's code is the one whose hash the open link keeps.
    secrets = OutboxMessage.objects.filter(recipient_phone=token.party.phone).exclude(secret="")
    raw = next((raw for raw in secrets.values_list("secret", flat=True) if rating_token_find(raw) == token), None)
    if raw is None:
        return False
    # The link was issued with the (back-dated) approval, not at load time.
    RatingToken.objects.filter(case=case, used_at=None, revoked_at=None).update(created_at=case.stage_started_at)
    rating, solved = _rating(case.pk)
    rating_link_rate(raw=raw, rating=rating, solved=solved, comment=LINK_COMMENTS[rating], at=at)
    return True


# 催办 and 留言 ---------------------------------------------------------------------------------

#: How many open, late cases the citizens press; the first of 高明 three times (the alert).
PRESSED = 6
MESSAGES = (
    "请问目前处理到哪一步了？对方至今没有联系我，麻烦尽快跟进，谢谢。",
    "补充说明：上周对方又出现同样的情况，问题没有改善，希望尽快安排人员到现场核实。",
    "我白天上班不方便接电话，请在晚上七点以后或者周末联系我，谢谢。",
    "已经和对方口头沟通过一次，对方答应处理但一直没有行动，请协助督促。",
    "现场照片和相关票据我都保存好了，如需要可以上门查看，请提前一天电话告知。",
)
MESSAGE_CASES = 5


def demo_citizen_voice(*, key_prefix: str, now: datetime) -> tuple[int, int]:
    """催办 on open, late demo cases and a few 留言 on open ones. Returns (presses, messages)."""
    from feedback.services import PRESSABLE

    demo = Case.objects.filter(claims__submission_key__startswith=key_prefix).values("pk")
    late = list(
        Case.objects.filter(pk__in=demo, status__in=PRESSABLE, stage_due_at__lt=now - timedelta(days=1))
        .select_related("region")
        .order_by("id")
    )
    gaoming = [c for c in late if c.region.code.startswith("440608")]
    alerted = gaoming[:1]
    others = [c for c in late if c not in alerted and c.pk % 3 == 1][: PRESSED - len(alerted)]
    presses = sum(_press(case, 3 if case in alerted else 1 + case.pk % 2, now) for case in alerted + others)
    return presses, _messages(demo, now)


def _press(case: Case, times: int, now: datetime) -> int:
    """Press ``case`` on ``times`` different working days of the last week (the latest first
    chosen, pressed in order), each after the case's deadline and in the past."""
    from accounts.models import User
    from cases.models import CaseEvent
    from feedback.services import case_press

    owner_id = case.parties.filter(user__isnull=False).values_list("user", flat=True).first()
    owner = User.objects.get(pk=owner_id) if owner_id else None
    today = timezone.localtime(now).date()
    since = max(case.stage_due_at, now - timedelta(days=6, hours=20))
    last_event = CaseEvent.objects.filter(case=case).order_by("-created_at").values_list("created_at", flat=True)
    since = max(since, last_event.first() or since)
    moments = []
    for back in range(7):
        day = today - timedelta(days=back)
        at = _at(day, case.pk, 8 + case.pk % 10)
        if is_workday(day) and since < at <= now - timedelta(minutes=5):
            moments.append(at)
        if len(moments) == times:
            break
    for at in sorted(moments):
        case_press(case=Case.objects.select_related("region", "lead_unit").get(pk=case.pk), actor=owner, at=at)
    return len(moments)


def _messages(demo, now: datetime) -> int:
    from accounts.models import User
    from feedback.models import SupplementKind, SupplementVia
    from feedback.services import supplement_add
    from intake.models import Claim

    cases = list(
        Case.objects.filter(pk__in=demo, status=Status.HANDLING, created_at__lt=now - timedelta(days=3)).order_by("id")
    )
    chosen = [c for c in cases if c.pk % 4 == 2][:MESSAGE_CASES]
    for case in chosen:
        claim = Claim.objects.filter(case=case).order_by("id").first()
        owner = case.parties.filter(user__isnull=False).values_list("user", flat=True).first()
        last = case.events.order_by("-created_at").values_list("created_at", flat=True).first()
        at = min(max(now - timedelta(hours=1 + case.pk % 30), last + timedelta(minutes=10)), now - timedelta(minutes=5))
        supplement_add(
            claim=claim,
            case=case,
            kind=SupplementKind.MESSAGE,
            text=MESSAGES[case.pk % len(MESSAGES)],
            uploads=[],
            actor=User.objects.get(pk=owner) if owner else None,
            via=SupplementVia.ACCOUNT if owner else SupplementVia.TRACKING,
            at=at,
        )
    return len(chosen)
