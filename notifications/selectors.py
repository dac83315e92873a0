"""Reads of the message centre (站内消息): a user's messages and their unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import OutboxMessage

#: The bell counts up to this many unread messages and shows "99+" beyond: the count reads at
#: most this many entries of the partial index ``outbox_user_unread``, however many there are.
UNREAD_CAP = 100


def inbox_messages(user, *, kind: str = "", unread: bool = False) -> QuerySet[OutboxMessage]:
    """The messages addressed to ``user`` (in-app messages, and the SMS written for their account,
    such as a citizen's case updates), newest first. One-time codes are never listed."""
    qs = OutboxMessage.objects.filter(recipient_user=user, one_time=False)
    if kind:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.only("id", "kind", "body", "case_number", "created_at", "read_at").order_by("-created_at", "-id")


def inbox_unread_count(user) -> int:
    """Unread messages of ``user``, counted up to ``UNREAD_CAP``: one query on the partial index
    (its condition is the same as the filter's)."""
    return (
        OutboxMessage.objects.filter(recipient_user=user, read_at__isnull=True, one_time=False)
        .order_by()
        .values("pk")[:UNREAD_CAP]
        .count()
    )
