import pytest
from django.core.management import call_command
from django_q.models import Schedule

from config.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_setup_schedules_is_idempotent_and_removes_stale_ones():
    Schedule.objects.create(name="yikouban:old-job", func="accounts.tasks.nothing", schedule_type="D")
    Schedule.objects.create(name="someone-elses", func="x.y", schedule_type="D")
    call_command("setup_schedules")
    call_command("setup_schedules")
    ours = Schedule.objects.filter(name__startswith="yikouban:")
    assert sorted(ours.values_list("name", flat=True)) == sorted(s.name for s in SCHEDULES)
    assert Schedule.objects.filter(name="someone-elses").exists()


def test_a_nightly_schedule_first_runs_at_its_hour_and_keeps_its_next_run():
    """疑似重复 (issue #13): the nightly scan is created to run at 02:00 local time; running the
    command again does not move a next run the worker has already advanced."""
    import datetime as dt

    from django.utils import timezone

    call_command("setup_schedules")
    nightly = Schedule.objects.get(name="yikouban:duplicates-nightly")
    assert nightly.func == "cases.tasks.duplicates_nightly" and nightly.schedule_type == "D"
    first = timezone.localtime(nightly.next_run)
    assert (first.hour, first.minute) == (2, 0) and first - timezone.now() <= dt.timedelta(days=1)
    later = nightly.next_run + dt.timedelta(days=3)
    Schedule.objects.filter(pk=nightly.pk).update(next_run=later)
    call_command("setup_schedules")
    assert Schedule.objects.get(pk=nightly.pk).next_run == later
