from .services import warnings_sweep as _sweep


def warnings_sweep() -> int:
    """q2 schedule (every minute): recompute warning levels. Safe to run twice or concurrently."""
    return _sweep().total


def risk_scan() -> int:
    """q2 schedule (daily): the risk scan (研判预警). Returns the warnings raised. Idempotent; two
    runs at once serialise on its lock (supervision.risk.services)."""
    from .risk.services import risk_scan as _scan

    return _scan().total


def kpi_snapshot() -> int:
    """q2 schedule (hourly): write the KPI snapshot of yesterday and of any complete day of the
    trend window still without one, then today's up to the last full hour. Returns the complete
    days written (0 once caught up). Idempotent; concurrent runs serialise on a lock."""
    from .kpi.snapshot import kpi_snapshot_missing, kpi_snapshot_today

    written = kpi_snapshot_missing()
    kpi_snapshot_today()
    return written
