"""Two sweeps at once on PostgreSQL: the same levels and one message per change."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections  # noqa: F401 - connection is used by the skipif condition

from accounts.models import User
from cases import services as cs
from cases.models import Case, CaseEvent
from intake.services import claim_submit
from notifications.models import OutboxMessage
from routing.models import MatterType, Region
from supervision.services import warnings_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent sweeps need PostgreSQL"),
]


def test_two_sweeps_at_once(demo):
    for _ in range(5):
        claim, _ = claim_submit(
            channel="web",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="老板拖欠三个月工资，多次讨要无果。",
            contact_name="夏志明",
            contact_phone="13800138000",
        )
        cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    now = Case.objects.order_by("-stage_due_at").first().stage_due_at + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(warnings_sweep(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.changed["red"] for r in results) == [0, 5]
    assert set(Case.objects.values_list("warning_level", flat=True)) == {"red"}
    assert CaseEvent.objects.filter(transition="warning_red").count() == 5
    per_case = OutboxMessage.objects.filter(kind="warning_red", recipient_user__username="gm_labor").count()
    assert per_case == 5
