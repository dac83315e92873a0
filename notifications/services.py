"""Sending notifications: a row in the outbox now, delivery by q2 once the transaction commits."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from .backends import get_backend
from .models import SECRET_MASK, NotificationChannel, OutboxMessage, OutboxStatus

_state = threading.local()


@contextmanager
def notifications_suppressed():
    """Record messages without delivering them (back-filling demo or imported history)."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


@contextmanager
def notifications_silenced():
    """Write and send NOTHING inside the block: no outbox row, no SMS, no in-app message, no task.
    For the historical import (issue #12): its cases happened long ago and their people were told
    by the old system; unlike ``notifications_suppressed`` nothing is even recorded."""
    previous = getattr(_state, "silenced", False)
    _state.silenced = True
    try:
        yield
    finally:
        _state.silenced = previous


def _silenced() -> bool:
    return getattr(_state, "silenced", False)


def notification_send(
    *,
    kind: str,
    body: str,
    phone: str = "",
    user=None,
    channel: str = NotificationChannel.SMS,
    secret: str = "",
    case_number: str = "",
    one_time: bool | None = None,
) -> OutboxMessage:
    """Record a message and deliver it after commit (a rolled-back transaction sends nothing).

    ``secret``: a one-time code inside ``body``. The row keeps ``body`` with the code masked; the
    code waits in ``secret`` until delivery clears it, and ``notifications_one_time_purge``
    deletes the row a day later. So neither the admin nor a database dump shows a usable code.
    ``one_time=False`` (a secret that is not a verification code, such as the token of the rating
    link in the result SMS): the row stays an ordinary message — listed in the recipient's message
    centre with the secret masked, kept as the audit record; the purge only clears its ``secret``.
    ``case_number``: the case the message is about (the message centre links to its page).
    """
    if secret:
        body = body.replace(secret, SECRET_MASK)
    one_time = bool(secret) if one_time is None else one_time and bool(secret)
    if _silenced():  # an unsaved row: callers may read it, nothing is stored or sent
        return OutboxMessage(channel=channel, kind=kind, body=body, recipient_phone=phone, recipient_user=user)
    if getattr(_state, "suppressed", False):
        return OutboxMessage.objects.create(
            channel=channel,
            kind=kind,
            body=body,
            recipient_phone=phone,
            recipient_user=user,
            status=OutboxStatus.SENT,
            error="未实际发送（历史数据回填）",
            # Never delivered, so the demo reads the code here (outbox_text); purged with the row.
            one_time=one_time,
            secret=secret,
            case_number=case_number,
        )
    message = OutboxMessage.objects.create(
        channel=channel,
        kind=kind,
        body=body,
        recipient_phone=phone,
        recipient_user=user,
        one_time=one_time,
        secret=secret,
        case_number=case_number,
    )
    _deliver_on_commit([message.pk])
    return message


def notifications_bulk_send(messages: list[dict]) -> list[OutboxMessage]:
    """Record several messages with ONE ``INSERT`` (in the order given) and deliver them after
    commit in one task. Each dict holds ``kind``, ``body`` and ``phone`` and/or ``user_id``,
    ``channel`` (default SMS) and optionally ``case_number``. No one-time codes here
    (``notification_send`` masks those)."""
    if not messages or _silenced():
        return []
    rows = [
        OutboxMessage(
            channel=m.get("channel", NotificationChannel.SMS),
            kind=m["kind"],
            body=m["body"],
            recipient_phone=m.get("phone", ""),
            recipient_user_id=m.get("user_id"),
            case_number=m.get("case_number", ""),
        )
        for m in messages
    ]
    if getattr(_state, "suppressed", False):
        for row in rows:
            row.status, row.error = OutboxStatus.SENT, "未实际发送（历史数据回填）"
        return OutboxMessage.objects.bulk_create(rows)
    rows = OutboxMessage.objects.bulk_create(rows)
    _deliver_on_commit([row.pk for row in rows])
    return rows


