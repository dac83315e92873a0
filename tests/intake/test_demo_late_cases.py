"""The demo is believable on the boards: some finished cases went over a deadline on the way (with
the warnings a running sweep leaves), so 按期办结率 is below 100 %; open cases are still red."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from cases.models import OPEN_STATUSES, Case, CaseEvent, Status
from core.periods import Period
from demo.cases import load_demo_cases
from demo.people import load_demo
from supervision.kpi import measures as kpi
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db

LATE_STAGES = ["submitted", "accepted", "dispatched", "handling", "reviewing"]


@pytest.fixture
def demo_world():
    """The demo city with its demo cases, and the sweep ``manage.py load_demo`` runs after them."""
    load_demo()
    load_demo_cases()
    warnings_sweep()


def test_some_closed_cases_went_red_and_the_on_time_rate_is_believable(demo_world):
    late = Case.objects.filter(
        status=Status.CLOSED, events__transition="warning_red", events__from_status__in=LATE_STAGES
    ).distinct()
    assert late.count() >= 3
    for case in late:
        events = list(case.events.order_by("created_at", "id"))
        warnings = [e.transition for e in events if e.transition.startswith("warning_")]
        # blue, then yellow, then red: each level once, as the every-minute sweep records them
        assert warnings[:3] == ["warning_blue", "warning_yellow", "warning_red"], (case.number, warnings)
        red = next(e for e in events if e.transition == "warning_red")
        assert not red.public and red.created_at <= case.closed_at
        # the late step came after the due time: the next transition follows the red warning
        after = [e for e in events if e.created_at > red.created_at and not e.transition.startswith("warning_")]
        assert after and after[0].transition in ("sign", "submit_result")
    # so the KPI board's 按期办结率 is believable: below 100 %, not alarming
    supervisor = User.objects.get(username="fs_supervisor")
    today = timezone.localdate()
    board = kpi.kpi_board(kpi.kpi_scope(supervisor), Period(today - dt.timedelta(days=90), today))
    assert board.totals.closed >= 20
    assert 0.75 <= board.totals.on_time_rate <= 0.97, (board.totals.on_time, board.totals.closed)


def test_red_open_cases_remain_and_loading_again_changes_nothing(demo_world):
    assert Case.objects.filter(status__in=OPEN_STATUSES, warning_level="red").count() >= 5
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    assert load_demo_cases() == 0
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
