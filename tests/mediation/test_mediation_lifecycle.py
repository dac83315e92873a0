"""The mediation lifecycle: each transition, its permission, its event on the case timeline,
the case clock stopping and restarting, and the referring body told the outcome."""

import pytest
from django.core.exceptions import PermissionDenied

from cases.models import Case, CaseEvent
from mediation import services as ms
from mediation.models import Agreement, AgreementStatus, Mediation, MediationStatus, Source
from notifications.models import OutboxMessage
from routing.models import MatterType, Region, Unit


def events(case):
    return list(CaseEvent.objects.filter(case=case).values_list("transition", flat=True))


def sealed_agreement(mediation, user):
    return Agreement.objects.create(
        mediation=mediation,
        code=f"T{mediation.pk:011d}",
        parties=[],
        facts="拖欠工资",
        terms="一次性支付12000元",
        performance_deadline="2026-12-31",
        case_number=mediation.case.number,
        status=AgreementStatus.SEALED,
        sha256="0" * 64,
        created_by=user,
    )


def test_referral_stops_the_case_clock_and_asks_the_centre(handling_case, user):
    case = handling_case()
    m = ms.mediation_request(case=case, actor=user("gm_labor"), note="双方同意调解")
    case = Case.objects.get(pk=case.pk)
    assert m.status == MediationStatus.REQUESTED
    assert m.number == f"{case.number}-调1"
    assert case.paused_at is not None and case.pause_reason.startswith("调解中")
    assert events(case)[-2:] == ["mediation_request", "pause"]
    assert OutboxMessage.objects.filter(recipient_user=user("gm_dispatch"), kind="mediation").exists()


def test_only_one_open_mediation_per_case(mediation_in, user):
    m = mediation_in("requested")
    with pytest.raises(ms.MediationError, match="已有进行中的调解"):
        ms.mediation_request(case=m.case, actor=user("gm_labor"), note="再次移交")
    assert Mediation.objects.filter(case=m.case).count() == 1


def test_a_handler_of_another_unit_cannot_refer(handling_case, user):
    case = handling_case()
    with pytest.raises(PermissionDenied):
        ms.mediation_request(case=case, actor=user("mc_centre"), note="越权移交")
    assert not Mediation.objects.exists()


def test_a_matter_that_is_not_mediable_cannot_be_referred(handling_case, user):
    case = handling_case()
    MatterType.objects.filter(pk=case.matter_id).update(mediable=False)
    case.matter.refresh_from_db()
    with pytest.raises(ms.MediationError, match="不适用调解"):
        ms.mediation_request(case=case, actor=user("gm_labor"), note="试图调解")
    assert not Mediation.objects.exists()


def test_blank_note_is_refused_and_nothing_is_written(handling_case, user):
    case = handling_case()
    before = CaseEvent.objects.count()
    with pytest.raises(ms.MediationError, match="请说明移交调解的理由"):
        ms.mediation_request(case=case, actor=user("gm_labor"), note="  ")
    assert CaseEvent.objects.count() == before


def test_assign_accept_and_the_deadline(mediation_in, user, fresh):
    m = mediation_in("assigned")
    assert m.mediator.user.username == "gm_mediator"
    assert m.match_explanation[0].startswith("综合得分")
    assert OutboxMessage.objects.filter(recipient_user=user("gm_mediator"), kind="mediation").exists()
    ms.mediation_accept(mediation=m, actor=user("gm_mediator"), no_conflict=True)
    m = fresh(m)
    assert m.status == MediationStatus.IN_PROGRESS
    assert m.no_conflict_declared and (m.due_at - m.accepted_at).days == 30
    assert events(m.case)[-2:] == ["mediation_assign", "mediation_accept"]


def test_accepting_without_declaring_no_conflict_is_refused(mediation_in, user, fresh):
    m = mediation_in("assigned")
    with pytest.raises(ms.MediationError, match="无利害关系"):
        ms.mediation_accept(mediation=m, actor=user("gm_mediator"), no_conflict=False)
    assert fresh(m).status == MediationStatus.ASSIGNED


