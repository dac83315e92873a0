"""Every cell of docs/permissions.md."""

import pytest

from accounts.models import User
from accounts.services import staff_user_ensure
from cases import permissions as p
from cases.models import Case

pytestmark = pytest.mark.django_db

PREDICATES = {
    "view": p.can_view_case,
    "accept": p.can_accept,
    "dispatch": p.can_dispatch,
    "sign": p.can_sign,
    "note": p.can_add_note,
    "contact": p.can_contact,
    "extension": p.can_decide_extension,
    "rate": p.can_rate,
    "parties": p.is_handling_unit_member,
}

# actor -> the set of predicates it passes for a 高明区 wage case led by GM-RSJ with GM-MC-ZZ cooperating
MATRIX = {
    "clerk_in": {"view", "accept"},
    "clerk_out": set(),
    "dispatcher_in": {"view", "accept", "dispatch", "extension"},
    "dispatcher_out": set(),
    "supervisor_in": {"view", "extension"},
    "supervisor_city": {"view", "extension"},
    "supervisor_out": set(),
    "handler_lead": {"view", "sign", "note", "contact", "parties"},
    "handler_coop": {"view", "note", "parties"},
    "handler_other": set(),
    "mediator": set(),
    "citizen_owner": {"view", "rate"},
    "citizen_other": set(),
    "admin": {"view"},
}

LOGINS = {
    "clerk_in": "gm_window",
    "dispatcher_in": "gm_dispatch",
    "supervisor_in": "gm_supervisor",
    "supervisor_city": "fs_supervisor",
    "handler_lead": "gm_labor",
    "handler_coop": "mc_centre",
    "mediator": "gm_mediator",
    "admin": "admin",
}
EXTRA = {
    "clerk_out": ("CC-ZX", "clerk"),
    "dispatcher_out": ("CC-ZX", "dispatcher"),
    "supervisor_out": ("CC-ZX", "supervisor"),
    "handler_other": ("GM-CGJ", "handler"),
}


@pytest.fixture
def world(submit_case, user):
    from cases import services as s

    case = submit_case()
    s.case_accept(case=Case.objects.get(pk=case.pk), actor=user("gm_window"))
    actors = {name: User.objects.get(username=login) for name, login in LOGINS.items()}
    for name, (unit, role) in EXTRA.items():
        actors[name] = staff_user_ensure(
            username=name, full_name=name, password="x-Pass-2026", memberships=[(unit, role)]
        )
    actors["citizen_owner"] = User.objects.get(phone="13800138000")
    actors["citizen_other"] = User.objects.get(phone="13900139000")
    case = (
        Case.objects.select_related("region", "matter").prefetch_related("cooperating_units", "parties").get(pk=case.pk)
    )
    return case, actors


def test_every_cell(world):
    """All 14 × 8 cells at once (one demo load); a failure shows the differing rows."""
    case, actors = world
    actual = {
        actor: {action for action, predicate in PREDICATES.items() if predicate(actors[actor], case) is True}
        for actor in MATRIX
    }
    assert actual == MATRIX


def test_nobody_may_auto_close(world):
    case, actors = world
    assert not any(p.system_only(user, case) for user in actors.values())
