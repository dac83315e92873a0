from .services import notification_deliver as _deliver
from .services import notifications_retry_failed as _retry


def notification_deliver(message_id: int) -> None:
    _deliver(message_id=message_id)


def notifications_deliver_many(message_ids: list[int]) -> None:
    from .services import notifications_deliver_many as _deliver_many

    _deliver_many(message_ids=message_ids)


def notifications_retry_failed() -> int:
    return _retry()


def notifications_one_time_purge() -> int:
    from .services import notifications_one_time_purge as _purge

    return _purge()


def notifications_requeue_undelivered() -> int:
    from .services import notifications_requeue_undelivered as _requeue

    return _requeue()
