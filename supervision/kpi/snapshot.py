"""Writes of the daily KPI snapshot (``KpiDaily``): the only code that writes it.

(A module of its own rather than ``supervision/services.py``, which holds the warning sweep and
督办 and is another engineer's; it is the services module of the snapshot.)

A day is snapshotted once it is over (plus a grace period, so a transaction committing just after
midnight is not missed). Each day is written with the grouped queries of ``supervision.kpi.measures``, so
the board reads the same numbers from the snapshot as it would count live.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from core.periods import day_start
from routing.models import LEVEL_RANK, Region

from ..models import KpiDaily, KpiDailyRun
from .measures import TOWN_RANK, Measures, WorkdayCounter, day_runs, fine_rows, fold

SNAPSHOT_LOCK_KEY = 7_461_002  # pg_advisory_xact_lock key of the KPI snapshot
#: A day is snapshotted only this long after it ended.
GRACE = dt.timedelta(minutes=10)
#: Days written per transaction (one set of grouped queries each).
CHUNK_DAYS = 31
#: How far back the schedule looks for days without a snapshot: the board's 12-month trend and
#: its current month.
SCHEDULE_DAYS_BACK = 400
#: Seconds after which the scheduled task starts no new chunk (q2 kills a task after 60 s).
TASK_BUDGET = 35.0


def last_complete_day(now: dt.datetime | None = None) -> dt.date:
    """The latest day that ended at least ``GRACE`` ago (local time)."""
    now = now or timezone.now()
    return timezone.localdate(now - GRACE) - dt.timedelta(days=1)


def _take_lock() -> None:
    """One writer at a time. PostgreSQL: a transaction-scoped advisory lock; SQLite: the
    transaction began with BEGIN IMMEDIATE, which already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SNAPSHOT_LOCK_KEY])


def _bucket_finder():
    """Place path → (id, path) of the region it is counted under: the deepest of the place and its
    ancestors that lies at town level or above (one read of the directory, then memoised)."""
    regions = {
        code: (pk, level, path) for pk, code, level, path in Region.objects.values_list("id", "code", "level", "path")
    }
    memo: dict[str, tuple[int, str]] = {}

    def bucket(path: str) -> tuple[int, str]:
        if path not in memo:
            codes = [code for code in path.strip("/").split("/") if code in regions]
            chosen = next((c for c in reversed(codes) if LEVEL_RANK[regions[c][1]] <= TOWN_RANK), codes[0])
            memo[path] = (regions[chosen][0], regions[chosen][2])
        return memo[path]

    return bucket


def kpi_snapshot_days(
    *, first: dt.date, last: dt.date, now: dt.datetime | None = None, deadline: float | None = None
) -> int:
    """(Re)write the snapshot of every complete day from ``first`` to ``last``, newest first;
    returns the number of days written. With ``deadline`` (a ``time.monotonic()`` value), no
    further chunk is started after it (the first always is) — the rest is left for the next run.

    Guarantees: each day's rows are replaced as a whole together with its ``KpiDailyRun`` marker,
    in one transaction under a lock — running it twice, or twice at once, leaves the same rows;
    a crash halfway leaves the previous state. Days not yet over are skipped. Set-based: three
    grouped queries per chunk of days, no loop over cases.
    """
    now = now or timezone.now()
    last = min(last, last_complete_day(now))
    if first > last:
        return 0
    bucket = _bucket_finder()
    counter = WorkdayCounter()
    written = 0
    chunk_last = last
    while chunk_last >= first:
        chunk_first = max(chunk_last - dt.timedelta(days=CHUNK_DAYS - 1), first)
        _write_chunk(chunk_first, chunk_last, bucket=bucket, counter=counter, now=now)
        written += (chunk_last - chunk_first).days + 1
        chunk_last = chunk_first - dt.timedelta(days=1)
        if deadline is not None and time.monotonic() >= deadline:
            break
    return written


def _snapshot_rows(ranges, *, bucket, counter, now) -> list[KpiDaily]:
    """The ``KpiDaily`` rows of the cases and events in ``ranges`` (four grouped queries)."""
    cells: dict[tuple[dt.date, int, str], dict] = defaultdict(lambda: defaultdict(Measures))
    for row in fine_rows(ranges, "", counter, now=now):
        fold(cells[(row.day, *bucket(row.region_path))], row, "")
    return [
        KpiDaily(date=day, region_id=region_id, region_path=path, dimension=dimension, key=key, **vars(measures))
        for (day, region_id, path), by_dimension in cells.items()
        for (dimension, key), measures in by_dimension.items()
    ]


