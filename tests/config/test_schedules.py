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
