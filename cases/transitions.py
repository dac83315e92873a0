"""The one transition path (``_run``) and the timeline: what every write to a case goes through.

The pattern (CONVENTIONS.md "The lifecycle"): check the state → check the permission → run the
FSM transition in memory → ``save(update_fields=…)`` (``ConcurrentTransitionMixin`` makes the
UPDATE conditional on the status we loaded, so of two concurrent transitions exactly one wins and
the other raises ``ConcurrentTransition`` and rolls back) → append the ``CaseEvent`` → enqueue
notifications on commit. The services in ``cases.services`` and ``cases.pauses`` use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Membership, Role
from accounts.selectors import user_memberships
from core.errors import ServiceError
from notifications.models import NotificationChannel
from notifications.services import notifications_bulk_send
from routing.models import Unit

from .clock import enter_stage, reply_due
from .locks import HELD_TRANSITIONS, hold_reason
from .models import Case, CaseEvent, Status

#: The statuses of a case waiting for a unit to sign it: the only ones with a 首接负责 duty.
UNSIGNED_STATUSES = (Status.ACCEPTED, Status.DISPATCHED)


class CaseError(ServiceError):
    """A request that cannot be carried out as asked; ``message`` is shown to the user."""


# Helpers -------------------------------------------------------------------------------------


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _acting_unit(actor, case: Case) -> Unit | None:
    """The unit on whose behalf ``actor`` acts on ``case`` (for the timeline)."""
    if actor is None:
        return None
    memberships = user_memberships(actor)
    handling = [m for m in memberships if m.role == Role.HANDLER]
    if handling:  # the cooperating units are read only for someone who handles cases
        for unit_id in (case.lead_unit_id, *[u.id for u in case.cooperating_units.all()]):
            for m in handling:
                if m.unit_id == unit_id:
                    return m.unit
    path = case.region.path
    scoped = [m for m in memberships if path.startswith(m.unit.region.path)]
    if scoped:
        return max(scoped, key=lambda m: m.unit.region.depth).unit
    return None


def _event(
    case: Case, transition: str, *, actor, from_status: str, note: str = "", public: bool = True, at=None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        transition=transition,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_unit=_acting_unit(actor, case),
        note=note,
        public=public,
        created_at=_now(at),
        handling_unit_id=case.lead_unit_id,
        reply_due_at=reply_due(case),
    )


def case_event_record(
    *, case: Case, transition: str, actor, from_status: str, note: str = "", public: bool = True, at=None
) -> CaseEvent:
    """Append one entry to the case timeline for a change another app made (a 督办, …); the case's
    own transitions go through ``_run``."""
    return _event(case, transition, actor=actor, from_status=from_status, note=note, public=public, at=at)


def case_events_bulk_record(*, cases, transition: str, note: str, public: bool = False, at=None) -> int:
    """One event (no actor, status unchanged) per case of the queryset ``cases`` with ONE
    ``INSERT … SELECT`` (no Python loop over cases), in the caller's transaction; returns how many.
    The warning sweep records level changes this way."""
    at = connection.ops.adapt_datetimefield_value(_now(at))
    select, params = cases.order_by().values(picked_id=F("pk"), picked_status=F("status")).query.sql_with_params()
    names = ["transition", "note", "public", "created_at", "case", "from_status", "to_status"]
    fields = ", ".join(connection.ops.quote_name(CaseEvent._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(CaseEvent._meta.db_table)} ({fields}) "
            f"SELECT %s, %s, %s, %s, picked.picked_id, picked.picked_status, picked.picked_status FROM ({select}) picked",
            [transition, note, public, at, *params],
        )
        return cursor.rowcount


def _run(
    case: Case,
    transition: str,
    *,
    actor,
    note: str = "",
    public: bool = True,
    fields: dict | None = None,
    stage: str | None | bool = False,
    at: datetime | None = None,
    system: bool = False,
) -> CaseEvent:
    """Take one FSM transition and record it. Call inside ``transaction.atomic``."""
    step = Step(transition, actor=actor, note=note, public=public, fields=fields, stage=stage, system=system)
    return _run_steps(case, [step], at=at)[0]


@dataclass
class Step:
    """One transition of ``_run_steps``: ``_run``'s arguments but the case and the time."""

    transition: str
    actor: object = None
    note: str = ""
    public: bool = True
    fields: dict | None = None
    stage: str | None | bool = False
    system: bool = False


