from .services import idempotency_records_purge as _purge


def idempotency_records_purge() -> int:
    return _purge()
