from .services import notification_deliver as _deliver


def notification_deliver(message_id: int) -> None:
    _deliver(message_id=message_id)
