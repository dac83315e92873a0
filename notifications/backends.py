"""Delivery backends. A real SMS gateway implements ``deliver``; the default keeps the outbox."""

from __future__ import annotations

import logging

from django.conf import settings
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


def get_backend() -> BaseBackend:
    return import_string(settings.NOTIFICATION_BACKEND)()