@contextmanager
def notifications_batched():
    """Deliver the messages written inside the block in ONE q2 task (a window registration
    commits twice — the claim, then its acceptance — and its five messages go out together).

    The task is enqueued when the block ends, or earlier by ``notifications_batch_enqueue`` inside
    the block's last transaction. A message whose transaction rolled back is in the task's list
    but not in the table; delivery skips a missing row (``notification_deliver``)."""
    if getattr(_state, "batch", None) is not None:
        yield
        return
    _state.batch = batch = []
    try:
        yield
    finally:
        _state.batch = None
        if batch:
            _enqueue(batch)


def notifications_batch_enqueue() -> None:
    """Inside the batch's last transaction: with q2's ORM broker on this database, enqueue the
    batch's task NOW, so its row commits with the messages (one commit fewer; a worker cannot see
    it earlier). If that transaction rolls back, the block's end enqueues the batch again; with
    another broker (Redis) nothing happens here and the block's end enqueues, after commit."""
    from django_q.conf import Conf

    batch = getattr(_state, "batch", None)
    if not batch or Conf.ORM != DEFAULT_DB_ALIAS or not transaction.get_connection().in_atomic_block:
        return
    sent = list(batch)
    _enqueue(sent)

    def committed():
        del batch[: len(sent)]

    transaction.on_commit(committed)


def _deliver_on_commit(ids: list[int]) -> None:
    batch = getattr(_state, "batch", None)
    if batch is not None:
        batch.extend(ids)  # enqueued at the block's end (or by notifications_batch_enqueue)
        return
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    if len(ids) == 1:
        async_task("notifications.tasks.notification_deliver", ids[0])
    else:
        async_task("notifications.tasks.notifications_deliver_many", list(ids))


def inapp_messages_bulk_send(*, recipients, kind: str, at: datetime | None = None, with_case: bool = False) -> int:
    """In-app messages to many users with ONE ``INSERT … SELECT`` (no Python loop), in the caller's
    transaction; returns how many were written. ``recipients`` is a queryset of any model reduced
    to ``.values(recipient=<user id>, text=<message body>)``, and with ``with_case`` also
    ``case_number=<the case's number>`` (the message centre's link). In-app messages need no
    gateway, so they are written as delivered (``sent``) and nothing is enqueued."""
    if _silenced():
        return 0
    columns = ["channel", "kind", "recipient_phone", "status", "created_at", "sent_at", "error", "attempts"]
    at = connection.ops.adapt_datetimefield_value(at or timezone.now())
    constants = [NotificationChannel.INAPP, kind, "", OutboxStatus.SENT, at, at, "", 0]
    select, params = recipients.order_by().query.sql_with_params()
    picked = ["recipient_user", "body", *(["case_number"] if with_case else [])]
    fields = [OutboxMessage._meta.get_field(name).column for name in [*columns, *picked]]
    from_select = ["picked.recipient", "picked.text", *(["picked.case_number"] if with_case else [])]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(OutboxMessage._meta.db_table)} ({', '.join(quote(f) for f in fields)}) "
            f"SELECT {', '.join(['%s'] * len(constants))}, {', '.join(from_select)} FROM ({select}) picked",
            [*constants, *params],
        )
        return cursor.rowcount


#: A task sending a list stops after this long and queues the rest as a new task, so it stays well
#: inside q2's task timeout (60 s) whatever the gateway's latency: a task killed mid-call would
#: leave a sent SMS pending, to be sent again by the re-queue.
DELIVER_MANY_BUDGET_S = 30.0


def notifications_deliver_many(*, message_ids: list[int], budget_s: float | None = None) -> None:
    """``notification_deliver`` for each id in turn (each in its own transaction, idempotent);
    past ``DELIVER_MANY_BUDGET_S`` the ids not yet sent go to a new task."""
    budget = DELIVER_MANY_BUDGET_S if budget_s is None else budget_s
    started = time.monotonic()
    for position, message_id in enumerate(message_ids):
        if position and time.monotonic() - started > budget:
            _enqueue(list(message_ids[position:]))
            return
        notification_deliver(message_id=message_id)


