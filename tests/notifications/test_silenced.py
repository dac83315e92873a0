"""``notifications_silenced`` (issue #12, the historical import): nothing is written or sent."""

import pytest
from django.db.models import F

from accounts.models import User
from notifications.models import OutboxMessage
from notifications.services import (
    inapp_messages_bulk_send,
    notification_send,
    notifications_bulk_send,
    notifications_silenced,
    notifications_suppressed,
)

pytestmark = pytest.mark.django_db


def test_silenced_writes_no_row_and_enqueues_nothing(django_capture_on_commit_callbacks):
    user = User.objects.create(username="someone")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, notifications_silenced():
        message = notification_send(kind="case_update", body="已办结", phone="13800138000")
        assert message.pk is None and message.body == "已办结"
        assert notifications_bulk_send([{"kind": "case_update", "body": "x", "phone": "13800138000"}]) == []
        recipients = User.objects.filter(pk=user.pk).values(recipient=F("pk"), text=F("username"))
        assert inapp_messages_bulk_send(recipients=recipients, kind="warning_red") == 0
    assert not OutboxMessage.objects.exists() and callbacks == []


def test_silenced_wins_over_suppressed_and_ends_with_its_block(django_capture_on_commit_callbacks):
    with notifications_suppressed(), notifications_silenced():
        notification_send(kind="case_update", body="x", phone="13800138000")
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        notification_send(kind="case_update", body="y", phone="13800138000")
    assert OutboxMessage.objects.count() == 1
