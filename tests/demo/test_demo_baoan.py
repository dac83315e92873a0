"""Demo 包案 (issue #15): 赵丽 owns and hangs one open 高明 case; a second load changes nothing."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent
from demo.baoan import load_demo_baoan
from tests.cases import conftest as cases_conftest

pytestmark = pytest.mark.django_db

case_in = cases_conftest.case_in  # the cases app's builder of a case in a given state


def test_the_demo_supervisor_owns_and_hangs_one_case(case_in, user, login):
    first, second = case_in("handling"), case_in("handling")
    assert "包案并挂牌督办" in load_demo_baoan()
    owned = Case.objects.get(baoan_leader=user("gm_supervisor"))
    assert owned.pk == first.pk and owned.plate_hung_at and owned.baoan_due_date and owned.baoan_note
    assert load_demo_baoan() == "演示包案：已存在，未改动"
    assert CaseEvent.objects.filter(transition="baoan_take").count() == 1
    assert Case.objects.get(pk=second.pk).baoan_leader_id is None
    client = login("gm_supervisor")
    assert owned.number in client.get(reverse("supervision:baoan")).content.decode()
    section = client.get(reverse("supervision:overdue")).content.decode()
    assert owned.number in section[section.index('data-testid="plate-section"') :]


def test_nothing_to_take(demo):
    assert load_demo_baoan() == "演示包案：没有可包案的在办案件"
