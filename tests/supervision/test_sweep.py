"""The warning sweep: thresholds, one event and one message per change, pause, idempotence."""

from datetime import timedelta

import pytest

from cases import services as cs
from cases.models import Case, CaseEvent, WarningLevel
from notifications.models import OutboxMessage
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db


def handling_case(submit_case, user, fresh):
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))
    cs.case_sign(case=fresh(case), actor=user("gm_labor"))
    return fresh(case)


def at_fraction(case, fraction):
    return case.stage_started_at + (case.stage_due_at - case.stage_started_at) * fraction


@pytest.mark.parametrize(
    ("fraction", "level"),
    [
        (0.1, "none"),
        (0.49, "none"),
        (0.5, "blue"),
        (0.79, "blue"),
        (0.8, "yellow"),
        (0.99, "yellow"),
        (1.0, "red"),
        (3, "red"),
    ],
)
def test_each_threshold(submit_case, user, fraction, level, fresh):
    case = handling_case(submit_case, user, fresh)
    warnings_sweep(now=at_fraction(case, fraction))
    assert fresh(case).warning_level == level


def test_each_change_is_recorded_and_told_once(submit_case, user, fresh):
    case = handling_case(submit_case, user, fresh)
    for fraction in (0.6, 0.6, 0.85, 0.9, 1.2, 1.3):
        warnings_sweep(now=at_fraction(case, fraction))
    events = list(
        CaseEvent.objects.filter(case=case, transition__startswith="warning_").values_list("transition", "public")
    )
    assert events == [("warning_blue", False), ("warning_yellow", False), ("warning_red", False)]
    to_labor = OutboxMessage.objects.filter(recipient_user__username="gm_labor", kind__startswith="warning_")
    assert sorted(to_labor.values_list("kind", flat=True)) == ["warning_blue", "warning_red", "warning_yellow"]
    assert case.number in to_labor.get(kind="warning_red").body
    # on red, the supervisor at the centre is told too, and only then
    to_supervisor = OutboxMessage.objects.filter(recipient_user__username="gm_supervisor", kind__startswith="warning_")
    assert list(to_supervisor.values_list("kind", flat=True)) == ["warning_red"]


def test_running_twice_changes_nothing_the_second_time(submit_case, user, fresh):
    case = handling_case(submit_case, user, fresh)
    now = at_fraction(case, 1.5)
    first = warnings_sweep(now=now)
    second = warnings_sweep(now=now)
    assert first.changed["red"] == 1 and second.total == 0
    assert CaseEvent.objects.filter(case=case, transition="warning_red").count() == 1


def test_cases_without_a_unit_warn_the_centre(submit_case, user, fresh):
    case = submit_case()  # 待受理: the centre's clerks and dispatchers are told
    warnings_sweep(now=at_fraction(fresh(case), 1.1))
    recipients = set(
        OutboxMessage.objects.filter(kind="warning_red").values_list("recipient_user__username", flat=True)
    )
    assert {"gm_window", "gm_dispatch", "gm_supervisor"} <= recipients
    assert "gm_labor" not in recipients


def test_a_paused_case_keeps_its_clock(submit_case, user, fresh):
    case = handling_case(submit_case, user, fresh)
    due = case.stage_due_at
    paused_at = at_fraction(case, 0.4)
    cs.case_pause(case=case, actor=user("gm_labor"), reason="等待工伤鉴定结论", at=paused_at)
    warnings_sweep(now=due + timedelta(days=5))
    assert fresh(case).warning_level == "none"  # the clock stood still
    cs.case_resume(case=fresh(case), actor=user("gm_labor"), at=paused_at + timedelta(days=10))
    resumed = fresh(case)
    assert resumed.stage_due_at == due + timedelta(days=10)
    assert resumed.paused_at is None
    assert list(
        CaseEvent.objects.filter(case=case, transition__in=["pause", "resume"]).values_list("transition", flat=True)
    ) == ["pause", "resume"]


def test_pause_needs_a_reason_and_the_lead_unit(submit_case, user, fresh):
    case = handling_case(submit_case, user, fresh)
    with pytest.raises(cs.CaseError):
        cs.case_pause(case=case, actor=user("gm_labor"), reason=" ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cs.case_pause(case=fresh(case), actor=user("mc_centre"), reason="等待")
    cs.case_pause(case=fresh(case), actor=user("gm_labor"), reason="等待鉴定")
    with pytest.raises(cs.CaseError):
        cs.case_pause(case=fresh(case), actor=user("gm_labor"), reason="再次中止")


def test_extension_moves_the_thresholds_and_clears_the_warning(submit_case, user, fresh):
    case = handling_case(submit_case, user, fresh)
    warnings_sweep(now=at_fraction(case, 0.9))
    assert fresh(case).warning_level == WarningLevel.YELLOW
    cs.case_request_extension(case=fresh(case), actor=user("gm_labor"), days=10, reason="需调取银行流水")
    cs.case_approve_extension(case=fresh(case), actor=user("gm_supervisor"))
    extended = fresh(case)
    assert extended.warning_level == WarningLevel.NONE and extended.stage_due_at > case.stage_due_at
    assert extended.yellow_at > case.yellow_at


def test_a_new_stage_starts_without_a_warning(submit_case, user, fresh):
    case = submit_case()
    warnings_sweep(now=at_fraction(fresh(case), 2))
    assert fresh(case).warning_level == "red"
    cs.case_accept(case=fresh(case), actor=user("gm_window"))
    assert fresh(case).warning_level == "none"


def test_the_sweep_is_set_based(submit_case, user, django_assert_max_num_queries, fresh):
    for _ in range(6):
        handling_case(submit_case, user, fresh)
    now = Case.objects.order_by("-stage_due_at").first().stage_due_at + timedelta(days=1)
    # per clock (the stage's and the contact clock's): 4 UPDATEs, 3 event INSERTs, 3 message
    # INSERTs; the thresholds read once, the lock (PostgreSQL), a savepoint and its release: the
    # same whatever the number of cases; + the 联办任务 deadlines' 4 UPDATEs (issue #15, none rose here)
    with django_assert_max_num_queries(25 + 4):
        result = warnings_sweep(now=now)
    assert result.changed["red"] == 6 and result.contact_changed["red"] == 6 and result.events == 12
