"""Agreements (调解协议书): drafting, signing by SMS code, sealing, verification, judicial
confirmation and the performance follow-up, through ``mediation.agreements``."""

import datetime as dt
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections  # noqa: F401  (the skipif condition reads connection)
from django.utils import timezone

from cases.models import CaseEvent, Party
from mediation.agreements import services as ag
from mediation.models import Agreement, AgreementStatus, Confirmation, JudicialStatus, PerformanceStatus
from notifications.models import NotificationChannel, OutboxMessage
from notifications.services import outbox_text

FACTS = "申请人夏志明在明东五金制品厂工作，被拖欠2026年7月至9月工资共计12000元。"
TERMS = "一、被申请人于2026年12月31日前一次性支付申请人工资12000元。\n二、申请人放弃其他请求。"


def deadline(days=30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def running(mediation_in):
    """A mediation in progress with two parties (applicant 夏志明 and the employer), both with
    a mobile phone; the applicant has an ID number."""
    mediation = mediation_in("in_progress")
    Party.objects.filter(case=mediation.case, role="applicant").update(id_number="440608199001011234")
    return mediation


@pytest.fixture
def mediator(user):
    return user("gm_mediator")


def draft(mediation, actor, **kw):
    return ag.agreement_draft(
        mediation=mediation,
        actor=actor,
        facts=kw.get("facts", FACTS),
        terms=kw.get("terms", TERMS),
        performance_deadline=kw.get("performance_deadline", deadline()),
    )


def sent_code(confirmation) -> str:
    message = OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=confirmation.phone).latest("id")
    return re.search(r"确认码为 (\d{6})", outbox_text(message)).group(1)


def send(confirmation, actor, at=None) -> str:
    ag.confirmation_code_send(confirmation=confirmation, actor=actor, at=at)
    return sent_code(confirmation)


def signing(mediation, actor) -> Agreement:
    agreement = draft(mediation, actor)
    return ag.agreement_signing_start(agreement=agreement, actor=actor)


def seal(mediation, actor) -> Agreement:
    agreement = signing(mediation, actor)
    for c in Confirmation.objects.filter(agreement=agreement).order_by("id"):
        ag.confirmation_confirm(confirmation=c, actor=actor, code=send(c, actor))
    return Agreement.objects.get(pk=agreement.pk)


# Drafting ----------------------------------------------------------------------------------------


def test_draft_snapshots_the_parties_with_a_fresh_public_code(running, mediator):
    agreement = draft(running, mediator)
    assert agreement.status == AgreementStatus.DRAFT
    assert len(agreement.code) == ag.CODE_LENGTH and set(agreement.code) <= set(ag.CODE_ALPHABET)
    assert agreement.case_number == running.case.number
    names = [p["name"] for p in agreement.parties]
    assert names == ["夏志明", "佛山市高明区明东五金制品厂"]
    assert agreement.parties[0]["id_number"] == "440608199001011234"
    assert {"party_id", "role", "name", "id_number", "phone"} <= set(agreement.parties[0])
    # a double click (the same text again at once) is the same draft; other text is a new one
    assert draft(running, mediator).pk == agreement.pk
    assert draft(running, mediator, terms="被申请人分两期支付。").code != agreement.code


def test_only_the_assigned_mediator_drafts_while_in_progress(running, mediation_in, user):
    with pytest.raises(PermissionDenied):
        draft(running, user("gm_lawyer"))
    with pytest.raises(PermissionDenied):
        draft(running, user("gm_dispatch"))
    assigned = mediation_in("assigned")
    with pytest.raises(ag.AgreementError, match="调解中"):
        draft(assigned, user("gm_mediator"))


def test_draft_needs_facts_terms_and_a_deadline_not_in_the_past(running, mediator):
    with pytest.raises(ag.AgreementError, match="纠纷事实"):
        draft(running, mediator, facts="  ")
    with pytest.raises(ag.AgreementError, match="协议条款"):
        draft(running, mediator, terms="")
    with pytest.raises(ag.AgreementError, match="不能早于今天"):
        draft(running, mediator, performance_deadline=deadline(-1))
    assert not Agreement.objects.exists()


def test_edit_only_while_draft(running, mediator):
    agreement = draft(running, mediator)
    ag.agreement_update(
        agreement=agreement, actor=mediator, facts="新的事实", terms="新的条款", performance_deadline=deadline(60)
    )
    agreement.refresh_from_db()
    assert (agreement.facts, agreement.terms, agreement.performance_deadline) == ("新的事实", "新的条款", deadline(60))
    ag.agreement_signing_start(agreement=agreement, actor=mediator)
    with pytest.raises(ag.AgreementError, match="只有草拟中"):
        ag.agreement_update(
            agreement=agreement, actor=mediator, facts="x", terms="y", performance_deadline=deadline(60)
        )


