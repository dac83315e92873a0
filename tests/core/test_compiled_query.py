"""core.compiled: a queryset compiled once gives exactly what the queryset gives, in one query."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role, User
from accounts.selectors import user_memberships
from core.compiled import CompiledQuery
from intake.selectors_staff import citizen_by_phone
from routing.models import Unit

pytestmark = pytest.mark.django_db


def _queryset(user_id):
    return (
        Membership.objects.filter(user_id=user_id, active=True, unit__active=True)
        .select_related("unit__region")
        .order_by("unit__region__path", "role")
    )


def _shape(memberships):
    return [
        (
            m.pk,
            m.user_id,
            m.role,
            m.active,
            m.created_at,
            m.unit.code,
            m.unit.active,
            m.unit.region.code,
            m.unit.region.path,
            m.unit.region.depth,
        )
        for m in memberships
    ]


def test_the_same_instances_as_the_queryset_with_their_related_rows_in_one_query(user):
    clerk = user("gm_window")
    elsewhere = Unit.objects.filter(active=True).exclude(region__code="440608").order_by("code").first()
    Membership.objects.create(user=clerk, unit=elsewhere, role=Role.HANDLER)  # two units, two regions
    compiled = CompiledQuery(_queryset, -1)
    with CaptureQueriesContext(connection) as queries:
        fetched = compiled.fetch(clerk.pk)
    assert len(queries) == 1
    expected = list(_queryset(clerk.pk))
    assert len(expected) >= 2 and _shape(fetched) == _shape(expected)
    assert isinstance(fetched[0].created_at, datetime) and fetched[0].active is True  # converters applied
    with CaptureQueriesContext(connection) as queries:
        fetched[0].unit.region.name  # noqa: B018 - already loaded
    assert len(queries) == 0
    assert compiled.fetch(-5) == []


def test_user_memberships_keeps_its_filters(user):
    clerk = user("gm_window")
    before = _shape(user_memberships(User.objects.get(pk=clerk.pk)))
    assert before == _shape(_queryset(clerk.pk))
    Membership.objects.filter(user=clerk).update(active=False)
    assert user_memberships(User.objects.get(pk=clerk.pk)) == []


def test_citizen_by_phone(citizen):
    assert citizen_by_phone("13800138000") == citizen
    assert citizen_by_phone("13999999999") is None
    assert citizen_by_phone("") is None


def test_a_stand_in_must_appear_once_among_the_parameters():
    with pytest.raises(ValueError, match="appears 0 times"):
        CompiledQuery(lambda user_id: Membership.objects.filter(user_id=5), -1).fetch(7)
    with pytest.raises(TypeError):
        CompiledQuery(lambda user_id: Membership.objects.filter(user_id=user_id).values("role"), -1).fetch(7)
