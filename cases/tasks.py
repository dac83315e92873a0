from .services import case_auto_close_due


def cases_auto_close() -> int:
    """q2 schedule: close cases not rated within CASE_AUTO_CLOSE_DAYS. Safe to run concurrently."""
    return case_auto_close_due()
