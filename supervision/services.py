"""Warnings (the sweep) and 督办 orders. Every write in supervision goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from cases.joint import joint_tasks_sweep
from cases.models import CONTACT_WARNED_STATUSES, WARNED_STATUSES, Case, WarningLevel
from cases.permissions import is_admin
from cases.services import case_event_record, case_events_bulk_record
from cases.workdays import add_working_days
from core.errors import ServiceError
from notifications.models import NotificationChannel
from notifications.services import inapp_messages_bulk_send, notification_send
from routing.models import Unit
from routing.services import directory_touch

from .models import OrderStatus, SupervisionOrder, SupervisionOrderEvent, WarningThresholds
from .permissions import can_close_order, can_issue_order, can_reply_order
from .thresholds import current_thresholds, settings_thresholds, thresholds_error

SWEEP_LOCK_KEY = 7_461_001  # pg_advisory_xact_lock key of the warning sweep
HOLDING_ROLES = frozenset({Role.HANDLER, Role.CLERK, Role.DISPATCHER})  # told when a case they hold warns


class SupervisionError(ServiceError):
    """A 督办 rule refused the request (``core.errors``: the view shows ``message`` on the form)."""


# The warning sweep ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningClock:
    """One clock the sweep watches: the stage clock, or the contact clock (首次联系). Each has its
    precomputed points, its own level and change time on the case, and its own event names
    (``<prefix>warning_<level>``), so the two are recorded and notified independently."""

    prefix: str
    level: str
    changed: str
    due: str
    yellow: str
    blue: str

    def running(self):
        """The cases whose clock is running now (the sweep recomputes only these)."""
        if self.prefix:
            return Case.objects.filter(
                status__in=CONTACT_WARNED_STATUSES, contacted_at__isnull=True, contact_due_at__isnull=False
            )
        return Case.objects.filter(status__in=WARNED_STATUSES, paused_at__isnull=True)

    def conditions(self, now: datetime) -> list[tuple[str, Q]]:
        """level → the condition (on the precomputed points) under which a running case has it."""
        due, yellow, blue = self.due, self.yellow, self.blue
        return [
            (WarningLevel.RED, Q(**{f"{due}__lte": now})),
            (WarningLevel.YELLOW, Q(**{f"{yellow}__lte": now, f"{due}__gt": now})),
            (WarningLevel.BLUE, Q(**{f"{blue}__lte": now, f"{yellow}__gt": now})),
            (
                WarningLevel.NONE,
                Q(**{f"{blue}__gt": now}) | Q(**{f"{blue}__isnull": True}) | Q(**{f"{due}__isnull": True}),
            ),
        ]

    def changed_to(self, now: datetime, level: str):
        """The cases whose level became ``level`` in the sweep at ``now``."""
        return self.running().filter(**{self.changed: now, self.level: level})

    def event_notes(self, t: dict[str, float]) -> dict[str, str]:
        """The timeline notes, with the thresholds in force (an admin may have changed them)."""
        if self.prefix:
            return {
                WarningLevel.BLUE: f"首次联系时限已用 {_share(t['blue'])}，尚未联系群众",
                WarningLevel.YELLOW: f"首次联系时限已用 {_share(t['yellow'])}，请尽快联系群众",
                WarningLevel.RED: "已超过首次联系时限，仍未联系群众",
            }
        return {
            WarningLevel.BLUE: f"本环节已用时 {_share(t['blue'])}",
            WarningLevel.YELLOW: f"本环节已用时 {_share(t['yellow'])}，请抓紧办理",
            WarningLevel.RED: "本环节已超期",
        }

    def message_texts(self, t: dict[str, float]) -> dict[str, str]:
        if self.prefix:
            return {
                WarningLevel.BLUE: f"首次联系进入蓝色预警（用时 {_share(t['blue'])}），请联系群众",
                WarningLevel.YELLOW: f"首次联系进入黄色预警（用时 {_share(t['yellow'])}），请尽快联系群众",
                WarningLevel.RED: "超过首次联系时限（红色预警），请立即联系群众",
            }
        return {
            WarningLevel.BLUE: f"进入蓝色预警（用时 {_share(t['blue'])}）",
            WarningLevel.YELLOW: f"进入黄色预警（用时 {_share(t['yellow'])}）",
            WarningLevel.RED: "已超期（红色预警），请立即处理",
        }


STAGE_CLOCK = WarningClock("", "warning_level", "warning_changed_at", "stage_due_at", "yellow_at", "blue_at")
CONTACT_CLOCK = WarningClock(
    "contact_", "contact_level", "contact_changed_at", "contact_due_at", "contact_yellow_at", "contact_blue_at"
)
CLOCKS = (STAGE_CLOCK, CONTACT_CLOCK)

#: The levels that are recorded on the timeline and notified (rising to any of them).
EVENT_LEVELS = (WarningLevel.BLUE, WarningLevel.YELLOW, WarningLevel.RED)


def _share(value: float) -> str:
    return f"{round(value * 100)}%"


@dataclass
class SweepResult:
    changed: dict[str, int] = field(default_factory=dict)  # stage clock: level → cases
    contact_changed: dict[str, int] = field(default_factory=dict)  # contact clock: level → cases
    joint_changed: dict[str, int] = field(default_factory=dict)  # 联办任务 deadlines: level → tasks
    events: int = 0
    notifications: int = 0

    @property
    def total(self) -> int:
        return sum(self.changed.values()) + sum(self.contact_changed.values()) + sum(self.joint_changed.values())


def _take_sweep_lock() -> None:
    """One sweep at a time. PostgreSQL: a transaction-scoped advisory lock (released at commit or
    rollback, also when a worker dies). SQLite: the transaction began with BEGIN IMMEDIATE, which
    already holds the database's single write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])


