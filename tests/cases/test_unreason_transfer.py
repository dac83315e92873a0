"""A 不合理诉求 label and a transfer (review of issue #15, finding 1): a *pending* proposal of the
unit a case leaves lapses (已失效, internal event); a label approved for that unit stays for it but
neither blocks the new lead unit's own proposal nor shows as the new unit's badge."""

import pytest
from django.template.loader import render_to_string

from cases import services as s
from cases.handover import handover_approve, handover_request
from cases.handover_models import HandoverKind
from cases.models import Case, CaseEvent, UnreasonLabel
from cases.unreason import pending_labels, unreason_approve, unreason_propose, unreason_revoke
from core.errors import StaleError
from routing.models import Unit

pytestmark = pytest.mark.django_db

REASON = "诉求人要求按其自报工时补发加班费，经核实已依法足额支付，三次答复后仍反复提出。"


def propose(case, actor):
    return unreason_propose(case=case, actor=actor, kind="unreasonable", grounds=["beyond_policy"], reason=REASON)


def unit(code):
    return Unit.objects.get(code=code)


def move(how, case, user, fresh):
    if how == "centre_transfer":
        s.case_transfer(case=fresh(case), actor=user("gm_dispatch"), to_unit=unit("GM-MC-ZZ"), reason="中心直接转办")
        return
    kind = HandoverKind.TRANSFER if how == "transfer_request" else HandoverKind.RETURN
    proposed = unit("GM-MC-ZZ") if kind == HandoverKind.TRANSFER else None
    request = handover_request(
        case=fresh(case), actor=user("gm_labor"), kind=kind, reason="不属本单位", proposed_unit=proposed
    )
    request.case = fresh(case)
    handover_approve(request=request, actor=user("gm_dispatch"))


@pytest.mark.parametrize("how", ["centre_transfer", "transfer_request", "return_request"])
def test_a_pending_proposal_lapses_when_the_case_leaves_the_unit(case_in, user, fresh, how):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    move(how, case, user, fresh)
    label.refresh_from_db()
    assert label.status == "lapsed" and label.get_status_display() == "已失效"
    [event] = CaseEvent.objects.filter(case=case, transition="unreason_lapse")
    assert not event.public and "高明区人力资源和社会保障局的不合理诉求认定申请已失效" in event.note
    assert list(pending_labels(user("gm_dispatch"))) == []
    with pytest.raises(StaleError):
        unreason_approve(
            label=UnreasonLabel.objects.select_related("case", "unit").get(pk=label.pk), actor=user("gm_dispatch")
        )
    assert fresh(case).unreason == ""


def test_the_new_unit_proposes_its_own_and_the_old_label_stays_for_the_old_unit(case_in, user, fresh):
    case = case_in("handling")
    old = propose(case, user("gm_labor"))
    unreason_approve(label=old, actor=user("gm_dispatch"))
    move("centre_transfer", case, user, fresh)
    s.case_sign(case=fresh(case), actor=user("mc_centre"))
    moved = fresh(case)
    assert moved.unreason_unit.code == "GM-RSJ"  # approved for 高明区人社局: its figures, not 明城镇's
    assert "已认定" not in render_to_string("cases/_unreason_badge.html", {"case": moved})
    new = propose(moved, user("mc_centre"))  # used to be refused: "该案件已被认定为不合理诉求"
    assert new.status == "pending" and new.unit.code == "GM-MC-ZZ"
    unreason_approve(
        label=UnreasonLabel.objects.select_related("case", "unit").get(pk=new.pk), actor=user("gm_dispatch")
    )
    moved = fresh(case)
    assert moved.unreason_unit.code == "GM-MC-ZZ"
    assert "已认定不合理诉求" in render_to_string("cases/_unreason_badge.html", {"case": moved})
    # revoking the old unit's label leaves the new unit's in force on the case
    old = UnreasonLabel.objects.select_related("case", "unit").get(pk=old.pk)
    old.case = fresh(case)
    unreason_revoke(label=old, actor=user("gm_dispatch"), reason="群众提供新证据")
    assert Case.objects.get(pk=case.pk).unreason_unit_id == unit("GM-MC-ZZ").pk
    assert UnreasonLabel.objects.get(pk=new.pk).status == "approved"


def test_the_new_units_page_offers_its_own_proposal(case_in, user, fresh, login):
    from django.urls import reverse

    case = case_in("handling")
    unreason_approve(label=propose(case, user("gm_labor")), actor=user("gm_dispatch"))
    move("centre_transfer", case, user, fresh)
    s.case_sign(case=fresh(case), actor=user("mc_centre"))
    body = login("mc_centre").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="unreason-propose"' in body
    assert "（高明区人力资源和社会保障局）" in body  # the panel names the unit the old label is for
    assert 'data-testid="unreason-badge"' not in body
