from .services import warnings_sweep as _sweep


def warnings_sweep() -> int:
    """q2 schedule (every minute): recompute warning levels. Safe to run twice or concurrently."""
    return _sweep().total


def kpi_snapshot() -> int:
    """q2 schedule (hourly): write the KPI snapshot of yesterday and of any of the last 7 complete
    days still without one. Idempotent; concurrent runs serialise on a lock (see kpi_snapshot)."""
    from .kpi_snapshot import kpi_snapshot_missing

    return kpi_snapshot_missing()
