"""The mediation PDFs with hostile names and texts (issue #19 gate): the 调解协议书, the
司法确认申请书 and the 调解笔录 of the litigation package. Each renders, and markup and formulas a
user typed read back as the literal characters (ReportLab's ``Paragraph`` parses markup: escaped)."""

import datetime as dt
import re
from io import BytesIO

import pytest
from django.utils import timezone
from pdfminer.high_level import extract_text

from mediation.agreements import services as ag
from mediation.agreements.pdf import agreement_pdf, judicial_application_pdf
from mediation.litigation.record_pdf import RecordsDocument, SessionRecord, records_pdf

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<unclosed 拖欠工资",
    '<img src="/etc/passwd"/>图',
    "<b>粗</b>&amp;<font size=40>大</font>",
    '=HYPERLINK("http://x","点我")',
    "</para><para>换段",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return squash(extract_text(BytesIO(data)))


@pytest.mark.parametrize("payload", PAYLOADS, ids=["unclosed", "img", "tags", "formula", "para"])
def test_agreement_and_judicial_application_read_back_literally(mediation_in, user, payload):
    mediation = mediation_in("in_progress")
    agreement = ag.agreement_draft(
        mediation=mediation,
        actor=user("gm_mediator"),
        facts=payload + " 事实",
        terms=payload + " 条款",
        performance_deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    agreement.parties = [{**p, "name": payload + p.get("name", "")} for p in agreement.parties or []]
    agreement.court = payload + "法院"
    profile = agreement.mediation.mediator
    profile.organisation = payload + "调委会"
    want = squash(payload)

    text = text_of(agreement_pdf(agreement))
    assert text.count(want) >= 3, text  # facts, terms, a party's name (and the organisation)
    text = text_of(judicial_application_pdf(agreement))
    assert want in text, text


@pytest.mark.parametrize("payload", PAYLOADS, ids=["unclosed", "img", "tags", "formula", "para"])
def test_the_session_records_read_back_literally(payload):
    session = SessionRecord(
        title="第 1 次调解",
        when="2026年11月21日 14:05",
        mode=payload,
        place=payload + "调解室",
        status="已举行",
        participants=payload + "夏志明",
        attendance=payload,
        record=payload + " 笔录内容",
        recorded_at="2026年11月21日 15:00",
    )
    document = RecordsDocument(
        mediation_number="高明-2026-000001-调1",
        case_number="高明-2026-000001",
        case_title=payload,
        mediator=payload + "调解员",
        organisation=payload + "调委会",
        outcome="调解不成",
        outcome_note=payload,
        generated_at="2026年11月22日 09:00",
        sessions=[session],
    )
    text = text_of(records_pdf(document))
    assert text.count(squash(payload)) >= 5, text