def _run_steps(case: Case, steps: list[Step], *, at: datetime | None = None) -> list[CaseEvent]:
    """Take several FSM transitions in a row with ONE conditional ``UPDATE`` (on the status the case
    had before the first) and ONE ``INSERT`` of their events — the same rows as one ``_run`` each.
    Each step is checked (state, permission, hold) as ``_run`` checks it. Call inside ``atomic``."""
    at = _now(at)
    update_fields = ["status", "updated_at"]
    events = []
    for step in steps:
        method = getattr(case, step.transition)
        if not can_proceed(method):
            raise CaseError(
                _("该案件当前状态为“%(status)s”，不能执行此操作；请刷新页面查看最新进展。")
                % {"status": case.get_status_display()}
            )
        if not step.system and not has_transition_perm(method, step.actor):
            raise PermissionDenied
        if step.transition in HELD_TRANSITIONS:
            reason = hold_reason(case)
            if reason:
                raise CaseError(reason)
        from_status = case.status
        method()
        for name, value in (step.fields or {}).items():
            setattr(case, name, value)
            update_fields.append(name)
        if step.stage is not False:
            update_fields += enter_stage(case, step.stage, at)
        events.append(
            CaseEvent(
                case=case,
                transition=step.transition,
                from_status=from_status,
                to_status=case.status,
                actor=step.actor,
                actor_unit=_acting_unit(step.actor, case),
                note=step.note,
                public=step.public,
                created_at=at,
                handling_unit_id=case.lead_unit_id,  # as ``_event``: the case as this step left it
                reply_due_at=reply_due(case),
            )
        )
    case.save(update_fields=list(dict.fromkeys(update_fields)))
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        events = CaseEvent.objects.bulk_create(events)
    if case.first_duty and case.status not in UNSIGNED_STATUSES:
        # 首接负责 lasts only while the case waits for a unit to sign it (issue #15, cases.handover)
        from .handover import first_duty_release

        first_duty_release(case, actor=steps[-1].actor, at=at, transition=steps[-1].transition)
    return events


def _citizen_messages(case: Case, body: str) -> list[dict]:
    # ``all()``: the parties a service already holds (``case_create`` keeps them on the case) are
    # not read again; there are a handful per case.
    return [
        {"kind": "case_update", "phone": p.phone, "user_id": p.user_id, "body": body, "case_number": case.number}
        for p in sorted(case.parties.all(), key=lambda p: p.pk)
        if p.notify and p.phone
    ]


def _unit_messages(
    units_and_bodies: list[tuple[Unit, str]], *, case: Case | None = None, kind: str = "case_assignment"
) -> list[dict]:
    """In-app messages to the active handlers of each unit, in the order given: one query for all.
    ``case``: the case they are about (the message centre links to it)."""
    unit_ids = [unit.pk for unit, _body in units_and_bodies if unit is not None]
    if not unit_ids:
        return []
    handlers: dict[int, list[int]] = {}
    for unit_id, user_id in (
        Membership.objects.filter(unit_id__in=unit_ids, role=Role.HANDLER, active=True)
        .order_by("pk")
        .values_list("unit_id", "user_id")
    ):
        handlers.setdefault(unit_id, []).append(user_id)
    return [
        {
            "kind": kind,
            "user_id": user_id,
            "body": body,
            "channel": NotificationChannel.INAPP,
            "case_number": case.number if case is not None else "",
        }
        for unit, body in units_and_bodies
        if unit is not None
        for user_id in handlers.get(unit.pk, [])
    ]


def _notify_citizens(case: Case, body: str) -> None:
    notifications_bulk_send(_citizen_messages(case, body))


def _notify_unit(unit: Unit | None, body: str, *, case: Case | None = None, kind: str = "case_assignment") -> None:
    notifications_bulk_send(_unit_messages([(unit, body)], case=case, kind=kind))


def _require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message)
    return value