def test_only_the_assigned_mediator_accepts(mediation_in, user, fresh):
    m = mediation_in("assigned")
    for other in ("gm_lawyer", "gm_dispatch", "gm_labor"):
        with pytest.raises(PermissionDenied):
            ms.mediation_accept(mediation=fresh(m), actor=user(other), no_conflict=True)


def test_decline_returns_it_to_the_dispatchers(mediation_in, user, fresh):
    m = mediation_in("assigned")
    ms.mediation_decline(mediation=m, actor=user("gm_mediator"), reason="与被申请人系亲属，申请回避")
    m = fresh(m)
    assert m.status == MediationStatus.REQUESTED and m.mediator is None
    assert events(m.case)[-1] == "mediation_decline"
    # the reason (a relationship with a party) is not on the citizen's timeline
    assert not CaseEvent.objects.get(case=m.case, transition="mediation_decline").public


def test_only_the_centre_assigns(mediation_in, user):
    m = mediation_in("requested")
    with pytest.raises(PermissionDenied):
        ms.mediation_assign(mediation=m, actor=user("gm_labor"), mediator=user("gm_mediator").mediator_profile)


def test_a_full_mediator_cannot_be_assigned(mediation_in, user, fresh):
    m = mediation_in("requested")
    profile = user("gm_veteran").mediator_profile
    profile.max_concurrent = 1
    profile.save()
    other = mediation_in("assigned", mediator="gm_veteran")
    assert other.mediator_id == profile.pk
    with pytest.raises(ms.MediationError, match="当前不可指派"):
        ms.mediation_assign(mediation=fresh(m), actor=user("gm_dispatch"), mediator=profile)
    assert fresh(m).status == MediationStatus.REQUESTED


def test_settle_needs_a_sealed_agreement_then_resumes_the_clock(mediation_in, user, fresh):
    m = mediation_in("in_progress")
    with pytest.raises(ms.MediationError, match="尚无各方确认并封存"):
        ms.mediation_settle(mediation=m, actor=user("gm_mediator"))
    sealed_agreement(m, user("gm_mediator"))
    ms.mediation_settle(mediation=fresh(m), actor=user("gm_mediator"), note="双方达成协议")
    m = fresh(m)
    case = Case.objects.get(pk=m.case_id)
    assert m.status == MediationStatus.SETTLED and m.ended_at
    assert case.paused_at is None
    assert events(case)[-2:] == ["mediation_settle", "resume"]
    assert OutboxMessage.objects.filter(recipient_user=user("gm_labor"), kind="mediation_outcome").exists()


def test_fail_records_the_way_forward(mediation_in, user, fresh):
    m = mediation_in("in_progress")
    ms.mediation_fail(mediation=m, actor=user("gm_mediator"), reason="被申请人拒不到场", next_step="litigation")
    m = fresh(m)
    assert m.status == MediationStatus.FAILED and m.failure_next == "litigation"
    assert "后续：引导诉讼" in CaseEvent.objects.filter(case=m.case, transition="mediation_fail").get().note
    with pytest.raises(ms.MediationError):
        ms.mediation_fail(mediation=fresh(m), actor=user("gm_mediator"), reason="再次", next_step="other")


def test_fail_needs_a_known_way_forward(mediation_in, user, fresh):
    m = mediation_in("in_progress")
    with pytest.raises(ms.MediationError, match="后续途径"):
        ms.mediation_fail(mediation=m, actor=user("gm_mediator"), reason="不成", next_step="magic")
    assert fresh(m).status == MediationStatus.IN_PROGRESS


@pytest.mark.parametrize("status", ["requested", "assigned", "in_progress"])
def test_withdraw_by_the_referring_unit_from_any_open_state(mediation_in, user, status, fresh):
    m = mediation_in(status)
    ms.mediation_withdraw(mediation=m, actor=user("gm_labor"), reason="当事人已自行和解")
    m = fresh(m)
    assert m.status == MediationStatus.WITHDRAWN
    assert Case.objects.get(pk=m.case_id).paused_at is None


def test_the_mediator_cannot_withdraw(mediation_in, user):
    m = mediation_in("in_progress")
    with pytest.raises(PermissionDenied):
        ms.mediation_withdraw(mediation=m, actor=user("gm_mediator"), reason="不想调了")


