from .services import case_auto_close_due


def cases_auto_close() -> int:
    """q2 schedule: close cases not rated within CASE_AUTO_CLOSE_DAYS. Safe to run concurrently."""
    return case_auto_close_due()


#: A nightly scan that stopped at its budget (more new cases than one run takes) goes on in a
#: follow-up task, at most this many times a night, so a busy city's intake never falls behind.
SCAN_FOLLOW_UPS = 24


def duplicates_nightly(follow_up: int = 0) -> int:
    """q2 schedule (nightly): flag likely duplicates among open cases (疑似重复) for the
    dispatchers. Returns the pairs added. Idempotent; safe to run twice or concurrently. When the
    run stopped at its budget, the next one is enqueued at once (``SCAN_FOLLOW_UPS`` at most)."""
    from django_q.tasks import async_task

    from .duplicates import duplicates_scan

    run = duplicates_scan()
    if run.through < run.started_at and follow_up < SCAN_FOLLOW_UPS:
        async_task("cases.tasks.duplicates_nightly", follow_up + 1)
    return run.pairs_added
