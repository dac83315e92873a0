"""首次联系 (issue #11): the contact clock starts at the first signing, the lead unit records the
contact once (method + note), and only the lead unit's handlers may."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases.models import CaseEvent, Status
from cases.permissions import available_actions
from cases.workdays import add_working_days
from routing.models import MatterType

pytestmark = pytest.mark.django_db


def test_signing_starts_the_contact_clock_by_the_end_of_the_next_working_day(case_in, user, fresh):
    case = case_in("dispatched")
    assert case.contact_due_at is None
    signed = timezone.now()
    s.case_sign(case=fresh(case), actor=user("gm_labor"), at=signed)
    case = fresh(case)
    assert case.contact_started_at == signed
    assert case.contact_due_at == add_working_days(signed, 1)
    assert case.contact_started_at < case.contact_blue_at < case.contact_yellow_at < case.contact_due_at
    assert case.contact_level == "none" and case.contacted_at is None


def test_the_matter_type_sets_the_contact_deadline(case_in, user, fresh):
    MatterType.objects.filter(code="labor.wages").update(contact_days=0)
    case = case_in("dispatched")
    signed = timezone.now()
    s.case_sign(case=fresh(case), actor=user("gm_labor"), at=signed)
    assert fresh(case).contact_due_at == add_working_days(signed, 0)  # the end of the signing day


def test_a_later_signing_keeps_the_first_clock(case_in, user, fresh):
    case = case_in("handling")
    first_due = case.contact_due_at
    s.case_escalate(case=fresh(case), actor=user("gm_labor"), to_unit=_city_labor(), reason="跨区")
    s.case_sign(case=fresh(case), actor=_handler_of("FS-RSJ"), at=timezone.now() + timedelta(days=3))
    assert fresh(case).contact_due_at == first_due


def _city_labor():
    from routing.models import Unit

    return Unit.objects.get(code="FS-RSJ")


def _handler_of(code):
    from accounts.services import staff_user_ensure

    return staff_user_ensure(
        username=f"h-{code}", full_name="市人社局承办人", password="x-Pass-2026", memberships=[(code, "handler")]
    )


def test_contact_is_recorded_once_with_method_and_note(case_in, login, act, fresh):
    case = case_in("handling")
    inbox = login("gm_labor").get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert 'data-testid="contact-pending"' in inbox and "待首次联系" in inbox
    response = act(login("gm_labor"), case, "contact", {"method": "visit", "note": "上门走访申请人，了解欠薪金额"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.contacted_at is not None and case.contact_method == "visit" and not case.contacted_late
    event = CaseEvent.objects.get(case=case, transition="contact")
    assert event.note == "上门联系：上门走访申请人，了解欠薪金额" and event.public is False
    assert event.actor_unit.code == "GM-RSJ" and event.to_status == Status.HANDLING
    page = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="case-contact"' in page and "按时联系" in page
    assert 'data-testid="action-contact"' not in page  # no longer offered
    assert "首次联系群众" in page  # the timeline's label
    inbox = login("gm_labor").get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert "待首次联系" not in inbox
    # a second post (a stale page, a second handler) is refused and changes nothing
    again = act(login("gm_labor"), case, "contact", {"method": "phone", "note": "再次联系"})
    assert again.status_code == 403
    assert CaseEvent.objects.filter(case=case, transition="contact").count() == 1


def test_the_service_refuses_a_second_contact_with_a_clear_message(case_in, user, fresh):
    case = case_in("handling")
    s.case_contact(case=fresh(case), actor=user("gm_labor"), method="phone", note="已电话联系")
    with pytest.raises(s.CaseError, match="已记录过首次联系"):
        s.case_contact(case=case, actor=user("gm_labor"), method="sms", note="短信告知")  # the stale object


def test_a_late_contact_is_marked_late(case_in, user, fresh, login):
    case = case_in("handling")
    late = case.contact_due_at + timedelta(hours=2)
    s.case_contact(case=fresh(case), actor=user("gm_labor"), method="sms", note="短信告知受理情况", at=late)
    case = fresh(case)
    assert case.contacted_late
    assert CaseEvent.objects.get(case=case, transition="contact").note.endswith("（已超过首次联系时限）")
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="contact-late"' in page and "超过时限" in page


@pytest.mark.parametrize(
    ("who", "offered"),
    [("gm_labor", True), ("mc_centre", False), ("gm_dispatch", False), ("gm_supervisor", False), ("admin", False)],
)
def test_only_the_lead_units_handlers_are_offered_contact(case_in, user, who, offered):
    case = case_in("handling")
    assert ("contact" in available_actions(user(who), case)) is offered


@pytest.mark.parametrize("status", ["dispatched", "accepted", "feedback"])
def test_contact_is_not_offered_outside_handling_and_review(case_in, user, status, fresh):
    case = case_in(status)
    assert "contact" not in available_actions(user("gm_labor"), case)
    if status == "feedback":
        with pytest.raises(s.CaseError, match="不能记录首次联系"):
            s.case_contact(case=case, actor=user("gm_labor"), method="phone", note="已联系")


def test_contact_is_offered_while_reviewing(case_in, user):
    assert "contact" in available_actions(user("gm_labor"), case_in("reviewing"))


def test_the_service_checks_the_permission_again(case_in, user, fresh):
    case = case_in("handling")
    with pytest.raises(PermissionDenied):
        s.case_contact(case=case, actor=user("mc_centre"), method="phone", note="已联系")
    assert fresh(case).contacted_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"method": "", "note": "已联系"}, "请选择联系方式"),
        ({"method": "phone", "note": "   "}, "请填写联系情况"),
        ({"method": "phone", "note": "很长" * 251}, "内容过长"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(case_in, login, act, fresh, data, message):
    case = case_in("handling")
    response = act(login("gm_labor"), case, "contact", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert fresh(case).contacted_at is None
    assert not CaseEvent.objects.filter(case=case, transition="contact").exists()


def test_the_service_refuses_bad_input(case_in, user, fresh):
    case = case_in("handling")
    with pytest.raises(s.CaseError, match="请选择联系方式"):
        s.case_contact(case=case, actor=user("gm_labor"), method="email", note="已联系")
    with pytest.raises(s.CaseError, match="请填写联系情况"):
        s.case_contact(case=case, actor=user("gm_labor"), method="phone", note=" ")
    assert fresh(case).contacted_at is None


def test_a_foreign_units_handler_gets_404(case_in, login):
    from accounts.services import staff_user_ensure

    staff_user_ensure(username="cg", full_name="城管", password="x-Pass-2026", memberships=[("GM-CGJ", "handler")])
    client = login("cg")
    case = case_in("handling")
    assert client.get(reverse("cases:case-act", args=[case.number, "contact"])).status_code == 404
