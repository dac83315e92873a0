from .held import held_uploads_purge as _purge


def held_uploads_purge() -> int:
    """Purge abandoned held uploads (intake.held)."""
    return _purge()
