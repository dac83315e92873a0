"""Who may see and act on a case (docs/permissions.md). Used by views, and again by services.

Scopes, from a user's active memberships:
- centre staff (clerk, dispatcher): cases whose place lies in their unit's region subtree;
- supervisors: the same subtree, read-only plus extension decisions;
- handlers: cases their unit leads (act) or cooperates on (notes);
- citizens: cases where they are a party with their account.
Admins (superusers or the admin role) see everything but act only through the roles they hold.
"""

from __future__ import annotations

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles

from .locks import HELD_TRANSITIONS, hold_reason
from .models import CONTACT_STATUSES, NOTE_STATUSES, Case, Status


def _region_scoped(user, case: Case, roles: set[str]) -> bool:
    path = case.region.path
    return any(m.role in roles and path.startswith(m.unit.region.path) for m in user_memberships(user))


def units_with_role(user, role: str) -> set[int]:
    return {m.unit_id for m in user_memberships(user) if m.role == role}


def is_centre_staff(user, case: Case) -> bool:
    return _region_scoped(user, case, {Role.CLERK, Role.DISPATCHER})


def is_dispatcher_for(user, case: Case) -> bool:
    return _region_scoped(user, case, {Role.DISPATCHER})


def is_supervisor_for(user, case: Case) -> bool:
    return _region_scoped(user, case, {Role.SUPERVISOR})


def is_lead_handler(user, case: Case) -> bool:
    return case.lead_unit_id is not None and case.lead_unit_id in units_with_role(user, Role.HANDLER)


def is_cooperating_handler(user, case: Case) -> bool:
    units = units_with_role(user, Role.HANDLER)
    return bool(units) and any(u.id in units for u in case.cooperating_units.all())


def is_first_unit_handler(user, case: Case) -> bool:
    """A handler of the case's 首接单位 (issue #15, cases.handover): it answers for a buck-passed
    case and may open it (the inbox's 首接负责 tab, the automatic 督办)."""
    return case.first_unit_id is not None and case.first_unit_id in units_with_role(user, Role.HANDLER)


def is_citizen_party(user, case: Case) -> bool:
    return user.is_authenticated and any(p.user_id == user.id for p in case.parties.all())


def is_admin(user) -> bool:
    return Role.ADMIN in user_roles(user)


