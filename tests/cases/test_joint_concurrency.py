"""联办任务 races (issue #15): two handlers of the unit answering one task at once, and an answer
meeting a withdrawal. Threads against PostgreSQL (real row-level concurrency); skipped on SQLite."""

import pytest
from django.db import connection  # noqa: F401 (the skipif condition reads it)
from django.utils import timezone

from accounts.models import User
from cases import services as s
from cases.joint import joint_task_answer, joint_task_create, joint_task_withdraw
from cases.models import Case, CaseEvent, JointTask, JointTaskStatus
from cases.transitions import CaseError
from cases.workdays import add_working_days
from intake.services import claim_submit
from routing.models import MatterType, Region, Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


@pytest.fixture
def task(demo):
    citizen = User.objects.get(phone="13800138000")
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="老板拖欠三个月工资，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=citizen,
    )
    labor = User.objects.get(username="gm_labor")
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=labor)
    return joint_task_create(
        case=Case.objects.get(pk=claim.case_id),
        actor=labor,
        unit=Unit.objects.get(code="GM-MC-MD-W1"),
        request="请核实现场",
        due_date=timezone.localtime(add_working_days(timezone.now(), 3)).date(),
    )


def loaded(pk):
    return JointTask.objects.select_related("case", "case__lead_unit", "unit").get(pk=pk)


def test_two_answers_at_once_answer_once(task, race):
    from accounts.services import staff_user_ensure

    second = staff_user_ensure(
        username="grid2", full_name="网格员二", password="x-Pass-2026", memberships=[("GM-MC-MD-W1", "handler")]
    )
    first = User.objects.get(username="md_grid")
    copies = [loaded(task.pk), loaded(task.pk)]
    results = race(
        lambda: joint_task_answer(task=copies[0], actor=first, reply="答复一"),
        lambda: joint_task_answer(task=copies[1], actor=second, reply="答复二"),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], CaseError), results
    saved = JointTask.objects.get(pk=task.pk)
    assert saved.status == JointTaskStatus.ANSWERED and saved.reply in ("答复一", "答复二")
    assert CaseEvent.objects.filter(transition="joint_task_answer").count() == 1


def test_answer_meets_withdrawal_one_wins(task, race):
    copies = [loaded(task.pk), loaded(task.pk)]
    results = race(
        lambda: joint_task_answer(task=copies[0], actor=User.objects.get(username="md_grid"), reply="答复"),
        lambda: joint_task_withdraw(task=copies[1], actor=User.objects.get(username="gm_labor"), reason="不需要了"),
    )
    assert sum(isinstance(r, CaseError) for r in results) == 1, results
    saved = JointTask.objects.get(pk=task.pk)
    assert saved.status in (JointTaskStatus.ANSWERED, JointTaskStatus.WITHDRAWN)
    kinds = set(CaseEvent.objects.filter(transition__startswith="joint_task_").values_list("transition", flat=True))
    assert kinds == {"joint_task_create", f"joint_task_{'answer' if saved.status == 'answered' else 'withdraw'}"}
