"""What a mediation in progress protects: the case underneath it, the parties' data, the SMS the
parties get, and the mediation itself against stale and double submissions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as cs
from cases.handover import handover_request
from cases.models import Case, CaseEvent, Outcome
from cases.permissions import available_actions
from mediation import services as ms
from mediation.models import Mediation, MediationSession, MediationStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_text


def fresh_case(m) -> Case:
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=m.case_id)


def test_the_case_is_held_while_the_mediation_runs(mediation_in, user, fresh):
    m = mediation_in("in_progress")
    labor = user("gm_labor")
    offered = available_actions(labor, fresh_case(m))
    assert not {"request_return", "request_transfer", "escalate", "submit_result", "resume"} & set(offered)
    assert "add_note" in offered  # progress notes stay possible
    with pytest.raises(cs.CaseError, match="本案正在调解中"):
        handover_request(case=fresh_case(m), actor=labor, kind="return", reason="不属于本单位职责")
    with pytest.raises(cs.CaseError, match="本案正在调解中"):
        cs.case_submit_result(case=fresh_case(m), actor=labor, result="已调解", outcome=Outcome.MEDIATED)
    with pytest.raises(cs.CaseError, match="本案正在调解中"):
        cs.case_resume(case=fresh_case(m), actor=labor)
    assert fresh_case(m).status == "handling" and fresh_case(m).paused_at is not None
    # once the mediation has ended, the unit reports as usual
    ms.mediation_withdraw(mediation=fresh(m), actor=labor, reason="当事人已自行和解")
    assert "submit_result" in available_actions(labor, fresh_case(m))


def test_the_case_page_does_not_offer_held_actions(mediation_in, login):
    m = mediation_in("in_progress")
    html = login("gm_labor").get(reverse("cases:case-detail", args=[m.case.number])).content.decode()
    assert 'data-testid="action-submit_result"' not in html and 'data-testid="action-request_return"' not in html


def test_sessions_of_an_ended_mediation_are_cancelled_and_nobody_is_reminded(mediation_in, user, fresh):
    m = mediation_in("in_progress")
    ms.session_schedule(
        mediation=m, actor=user("gm_mediator"), scheduled_at=timezone.now() + timedelta(hours=20), mode="phone"
    )
    ms.mediation_withdraw(mediation=fresh(m), actor=user("gm_labor"), reason="当事人已自行和解")
    assert MediationSession.objects.get().status == "cancelled"
    assert ms.session_reminders_send() == 0
    assert not OutboxMessage.objects.filter(kind="mediation_reminder").exists()


def test_a_replaced_mediators_stale_accept_is_refused(mediation_in, user, fresh):
    m = mediation_in("assigned")
    stale = fresh(m)  # the old mediator's page
    ms.mediation_assign(mediation=fresh(m), actor=user("gm_dispatch"), mediator=user("gm_lawyer").mediator_profile)
    with pytest.raises(ms.MediationError, match="刚被他人处理"):
        ms.mediation_accept(mediation=stale, actor=user("gm_mediator"), no_conflict=True)
    m = fresh(m)
    assert m.status == MediationStatus.ASSIGNED and m.mediator.user.username == "gm_lawyer"
    assert not m.no_conflict_declared


def test_a_double_click_schedules_one_session_and_texts_once(mediation_in, user):
    m = mediation_in("in_progress")
    when = timezone.now() + timedelta(days=2)
    for _ in range(2):
        ms.session_schedule(mediation=m, actor=user("gm_mediator"), scheduled_at=when, mode="onsite", place="调解室")
    assert MediationSession.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="mediation_session").count() == 2  # two parties, once each


def test_settle_waits_for_agreements_being_signed(mediation_in, user, fresh):
    from mediation.agreements import services as ag
    from mediation.models import Agreement

    m = mediation_in("in_progress")
    mediator = user("gm_mediator")
    Agreement.objects.create(
        mediation=m,
        code="SEALED000001",
        parties=[],
        facts="事实",
        terms="条款",
        performance_deadline=timezone.localdate(),
        case_number=m.case.number,
        status="sealed",
        sha256="0" * 64,
        created_by=mediator,
    )
    signing = ag.agreement_draft(
        mediation=m, actor=mediator, facts="事实二", terms="条款二", performance_deadline=timezone.localdate()
    )
    ag.agreement_signing_start(agreement=signing, actor=mediator)
    with pytest.raises(ms.MediationError, match="还有 1 份协议书尚未完成各方确认"):
        ms.mediation_settle(mediation=fresh(m), actor=mediator)
    assert fresh(m).status == MediationStatus.IN_PROGRESS


def test_agreement_events_stay_off_the_citizens_timeline(mediation_in, user):
    """A group agreement names other claimants: the public tracking page must not show them."""
    from mediation.agreements import services as ag

    m = mediation_in("in_progress")
    mediator = user("gm_mediator")
    agreement = ag.agreement_draft(
        mediation=m, actor=mediator, facts="事实", terms="条款", performance_deadline=timezone.localdate()
    )
    ag.agreement_signing_start(agreement=agreement, actor=mediator)
    for confirmation in agreement.confirmations.all():
        ag.confirmation_code_send(confirmation=confirmation, actor=mediator)
        body = outbox_text(
            OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=confirmation.phone).latest("id")
        )
        code = body.split("确认码为 ")[1][:6]
        ag.confirmation_confirm(confirmation=confirmation, actor=mediator, code=code)
    event = CaseEvent.objects.get(case=m.case, transition="agreement_sealed")
    assert not event.public


def test_a_referral_outside_the_centres_area_is_a_form_error(mediators, login):
    from routing.models import MatterType

    client = login("gm_window")  # 高明区 window
    data = {
        "source": "police",
        "referral_document": "禅公（调）字〔2026〕18号",
        "matter": str(MatterType.objects.get(code="neighbour.noise").pk),
        "region_0": "44",
        "region_1": "4406",
        "region_2": "440604",
        "region_3": "440604012",
        "region_4": "440604012201",
        "title": "邻里噪音纠纷",
        "description": "楼上夜间噪音扰民，双方争吵报警。",
        "applicant_name": "何秀英",
        "respondent_name": "李某",
    }
    response = client.post(reverse("mediation:referral-new"), data)
    assert response.status_code == 400
    assert "不在本中心的受理范围内" in response.content.decode()
    assert "邻里噪音纠纷" in response.content.decode()
    assert not Mediation.objects.exists()


def test_the_case_panel_links_only_mediations_the_user_may_open(mediation_in, login):
    m = mediation_in("in_progress")
    detail = reverse("mediation:mediation-detail", args=[m.number])
    assert detail in login("gm_labor").get(reverse("cases:case-detail", args=[m.case.number])).content.decode()
    page = login("gm_window").get(reverse("cases:case-detail", args=[m.case.number])).content.decode()
    assert m.number in page and detail not in page
