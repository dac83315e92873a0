"""Warning thresholds: settings by default, the admin's values over them; a change moves the
warning points of open cases at once (one UPDATE), and bad values are refused in plain Chinese."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import services as cs
from supervision import services as ss
from supervision.models import WarningThresholds
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db

ADMIN_ADD = reverse("admin:supervision_warningthresholds_add")


def share_used(case, when):
    return (when - case.stage_started_at) / (case.stage_due_at - case.stage_started_at)


def close_to(value, expected):
    return abs(value - expected) < 1e-6


def test_settings_give_the_default(open_case, settings):
    settings.SUPERVISION_WARNING_THRESHOLDS = {"blue": 0.6, "yellow": 0.9}
    case = open_case()
    assert close_to(share_used(case, case.blue_at), 0.6)
    assert close_to(share_used(case, case.yellow_at), 0.9)


def test_admin_values_move_open_cases_and_apply_to_new_clocks(open_case, user, fresh):
    waiting = open_case()
    at_45 = waiting.stage_started_at + (waiting.stage_due_at - waiting.stage_started_at) * 0.45
    warnings_sweep(now=at_45)
    assert fresh(waiting).warning_level == "none"  # 45 % used: below the default 50 %

    ss.warning_thresholds_set(blue="0.4", yellow="0.7", actor=user("admin"))

    moved = fresh(waiting)
    assert close_to(share_used(moved, moved.blue_at), 0.4)
    assert close_to(share_used(moved, moved.yellow_at), 0.7)
    assert moved.stage_due_at == waiting.stage_due_at  # the deadline itself does not move
    warnings_sweep(now=at_45 + timedelta(seconds=1))
    assert fresh(waiting).warning_level == "blue"  # the supervisor sees it on the next sweep

    later = open_case(status="submitted")  # a clock set after the change takes the new values
    assert close_to(share_used(later, later.blue_at), 0.4)


def test_clearing_goes_back_to_the_settings(open_case, user, fresh):
    ss.warning_thresholds_set(blue="0.3", yellow="0.6", actor=user("admin"))
    case = open_case()
    assert close_to(share_used(case, case.blue_at), 0.3)
    ss.warning_thresholds_clear(actor=user("admin"))
    case = fresh(case)
    assert close_to(share_used(case, case.blue_at), 0.5)
    assert close_to(share_used(case, case.yellow_at), 0.8)


def test_a_paused_case_keeps_its_clock_consistent(open_case, user, fresh):
    case = open_case()
    cs.case_pause(case=case, actor=user("gm_labor"), reason="等待鉴定结论")
    ss.warning_thresholds_set(blue="0.6", yellow="0.9", actor=user("admin"))
    cs.case_resume(case=fresh(case), actor=user("gm_labor"), at=case.stage_started_at + timedelta(days=3))
    case = fresh(case)
    assert close_to(share_used(case, case.blue_at), 0.6)
    assert close_to(share_used(case, case.yellow_at), 0.9)


def test_only_admins_set_them(user):
    with pytest.raises(PermissionDenied):
        ss.warning_thresholds_set(blue="0.4", yellow="0.7", actor=user("gm_supervisor"))
    with pytest.raises(PermissionDenied):
        ss.warning_thresholds_clear(actor=user("gm_supervisor"))
    assert not WarningThresholds.objects.exists()


@pytest.mark.parametrize(
    ("blue", "yellow", "message"),
    [
        ("0.8", "0.5", "黄色预警阈值应大于蓝色预警阈值"),
        ("0.5", "0.5", "黄色预警阈值应大于蓝色预警阈值"),
        ("0", "0.5", "蓝色预警阈值应大于 0 且小于 1"),
        ("0.5", "1", "黄色预警阈值应大于 0 且小于 1"),
    ],
)
def test_bad_values_are_refused(blue, yellow, message, user, login):
    with pytest.raises(ss.SupervisionError) as refused:
        ss.warning_thresholds_set(blue=blue, yellow=yellow, actor=user("admin"))
    assert message in refused.value.message
    # the admin form says the same, keeps what was typed, and saves nothing
    page = login("admin").post(ADMIN_ADD, {"blue": blue, "yellow": yellow})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert f'value="{yellow}"' in page.content.decode()
    assert not WarningThresholds.objects.exists()


def test_the_admin_edits_one_row(open_case, login, fresh):
    case = open_case()
    admin = login("admin")
    response = admin.post(ADMIN_ADD, {"blue": "0.4", "yellow": "0.75"})
    assert response.status_code == 302
    row = WarningThresholds.objects.get()
    assert (float(row.blue), float(row.yellow), row.updated_by.username) == (0.4, 0.75, "admin")
    case = fresh(case)
    assert close_to(share_used(case, case.yellow_at), 0.75)
    assert admin.get(ADMIN_ADD).status_code == 403  # no second row: the one there is edited
    change = reverse("admin:supervision_warningthresholds_change", args=[row.pk])
    assert admin.post(change, {"blue": "0.5", "yellow": "0.9"}).status_code == 302
    assert close_to(share_used(fresh(case), fresh(case).yellow_at), 0.9)
    delete = reverse("admin:supervision_warningthresholds_delete", args=[row.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert not WarningThresholds.objects.exists()
    assert close_to(share_used(fresh(case), fresh(case).yellow_at), 0.8)