def test_a_court_referral_creates_the_case_and_tells_the_court_the_outcome(mediators, user, fresh):
    from cases.services import PartyData

    court = Unit.objects.get(code="GM-FY")
    m = ms.referral_register(
        actor=user("gm_window"),
        source=Source.COURT,
        referral_document="（2026）粤0608民诉前调1234号",
        referring_unit=court,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        title="某五金厂拖欠工资纠纷（诉前委派）",
        description="原告夏志明诉某五金厂拖欠工资一万二千元，法院诉前委派调解。",
        parties=[
            PartyData(name="夏志明", phone="13800138000", role="applicant"),
            PartyData(name="明东五金制品厂", phone="13700137000", role="respondent"),
        ],
    )
    assert m.status == MediationStatus.REQUESTED and m.case.channel == "referral"
    assert m.case.status in ("accepted", "dispatched")
    ms.mediation_assign(
        mediation=fresh(m), actor=user("gm_dispatch"), mediator=user("gm_court_mediator").mediator_profile
    )
    ms.mediation_accept(mediation=fresh(m), actor=user("gm_court_mediator"), no_conflict=True)
    ms.mediation_fail(mediation=fresh(m), actor=user("gm_court_mediator"), reason="差额过大", next_step="litigation")
    m = fresh(m)
    assert m.referrer_notified_at is not None


def test_a_court_referral_needs_the_document_number(mediators, user):
    from cases.services import PartyData

    with pytest.raises(ms.MediationError, match="移送文书号"):
        ms.referral_register(
            actor=user("gm_window"),
            source=Source.POLICE,
            referral_document=" ",
            referring_unit=None,
            matter=MatterType.objects.get(code="neighbour.noise"),
            region=Region.objects.get(code="440608102201"),
            title="邻里噪音纠纷",
            description="警情转来：楼上夜间噪音扰民，双方争吵。",
            parties=[PartyData(name="何秀英", role="applicant"), PartyData(name="李某", role="respondent")],
        )
    assert not Case.objects.exists()


def test_sessions_are_scheduled_recorded_and_parties_reminded_once(mediation_in, user):
    from datetime import timedelta

    from django.utils import timezone

    m = mediation_in("in_progress")
    mediator = user("gm_mediator")
    soon = timezone.now() + timedelta(hours=20)
    session = ms.session_schedule(
        mediation=m,
        actor=mediator,
        scheduled_at=soon,
        mode="onsite",
        place="明城镇综治中心调解室",
        participants="夏志明",
    )
    sms = OutboxMessage.objects.filter(kind="mediation_session")
    assert sms.count() == 2  # applicant and respondent
    assert ms.session_reminders_send() == 1
    assert ms.session_reminders_send() == 0  # once
    assert OutboxMessage.objects.filter(kind="mediation_reminder").count() == 2
    with pytest.raises(ms.MediationError, match="尚未开始"):
        ms.session_record(session=session, actor=mediator, attendance="双方到场", record="提前写好的笔录")
    ms.session_record(
        session=session,
        actor=mediator,
        attendance="双方到场",
        record="申请人要求支付工资一万二千元……",
        at=soon + timedelta(hours=1),
    )
    session.refresh_from_db()
    assert session.status == "held" and session.record.startswith("申请人")


def test_a_video_session_needs_a_link(mediation_in, user):
    from django.utils import timezone

    m = mediation_in("in_progress")
    with pytest.raises(ms.MediationError, match="会议链接"):
        ms.session_schedule(mediation=m, actor=user("gm_mediator"), scheduled_at=timezone.now(), mode="video")


def test_sessions_only_by_the_assigned_mediator_while_in_progress(mediation_in, user):
    from django.utils import timezone

    m = mediation_in("assigned")
    with pytest.raises(ms.MediationError):
        ms.session_schedule(mediation=m, actor=user("gm_mediator"), scheduled_at=timezone.now(), mode="phone")
    with pytest.raises(PermissionDenied):
        ms.session_schedule(mediation=m, actor=user("gm_lawyer"), scheduled_at=timezone.now(), mode="phone")
