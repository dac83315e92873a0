"""The one transition path (``_run``) and the timeline: what every write to a case goes through.

The pattern (CONVENTIONS.md "The lifecycle"): check the state → check the permission → run the
FSM transition in memory → ``save(update_fields=…)`` (``ConcurrentTransitionMixin`` makes the
UPDATE conditional on the status we loaded, so of two concurrent transitions exactly one wins and
the other raises ``ConcurrentTransition`` and rolls back) → append the ``CaseEvent`` → enqueue
notifications on commit. The services in ``cases.services`` and ``cases.pauses`` use it.
"""

from __future__ import annotations

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
from notifications.services import notification_send
from routing.models import Unit

from .clock import enter_stage, reply_due
from .locks import HELD_TRANSITIONS, hold_reason
from .models import Case, CaseEvent


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
    for unit_id in (case.lead_unit_id, *[u.id for u in case.cooperating_units.all()]):
        for m in memberships:
            if m.unit_id == unit_id and m.role == Role.HANDLER:
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
    method = getattr(case, transition)
    if not can_proceed(method):
        raise CaseError(
            _("该案件当前状态为“%(status)s”，不能执行此操作；请刷新页面查看最新进展。")
            % {"status": case.get_status_display()}
        )
    if not system and not has_transition_perm(method, actor):
        raise PermissionDenied
    if transition in HELD_TRANSITIONS:
        reason = hold_reason(case)
        if reason:
            raise CaseError(reason)
    at = _now(at)
    from_status = case.status
    method()
    update_fields = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(case, name, value)
        update_fields.append(name)
    if stage is not False:
        update_fields += enter_stage(case, stage, at)
    case.save(update_fields=update_fields)
    return _event(case, transition, actor=actor, from_status=from_status, note=note, public=public, at=at)


def _notify_citizens(case: Case, body: str) -> None:
    for party in case.parties.filter(notify=True).exclude(phone=""):
        notification_send(kind="case_update", phone=party.phone, user=party.user, body=body)


def _notify_unit(unit: Unit | None, body: str) -> None:
    if unit is None:
        return
    for membership in Membership.objects.filter(unit=unit, role=Role.HANDLER, active=True).select_related("user"):
        notification_send(kind="case_assignment", user=membership.user, body=body, channel=NotificationChannel.INAPP)


def _require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message)
    return value