def warnings_sweep(*, now: datetime | None = None, only: list[int] | None = None) -> SweepResult:
    """Recompute every open case's warning levels with a few set-based statements: the stage
    clock's and the contact clock's (首次联系, until the lead unit records contacting the citizen).

    Guarantees: each change of level is recorded once — a ``warning_<level>`` (contact clock:
    ``contact_warning_<level>``) event on the case timeline (internal) and an in-app message to
    the unit holding the case (and, on red, to the supervisors at its claims centre). Runs under a
    lock in one transaction, so two sweeps at once, or a sweep after a crash halfway (rolled
    back), give the same levels and no duplicate events or messages. Paused cases keep their
    stage level (the contact clock is not paused: the citizen still waits for a call). No Python
    loop over cases.

    ``only`` (case ids) is for back-dated loads (the demo): they replay the sweep a running
    scheduler would have made at a past moment for the cases they are writing, without
    evaluating every other case at that past moment.
    """
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        _take_sweep_lock()
        shares = None
        for clock, changed in ((STAGE_CLOCK, result.changed), (CONTACT_CLOCK, result.contact_changed)):
            running = clock.running()
            if only is not None:
                running = running.filter(pk__in=only)
            for level, condition in clock.conditions(now):
                changed[level] = (
                    running.filter(condition)
                    .exclude(**{clock.level: level})
                    .update(**{clock.level: level, clock.changed: now})
                )
            if any(changed[level] for level in EVENT_LEVELS):
                shares = shares or current_thresholds()
                result.events += _record_events(clock, now, shares)
                result.notifications += _notify(clock, now, shares)
        # the 联办任务 deadlines (issue #15), in the same transaction under the same lock
        result.joint_changed, events, notes = joint_tasks_sweep(now=now, only=only)
        result.events += events
        result.notifications += notes
    return result


def _record_events(clock: WarningClock, now: datetime, shares: dict[str, float]) -> int:
    """One internal event per case whose level rose to blue/yellow/red now (one INSERT … SELECT each)."""
    return sum(
        case_events_bulk_record(
            cases=clock.changed_to(now, level), transition=f"{clock.prefix}warning_{level}", note=note, at=now
        )
        for level, note in clock.event_notes(shares).items()
    )


