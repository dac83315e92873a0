"""联办任务 (issue #15) in the unit's inbox and under the warning sweep: the 联办任务 tab with the
working days left and the warning level in words, its query count, the case page's query count
with tasks, and warnings exact once per level."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.joint import joint_task_answer, joint_task_create
from cases.models import CaseEvent, JointTask, WarningLevel
from cases.workdays import add_working_days
from notifications.models import OutboxMessage
from routing.models import Unit
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db

GRID = "GM-MC-MD-W1"


@pytest.fixture
def give(user, fresh):
    def make(case, unit=GRID, days=3):
        return joint_task_create(
            case=fresh(case),
            actor=user("gm_labor"),
            unit=Unit.objects.get(code=unit),
            request="请核实现场情况",
            due_date=timezone.localtime(add_working_days(timezone.now(), days)).date(),
        )

    return make


def joint_events(level):
    return CaseEvent.objects.filter(transition=f"joint_warning_{level}").count()


# The sweep ---------------------------------------------------------------------------------------


def test_task_warns_blue_yellow_red_once_each(case_in, give, user):
    task = give(case_in("handling"))
    grid, labor = user("md_grid"), user("gm_labor")
    for level, at in (("blue", task.blue_at), ("yellow", task.yellow_at), ("red", task.due_at)):
        moment = at + dt.timedelta(seconds=1)
        result = warnings_sweep(now=moment)
        assert result.joint_changed[level] == 1
        assert JointTask.objects.get(pk=task.pk).warning_level == level
        again = warnings_sweep(now=moment + dt.timedelta(seconds=1))  # a second sweep: nothing new
        assert again.joint_changed[level] == 0
        assert joint_events(level) == 1
        assert OutboxMessage.objects.filter(recipient_user=grid, kind=f"joint_warning_{level}").count() == 1
    # on red the lead unit is told too; before that it is not
    assert OutboxMessage.objects.filter(recipient_user=labor, kind="joint_warning_red").count() == 1
    assert not OutboxMessage.objects.filter(recipient_user=labor, kind="joint_warning_blue").exists()
    event = CaseEvent.objects.get(transition="joint_warning_red")
    assert not event.public and "超过答复期限" in event.note


def test_answered_or_fresh_task_is_not_warned(case_in, give, user):
    case = case_in("handling")
    answered, fresh_task = give(case), give(case, unit="GM-MC-ZZ", days=20)
    joint_task_answer(task=JointTask.objects.get(pk=answered.pk), actor=user("md_grid"), reply="已核实")
    result = warnings_sweep(now=answered.due_at + dt.timedelta(hours=1))
    assert JointTask.objects.get(pk=answered.pk).warning_level == WarningLevel.NONE
    assert JointTask.objects.get(pk=fresh_task.pk).warning_level == WarningLevel.NONE  # 20 working days
    assert sum(result.joint_changed.values()) == 0
    assert not OutboxMessage.objects.filter(recipient_user=user("md_grid"), kind__startswith="joint_warning").exists()


def test_sweep_is_set_based(case_in, give):
    """The task part of the sweep runs the same statements for 2 tasks as for 8: no loop over tasks."""
    from django.db import transaction

    from cases.joint import joint_tasks_sweep

    cases = [case_in("handling") for _ in range(4)]
    counts = []
    for batch in (cases[:1], cases[1:]):
        for case in batch:
            give(case)
            give(case, unit="GM-MC-ZZ")
        task = JointTask.objects.order_by("-id").first()
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            changed, events, _messages = joint_tasks_sweep(now=task.due_at + dt.timedelta(seconds=1 + len(counts)))
        assert changed["red"] == 2 * len(batch) and events == 2 * len(batch)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# The inbox tab -----------------------------------------------------------------------------------


def test_inbox_tab_lists_the_units_open_tasks_with_time_left_in_words(case_in, give, login, user):
    task = give(case_in("handling"))
    warnings_sweep(now=task.blue_at + dt.timedelta(seconds=1))
    client = login("md_grid")
    page = client.get(reverse("cases:inbox") + "?tab=joint").content.decode()
    assert 'data-testid="joint-row"' in page and "请核实现场情况" in page
    assert 'data-testid="count-joint">1<' in page
    assert "剩余" in page or "超期" in page  # working days left in words
    # the lead unit's handlers do not see the task in their own 联办任务 tab
    page = login("gm_labor").get(reverse("cases:inbox") + "?tab=joint").content.decode()
    assert 'data-testid="joint-row"' not in page and 'data-testid="empty"' in page


def test_warning_level_shown_with_words(case_in, give, login):
    task = give(case_in("handling"))
    warnings_sweep(now=task.yellow_at + dt.timedelta(seconds=1))
    page = login("md_grid").get(reverse("cases:inbox") + "?tab=joint").content.decode()
    assert 'data-level="yellow"' in page and "黄色预警" in page


def test_answered_task_leaves_the_tab(case_in, give, login, user):
    task = give(case_in("handling"))
    joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="已核实")
    page = login("md_grid").get(reverse("cases:inbox") + "?tab=joint").content.decode()
    assert 'data-testid="joint-row"' not in page


def test_inbox_tab_query_count(case_in, give, login, django_assert_max_num_queries):
    client, counts, made = login("md_grid"), [], 0
    for n in (3, 10):
        while made < n:
            give(case_in("handling"))
            made += 1
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("cases:inbox") + "?tab=joint")
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="joint-row"') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_case_page_query_count_with_tasks(case_in, give, login, user, django_assert_max_num_queries):
    """The lead's case page reads the tasks with their units, people and files in a fixed number of
    queries: the same for 2 tasks as for 6, half of them answered."""
    case = case_in("handling")
    client, counts = login("gm_labor"), []
    for n in (2, 6):
        while JointTask.objects.filter(case=case).count() < n:
            task = give(case)
            if task.pk % 2:
                joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="已核实")
        with django_assert_max_num_queries(21), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("cases:case-detail", args=[case.number]))
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="joint-task"') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# The supervision board ---------------------------------------------------------------------------


def test_overdue_board_counts_late_tasks_per_unit_owing_the_answer(case_in, give, login):
    task = give(case_in("handling"))
    warnings_sweep(now=task.due_at + dt.timedelta(seconds=1))
    response = login("gm_supervisor").get(reverse("supervision:overdue"))
    board = response.context["board"]
    rows = {row.unit.code: row for row in board.units}
    assert rows[GRID].joint_late == 1 and board.totals.joint_late == 1
    assert rows["GM-RSJ"].joint_late == 0  # the lead unit holds the case, the grid owes the answer
    assert 'data-testid="joint-late"' in response.content.decode()


def test_staff_home_counts_the_units_tasks_and_the_late_ones(case_in, give, login):
    task = give(case_in("handling"))
    client = login("md_grid")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="inbox-joint-count">1<' in page and 'data-testid="inbox-joint-late"' not in page
    assert reverse("cases:inbox") + "?tab=joint" in page
    # the deadline passes (set back directly: the clock itself is tested with the sweep above)
    JointTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="inbox-joint-late"' in page  # 其中超期 1 件
