"""The 调解协议书 and 司法确认申请书 PDFs: Chinese text extracted back, the QR code, determinism."""

import datetime as dt
import re
from io import BytesIO

import pytest
import segno
from django.utils import timezone
from pdfminer.high_level import extract_text

from cases.models import Party
from mediation.agreements import services as ag
from mediation.agreements.pdf import agreement_pdf, judicial_application_pdf, qr_drawing, verify_url
from mediation.models import Agreement, Confirmation
from notifications.models import OutboxMessage
from notifications.services import outbox_text

FACTS = "申请人夏志明在明东五金制品厂工作，被拖欠2026年7月至9月工资共计12000元。"
TERMS = "一、被申请人于2026年12月31日前一次性支付申请人工资12000元。\n二、申请人放弃其他请求。"


def squash(text: str) -> str:
    """Extracted text without the line breaks and spaces the layout adds."""
    return re.sub(r"\s+", "", text)


def text_of(data: bytes) -> str:
    return squash(extract_text(BytesIO(data)))


@pytest.fixture
def mediator(user):
    return user("gm_mediator")


@pytest.fixture
def agreement(mediation_in, mediator):
    mediation = mediation_in("in_progress")
    Party.objects.filter(case=mediation.case, role="applicant").update(id_number="440608199001011234")
    return ag.agreement_draft(
        mediation=mediation,
        actor=mediator,
        facts=FACTS,
        terms=TERMS,
        performance_deadline=timezone.localdate() + dt.timedelta(days=30),
    )


def sealed(agreement, mediator) -> Agreement:
    ag.agreement_signing_start(agreement=agreement, actor=mediator)
    for c in Confirmation.objects.filter(agreement=agreement).order_by("id"):
        ag.confirmation_code_send(confirmation=c, actor=mediator)
        body = outbox_text(OutboxMessage.objects.filter(recipient_phone=c.phone, kind="agreement_code").latest("id"))
        ag.confirmation_confirm(confirmation=c, actor=mediator, code=re.search(r"确认码为 (\d{6})", body).group(1))
    return Agreement.objects.select_related("mediation__mediator__user", "mediation__case").get(pk=agreement.pk)


def test_the_draft_renders_its_chinese_content(agreement):
    text = text_of(agreement_pdf(agreement))
    for expected in (
        "人民调解协议书",
        agreement.code,
        agreement.case_number,
        "当事人",
        "夏志明",
        "440608199001011234",  # the legal document carries the full ID number
        "佛山市高明区明东五金制品厂",
        "一、纠纷事实",
        squash(FACTS),
        squash(TERMS.splitlines()[0]),
        squash(TERMS.splitlines()[1]),
        "三、履行期限",
        "调解员：刘建国（高明区人民调解委员会）",
        "调解组织：高明区人民调解委员会",
        "不发生法律效力",
    ):
        assert expected in text, expected
    assert "当事人确认记录" not in text


def test_the_sealed_document_lists_each_confirmation(agreement, mediator):
    agreement = sealed(agreement, mediator)
    with agreement.document.open("rb") as handle:
        text = text_of(handle.read())
    assert "当事人确认记录" in text
    assert text.count("短信验证码") == 2
    assert "138****8000" in text and "137****7000" in text
    assert "不发生法律效力" not in text
    local = timezone.localtime(agreement.sealed_at)
    assert f"日期：{local.year}年{local.month}月{local.day}日" in text


def test_rendering_is_deterministic(agreement):
    assert agreement_pdf(agreement) == agreement_pdf(agreement)


def test_party_text_is_escaped_not_markup(agreement):
    agreement.facts = "甲方称<b>乙方</b>欠款 & 未还"
    text = text_of(agreement_pdf(agreement))
    assert "甲方称<b>乙方</b>欠款&未还" in text


def test_the_qr_code_points_to_the_public_verification_page(agreement):
    url = verify_url(agreement.code)
    assert url == f"http://testserver/mediation/verify/?code={agreement.code}"
    drawing = qr_drawing(url)
    assert len(drawing.contents) > 20  # the white background and runs of dark modules
    # The text the PDF prints matches the QR's payload.
    assert url in text_of(agreement_pdf(agreement))
    assert segno.make(url, error="m", micro=False).version >= 1


def test_a_long_agreement_flows_onto_more_pages(agreement):
    agreement.terms = "\n".join(f"{i}、被申请人按月支付申请人人民币一千元整，直至付清为止。" for i in range(1, 80))
    data = agreement_pdf(agreement)
    text = extract_text(BytesIO(data))
    assert "第 2 页" in text
    assert "79、被申请人" in squash(text)


def test_the_judicial_application(agreement, mediator):
    agreement = sealed(agreement, mediator)
    ag.agreement_judicial_apply(agreement=agreement, actor=mediator, court="佛山市高明区人民法院")
    agreement = Agreement.objects.select_related("mediation__mediator__user").get(pk=agreement.pk)
    text = text_of(judicial_application_pdf(agreement))
    for expected in (
        "司法确认申请书",
        "申请人",
        "夏志明",
        "请求事项",
        agreement.code,
        "事实与理由",
        squash(FACTS),
        "人民调解法",
        agreement.sha256,
        "此致",
        "佛山市高明区人民法院",
    ):
        assert expected in text, expected
