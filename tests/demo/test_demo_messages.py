"""The demo's back-filled messages count as read; the last days stay unread for the bell."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.messages import mark_demo_history_read
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_history_is_read_and_the_last_days_stay_unread(user):
    labor = user("gm_labor")
    now = timezone.now()
    old, recent = (
        OutboxMessage.objects.create(channel="inapp", kind="case_assignment", body=body, recipient_user=labor)
        for body in ("上月的派单", "今天的派单")
    )
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=10))
    assert mark_demo_history_read(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.read_at == now - dt.timedelta(days=10) and recent.read_at is None
    assert mark_demo_history_read(now=now) == 0  # idempotent
