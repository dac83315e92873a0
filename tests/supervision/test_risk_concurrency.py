"""Two risk scans at once on PostgreSQL: one warning per finding, one message per supervisor."""

import datetime as dt

import pytest
from django.db import connection  # noqa: F401 - used by the skipif condition
from django.utils import timezone

from intake.services import claim_submit
from notifications.models import OutboxMessage
from routing.models import MatterType, Region
from supervision.models import RiskWarning
from supervision.risk.services import risk_scan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent scans need PostgreSQL"),
]


def test_two_scans_at_once(demo, race):
    now = timezone.make_aware(dt.datetime(2026, 11, 20, 6))
    for day in (13, 14, 15, 16, 17):
        claim_submit(
            channel="web",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="工地老板拖欠工资，多次讨要无果。",
            contact_name="工友",
            contact_phone=f"137000000{day:02d}",
            at=timezone.make_aware(dt.datetime(2026, 11, day, 9)),
        )
    results = race(lambda: risk_scan(now=now), lambda: risk_scan(now=now))
    assert sorted(r.total for r in results) == [0, 1]
    assert RiskWarning.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="risk_warning").count() == 2  # gm_ and fs_supervisor
