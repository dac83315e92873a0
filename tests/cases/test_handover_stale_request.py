"""A 退回/转办申请 filed while the centre moves the case (review of issue #15, finding 4): the request
is checked against the case row locked in the database, not the page's copy; a pending request of a
unit the case has left is moot and blocks nothing."""

import pytest

from cases import services as s
from cases.handover import HandoverStale, handover_request
from cases.handover_models import HandoverKind, HandoverRequest, HandoverStatus
from cases.permissions import available_actions, pending_handover
from routing.models import Unit


def unit(code):
    return Unit.objects.get(code=code)


@pytest.mark.django_db
def test_a_request_from_a_page_loaded_before_a_transfer_is_refused(case_in, user, fresh):
    case = case_in("handling")
    page_copy = fresh(case)  # the unit's form, loaded while the case was still its own
    s.case_transfer(case=fresh(case), actor=user("gm_dispatch"), to_unit=unit("GM-MC-ZZ"), reason="中心直接转办")
    with pytest.raises(HandoverStale, match="刚已移交"):
        handover_request(case=page_copy, actor=user("gm_labor"), kind=HandoverKind.RETURN, reason="不属劳动争议")
    assert not HandoverRequest.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_left_over_request_of_the_previous_unit_blocks_nothing(case_in, user, fresh):
    case = case_in("handling")
    s.case_transfer(case=fresh(case), actor=user("gm_dispatch"), to_unit=unit("GM-MC-ZZ"), reason="中心直接转办")
    # what the race used to leave: the old unit's request, pending, inserted after the transfer
    old = HandoverRequest.objects.create(
        case=case,
        kind=HandoverKind.RETURN,
        unit=unit("GM-RSJ"),
        requested_by=user("gm_labor"),
        reason="不属劳动争议",
        created_at=case.created_at,
    )
    moved = fresh(case)
    assert pending_handover(moved) is None
    assert "request_return" in available_actions(user("mc_centre"), moved)
    new = handover_request(case=fresh(case), actor=user("mc_centre"), kind=HandoverKind.RETURN, reason="属人社职责")
    assert new.status == HandoverStatus.PENDING
    assert HandoverRequest.objects.get(pk=old.pk).status == HandoverStatus.LAPSED
