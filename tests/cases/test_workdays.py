"""Working-day arithmetic: Spring Festival 2026 with its make-up days, overrides, unknown years."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import WorkCalendarDay
from cases.workdays import add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


@pytest.mark.parametrize(
    ("start", "days", "due_date"),
    [
        (at(2026, 2, 12), 1, dt.date(2026, 2, 13)),  # Thu → Fri
        (at(2026, 2, 13), 1, dt.date(2026, 2, 14)),  # Fri → Saturday 14th is a make-up working day
        (at(2026, 2, 14), 1, dt.date(2026, 2, 24)),  # across the whole holiday (15th–23rd)
        (at(2026, 2, 13), 3, dt.date(2026, 2, 25)),  # 14th, 24th, 25th
        (at(2026, 2, 27), 1, dt.date(2026, 2, 28)),  # Saturday 28th is a make-up working day too
        (at(2026, 2, 28), 1, dt.date(2026, 3, 2)),  # Sunday 1 March is off
        (at(2026, 2, 16), 0, dt.date(2026, 2, 16)),  # 0 days: the end of the start day
    ],
)
def test_spring_festival(start, days, due_date):
    due = timezone.localtime(add_working_days(start, days))
    assert due.date() == due_date
    assert (due.hour, due.minute) == (23, 59)


def test_days_between_skip_the_holiday():
    assert working_days_between(at(2026, 2, 13), at(2026, 2, 25)) == 3


def test_an_administrators_override_wins():
    day = dt.date(2026, 10, 12)
    assert is_workday(day)
    WorkCalendarDay.objects.create(date=day, is_workday=False, name="台风停工")
    assert not is_workday(day)
    assert timezone.localtime(add_working_days(at(2026, 10, 9), 1)).date() == dt.date(2026, 10, 10)  # 调休 Saturday


def test_a_year_the_package_does_not_know_uses_weekdays():
    assert is_workday(dt.date(2031, 3, 3))  # a Monday
    assert not is_workday(dt.date(2031, 3, 1))  # a Saturday
    WorkCalendarDay.objects.create(date=dt.date(2031, 3, 3), is_workday=False, name="假日")
    assert timezone.localtime(add_working_days(at(2031, 2, 28), 1)).date() == dt.date(2031, 3, 4)