def _notify(clock: WarningClock, now: datetime, shares: dict[str, float]) -> int:
    """In-app messages, set-based: the unit holding each case (its lead unit's handlers, clerks and
    dispatchers; while it has none, the centre's clerks and dispatchers) for every new level; on red
    also the supervisors at the case's centre."""
    total = 0
    for level, text in clock.message_texts(shares).items():
        changed = clock.changed_to(now, level)
        holders = [
            ("lead_unit__memberships", changed.filter(lead_unit__isnull=False), HOLDING_ROLES),
            ("centre__memberships", changed.filter(lead_unit__isnull=True), HOLDING_ROLES - {Role.HANDLER}),
        ]
        if level == WarningLevel.RED:
            holders.append(("centre__memberships", changed, {Role.SUPERVISOR}))
        parts = [
            cases.order_by()
            .filter(**{f"{members}__active": True, f"{members}__role__in": sorted(roles)})
            .values(
                recipient=F(f"{members}__user"),
                text=Concat(Value("案件 "), "number", Value("：" + text)),
                case_number=F("number"),
            )
            for members, cases, roles in holders
        ]
        recipients = parts[0].union(*parts[1:], all=True)  # one INSERT … SELECT per level
        total += inapp_messages_bulk_send(
            recipients=recipients, kind=f"{clock.prefix}warning_{level}", at=now, with_case=True
        )
    return total


def _point(start: str, window, share: float):
    """SQL: ``start`` + ``window`` × ``share``. The Cast keeps the interval a whole number of
    microseconds on SQLite, where a duration is an integer and a fractional one would not add to a
    datetime."""
    part = Cast(ExpressionWrapper(window * Value(share), output_field=DurationField()), DurationField())
    return ExpressionWrapper(F(start) + part, output_field=DateTimeField())


def warnings_rethreshold(*, thresholds: dict[str, float] | None = None) -> int:
    """Move ``blue_at`` / ``yellow_at`` of every open case to ``thresholds`` (default: those in
    force) with ONE set-based ``UPDATE``; returns the number of cases. Levels are not touched
    here: the next sweep (every minute) recomputes them from the moved points and records each
    change once, as for any other change of level."""
    from .thresholds import current_thresholds

    thresholds = thresholds or current_thresholds()
    window = ExpressionWrapper(F("stage_due_at") - F("stage_started_at"), output_field=DurationField())

    def point(share: float):
        return _point("stage_started_at", window, share)

    moved = Case.objects.filter(
        status__in=WARNED_STATUSES, stage_started_at__isnull=False, stage_due_at__gt=F("stage_started_at")
    ).update(blue_at=point(thresholds["blue"]), yellow_at=point(thresholds["yellow"]))
    # the contact clocks still running (首次联系), the same way over their own window
    window = ExpressionWrapper(F("contact_due_at") - F("contact_started_at"), output_field=DurationField())
    CONTACT_CLOCK.running().filter(contact_started_at__isnull=False, contact_due_at__gt=F("contact_started_at")).update(
        contact_blue_at=_point("contact_started_at", window, thresholds["blue"]),
        contact_yellow_at=_point("contact_started_at", window, thresholds["yellow"]),
    )
    return moved


@transaction.atomic
def warning_thresholds_set(*, blue, yellow, actor) -> WarningThresholds:
    """Set the admin's warning thresholds (0 < blue < yellow < 1, else ``SupervisionError`` with
    the reason) and apply them at once to every open case (``warnings_rethreshold``: one UPDATE);
    new stage clocks take them from then on. The next sweep brings the levels in line; it waits
    for this one (same lock), so it never judges a half-moved set of cases. Admins only."""
    if not is_admin(actor):
        raise PermissionDenied
    blue_f, yellow_f = float(blue), float(yellow)
    message = thresholds_error(blue_f, yellow_f)
    if message:
        raise SupervisionError(message)
    _take_sweep_lock()
    row, _created = WarningThresholds.objects.update_or_create(
        pk=WarningThresholds.SINGLETON_ID,
        defaults={"blue": blue, "yellow": yellow, "updated_by": actor, "updated_at": timezone.now()},
    )
    warnings_rethreshold(thresholds={"blue": blue_f, "yellow": yellow_f})
    directory_touch()  # processes drop the thresholds they cached with the directory snapshot
    return row


