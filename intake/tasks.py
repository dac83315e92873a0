from .held import held_uploads_purge as _purge


def held_uploads_purge() -> int:
    """Purge abandoned held uploads (intake.held)."""
    return _purge()


def claim_duplicates_record(claim_id: int) -> int:
    """Record the 疑似重复 candidates of a claim that came through an API (intake.duplicates)."""
    from .duplicates import claim_duplicates_record as record

    return record(claim_id)
