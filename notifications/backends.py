"""Delivery backends. A real SMS gateway implements ``deliver``; the default keeps the outbox."""

from __future__ import annotations

import json
import logging
import os
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
    """A stand-in SMS gateway for staging and the cluster soak (docs/deployment.md): each delivery
    appends one JSON line to ``NOTIFICATION_GATEWAY_FILE`` — the message id, kind, channel and
    masked phone, never the text (it may carry a code) — so "was any message sent twice?" is
    answered by the gateway's own record, across every worker process and host sharing the file.
    One ``write`` of a short line to a file opened for appending lands whole, so lines from
    concurrent workers never interleave."""

    def deliver(self, message: OutboxMessage) -> None:
        line = json.dumps(
            {
                "id": message.pk,
                "kind": message.kind,
                "channel": message.channel,
                "to": mask_phone(message.recipient_phone) or message.recipient_user_id,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        path = Path(settings.NOTIFICATION_GATEWAY_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


def get_backend() -> BaseBackend:
    return import_string(settings.NOTIFICATION_BACKEND)()