def _replace(first: dt.date, last: dt.date, rows: list[KpiDaily], *, now, through=None) -> None:
    """Replace the rows and markers of the days ``first``…``last`` (call under the lock)."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        per_day[row.date] += 1
    KpiDaily.objects.filter(date__gte=first, date__lte=last).delete()
    KpiDailyRun.objects.filter(date__gte=first, date__lte=last).delete()
    KpiDaily.objects.bulk_create(rows, batch_size=1000)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    KpiDailyRun.objects.bulk_create(
        [KpiDailyRun(date=day, computed_at=now, rows=per_day[day], through=through) for day in days]
    )


@transaction.atomic
def _write_chunk(first: dt.date, last: dt.date, *, bucket, counter, now) -> None:
    _take_lock()
    ranges = [(day_start(first), day_start(last + dt.timedelta(days=1)))]
    _replace(first, last, _snapshot_rows(ranges, bucket=bucket, counter=counter, now=now), now=now)


def partial_cut(now: dt.datetime | None = None) -> dt.datetime:
    """Where the snapshot of the day in progress ends: the last full hour that ended at least
    ``GRACE`` ago (local time) — at 14:05, 13:00; at 00:05, 23:00 of the day before."""
    local = timezone.localtime((now or timezone.now()) - GRACE)
    return local.replace(minute=0, second=0, microsecond=0)


def kpi_snapshot_today(*, now: dt.datetime | None = None) -> bool:
    """(Re)write the snapshot of the day in progress up to ``partial_cut`` (its marker's
    ``through``), so the board counts only the last hour or so live instead of the whole day —
    the live part's cost then follows an hour's cases, not a day's. Returns whether it wrote.

    Same guarantees as ``kpi_snapshot_days`` (one transaction under the same lock; running it
    twice leaves the same rows). Nothing is written when the cut is midnight (the day before is
    then complete: ``kpi_snapshot_days``' business) or when the day already has its complete
    snapshot. When the day is over, ``kpi_snapshot_days`` replaces the partial rows.
    """
    now = now or timezone.now()
    cut = partial_cut(now)
    day = cut.date()
    start = day_start(day)
    if cut <= start:
        return False
    with transaction.atomic():
        _take_lock()
        if KpiDailyRun.objects.filter(date=day, through__isnull=True).exists():
            return False
        rows = _snapshot_rows([(start, cut)], bucket=_bucket_finder(), counter=WorkdayCounter(), now=now)
        _replace(day, day, rows, now=now, through=cut)
    return True


def kpi_snapshot_missing(
    *, days_back: int = SCHEDULE_DAYS_BACK, now: dt.datetime | None = None, budget_seconds: float = TASK_BUDGET
) -> int:
    """The schedule's job: snapshot yesterday, and every day of the last ``days_back`` complete
    days that has none yet — so the first run after a deployment (or after a worker was down)
    fills the trend window, and later runs write one day. Newest days first; after
    ``budget_seconds`` no further chunk is started (the q2 timeout is 60 s; the first chunk always
    is, so yesterday is never starved) and the next run goes on where this one stopped. Returns
    days written."""
    deadline = time.monotonic() + budget_seconds
    last = last_complete_day(now)
    first = last - dt.timedelta(days=days_back - 1)
    complete = KpiDailyRun.objects.filter(date__gte=first, date__lte=last, through__isnull=True)
    done = set(complete.values_list("date", flat=True))
    missing = [day for day in (first + dt.timedelta(days=n) for n in range(days_back)) if day not in done]
    written = 0
    for run_first, run_last in reversed(day_runs(missing)):
        written += kpi_snapshot_days(first=run_first, last=run_last, now=now, deadline=deadline)
        if time.monotonic() >= deadline:
            break
    return written


def kpi_day_invalidate(day: dt.date) -> None:
    """Forget the snapshot of ``day`` (its rows and its marker), so the board counts it live until
    the schedule writes it again (``kpi_snapshot_missing`` picks up a day without a marker; the
    day in progress, ``kpi_snapshot_today``). Called inside the transaction of a change to a
    closed case that alters the day's figures after the fact — a 不合理诉求 label approved or
    revoked (``cases.unreason``) — and under the snapshot's lock, so a snapshot being written at
    that moment either finishes first (and is then forgotten) or starts after and sees the change."""
    _take_lock()
    KpiDaily.objects.filter(date=day).delete()
    KpiDailyRun.objects.filter(date=day).delete()
