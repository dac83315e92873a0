"""The warning sweep's second clock: 首次联系 (issue #11). Its own level, events and messages,
once per change, set-based; it stops when the contact is recorded."""

from decimal import Decimal

import pytest

from cases import services as cs
from cases.models import CaseEvent
from notifications.models import OutboxMessage
from supervision.services import warning_thresholds_set, warnings_sweep

pytestmark = pytest.mark.django_db


def signed_case(submit_case, user, fresh):
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))
    cs.case_sign(case=fresh(case), actor=user("gm_labor"))
    return fresh(case)


def contact_at(case, fraction):
    return case.contact_started_at + (case.contact_due_at - case.contact_started_at) * fraction


@pytest.mark.parametrize(
    ("fraction", "level"),
    [(0.2, "none"), (0.5, "blue"), (0.79, "blue"), (0.8, "yellow"), (0.99, "yellow"), (1.0, "red"), (4, "red")],
)
def test_each_contact_threshold(submit_case, user, fresh, fraction, level):
    case = signed_case(submit_case, user, fresh)
    warnings_sweep(now=contact_at(case, fraction))
    assert fresh(case).contact_level == level


def test_each_contact_change_is_recorded_and_told_once(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh)
    for fraction in (0.6, 0.6, 0.85, 0.9, 1.1, 1.2):
        warnings_sweep(now=contact_at(case, fraction))
    events = list(
        CaseEvent.objects.filter(case=case, transition__startswith="contact_warning_").values_list(
            "transition", "public"
        )
    )
    assert events == [
        ("contact_warning_blue", False),
        ("contact_warning_yellow", False),
        ("contact_warning_red", False),
    ]
    to_labor = OutboxMessage.objects.filter(recipient_user__username="gm_labor", kind__startswith="contact_warning_")
    assert sorted(to_labor.values_list("kind", flat=True)) == [
        "contact_warning_blue",
        "contact_warning_red",
        "contact_warning_yellow",
    ]
    assert case.number in to_labor.get(kind="contact_warning_red").body
    assert "首次联系" in to_labor.get(kind="contact_warning_red").body
    to_supervisor = OutboxMessage.objects.filter(recipient_user__username="gm_supervisor")
    assert list(to_supervisor.values_list("kind", flat=True)) == ["contact_warning_red"]
    # the stage clock is independent: the handle stage (10 working days) is far from its points
    assert fresh(case).warning_level == "none"


def test_a_recorded_contact_stops_the_clock(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh)
    warnings_sweep(now=contact_at(case, 0.9))
    assert fresh(case).contact_level == "yellow"
    cs.case_contact(case=fresh(case), actor=user("gm_labor"), method="phone", note="已电话联系")
    assert fresh(case).contact_level == "none"
    result = warnings_sweep(now=contact_at(case, 3))
    assert fresh(case).contact_level == "none" and sum(result.contact_changed.values()) == 0
    assert not CaseEvent.objects.filter(case=case, transition="contact_warning_red").exists()


def test_a_paused_case_keeps_its_contact_clock(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh)
    cs.case_pause(case=fresh(case), actor=user("gm_labor"), reason="等待鉴定结果")
    warnings_sweep(now=contact_at(case, 1.5))
    case = fresh(case)
    assert case.contact_level == "red" and case.warning_level == "none"


def test_cases_never_signed_have_no_contact_clock(submit_case, user, fresh):
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))  # 已派单: not signed yet
    result = warnings_sweep(now=fresh(case).stage_due_at)
    assert sum(result.contact_changed.values()) == 0 and fresh(case).contact_level == "none"


def test_running_twice_records_nothing_the_second_time(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh)
    first = warnings_sweep(now=contact_at(case, 2))
    second = warnings_sweep(now=contact_at(case, 2))
    assert first.contact_changed["red"] == 1 and second.total == 0
    assert CaseEvent.objects.filter(case=case, transition="contact_warning_red").count() == 1


def test_new_thresholds_move_the_contact_points(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh)
    warning_thresholds_set(blue=Decimal("0.3"), yellow=Decimal("0.6"), actor=user("admin"))
    moved = fresh(case)
    window = moved.contact_due_at - moved.contact_started_at
    assert abs((moved.contact_blue_at - moved.contact_started_at) - window * 0.3).total_seconds() < 1
    assert abs((moved.contact_yellow_at - moved.contact_started_at) - window * 0.6).total_seconds() < 1


def test_the_contact_sweep_is_set_based(submit_case, user, fresh, django_assert_max_num_queries):
    cases = [signed_case(submit_case, user, fresh) for _ in range(5)]
    now = max(c.contact_due_at for c in cases)
    with django_assert_max_num_queries(25):
        result = warnings_sweep(now=now)
    assert result.contact_changed["red"] == 5
    assert CaseEvent.objects.filter(transition="contact_warning_red").count() == 5


def test_the_inbox_and_case_page_show_a_missed_contact(submit_case, user, fresh, login):
    from django.urls import reverse

    case = signed_case(submit_case, user, fresh)
    warnings_sweep(now=contact_at(case, 1.5))
    client = login("gm_labor")
    inbox = client.get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert 'data-testid="contact-overdue"' in inbox and "首次联系已超时" in inbox
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="contact-level"' in page and "红色预警（已超期）" in page
    assert "首次联系红色预警：已超过时限" in page  # the staff timeline
