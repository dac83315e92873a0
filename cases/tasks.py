from .services import case_auto_close_due


def cases_auto_close() -> int:
    """q2 schedule: close cases not rated within CASE_AUTO_CLOSE_DAYS. Safe to run concurrently."""
    return case_auto_close_due()


def duplicates_nightly() -> int:
    """q2 schedule (nightly): flag likely duplicates among open cases (疑似重复) for the
    dispatchers. Returns the pairs added. Idempotent; safe to run twice or concurrently."""
    from .duplicates import duplicates_scan

    return duplicates_scan().pairs_added
