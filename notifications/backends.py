"""Delivery backends. A real SMS gateway implements ``deliver``; the default keeps the outbox."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.masking import mask_phone

from .models import OutboxMessage

logger = logging.getLogger("yikouban.notifications")


# What OutboxBackend delivered lately, in this process only (the demo and tests read codes here,
# as a party reads the SMS; the stored row has the code masked). Never written anywhere.
_DELIVERED_KEPT = 500
_delivered: dict[int, str] = {}


def delivered_text(message_id: int) -> str | None:
    return _delivered.get(message_id)


class BaseBackend:
    def deliver(self, message: OutboxMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class OutboxBackend(BaseBackend):
    """Development and closed networks: the message stays in the outbox (visible in the admin).

    With ``NOTIFICATION_ECHO`` the body is also printed, the phone masked, so a developer can
    read a verification code off the console (the printed text has the code; the stored row not).
    """

    def deliver(self, message: OutboxMessage) -> None:
        _delivered[message.pk] = message.body
        while len(_delivered) > _DELIVERED_KEPT:
            _delivered.pop(next(iter(_delivered)))
        if settings.NOTIFICATION_ECHO:
            print(  # noqa: T201 - the console is this backend's screen
                f"[{message.get_channel_display()} → {mask_phone(message.recipient_phone) or message.recipient_user_id}] "
                f"{message.body}",
                flush=True,
            )
        logger.info("outbox message %s queued for %s", message.pk, mask_phone(message.recipient_phone))


class FileGatewayBackend(BaseBackend):
    """A stand-in SMS gateway for staging and the cluster soak (docs/deployment.md): each SMS call
    appends one JSON line to ``NOTIFICATION_GATEWAY_FILE`` — the message id, kind and masked
    phone, never the text (it may carry a code) — so "was any SMS sent twice?" is answered by the
    gateway's own record, across every worker process sharing the file. In-app messages need no
    gateway and are not recorded.

    It behaves like a real gateway where it matters when workers die: a call takes
    ``NOTIFICATION_GATEWAY_LATENCY_MS``, and it honours the idempotency key ``yikouban-<id>``
    (docs/notifications.md): a second call with a key it has seen sends nothing and is recorded
    with ``"duplicate": true`` (a marker file created with O_EXCL is the key store). One ``write``
    of a short line to a file opened for appending lands whole, so lines never interleave."""

    def deliver(self, message: OutboxMessage) -> None:
        if message.channel != "sms":
            return
        if settings.NOTIFICATION_GATEWAY_LATENCY_MS:
            time.sleep(settings.NOTIFICATION_GATEWAY_LATENCY_MS / 1000)
        path = Path(settings.NOTIFICATION_GATEWAY_FILE)
        keys = path.with_name(path.name + ".keys")
        keys.mkdir(parents=True, exist_ok=True)
        key = f"yikouban-{message.pk}"
        try:
            os.close(os.open(keys / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
            duplicate = False
        except FileExistsError:
            duplicate = True
        line = {"id": message.pk, "key": key, "kind": message.kind, "to": mask_phone(message.recipient_phone)}
        line.update(duplicate=duplicate, at=timezone.now().isoformat())
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)


def get_backend() -> BaseBackend:
    return import_string(settings.NOTIFICATION_BACKEND)()
