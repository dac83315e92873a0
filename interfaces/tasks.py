from .services import api_calls_purge as _purge


def api_calls_purge() -> int:
    return _purge()
