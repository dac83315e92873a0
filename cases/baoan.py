"""包案 (a leader owns a case) and 挂牌督办 (issue #15; docs/baoan.md).

A supervisor (领导) of the case's place takes an open case with a target date (目标办结日期) and an
optional requirement (包案要求). One owner at a time: the claim is one conditional ``UPDATE``, so of
two leaders taking the case at once exactly one wins and one event is written. While owned, the
result's review (审核通过 / 驳回重办) is the owner's (or an admin's), not the centre's
(``cases.permissions.can_review``). The owner may hang the plate (挂牌督办): the case is then marked
on every board until the owner takes it down (摘牌). The owner or an admin releases the case
(撤销包案); the plate comes down with it. Every step is an internal timeline event.

Public names are re-exported by ``cases.services``, where callers import them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from notifications.models import NotificationChannel
from notifications.services import notifications_bulk_send

from .models import OPEN_STATUSES, Case, CaseEvent
from .permissions import can_hang_plate, can_release_baoan, can_take_baoan
from .transitions import CaseError, _event, _now
from .workdays import is_workday

#: The furthest target date a leader may set, in calendar days from today (about a quarter: a case
#: that needs longer is not one a leader can follow personally; it can be released and re-taken).
BAOAN_MAX_DAYS = 90
BAOAN_TEXT_MAX = 500
NOTICE_KIND = "case_baoan"


def baoan_due_problem(day: dt.date | None, *, today: dt.date) -> str:
    """Why ``day`` cannot be a 包案 target date ("" when it can)."""
    if day is None:
        return _("请填写目标办结日期。")
    if day < today:
        return _("目标办结日期不能早于今天，请重新选择。")
    if day > today + dt.timedelta(days=BAOAN_MAX_DAYS):
        return _("目标办结日期最晚为今天起 %(n)d 天内（%(d)s 之前），请缩短后再提交。") % {
            "n": BAOAN_MAX_DAYS,
            "d": date_words(today + dt.timedelta(days=BAOAN_MAX_DAYS)),
        }
    if not is_workday(day):
        return _("%(d)s 不是工作日（周末或法定节假日），请选择一个工作日。") % {"d": date_words(day)}
    return ""


def date_words(day: dt.date) -> str:
    """``2026年12月18日``."""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _leader_name(user) -> str:
    return user.display_name if user is not None else _("（已撤销）")


def _messages(case: Case, body: str) -> list[dict]:
    """In-app messages to the lead unit's handlers and to the centre's dispatchers: one query."""
    pairs = [(case.lead_unit_id, Role.HANDLER), (case.centre_id, Role.DISPATCHER)]
    wanted = [(unit_id, role) for unit_id, role in pairs if unit_id is not None]
    if not wanted:
        return []
    rows = (
        Membership.objects.filter(active=True, unit_id__in=[u for u, _r in wanted], role__in=[r for _u, r in wanted])
        .order_by("pk")
        .values_list("unit_id", "role", "user_id")
    )
    users = list(dict.fromkeys(user_id for unit_id, role, user_id in rows if (unit_id, role) in wanted))
    return [
        {
            "kind": NOTICE_KIND,
            "user_id": user_id,
            "body": body,
            "channel": NotificationChannel.INAPP,
            "case_number": case.number,
        }
        for user_id in users
    ]


def _to_user(user_id: int, case: Case, body: str) -> dict:
    return {
        "kind": NOTICE_KIND,
        "user_id": user_id,
        "body": body,
        "channel": NotificationChannel.INAPP,
        "case_number": case.number,
    }


def _refresh(case: Case) -> None:
    """The ownership fields as they stand now (after a conditional UPDATE that did not apply)."""
    fresh = (
        Case.objects.filter(pk=case.pk)
        .values("baoan_leader_id", "baoan_at", "baoan_due_date", "baoan_note", "plate_hung_at", "plate_reason")
        .first()
    )
    for name, value in (fresh or {}).items():
        setattr(case, name, value)
    if fresh is not None and "baoan_leader" in case._state.fields_cache:
        del case._state.fields_cache["baoan_leader"]


@transaction.atomic
def case_baoan_take(*, case: Case, actor, due_date: dt.date, note: str = "", at=None) -> CaseEvent:
    """包案: ``actor`` (a supervisor of the case's place) owns the open case until ``due_date``.

    Guarantees: one owner at a time — a conditional ``UPDATE … WHERE baoan_leader IS NULL`` (of two
    leaders taking it at once one wins, the other is refused naming the owner); the target date is
    a working day, not in the past, at most ``BAOAN_MAX_DAYS`` ahead; one internal event
    (``baoan_take``). Triggers: an in-app message to the lead unit's handlers and the centre's
    dispatchers ("本案由X领导包案，目标办结日期…；办理结果由包案领导审核").
    """
    if not can_take_baoan(actor, case):
        raise PermissionDenied
    at = _now(at)
    problem = baoan_due_problem(due_date, today=timezone.localdate(at))
    if problem:
        raise CaseError(problem, field="due_date")
    note = (note or "").strip()[:BAOAN_TEXT_MAX]
    if case.status not in OPEN_STATUSES:
        raise CaseError(_("案件已结束，不能包案。"))
    updated = Case.objects.filter(pk=case.pk, baoan_leader__isnull=True, status__in=OPEN_STATUSES).update(
        baoan_leader=actor, baoan_at=at, baoan_due_date=due_date, baoan_note=note, updated_at=at
    )
    if not updated:
        _refresh(case)
        if case.baoan_leader_id == actor.pk:
            raise CaseError(_("您已包案此案件，无需重复操作。"))
        if case.baoan_leader_id is not None:
            raise CaseError(
                _("本案已由%(who)s包案：须其撤销包案后，其他领导方可接手。") % {"who": _leader_name(case.baoan_leader)}
            )
        raise CaseError(_("案件已结束，不能包案。"))
    case.baoan_leader, case.baoan_at, case.baoan_due_date, case.baoan_note = actor, at, due_date, note
    case.updated_at = at
    text = _("%(who)s包案，目标办结日期 %(d)s") % {"who": actor.display_name, "d": date_words(due_date)}
    if note:
        text += _("；包案要求：%(note)s") % {"note": note}
    event = _event(case, "baoan_take", actor=actor, from_status=case.status, note=text, public=False, at=at)
    body = _("案件 %(n)s 由%(who)s领导包案，目标办结日期 %(d)s；办理结果由包案领导审核。") % {
        "n": case.number,
        "who": actor.display_name,
        "d": date_words(due_date),
    }
    notifications_bulk_send(_messages(case, body))
    return event


def _take_plate_down(case: Case, *, actor, note: str, at) -> CaseEvent | None:
    if case.plate_hung_at is None:
        return None
    Case.objects.filter(pk=case.pk).update(plate_hung_at=None, plate_reason="", updated_at=at)
    case.plate_hung_at, case.plate_reason = None, ""
    return _event(case, "plate_remove", actor=actor, from_status=case.status, note=note, public=False, at=at)


@transaction.atomic
def case_baoan_release(*, case: Case, actor, reason: str, at=None) -> CaseEvent:
    """撤销包案: the owner (or an admin) gives the case up, with a reason.

    Guarantees: only the owner or an admin; a conditional ``UPDATE`` on the owner the page showed
    (a release racing another's is refused, not doubled); a hung plate comes down with it (its own
    ``plate_remove`` event); one ``baoan_release`` event. The review goes back to the centre.
    Triggers: a message to the lead unit and the centre; to the leader too when an admin released.
    """
    if not can_release_baoan(actor, case):
        raise PermissionDenied
    reason = (reason or "").strip()[:BAOAN_TEXT_MAX]
    if not reason:
        raise CaseError(_("请填写撤销包案的理由，例如工作调整、已交由其他领导包案。"), field="reason")
    at = _now(at)
    leader = case.baoan_leader
    _take_plate_down(case, actor=actor, note=_("随撤销包案摘牌：%(r)s") % {"r": reason}, at=at)
    updated = Case.objects.filter(pk=case.pk, baoan_leader=leader).update(
        baoan_leader=None, baoan_at=None, baoan_due_date=None, baoan_note="", updated_at=at
    )
    if not updated:
        raise CaseError(_("该案件的包案情况刚被他人修改，请刷新页面后再操作。"))
    case.baoan_leader, case.baoan_at, case.baoan_due_date, case.baoan_note = None, None, None, ""
    case.updated_at = at
    text = _("撤销%(who)s的包案：%(r)s") % {"who": leader.display_name, "r": reason}
    event = _event(case, "baoan_release", actor=actor, from_status=case.status, note=text, public=False, at=at)
    body = _("案件 %(n)s 已撤销%(who)s的包案，办理结果恢复由诉求服务中心审核。") % {
        "n": case.number,
        "who": leader.display_name,
    }
    messages = _messages(case, body)
    if actor.pk != leader.pk:
        messages.append(
            _to_user(leader.pk, case, _("您包案的案件 %(n)s 已由%(who)s撤销包案：%(r)s") % {
                "n": case.number, "who": actor.display_name, "r": reason
            })
        )  # fmt: skip
    notifications_bulk_send(messages)
    return event


@transaction.atomic
def case_plate_hang(*, case: Case, actor, reason: str, at=None) -> CaseEvent:
    """挂牌督办: the owner marks the open case on every board, with a reason.

    Guarantees: the owner alone, while the case is open and not already hung (a conditional
    ``UPDATE``: a double submit writes one event); one ``plate_hang`` event. Triggers: a message to
    the lead unit's handlers and the centre's dispatchers.
    """
    if not can_hang_plate(actor, case):
        raise PermissionDenied
    reason = (reason or "").strip()[:BAOAN_TEXT_MAX]
    if not reason:
        raise CaseError(_("请填写挂牌督办的理由，例如群众反映强烈、久拖未决。"), field="reason")
    if case.status not in OPEN_STATUSES:
        raise CaseError(_("案件已结束，不能挂牌督办。"))
    at = _now(at)
    updated = Case.objects.filter(
        pk=case.pk, baoan_leader=actor, plate_hung_at__isnull=True, status__in=OPEN_STATUSES
    ).update(plate_hung_at=at, plate_reason=reason, updated_at=at)
    if not updated:
        _refresh(case)
        if case.plate_hung_at is not None:
            raise CaseError(_("本案已挂牌督办，无需重复操作。"))
        raise CaseError(_("该案件的包案情况刚被他人修改，请刷新页面后再操作。"))
    case.plate_hung_at, case.plate_reason, case.updated_at = at, reason, at
    event = _event(case, "plate_hang", actor=actor, from_status=case.status, note=reason, public=False, at=at)
    body = _("案件 %(n)s 已由%(who)s挂牌督办：%(r)s。请加快办理。") % {
        "n": case.number,
        "who": actor.display_name,
        "r": reason,
    }
    notifications_bulk_send(_messages(case, body))
    return event


@transaction.atomic
def case_plate_remove(*, case: Case, actor, reason: str, at=None) -> CaseEvent:
    """摘牌: the owner takes the plate down, with a reason; the boards stop marking the case.

    Guarantees: the owner alone; a conditional ``UPDATE`` (a double submit writes one event); one
    ``plate_remove`` event.
    """
    if not can_hang_plate(actor, case):
        raise PermissionDenied
    reason = (reason or "").strip()[:BAOAN_TEXT_MAX]
    if not reason:
        raise CaseError(_("请填写摘牌理由，例如问题已解决、群众已认可。"), field="reason")
    at = _now(at)
    updated = Case.objects.filter(pk=case.pk, baoan_leader=actor, plate_hung_at__isnull=False).update(
        plate_hung_at=None, plate_reason="", updated_at=at
    )
    if not updated:
        _refresh(case)
        raise CaseError(_("本案未挂牌督办或已摘牌，请刷新页面查看。"))
    case.plate_hung_at, case.plate_reason, case.updated_at = None, "", at
    return _event(case, "plate_remove", actor=actor, from_status=case.status, note=reason, public=False, at=at)


def review_owner_check(case: Case) -> None:
    """Before 审核通过 / 驳回重办: lock the case row and re-read its owner, so a review cannot
    slip past a leader who took the case after the reviewer loaded it (the permission is then
    checked on the owner as it stands). Call inside the review's transaction."""
    owner = Case.objects.select_for_update().filter(pk=case.pk).values_list("baoan_leader_id", flat=True).first()
    if owner != case.baoan_leader_id:
        _refresh(case)
        raise CaseError(_("本案刚由领导包案或撤销包案，审核人已变化，请刷新页面后再操作。"))


def leader_notice(case: Case, body: str) -> list[dict]:
    """An in-app message to the case's 包案 leader (none when nobody owns it): what happens to their
    case that they must know — a handover approved, the automatic 推诿 督办, a 不满意 rating."""
    if case.baoan_leader_id is None:
        return []
    return [_to_user(case.baoan_leader_id, case, body)]


def leader_result_message(case: Case) -> list[dict]:
    """The owner's message when the lead unit submits its result (待包案领导审核)."""
    if case.baoan_leader_id is None:
        return []
    body = _("您包案的案件 %(n)s 已提交办理结果，请审核。") % {"n": case.number}
    return [_to_user(case.baoan_leader_id, case, body)]


def target_left(day: dt.date | None, *, today: dt.date | None = None) -> tuple[int, str]:
    """Calendar days to the target date and the words for them: (3, "还剩 3 天"), (0, "今天到期"),
    (-2, "超期 2 天"). (0, "") without a date."""
    if day is None:
        return 0, ""
    days = (day - (today or timezone.localdate())).days
    if days > 0:
        return days, _("还剩 %(n)d 天") % {"n": days}
    if days == 0:
        return 0, _("今天到期")
    return days, _("超期 %(n)d 天") % {"n": -days}