def notification_deliver(*, message_id: int) -> None:
    """Deliver one pending message. Idempotent: the row is locked and only a pending message is
    sent, so a task run twice (a retry, two workers) never sends the same message twice."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id, status=OutboxStatus.PENDING).first()
        if message is None:
            return
        message.attempts += 1
        masked = message.body
        message.body = message.text_to_send()  # in memory only: backends read ``body``
        try:
            get_backend().deliver(message)
        except Exception as exc:  # the gateway's failure is recorded and retried, not lost
            message.status = OutboxStatus.FAILED
            message.error = str(exc)[:300]
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.error = ""
            message.secret = ""
        message.body = masked
        message.save(update_fields=["status", "sent_at", "error", "attempts", "secret"])


def notifications_retry_failed(*, limit: int = 200) -> int:
    """Re-queue failed messages with attempts left (q2 schedule). A conditional UPDATE claims
    each message, so concurrent runs never queue the same one twice."""
    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.FAILED, attempts__lt=max_attempts)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    queued = 0
    for message_id in ids:
        claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING
        )
        if claimed:
            async_task("notifications.tasks.notification_deliver", message_id)
            queued += 1
    return queued


def notifications_requeue_undelivered(*, limit: int = 500, now: datetime | None = None) -> int:
    """Queue delivery again for messages still pending ``NOTIFICATION_REQUEUE_SECONDS`` after they
    were written or last re-queued (q2 schedule, every minute). Redis hands a task to a worker
    once: a worker killed before it finishes (SIGKILL, OOM, a host lost) takes the task with it,
    and a web process killed between commit and enqueue never queued it. Delivery sends only a
    pending row under its lock, so a message queued twice is still sent once. A conditional
    UPDATE of ``requeued_at`` claims each message, so concurrent runs never queue it twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_SECONDS)
    stale = Q(status=OutboxStatus.PENDING, created_at__lt=cutoff) & (
        Q(requeued_at__isnull=True) | Q(requeued_at__lt=cutoff)
    )
    ids = list(OutboxMessage.objects.filter(stale).order_by("id").values_list("id", flat=True)[:limit])
    queued = 0
    for message_id in ids:
        if OutboxMessage.objects.filter(stale, pk=message_id).update(requeued_at=now):
            async_task("notifications.tasks.notification_deliver", message_id)
            queued += 1
    return queued


def notifications_one_time_purge() -> int:
    """Delete one-time messages (codes) older than ``ONE_TIME_MESSAGE_KEEP_HOURS`` whatever their
    status; a code is useless by then. Other messages carrying a secret (the rating link of the
    result SMS) are kept as the record of what was sent: only their ``secret`` is cleared (their
    body has it masked). Idempotent; concurrent runs delete nothing twice. Returns the rows deleted."""
    cutoff = timezone.now() - timedelta(hours=settings.ONE_TIME_MESSAGE_KEEP_HOURS)
    OutboxMessage.objects.filter(one_time=False, created_at__lt=cutoff).exclude(secret="").update(secret="")
    deleted, _ = OutboxMessage.objects.filter(one_time=True, created_at__lt=cutoff).delete()
    return deleted


def outbox_text(message: OutboxMessage) -> str:
    """The text a recipient read, for the demo and tests (they play the party reading the SMS):
    the pending code put back, or what ``OutboxBackend`` delivered in this process; else the
    masked body. A real gateway keeps no such memory."""
    from .backends import delivered_text

    if message.secret:
        return message.text_to_send()
    return delivered_text(message.pk) or message.body


# The message centre (站内消息) ---------------------------------------------------------------------


def inbox_message_read(*, user, message_id: int, at: datetime | None = None) -> OutboxMessage | None:
    """Mark one of ``user``'s messages read (a conditional UPDATE: reading it twice keeps the first
    time) and return it; None when no such message is addressed to ``user`` (→ 404)."""
    at = at or timezone.now()
    mine = OutboxMessage.objects.filter(pk=message_id, recipient_user=user, one_time=False)
    mine.filter(read_at__isnull=True).update(read_at=at)
    return mine.only("id", "kind", "case_number", "read_at").first()


def inbox_all_read(*, user, kind: str = "", at: datetime | None = None) -> int:
    """Mark all of ``user``'s unread messages (of ``kind``, if given) read with ONE ``UPDATE``;
    returns how many. Messages arriving meanwhile stay unread."""
    unread = OutboxMessage.objects.filter(recipient_user=user, read_at__isnull=True, one_time=False)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=at or timezone.now())
