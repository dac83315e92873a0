"""首接负责 ends with the unsigned phase (review of issue #15, finding 2): not only when a unit
signs, but on every path that closes or finishes an unsigned case — resolved at the window, merged,
withdrawn (a rejection comes before any dispatch) — with an internal ``first_duty_end`` event; the 首接负责 tab, its home count and
the badge show only open unsigned cases (已受理 / 已派单) even if a flag were left behind."""

import pytest
from django.template.loader import render_to_string

from cases import services as s
from cases.handover import first_duty_cases, handover_approve, handover_request
from cases.handover_models import HandoverKind
from cases.models import Case, CaseEvent, Status
from cases.selectors import FIRST_INBOX_TAB, inbox_counts
from routing.models import Unit

pytestmark = pytest.mark.django_db


def unit(code):
    return Unit.objects.get(code=code)


@pytest.fixture
def returned_twice(case_in, user, fresh):
    """高明区人社局's return approved, dispatched to 明城镇综治中心, whose return is approved too:
    buck-passed, back in the centre's dispatch queue (已受理), 首接负责：高明区人社局."""

    def make():
        case = case_in("handling")
        for who in ("gm_labor", "mc_centre"):
            request = handover_request(case=fresh(case), actor=user(who), kind=HandoverKind.RETURN, reason="不属本单位")
            request.case = fresh(case)
            handover_approve(request=request, actor=user("gm_dispatch"))
            if who == "gm_labor":
                s.case_dispatch(
                    case=fresh(case), actor=user("gm_dispatch"), lead_unit=unit("GM-MC-ZZ"), cooperating_units=[]
                )
        case = fresh(case)
        assert case.status == Status.ACCEPTED and case.first_duty
        assert list(first_duty_cases(user("gm_labor"))) == [case]
        return case

    return make


def ended(case, user):
    case = Case.objects.get(pk=case.pk)
    end = CaseEvent.objects.filter(case=case, transition="first_duty_end").get()
    assert not case.first_duty and case.first_unit.code == "GM-RSJ"  # recorded, no longer on duty
    assert not end.public and "首接责任解除" in end.note
    assert list(first_duty_cases(user("gm_labor"))) == []
    assert inbox_counts(user("gm_labor"))[FIRST_INBOX_TAB] == 0
    return end


def test_resolved_at_the_window_ends_the_duty(returned_twice, user, fresh):
    case = returned_twice()
    s.case_resolve_on_spot(case=fresh(case), actor=user("gm_window"), result="当场协调企业支付工资")
    end = ended(case, user)
    assert "待评价" in end.note


def test_withdrawn_by_the_citizen_ends_the_duty(returned_twice, user, fresh, citizen):
    case = returned_twice()
    s.case_withdraw(case=fresh(case), actor=citizen, reason="已自行解决")
    ended(case, user)


def test_merged_ends_the_duty(returned_twice, case_in, user, fresh):
    case = returned_twice()
    other = case_in("handling")
    s.case_merge(case=fresh(case), actor=user("gm_dispatch"), into=fresh(other))
    ended(case, user)


def test_signing_still_ends_it_with_the_signers_name(returned_twice, user, fresh):
    case = returned_twice()
    s.case_dispatch(case=fresh(case), actor=user("gm_dispatch"), lead_unit=unit("GM-RSJ"), cooperating_units=[])
    assert fresh(case).first_duty  # dispatched, still unsigned: the duty stays
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    end = ended(case, user)
    assert "高明区人力资源和社会保障局已签收" in end.note


def test_a_flag_left_on_a_closed_case_is_not_shown(returned_twice, user, fresh, citizen):
    case = returned_twice()
    s.case_withdraw(case=fresh(case), actor=citizen, reason="已自行解决")
    Case.objects.filter(pk=case.pk).update(first_duty=True)  # as cases closed before this fix were left
    case = fresh(case)
    assert list(first_duty_cases(user("gm_labor"))) == []
    assert inbox_counts(user("gm_labor"))[FIRST_INBOX_TAB] == 0
    assert "首接负责" not in render_to_string("cases/_first_duty_badge.html", {"case": case})
