from .services import warnings_sweep as _sweep


def warnings_sweep() -> int:
    """q2 schedule (every minute): recompute warning levels. Safe to run twice or concurrently."""
    return _sweep().total
