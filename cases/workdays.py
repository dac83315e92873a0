"""Working days in mainland China: weekends, public holidays and make-up working days (调休).

``chinesecalendar`` knows the State Council's holiday arrangements up to the year it was released
for; a ``WorkCalendarDay`` row (maintained by an administrator, e.g. when next year's arrangement
is published) overrides it for any date. For a year the package does not know and no row
covers, Monday to Friday are working days.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils import timezone

from routing.dispatch import reference_cached


def _package_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _load_overrides() -> dict[dt.date, bool]:
    from .models import WorkCalendarDay

    return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))


def _overrides() -> dict[dt.date, bool]:
    """The administrator's calendar rows: a few dozen a year, read in one query per computation —
    none inside ``routing.dispatch.directory_pinned`` once this process has them for the current
    stamp (every calendar write replaces the stamp: ``cases.admin``)."""
    return reference_cached("work_calendar", _load_overrides)


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return _package_workday(day)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the ``days``-th working day after ``start``'s date.

    "N 个工作日内办结": a case accepted on Friday with 1 working day is due at the end of Monday
    (or of the next working day after a holiday). ``days`` = 0 means the end of the start day.
    """
    overrides = _overrides()
    first = timezone.localtime(start).date()
    # Inside a directory pin, the same (date, days) is answered once (the historical import sets
    # thousands of clocks); the memo goes with the stamp, which every calendar write replaces.
    ends = reference_cached("working_day_ends", dict)
    day = ends.get((first, days))
    if day is None:
        day, remaining = first, days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if is_workday(day, overrides):
                remaining -= 1
        ends[(first, days)] = day
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_between(start: dt.datetime, end: dt.datetime, overrides: dict[dt.date, bool] | None = None) -> int:
    """Whole working days after ``start``'s date up to and including ``end``'s date."""
    overrides = _overrides() if overrides is None else overrides
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count


def working_days_span(start: dt.datetime, end: dt.datetime, overrides: dict[dt.date, bool] | None = None) -> float:
    """Working time from ``start`` to ``end`` in working days, to the hour: each working day counts
    as one whole day (a case is due at the end of its last working day), non-working days count
    nothing. Noon on Monday to the end of Tuesday is 1.5; a negative span is 0."""
    if end <= start:
        return 0.0
    overrides = _overrides() if overrides is None else overrides
    tz = timezone.get_current_timezone()
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_workday(day, overrides):
            day_start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
            day_end = day_start + dt.timedelta(days=1)
            total += min(day_end, local_end) - max(day_start, local_start)
        day += dt.timedelta(days=1)
    return total / dt.timedelta(days=1)


def calendar_overrides() -> dict[dt.date, bool]:
    """The administrator's calendar rows, for a caller that computes many spans (one query)."""
    return _overrides()