@transaction.atomic
def warning_thresholds_clear(*, actor) -> None:
    """Back to the settings' thresholds (the admin row is deleted) — applied to open cases too."""
    if not is_admin(actor):
        raise PermissionDenied
    _take_sweep_lock()
    WarningThresholds.objects.filter(pk=WarningThresholds.SINGLETON_ID).delete()
    warnings_rethreshold(thresholds=settings_thresholds())
    directory_touch()


# 督办 orders ------------------------------------------------------------------------------------


def _order_event(order: SupervisionOrder, transition: str, *, actor, note: str, at: datetime) -> None:
    """An internal entry on the case timeline, linked to its order (``SupervisionOrderEvent``)."""
    event = case_event_record(
        case=order.case,
        transition=transition,
        actor=actor,
        from_status=order.case.status,
        note=note,
        public=False,
        at=at,
    )
    SupervisionOrderEvent.objects.create(order=order, event=event)


@transaction.atomic
def order_issue(
    *, case: Case, unit: Unit, actor, instruction: str, due_days: int = 2, at: datetime | None = None
) -> SupervisionOrder:
    """督办: a supervisor instructs a unit on a case, with a reply due in ``due_days`` working days.

    The unit's handlers are told in-app; the case timeline records it (internal).
    """
    if not can_issue_order(actor, case):
        raise PermissionDenied
    instruction = (instruction or "").strip()
    if not instruction:
        raise SupervisionError(_("请填写督办要求。"))
    if not 1 <= due_days <= 30:
        raise SupervisionError(_("回复时限应在 1 到 30 个工作日之间。"))
    if not unit.active:
        raise SupervisionError(_("单位“%(u)s”已停用。") % {"u": unit.name})
    if not case.is_open:
        raise SupervisionError(_("案件已结束，不能再督办。"))
    at = at or timezone.now()
    # Concurrent posts (a double click, a retry) queue on the case row, so the second one sees
    # the first one's order and returns it instead of issuing a duplicate.
    Case.objects.select_for_update().only("pk").get(pk=case.pk)
    duplicate = SupervisionOrder.objects.filter(
        case=case,
        unit=unit,
        instruction=instruction,
        status=OrderStatus.OPEN,
        created_at__gte=at - timedelta(minutes=5),
    ).first()
    if duplicate is not None:
        return duplicate  # the same order posted twice (double click, retry)
    order = SupervisionOrder.objects.create(
        case=case,
        unit=unit,
        issued_by=actor,
        instruction=instruction,
        due_at=add_working_days(at, due_days),
        created_at=at,
    )
    _order_event(
        order, "order_issue", actor=actor, note=_("督办%(u)s：%(i)s") % {"u": unit.name, "i": instruction}, at=at
    )
    _notify_unit_handlers(order, _("督办：案件 %(n)s，%(i)s，请于 %(d)s 前回复。") % {
        "n": case.number, "i": instruction, "d": timezone.localtime(order.due_at).strftime("%m月%d日"),
    })  # fmt: skip
    return order


@transaction.atomic
def order_reply(*, order: SupervisionOrder, actor, reply: str, at: datetime | None = None) -> SupervisionOrder:
    """The unit answers what it did; the order waits for the supervisor to close or press."""
    if not can_reply_order(actor, order):
        raise PermissionDenied
    reply = (reply or "").strip()
    if not reply:
        raise SupervisionError(_("请填写回复内容，说明采取了哪些措施。"))
    at = at or timezone.now()
    updated = SupervisionOrder.objects.filter(pk=order.pk, status=OrderStatus.OPEN).update(
        status=OrderStatus.REPLIED, reply=reply, replied_by=actor, replied_at=at
    )
    if not updated:
        raise SupervisionError(_("该督办单已回复或已办结，请刷新页面。"))
    order.refresh_from_db()
    _order_event(order, "order_reply", actor=actor, note=reply, at=at)
    return order