def can_view_case(user, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    return (
        is_admin(user)
        or is_centre_staff(user, case)
        or is_supervisor_for(user, case)
        or is_lead_handler(user, case)
        or is_cooperating_handler(user, case)
        or is_first_unit_handler(user, case)
        or is_citizen_party(user, case)
    )


def is_handling_unit_member(user, case: Case) -> bool:
    """May see unmasked personal data (and the opening is recorded)."""
    return is_lead_handler(user, case) or is_cooperating_handler(user, case)


# Actions --------------------------------------------------------------------------------------
# Each predicate answers "may this user take this action on this case in principle"; whether
# the case's status allows it is the state machine's business.


def can_accept(user, case):  # accept / reject / resolve on the spot / merge
    return is_centre_staff(user, case)


def can_dispatch(user, case):  # manual dispatch, transfer
    return is_dispatcher_for(user, case)


def can_review(user, case):  # approve, send back (审核): the centre's, or the 包案 leader's alone
    if case.baoan_leader_id is not None:
        return is_baoan_owner(user, case) or is_admin(user)
    return is_dispatcher_for(user, case)


def can_set_severity(user, case):  # confirm or change the proposed severity (严重程度)
    return is_dispatcher_for(user, case)


def can_sign(user, case):  # sign, escalate, request extension, submit result
    return is_lead_handler(user, case)


def can_add_note(user, case):
    return is_lead_handler(user, case) or is_cooperating_handler(user, case)


def can_contact(user, case):  # 首次联系: the lead unit records contacting the citizen
    return is_lead_handler(user, case)


def can_pause(user, case):  # 中止 / 恢复计时
    return is_lead_handler(user, case) or is_dispatcher_for(user, case)


def can_decide_extension(user, case):
    return is_supervisor_for(user, case) or is_dispatcher_for(user, case)


def is_principal_citizen(user, case: Case) -> bool:
    """The first applicant with an account: the one who speaks for the case (rates, withdraws).

    Claimants of duplicates merged into the case follow it and are told its progress, but
    cannot close or withdraw it for everyone.
    """
    if not user.is_authenticated:
        return False
    owners = sorted((p.id, p.user_id) for p in case.parties.all() if p.user_id)
    return bool(owners) and owners[0][1] == user.id


def can_rate(user, case):  # rate, withdraw
    return is_principal_citizen(user, case)


def can_callback(user, case) -> bool:
    """回访: the centre's clerks (window / hotline) of the case's place call the citizen back, record
    a rating given on the phone, a call not answered or refused, and close a case not reached."""
    return _region_scoped(user, case, {Role.CLERK})


def system_only(user, case) -> bool:
    """Transitions only the scheduler takes (auto close); no person is offered them."""
    return False


#: FSM transitions that are one action on screen.
ACTION_OF_TRANSITION = {"rate_closed": "rate", "rate_unsatisfied": "rate"}


def available_actions(user, case: Case) -> list[str]:
    """The actions to offer this user on this case now (the buttons on the case page)."""
    actions: list[str] = []
    held = None
    for item in case.get_available_user_status_transitions(user):
        if item.name in HELD_TRANSITIONS:
            if held is None:
                held = bool(hold_reason(case))
            if held:
                continue
        action = ACTION_OF_TRANSITION.get(item.name, item.name)
        if action not in actions:
            actions.append(action)
    # 退回申请 / 转办申请 (issue #15): the lead unit, not while one is pending nor while the case is held
    if (
        case.status in HANDOVER_STATUSES
        and can_request_handover(user, case)
        and pending_handover(case) is None
        and not (held if held is not None else bool(hold_reason(case)))
    ):
        actions += ["request_return", "request_transfer"]
    if case.status in NOTE_STATUSES and can_add_note(user, case):
        actions.append("add_note")
    if case.status in CONTACT_STATUSES and case.contacted_at is None and can_contact(user, case):
        actions.append("contact")
    if case.is_open and can_set_severity(user, case):
        actions.append("severity")
    if case.status in ("dispatched", "handling") and can_pause(user, case):
        if not case.paused_at:
            actions.append("pause")
        elif not (held if held is not None else bool(hold_reason(case))):
            actions.append("resume")
    actions += baoan_actions(user, case)
    return actions


# 联办任务 (issue #15, cases.joint) ---------------------------------------------------------------


def can_manage_joint_tasks(user, case) -> bool:
    """Create or withdraw a case's 联办任务: the lead unit's handlers, or a dispatcher of its place."""
    return is_lead_handler(user, case) or is_dispatcher_for(user, case)


def can_answer_joint_task(user, task) -> bool:
    """Answer a 联办任务: the handlers of the unit it was given to, and nobody else."""
    return task.unit_id in units_with_role(user, Role.HANDLER)


# 不合理诉求 / 恶意诉求 (issue #15, cases.unreason) ------------------------------------------------


def can_propose_unreason(user, case) -> bool:
    """Propose a 不合理诉求 / 恶意诉求 label: the lead unit's handlers (the unit whose 满意率 it is)."""
    return is_lead_handler(user, case)


def can_decide_unreason(user, case) -> bool:
    """审核认定 (approve or refuse a proposal) and revoke an approved label: the dispatchers of the
    case's centre, as for 严重程度 — the centre that assesses the units, not the unit itself."""
    return is_dispatcher_for(user, case)


# 包案 and 挂牌督办 (issue #15, cases.baoan, docs/baoan.md) ----------------------------------------


def is_baoan_owner(user, case) -> bool:
    """The leader who owns the case (包案), while still a supervisor of its place."""
    return (
        user.is_authenticated
        and case.baoan_leader_id is not None
        and case.baoan_leader_id == user.id
        and is_supervisor_for(user, case)
    )


def can_take_baoan(user, case) -> bool:
    """包案: a supervisor (领导) of the case's place; whether it is free and open is the service's."""
    return is_supervisor_for(user, case)


def can_release_baoan(user, case) -> bool:
    """撤销包案: the owner, or an admin (a leader who left or moved must not block the case)."""
    return case.baoan_leader_id is not None and (is_baoan_owner(user, case) or is_admin(user))


def can_hang_plate(user, case) -> bool:
    """挂牌督办 / 摘牌: the owner alone."""
    return is_baoan_owner(user, case)


def baoan_actions(user, case: Case) -> list[str]:
    """The 包案 buttons to offer now (added to ``available_actions``)."""
    actions = []
    if case.baoan_leader_id is None:
        if case.is_open and can_take_baoan(user, case):
            actions.append("baoan_take")
        return actions
    if can_hang_plate(user, case):
        if case.plate_hung_at is None:
            if case.is_open:
                actions.append("plate_hang")
        else:
            actions.append("plate_remove")
    if can_release_baoan(user, case):
        actions.append("baoan_release")
    return actions


# 退回申请 / 转办申请 and 首接负责 (issue #15, cases.handover) ---------------------------------------

#: Case statuses in which a unit may ask to return or transfer it (those ``return_case`` leaves).
HANDOVER_STATUSES = [Status.DISPATCHED, Status.HANDLING]


def can_request_handover(user, case) -> bool:
    """退回申请 / 转办申请: the lead unit's handlers."""
    return is_lead_handler(user, case)


def can_withdraw_handover(user, request) -> bool:
    """Withdraw a pending request: the handlers of the unit that filed it."""
    return request.unit_id in units_with_role(user, Role.HANDLER)


def can_decide_handover(user, case) -> bool:
    """Approve or refuse a request: the dispatchers of the case's place (the centre)."""
    return is_dispatcher_for(user, case)


def pending_handover(case):
    """The case's pending request (read once per case object, kept on it), or None."""
    if not hasattr(case, "_pending_handover"):
        from .handover_models import HandoverRequest, HandoverStatus

        case._pending_handover = (
            HandoverRequest.objects.filter(case=case, status=HandoverStatus.PENDING)
            .select_related("unit", "requested_by", "proposed_unit")
            .first()
        )
    pending = case._pending_handover
    if pending is not None and pending.unit_id != case.lead_unit_id:
        return None  # the case left the requesting unit: the request is moot (lapsed)
    return pending