# Signing -----------------------------------------------------------------------------------------


def test_signing_opens_one_confirmation_per_party(running, mediator):
    agreement = signing(running, mediator)
    assert agreement.status == AgreementStatus.SIGNING
    rows = list(Confirmation.objects.filter(agreement=agreement).order_by("id"))
    assert [(c.name, c.phone) for c in rows] == [
        ("夏志明", "13800138000"),
        ("佛山市高明区明东五金制品厂", "13700137000"),
    ]
    with pytest.raises(ag.AgreementError, match="不能重复提交"):
        ag.agreement_signing_start(agreement=agreement, actor=mediator)


def test_signing_needs_every_party_to_have_a_mobile(running, mediator):
    Party.objects.filter(case=running.case, role="respondent").update(phone="0757-88888888")
    agreement = draft(running, mediator)
    with pytest.raises(ag.AgreementError, match="佛山市高明区明东五金制品厂") as info:
        ag.agreement_signing_start(agreement=agreement, actor=mediator)
    assert "手机号码" in info.value.message
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert not Confirmation.objects.exists()


def test_signing_needs_two_parties(mediation_in, mediator):
    mediation = mediation_in("in_progress", respondent=False)
    agreement = draft(mediation, mediator)
    with pytest.raises(ag.AgreementError, match="两方当事人"):
        ag.agreement_signing_start(agreement=agreement, actor=mediator)


def test_the_code_is_sent_by_sms_stored_hashed_and_resending_is_rate_limited(running, mediator, settings):
    agreement = signing(running, mediator)
    first = agreement.confirmations.order_by("id").first()
    now = timezone.now()
    code = send(first, mediator, at=now)
    first.refresh_from_db()
    assert first.code_hash and code not in first.code_hash
    assert first.code_expires_at == now + dt.timedelta(minutes=settings.AGREEMENT_CODE_MINUTES)
    message = OutboxMessage.objects.get(kind="agreement_code")
    assert message.channel == NotificationChannel.SMS and message.recipient_phone == "13800138000"
    with pytest.raises(ag.AgreementError, match="秒后再重新发送"):
        ag.confirmation_code_send(confirmation=first, actor=mediator, at=now + dt.timedelta(seconds=10))
    later = now + dt.timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS + 1)
    assert send(first, mediator, at=later)
    assert OutboxMessage.objects.filter(kind="agreement_code").count() == 2


def test_a_wrong_code_is_counted_and_changes_nothing_else(running, mediator, settings):
    agreement = signing(running, mediator)
    first = agreement.confirmations.order_by("id").first()
    code = send(first, mediator)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ag.CodeWrongError, match="确认码不正确") as info:
        ag.confirmation_confirm(confirmation=first, actor=mediator, code=wrong)
    assert str(settings.AGREEMENT_CODE_ATTEMPTS - 1) in info.value.message
    first.refresh_from_db()
    assert first.attempts == 1 and first.confirmed_at is None and first.method == ""
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNING
    ag.confirmation_confirm(confirmation=first, actor=mediator, code=code)
    first.refresh_from_db()
    assert first.confirmed_at and first.method == "短信验证码" and first.recorded_by == mediator


def test_an_expired_code_is_refused_without_counting(running, mediator, settings):
    agreement = signing(running, mediator)
    first = agreement.confirmations.order_by("id").first()
    now = timezone.now()
    code = send(first, mediator, at=now)
    later = now + dt.timedelta(minutes=settings.AGREEMENT_CODE_MINUTES, seconds=1)
    with pytest.raises(ag.CodeExpiredError, match="已过期"):
        ag.confirmation_confirm(confirmation=first, actor=mediator, code=code, at=later)
    first.refresh_from_db()
    assert first.attempts == 0 and first.confirmed_at is None


def test_too_many_wrong_tries_use_the_code_up_until_a_new_one_is_sent(running, mediator, settings):
    agreement = signing(running, mediator)
    first = agreement.confirmations.order_by("id").first()
    now = timezone.now()
    code = send(first, mediator, at=now)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.AGREEMENT_CODE_ATTEMPTS):
        with pytest.raises(ag.CodeWrongError):
            ag.confirmation_confirm(confirmation=first, actor=mediator, code=wrong, at=now)
    with pytest.raises(ag.CodeExhaustedError, match="输错"):
        ag.confirmation_confirm(confirmation=first, actor=mediator, code=code, at=now)
    first.refresh_from_db()
    assert first.attempts == settings.AGREEMENT_CODE_ATTEMPTS and first.confirmed_at is None
    fresh = send(first, mediator, at=now + dt.timedelta(minutes=2))
    ag.confirmation_confirm(confirmation=first, actor=mediator, code=fresh, at=now + dt.timedelta(minutes=2))
    first.refresh_from_db()
    assert first.confirmed_at is not None