@transaction.atomic
def order_press(
    *, order: SupervisionOrder, actor, instruction: str, due_days: int = 2, at: datetime | None = None
) -> SupervisionOrder:
    """再次督办: the reply is not enough; the order opens again with a new deadline."""
    if not can_close_order(actor, order):
        raise PermissionDenied
    instruction = (instruction or "").strip()
    if not instruction:
        raise SupervisionError(_("请说明需要进一步落实的内容。"))
    at = at or timezone.now()
    updated = SupervisionOrder.objects.filter(pk=order.pk, status__in=[OrderStatus.OPEN, OrderStatus.REPLIED]).update(
        status=OrderStatus.OPEN,
        due_at=add_working_days(at, due_days),
        instruction=instruction,
        pressed=F("pressed") + 1,
    )
    if not updated:
        raise SupervisionError(_("该督办单已办结。"))
    order.refresh_from_db()
    _order_event(order, "order_press", actor=actor, note=instruction, at=at)
    _notify_unit_handlers(
        order, _("再次督办：案件 %(n)s，%(i)s。") % {"n": order.case.number, "i": instruction}, kind="supervision_press"
    )
    return order


@transaction.atomic
def order_close(*, order: SupervisionOrder, actor, note: str = "", at: datetime | None = None) -> SupervisionOrder:
    """The supervisor is satisfied: the order is closed."""
    if not can_close_order(actor, order):
        raise PermissionDenied
    at = at or timezone.now()
    updated = (
        SupervisionOrder.objects.filter(pk=order.pk)
        .exclude(status=OrderStatus.CLOSED)
        .update(status=OrderStatus.CLOSED, closed_at=at)
    )
    if not updated:
        raise SupervisionError(_("该督办单已办结。"))
    order.refresh_from_db()
    _order_event(order, "order_close", actor=actor, note=(note or "").strip() or _("督办事项已落实"), at=at)
    return order


#: Working days the 首接单位 has to answer an automatic 督办 (推诿, issue #15).
AUTOMATIC_ORDER_DAYS = 2


def order_issue_automatic(event) -> SupervisionOrder | None:
    """The platform's own 督办 of a buck-passed case (``cases.handover.BuckPass``, issue #15): to the
    首接单位, naming the handoffs, no person as issuer. Runs inside the approving transaction.

    Idempotent: while an automatic order on the case is not closed, a further handoff issues none
    (the case row, locked by the approval's UPDATE, serialises two approvals)."""
    from cases.handover import history_words

    case, at = event.case, event.at
    if SupervisionOrder.objects.filter(case=case, issued_by__isnull=True).exclude(status=OrderStatus.CLOSED).exists():
        return None
    instruction = _(
        "该案已在单位间移交 %(n)s 次（%(history)s），存在推诿。请首接单位%(unit)s牵头协调，"
        "确保有单位签收办理，并回复落实情况。"
    ) % {"n": len(event.handoffs), "history": history_words(event.handoffs), "unit": event.first_unit.name}
    order = SupervisionOrder.objects.create(
        case=case,
        unit=event.first_unit,
        issued_by=None,
        instruction=instruction,
        due_at=add_working_days(at, AUTOMATIC_ORDER_DAYS),
        created_at=at,
    )
    _order_event(order, "order_issue", actor=None, note=_("系统自动督办%(u)s：%(i)s") % {
        "u": event.first_unit.name, "i": instruction,
    }, at=at)  # fmt: skip
    _notify_unit_handlers(order, _("督办：案件 %(n)s 多次移交，请牵头协调并于 %(d)s 前回复。") % {
        "n": case.number, "d": timezone.localtime(order.due_at).strftime("%m月%d日"),
    })  # fmt: skip
    return order


def _notify_unit_handlers(order: SupervisionOrder, body: str, kind: str = "supervision_order") -> None:
    from accounts.models import Membership, Role

    for membership in Membership.objects.filter(unit=order.unit, role=Role.HANDLER, active=True).select_related("user"):
        notification_send(
            kind=kind,
            user=membership.user,
            body=body,
            channel=NotificationChannel.INAPP,
            case_number=order.case.number,
        )
