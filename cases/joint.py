"""联办任务 (joint handling with tasks, issue #15): the lead unit or the dispatcher gives a
cooperating unit a task on a case with its own deadline; the unit answers with a reply and files;
the lead cannot submit its result while a task is open unless it records an override reason.

Services (every write), the selectors the screens read, the task clock's time left, and the part
of the warning sweep that watches the task deadlines (``joint_tasks_sweep``: called by
``supervision.services.warnings_sweep`` inside its transaction and under its lock). See
docs/joint-handling.md.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.uploads import CheckedUpload, check_uploads
from notifications.services import inapp_messages_bulk_send
from routing.models import Unit

from .clock import warning_points
from .models import (
    JOINT_TASK_CASE_STATUSES,
    Case,
    JointTask,
    JointTaskFile,
    JointTaskStatus,
    Status,
    WarningLevel,
)
from .permissions import can_answer_joint_task, can_manage_joint_tasks
from .time_left import TimeLeft
from .transitions import CaseError, _event, _notify_unit, _now, _require_text
from .workdays import calendar_overrides, is_workday, working_days_span

#: Case statuses in which tasks may be given (before the result goes to the centre).
CREATE_STATUSES = [Status.DISPATCHED, Status.HANDLING]
#: How far ahead a task's deadline may be set (calendar days).
MAX_DUE_DAYS = 60
REQUEST_MAX = 1000
REPLY_MAX = 2000
REASON_MAX = 500


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)), timezone.get_current_timezone())


def _date_text(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y年%m月%d日}"


def due_date_error(case: Case, due_date: dt.date, now: dt.datetime) -> str | None:
    """Why ``due_date`` cannot be a task's deadline (in Chinese), or None. Shared by the form and
    the service so both refuse the same dates."""
    today = timezone.localtime(now).date()
    if due_date < today:
        return _("答复期限不能早于今天，请选择今天或以后的工作日。")
    if due_date > today + dt.timedelta(days=MAX_DUE_DAYS):
        return _("答复期限最长 %(n)s 天，请选择更早的日期。") % {"n": MAX_DUE_DAYS}
    if not is_workday(due_date):
        return _("%(d)s 不是工作日，请选择工作日作为答复期限。") % {"d": f"{due_date:%Y年%m月%d日}"}
    if case.referral_due_at is not None and _end_of(due_date) > case.referral_due_at:
        return _("答复期限不能晚于上级交办时限（%(d)s）。") % {"d": _date_text(case.referral_due_at)}
    return None


# Services --------------------------------------------------------------------------------------


@transaction.atomic
def joint_task_create(
    *, case: Case, actor, unit: Unit, request: str, due_date: dt.date, at: dt.datetime | None = None
) -> JointTask:
    """交办联办任务: give ``unit`` a task on ``case`` due by the end of ``due_date`` (a working day).

    Guarantees: only the lead unit's handlers or a dispatcher of the case's place, only while the
    case is 已派单 or 处置中; the unit is added as cooperating if it is not; the task's warning
    points are set like a stage clock's; one internal ``joint_task_create`` event; the unit's
    handlers get an in-app message on commit."""
    at = _now(at)
    request = _require_text(request, _("请填写需要协办单位做什么。"))[:REQUEST_MAX]
    if case.status not in CREATE_STATUSES:
        raise CaseError(_("该案件当前状态为“%(status)s”，不能交办联办任务。") % {"status": case.get_status_display()})
    if not can_manage_joint_tasks(actor, case):
        raise PermissionDenied
    if unit is None or not unit.active:
        raise CaseError(_("所选单位不存在或已停用，请重新选择。"))
    if unit.pk == case.lead_unit_id:
        raise CaseError(_("不能向主办单位自己交办联办任务，请选择其他单位。"))
    problem = due_date_error(case, due_date, at)
    if problem:
        raise CaseError(problem)
    due = _end_of(due_date)
    blue, yellow = warning_points(at, due)
    task = JointTask.objects.create(
        case=case,
        unit=unit,
        request=request,
        started_at=at,
        due_at=due,
        blue_at=blue,
        yellow_at=yellow,
        created_by=actor,
    )
    case.cooperating_units.add(unit)  # no-op when it already cooperates
    note = _("向%(unit)s交办联办任务（答复期限 %(due)s）：%(request)s") % {
        "unit": unit.name,
        "due": _date_text(due),
        "request": request,
    }
    _event(case, "joint_task_create", actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_unit(
        unit,
        _("案件 %(n)s 有新的联办任务，请在 %(due)s 前答复。") % {"n": case.number, "due": _date_text(due)},
        case=case,
        kind="joint_task",
    )
    return task


@transaction.atomic
def joint_task_answer(*, task: JointTask, actor, reply: str, files=(), at: dt.datetime | None = None) -> JointTask:
    """答复联办任务: the task's unit answers with a reply and files (images or PDFs, checked by
    content as a claim's attachments are).

    Guarantees: only the handlers of the task's unit, only while the task is open and its case is
    being handled; once — one conditional ``UPDATE`` marks it answered, so of two answers at once
    exactly one is kept and the other is told; nothing is written when a file is refused. One
    internal ``joint_task_answer`` event; the lead unit's handlers are told on commit."""
    reply = _require_text(reply, _("请填写答复内容，说明办理情况和结果。"))[:REPLY_MAX]
    if not can_answer_joint_task(actor, task):
        raise PermissionDenied
    case = task.case
    if case.status not in JOINT_TASK_CASE_STATUSES:
        raise CaseError(_("该案件当前状态为“%(status)s”，不能再答复联办任务。") % {"status": case.get_status_display()})
    files = list(files)
    # before any write: a bad file changes nothing (a form has already checked them: CheckedUpload)
    checked = files if all(isinstance(f, CheckedUpload) for f in files) else check_uploads(files)
    at = _now(at)
    updated = JointTask.objects.filter(pk=task.pk, status=JointTaskStatus.OPEN).update(
        status=JointTaskStatus.ANSWERED,
        reply=reply,
        answered_by=actor,
        answered_at=at,
        warning_level=WarningLevel.NONE,
        warning_changed_at=at,
    )
    if not updated:
        raise CaseError(_("该联办任务已答复或已撤回，请刷新页面查看。"))
    task.status, task.reply, task.answered_by, task.answered_at = JointTaskStatus.ANSWERED, reply, actor, at
    task.warning_level = WarningLevel.NONE
    JointTaskFile.objects.bulk_create(
        [
            JointTaskFile(
                task=task,
                file=item.as_file(),
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                created_at=at,
            )
            for item in checked
        ]
    )
    late = _("（已超过答复期限）") if at > task.due_at else ""
    note = _("%(unit)s答复联办任务%(late)s：%(reply)s") % {"unit": task.unit.name, "late": late, "reply": reply}
    if checked:
        note += _("（附件 %(n)s 个）") % {"n": len(checked)}
    _event(case, "joint_task_answer", actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_unit(
        case.lead_unit,
        _("案件 %(n)s：%(unit)s已答复联办任务。") % {"n": case.number, "unit": task.unit.name},
        case=case,
        kind="joint_task",
    )
    return task


@transaction.atomic
def joint_task_withdraw(*, task: JointTask, actor, reason: str, at: dt.datetime | None = None) -> JointTask:
    """撤回联办任务 (no longer needed): the lead unit's handlers or a dispatcher, while it is open.
    One conditional ``UPDATE`` (an answer arriving at the same moment wins or loses cleanly); one
    internal event; the unit is told."""
    reason = _require_text(reason, _("请填写撤回理由。"))[:REASON_MAX]
    case = task.case
    if not can_manage_joint_tasks(actor, case):
        raise PermissionDenied
    at = _now(at)
    updated = JointTask.objects.filter(pk=task.pk, status=JointTaskStatus.OPEN).update(
        status=JointTaskStatus.WITHDRAWN,
        withdrawn_by=actor,
        withdrawn_at=at,
        withdraw_reason=reason,
        warning_level=WarningLevel.NONE,
        warning_changed_at=at,
    )
    if not updated:
        raise CaseError(_("该联办任务已答复或已撤回，请刷新页面查看。"))
    task.status, task.withdraw_reason, task.withdrawn_at = JointTaskStatus.WITHDRAWN, reason, at
    note = _("撤回对%(unit)s的联办任务：%(reason)s") % {"unit": task.unit.name, "reason": reason}
    _event(case, "joint_task_withdraw", actor=actor, from_status=case.status, note=note, public=False, at=at)
    _notify_unit(
        task.unit,
        _("案件 %(n)s 的联办任务已撤回，无需再答复。") % {"n": case.number},
        case=case,
        kind="joint_task",
    )
    return task


def open_task_units(case: Case) -> list[str]:
    """The units whose tasks on ``case`` are still open (one query), for the submit-result guard."""
    return list(
        JointTask.objects.filter(case=case, status=JointTaskStatus.OPEN)
        .order_by("due_at", "id")
        .values_list("unit__name", flat=True)
    )


def joint_guard(case: Case, override: str) -> str | None:
    """The submit-result guard (called by ``cases.services.case_submit_result`` before the
    transition): with open tasks and no override reason, refuse; with a reason, return the
    override note to record (None when no task is open)."""
    units = open_task_units(case)
    if not units:
        return None
    override = (override or "").strip()
    if not override:
        raise CaseError(
            _(
                "还有 %(n)s 项联办任务未答复（%(units)s）。请等协办单位答复或撤回任务；"
                "确需先提交的，请填写“未等联办答复即提交的理由”。"
            )
            % {"n": len(units), "units": "、".join(units)},
            field="joint_override",
        )
    return _("未等联办答复即提交办理结果（未答复：%(units)s）。理由：%(reason)s") % {
        "units": "、".join(units),
        "reason": override[:REASON_MAX],
    }


# Selectors -------------------------------------------------------------------------------------


def case_joint_tasks(case: Case) -> list[JointTask]:
    """A case's tasks with their units, people and files (two queries)."""
    return list(
        JointTask.objects.filter(case=case)
        .select_related("unit", "answered_by", "created_by", "withdrawn_by")
        .prefetch_related("files")
        .order_by("started_at", "id")
    )


def unit_open_tasks(user) -> QuerySet[JointTask]:
    """The open tasks of the handler's units on cases being handled, soonest due first."""
    units = [m.unit_id for m in _memberships(user) if m.role == Role.HANDLER]
    return (
        JointTask.objects.filter(
            unit_id__in=units, status=JointTaskStatus.OPEN, case__status__in=JOINT_TASK_CASE_STATUSES
        )
        .select_related("case", "case__lead_unit", "case__matter", "unit")
        .order_by("due_at", "id")
    )


def _memberships(user):
    from accounts.selectors import user_memberships

    return user_memberships(user)


def answerable_task(user, pk: int) -> JointTask | None:
    """The task ``pk`` when ``user`` handles for its unit (anyone else: None, a 404)."""
    task = JointTask.objects.select_related("case", "case__lead_unit", "unit", "case__matter").filter(pk=pk).first()
    if task is None or not can_answer_joint_task(user, task):
        return None
    return task


def viewable_task_file(user, pk: int) -> JointTaskFile | None:
    """A reply's file for someone who may see its case (staff), else None."""
    from .permissions import can_view_case

    item = JointTaskFile.objects.select_related("task__case__region").filter(pk=pk).first()
    if item is None:
        return None
    case = item.task.case
    if not (_is_staff(user) and can_view_case(user, case)):  # citizens never see internal tasks
        return None
    return item


def _is_staff(user) -> bool:
    from accounts.permissions import is_staff_member

    return is_staff_member(user)


def task_time_left(task: JointTask, *, now: dt.datetime | None = None, overrides=None) -> TimeLeft | None:
    """Working days left before an open task's deadline (negative: overdue)."""
    if task.status != JointTaskStatus.OPEN:
        return None
    now = now or timezone.now()
    overrides = calendar_overrides() if overrides is None else overrides
    if now <= task.due_at:
        return TimeLeft(working_days_span(now, task.due_at, overrides), False)
    return TimeLeft(-working_days_span(task.due_at, now, overrides), False)


def with_task_time_left(tasks) -> list[JointTask]:
    """Set ``time_left`` on each task (one calendar read for the page)."""
    tasks = list(tasks)
    now = timezone.now()
    overrides = calendar_overrides() if any(t.status == JointTaskStatus.OPEN for t in tasks) else {}
    for task in tasks:
        task.time_left = task_time_left(task, now=now, overrides=overrides)
    return tasks


# The warning sweep's part ---------------------------------------------------------------------

EVENT_NOTES = {
    WarningLevel.BLUE: "联办任务答复期限已过半，协办单位尚未答复",
    WarningLevel.YELLOW: "联办任务答复期限将至，协办单位尚未答复",
    WarningLevel.RED: "联办任务已超过答复期限，协办单位尚未答复",
}
MESSAGE_TEXTS = {
    WarningLevel.BLUE: "联办任务进入蓝色预警，请按期答复",
    WarningLevel.YELLOW: "联办任务进入黄色预警，请尽快答复",
    WarningLevel.RED: "联办任务已超过答复期限（红色预警），请立即答复",
}


def _running(only: list[int] | None = None) -> QuerySet[JointTask]:
    qs = JointTask.objects.filter(status=JointTaskStatus.OPEN, case__status__in=JOINT_TASK_CASE_STATUSES)
    return qs if only is None else qs.filter(case_id__in=only)


def joint_tasks_sweep(*, now: dt.datetime, only: list[int] | None = None) -> tuple[dict[str, int], int, int]:
    """Recompute the open tasks' warning levels, set-based, and record each rise once: one
    internal ``joint_warning_<level>`` event per task on its case's timeline (one INSERT … SELECT
    per level) and in-app messages to the task unit's handlers (on red also the lead unit's).

    Must run inside the warning sweep's transaction, under its lock
    (``supervision.services.warnings_sweep``): that is what makes it exact once per level when two
    sweeps run at once. Returns (level → tasks changed, events written, messages written)."""
    from .transitions import case_events_bulk_record

    running = _running(only)
    conditions = [
        (WarningLevel.RED, Q(due_at__lte=now)),
        (WarningLevel.YELLOW, Q(yellow_at__lte=now, due_at__gt=now)),
        (WarningLevel.BLUE, Q(blue_at__lte=now, yellow_at__gt=now)),
        (WarningLevel.NONE, Q(blue_at__gt=now)),
    ]
    changed = {
        level: running.filter(condition)
        .exclude(warning_level=level)
        .update(warning_level=level, warning_changed_at=now)
        for level, condition in conditions
    }
    events = messages = 0
    for level, note in EVENT_NOTES.items():
        if not changed[level]:
            continue
        # one row per task that rose now (a case with two such tasks gets two events)
        cases = Case.objects.filter(
            joint_tasks__status=JointTaskStatus.OPEN,
            joint_tasks__warning_level=level,
            joint_tasks__warning_changed_at=now,
        )
        if only is not None:
            cases = cases.filter(pk__in=only)
        events += case_events_bulk_record(cases=cases, transition=f"joint_warning_{level}", note=note, at=now)
        messages += _notify(running.filter(warning_level=level, warning_changed_at=now), level, now)
    return changed, events, messages


def _notify(tasks: QuerySet[JointTask], level: str, now: dt.datetime) -> int:
    text = MESSAGE_TEXTS[level]
    holders = [("unit__memberships", text)]
    if level == WarningLevel.RED:
        holders.append(("case__lead_unit__memberships", "协办单位未按期答复联办任务（红色预警）"))
    parts = [
        tasks.order_by()
        .filter(**{f"{members}__active": True, f"{members}__role": Role.HANDLER})
        .values(
            recipient=F(f"{members}__user"),
            text=Concat(Value("案件 "), "case__number", Value("：" + body)),
            case_number=F("case__number"),
        )
        for members, body in holders
    ]
    recipients = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return inapp_messages_bulk_send(recipients=recipients, kind=f"joint_warning_{level}", at=now, with_case=True)
