from .services import verification_codes_purge as _purge


def verification_codes_purge() -> int:
    return _purge()