def test_the_three_failures_are_distinct():
    assert len({ag.CodeWrongError, ag.CodeExpiredError, ag.CodeExhaustedError}) == 3
    for cls in (ag.CodeWrongError, ag.CodeExpiredError, ag.CodeExhaustedError):
        assert issubclass(cls, ag.AgreementError)


def test_another_mediator_cannot_send_or_record_codes(running, mediator, user):
    agreement = signing(running, mediator)
    first = agreement.confirmations.order_by("id").first()
    with pytest.raises(PermissionDenied):
        ag.confirmation_code_send(confirmation=first, actor=user("gm_lawyer"))
    code = send(first, mediator)
    with pytest.raises(PermissionDenied):
        ag.confirmation_confirm(confirmation=first, actor=user("gm_lawyer"), code=code)


# Sealing -----------------------------------------------------------------------------------------


def test_sealed_only_after_every_party_confirmed(running, mediator):
    agreement = signing(running, mediator)
    first, second = agreement.confirmations.order_by("id")
    ag.confirmation_confirm(confirmation=first, actor=mediator, code=send(first, mediator))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNING and not agreement.document and not agreement.sha256
    assert not CaseEvent.objects.filter(case=running.case, transition="agreement_sealed").exists()

    result = ag.confirmation_confirm(confirmation=second, actor=mediator, code=send(second, mediator))
    assert result.status == AgreementStatus.SEALED
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SEALED and agreement.sealed_at
    with agreement.document.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == agreement.sha256
    assert CaseEvent.objects.filter(case=running.case, transition="agreement_sealed").count() == 1
    assert OutboxMessage.objects.filter(kind="agreement_sealed").count() == 2
    with pytest.raises(ag.AgreementError):
        ag.confirmation_code_send(confirmation=second, actor=mediator)


def test_the_sealed_hash_verifies_and_a_changed_byte_does_not(running, mediator):
    agreement = seal(running, mediator)
    with agreement.document.open("rb") as handle:
        data = handle.read()
    assert ag.agreement_verify(code=agreement.code, sha256=hashlib.sha256(data).hexdigest())
    assert ag.agreement_verify(code=agreement.code.lower(), sha256=agreement.sha256.upper())
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    assert not ag.agreement_verify(code=agreement.code, sha256=hashlib.sha256(bytes(changed)).hexdigest())
    assert not ag.agreement_verify(code="ABCDEFGHJKMN", sha256=agreement.sha256)
    assert not ag.agreement_verify(code=agreement.code, sha256="not a hash")


def test_an_agreement_not_sealed_never_verifies(running, mediator):
    agreement = draft(running, mediator)
    assert not ag.agreement_verify(code=agreement.code, sha256="")
    assert not ag.agreement_verify(code=agreement.code, sha256="0" * 64)


def test_void_a_draft_or_signing_but_never_a_sealed_one(running, mediator):
    agreement = signing(running, mediator)
    with pytest.raises(ag.AgreementError, match="作废原因"):
        ag.agreement_void(agreement=agreement, actor=mediator, reason="")
    ag.agreement_void(agreement=agreement, actor=mediator, reason="当事人要求修改条款")
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.VOID
    sealed = seal(running, mediator)
    with pytest.raises(ag.AgreementError, match="不能作废"):
        ag.agreement_void(agreement=sealed, actor=mediator, reason="x")


def test_settle_is_possible_once_an_agreement_is_sealed(running, mediator):
    from mediation.services import mediation_settle

    seal(running, mediator)
    mediation_settle(mediation=running, actor=mediator)
    assert running.status == "settled"


# Judicial confirmation ---------------------------------------------------------------------------


def test_judicial_confirmation_flow(running, mediator):
    agreement = seal(running, mediator)
    with pytest.raises(ag.AgreementError, match="尚未申请"):
        ag.agreement_judicial_decide(agreement=agreement, actor=mediator, confirmed=True, document_number="x")
    with pytest.raises(ag.AgreementError, match="受理法院"):
        ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court=" ")
    ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市高明区人民法院")
    agreement.refresh_from_db()
    assert agreement.judicial_status == JudicialStatus.APPLIED and agreement.judicial_applied_at
    with pytest.raises(ag.AgreementError, match="已申请"):
        ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市高明区人民法院")

    package = zipfile.ZipFile(io.BytesIO(ag.judicial_package(agreement)))
    names = set(package.namelist())
    assert names == {"司法确认申请书.pdf", f"调解协议书-{agreement.code}.pdf", "manifest.json"}
    sealed = package.read(f"调解协议书-{agreement.code}.pdf")
    assert hashlib.sha256(sealed).hexdigest() == agreement.sha256
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["sealed_sha256"] == agreement.sha256 and manifest["court"] == "佛山市高明区人民法院"
    assert package.read("司法确认申请书.pdf").startswith(b"%PDF-")

    with pytest.raises(ag.AgreementError, match="法院文书号"):
        ag.agreement_judicial_decide(agreement=agreement, actor=mediator, confirmed=True, document_number="")
    ag.agreement_judicial_decide(
        agreement=agreement, actor=mediator, confirmed=True, document_number="（2026）粤0608民特123号"
    )
    agreement.refresh_from_db()
    assert agreement.judicial_status == JudicialStatus.CONFIRMED
    assert agreement.judicial_document == "（2026）粤0608民特123号" and agreement.judicial_decided_at
    events = list(
        CaseEvent.objects.filter(case=running.case, transition__in=["judicial_apply", "judicial_decide"])
        .order_by("id")
        .values_list("transition", flat=True)
    )
    assert events == ["judicial_apply", "judicial_decide"]


