import pytest
from django.db.models import Count

from cases.models import Case, CaseEvent, Status
from demo.cases import DUPLICATES, load_demo_cases
from demo.people import load_demo
from intake.models import Claim
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_demo_cases_are_varied_back_dated_and_idempotent():
    load_demo()
    assert load_demo_cases(count=90) == 90 + DUPLICATES  # and the merged second reports
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    for status in (
        Status.SUBMITTED,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.REVIEWING,
        Status.FEEDBACK,
        Status.CLOSED,
    ):
        assert statuses.get(status), status
    assert Claim.objects.values("channel").distinct().count() >= 5
    # driven through the services: every case has its submit event and a consistent timeline
    assert CaseEvent.objects.filter(transition="submit").count() == Case.objects.count()
    assert not CaseEvent.objects.filter(created_at__lt=Case.objects.order_by("created_at").first().created_at).exists()
    assert Case.objects.filter(stage_due_at__lt=Case.objects.order_by("-created_at").first().created_at).exists()
    # back-filled messages are recorded, not delivered
    assert not OutboxMessage.objects.filter(status="pending").exists()
    before = Case.objects.count()
    assert load_demo_cases(count=90) == 0
    assert Case.objects.count() == before
