"""The demo's message centre: history written by the loaders counts as read.

The loaders back-fill months of cases, and every in-app message they wrote would otherwise wait
unread (a bell showing "99+" for every demo account). A real desk has read what is older than a
few days; the last ``keep_days`` stay unread so the bell and /messages/ show a working day's mail.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from notifications.models import NotificationChannel, OutboxMessage


def mark_demo_history_read(*, keep_days: int = 3, now: dt.datetime | None = None) -> int:
    """In-app messages older than ``keep_days`` marked read at their own time; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    return OutboxMessage.objects.filter(
        channel=NotificationChannel.INAPP, read_at__isnull=True, created_at__lt=cutoff
    ).update(read_at=F("created_at"))