def test_judicial_needs_a_sealed_agreement_and_its_mediator(running, mediator, user):
    agreement = signing(running, mediator)
    with pytest.raises(ag.AgreementError, match="封存"):
        ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市高明区人民法院")
    sealed = seal(running, mediator)
    with pytest.raises(PermissionDenied):
        ag.agreement_judicial_apply(agreement=sealed, actor=user("gm_lawyer"), court="佛山市高明区人民法院")


def test_a_refused_application_may_be_made_again(running, mediator):
    agreement = seal(running, mediator)
    ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市高明区人民法院")
    ag.agreement_judicial_decide(
        agreement=agreement, actor=mediator, confirmed=False, document_number="（2026）粤0608民特9号"
    )
    assert Agreement.objects.get(pk=agreement.pk).judicial_status == JudicialStatus.REFUSED
    ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市中级人民法院")
    assert Agreement.objects.get(pk=agreement.pk).judicial_status == JudicialStatus.APPLIED


# Performance follow-up ---------------------------------------------------------------------------


def test_followup_reminds_the_mediator_once_when_the_deadline_has_come(running, mediator):
    agreement = seal(running, mediator)
    other = seal(running, mediator)
    Agreement.objects.filter(pk=other.pk).update(performance_deadline=deadline(60))  # due later
    due = agreement.performance_deadline
    assert ag.agreements_followup_remind(now=timezone.now()) == 0
    at = timezone.make_aware(dt.datetime.combine(due, dt.time(9)))
    assert ag.agreements_followup_remind(now=at) == 1
    assert ag.agreements_followup_remind(now=at) == 0
    assert ag.agreements_followup_remind(now=at + dt.timedelta(days=1)) == 0
    message = OutboxMessage.objects.get(kind="agreement_followup")
    assert message.channel == NotificationChannel.INAPP and message.recipient_user == mediator
    assert agreement.code in message.body
    assert Agreement.objects.get(pk=agreement.pk).performance_reminded_at == at


def test_followup_skips_agreements_already_checked_or_not_sealed(running, mediator):
    checked = seal(running, mediator)
    ag.agreement_performance_record(agreement=checked, actor=mediator, carried_out=True, note="")
    signing(running, mediator)
    at = timezone.now() + dt.timedelta(days=400)
    assert ag.agreements_followup_remind(now=at) == 0


def test_recording_performance(running, mediator):
    agreement = seal(running, mediator)
    with pytest.raises(ag.AgreementError, match="回访情况"):
        ag.agreement_performance_record(agreement=agreement, actor=mediator, carried_out=False, note="")
    ag.agreement_performance_record(
        agreement=agreement, actor=mediator, carried_out=False, note="被申请人仅支付了6000元，余款未付。"
    )
    agreement.refresh_from_db()
    assert agreement.performance_status == PerformanceStatus.NOT_CARRIED_OUT
    assert agreement.performance_checked_at and "6000" in agreement.performance_note
    event = CaseEvent.objects.get(case=running.case, transition="performance_check")
    assert "未履行" in event.note


# Concurrency (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL")
def test_two_last_confirmations_at_once_seal_exactly_once(running, mediator, race):
    agreement = signing(running, mediator)
    first, second = agreement.confirmations.order_by("id")
    codes = [send(first, mediator), send(second, mediator)]
    results = race(
        lambda: ag.confirmation_confirm(confirmation=first, actor=mediator, code=codes[0]),
        lambda: ag.confirmation_confirm(confirmation=second, actor=mediator, code=codes[1]),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SEALED
    assert CaseEvent.objects.filter(case=running.case, transition="agreement_sealed").count() == 1
    assert Confirmation.objects.filter(agreement=agreement, confirmed_at__isnull=False).count() == 2
    with agreement.document.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == agreement.sha256
