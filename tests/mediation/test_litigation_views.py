"""一键诉讼 screens: the panel on the mediation page, submitting with a confirmation, the
permission-checked download, the court's reply form, the admin, and the panel's query count."""

import hashlib
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, Party, PartyRole
from mediation import selectors
from mediation import services as ms
from mediation.litigation import services as lit
from mediation.litigation.court_gateway import CourtGateway, CourtGatewayError
from mediation.litigation.views import panel_context
from mediation.models import LitigationPackage, Mediation

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x05" * 64 + b"\xff\xd9"


def reload(mediation) -> Mediation:
    return Mediation.objects.select_related(
        "case__region", "case__matter", "case__lead_unit", "case__centre", "mediator__user"
    ).get(pk=mediation.pk)


@pytest.fixture
def failed(mediators, citizen, user):
    """``failed()`` → a failed mediation heading for litigation, its claim with one photo."""
    from cases import services as cs
    from intake.services import claim_submit
    from intake.uploads import check_uploads
    from routing.models import MatterType, Region

    def make(next_step="litigation"):
        claim, _created = claim_submit(
            channel="web",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="明东村某五金厂拖欠工资共计一万二千元。",
            contact_name="夏志明",
            contact_phone="13800138000",
            id_number="440608199001011234",
            uploads=check_uploads([SimpleUploadedFile("欠条.jpg", JPEG, content_type="image/jpeg")]),
            submitter=citizen,
        )
        case = Case.objects.get(pk=claim.case_id)
        cs.case_accept(case=case, actor=user("gm_window"))
        case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
        cs.case_sign(case=case, actor=user("gm_labor"))
        Party.objects.create(case=case, role=PartyRole.RESPONDENT, name="明东五金制品厂", phone="13700137000")
        case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
        m = ms.mediation_request(case=case, actor=user("gm_labor"), note="欠薪数额有争议。")
        ms.mediation_assign(
            mediation=reload(m), actor=user("gm_dispatch"), mediator=user("gm_mediator").mediator_profile
        )
        mediator = user("gm_mediator")
        ms.mediation_accept(mediation=reload(m), actor=mediator, no_conflict=True)
        session = ms.session_schedule(
            mediation=reload(m),
            actor=mediator,
            scheduled_at=timezone.now() - timedelta(hours=3),
            mode="phone",
            notify_parties=False,
        )
        ms.session_record(
            session=session, actor=mediator, attendance="双方电话参加", record="双方各执一词，未能达成一致。"
        )
        ms.mediation_fail(mediation=reload(m), actor=mediator, reason="差距过大", next_step=next_step)
        return reload(m)

    return make


def detail(m):
    return reverse("mediation:mediation-detail", args=[m.number])


def submit_url(m):
    return reverse("mediation:litigation-submit", args=[m.number])


class RefusingGateway(CourtGateway):
    name = "refusing"

    def submit(self, package, *, filename, metadata):
        raise CourtGatewayError("法院诉讼服务平台暂时无法连接，请稍后重试。")


# The panel and the one click -------------------------------------------------------------------


def test_the_mediator_sees_the_one_click_button_and_submits_with_confirmation(failed, login):
    m = failed()
    client = login("gm_mediator")
    page = client.get(detail(m)).content.decode()
    assert 'data-testid="litigation-panel"' in page and 'data-testid="litigation-submit"' in page
    assert "1 件证据" in page and "1 份调解笔录" in page

    refused = client.post(submit_url(m), {})
    assert refused.status_code == 400 and "请先勾选确认" in refused.content.decode()
    assert not LitigationPackage.objects.exists()

    response = client.post(submit_url(m), {"confirm": "on"}, follow=True)
    package = LitigationPackage.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == detail(m)
    assert "诉讼材料包已提交法院" in page and package.reference in page
    assert 'data-testid="litigation-download"' in page and "已提交法院" in page
    assert 'data-testid="litigation-submit"' not in page  # one package at a time
    assert 'data-testid="litigation-reply"' in page


def test_a_failing_gateway_shows_its_message_and_records_nothing(failed, login, monkeypatch):
    m = failed()
    monkeypatch.setattr(lit, "get_gateway", RefusingGateway)
    response = login("gm_mediator").post(submit_url(m), {"confirm": "on"}, follow=True)
    assert "法院诉讼服务平台暂时无法连接" in response.content.decode()
    assert not LitigationPackage.objects.exists()
    assert not CaseEvent.objects.filter(transition="litigation_submit").exists()
    assert 'data-testid="litigation-submit"' in response.content.decode()  # the user may retry


def test_no_panel_before_the_mediation_fails(mediation_in, login):
    m = mediation_in("in_progress")
    page = login("gm_mediator").get(detail(m)).content.decode()
    assert 'data-testid="litigation-panel"' not in page
    assert login("gm_mediator").post(submit_url(m), {"confirm": "on"}).status_code == 302
    assert not LitigationPackage.objects.exists()


def test_an_arbitration_referral_offers_no_litigation(failed, login):
    m = failed(next_step="arbitration")
    client = login("gm_mediator")
    assert 'data-testid="litigation-panel"' not in client.get(detail(m)).content.decode()
    response = client.post(submit_url(m), {"confirm": "on"}, follow=True)
    assert "引导诉讼" in response.content.decode()
    assert not LitigationPackage.objects.exists()
    assert client.get(reverse("mediation:litigation-preview", args=[m.number])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("gm_veteran", 404), ("md_grid", 404), ("gm_labor", 403)])
def test_others_cannot_submit(failed, login, who, status):
    m = failed()
    assert login(who).post(submit_url(m), {"confirm": "on"}).status_code == status
    assert not LitigationPackage.objects.exists()


def test_the_lead_handler_sees_the_packages_but_no_button_nor_download(failed, login, user):
    m = failed()
    lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    page = login("gm_labor").get(detail(m)).content.decode()
    assert 'data-testid="litigation-package"' in page
    assert 'data-testid="litigation-download"' not in page and 'data-testid="litigation-reply"' not in page


def test_preview_builds_the_package_without_recording_it(failed, login):
    m = failed()
    response = login("gm_dispatch").get(reverse("mediation:litigation-preview", args=[m.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert "case.json" in zipfile.ZipFile(BytesIO(response.content)).namelist()
    assert not LitigationPackage.objects.exists()


# Download --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("gm_mediator", 200),
        ("gm_dispatch", 200),
        ("gm_labor", 403),
        ("gm_supervisor", 403),
        ("gm_veteran", 404),
        ("md_grid", 404),
    ],
)
def test_download_is_for_those_who_may_submit(failed, login, user, who, status):
    m = failed()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    response = login(who).get(reverse("mediation:litigation-download", args=[package.pk]))
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == package.sha256
        assert response["Content-Type"] == "application/zip" and "no-store" in response["Cache-Control"]


# The court's reply -----------------------------------------------------------------------------


def test_the_dispatcher_records_the_court_reply_and_it_shows_on_the_case_timeline(failed, login, user):
    m = failed()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    url = reverse("mediation:litigation-reply", args=[package.pk])
    client = login("gm_dispatch")
    prefix = f"reply-{package.pk}"

    missing = client.post(url, {f"{prefix}-state": "accepted", f"{prefix}-reply": "已立案，请当事人按期到庭"})
    body = missing.content.decode()
    assert missing.status_code == 400 and "请填写法院案号" in body
    assert "已立案，请当事人按期到庭" in body  # nothing typed is lost

    done = client.post(
        url, {f"{prefix}-state": "accepted", f"{prefix}-court_document": "（2026）粤0608民初1234号"}, follow=True
    )
    assert done.redirect_chain[-1][0] == detail(m)
    assert 'data-testid="court-reply"' in done.content.decode()
    package.refresh_from_db()
    assert package.state == "accepted"

    timeline = login("gm_labor").get(reverse("cases:case-detail", args=[m.case.number])).content.decode()
    assert "法院答复" in timeline and "（2026）粤0608民初1234号" in timeline
    assert "一键诉讼：材料已移送法院" in timeline

    again = client.post(url, {f"{prefix}-state": "returned", f"{prefix}-reply": "x"}, follow=True)
    assert "已登记过法院答复" in again.content.decode()
    assert CaseEvent.objects.filter(transition="court_reply").count() == 1


def test_a_returned_package_can_be_followed_by_a_new_one(failed, login, user):
    m = failed()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    client = login("gm_mediator")
    prefix = f"reply-{package.pk}"
    client.post(
        reverse("mediation:litigation-reply", args=[package.pk]),
        {f"{prefix}-state": "returned", f"{prefix}-reply": "请补充劳动合同"},
    )
    page = client.get(detail(m)).content.decode()
    assert "请补充劳动合同" in page and "重新一键诉讼" in page
    client.post(submit_url(m), {"confirm": "on"})
    assert LitigationPackage.objects.filter(mediation=m).count() == 2


@pytest.mark.parametrize(("who", "status"), [("gm_veteran", 404), ("gm_supervisor", 403)])
def test_others_cannot_record_a_reply(failed, login, user, who, status):
    m = failed()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    prefix = f"reply-{package.pk}"
    response = login(who).post(
        reverse("mediation:litigation-reply", args=[package.pk]),
        {f"{prefix}-state": "returned", f"{prefix}-reply": "x"},
    )
    assert response.status_code == status
    assert LitigationPackage.objects.get().state == "submitted"


# Admin -----------------------------------------------------------------------------------------


def test_the_admin_lists_packages_read_only_with_a_download(failed, login, user):
    m = failed()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    client = login("admin")
    page = client.get(reverse("admin:mediation_litigationpackage_changelist")).content.decode()
    assert package.reference in page and "待取件" in page
    download = client.get(reverse("admin:mediation_litigationpackage_download", args=[package.pk]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == package.sha256
    assert client.get(reverse("admin:mediation_litigationpackage_add")).status_code == 403


# Query count -----------------------------------------------------------------------------------


def _panel_queries(m, user) -> tuple[int, dict]:
    viewer = user("gm_mediator")
    mediation = selectors.mediation_detail(viewer, m.number)
    with CaptureQueriesContext(connection) as queries:
        context = panel_context(mediation, viewer)
    return len(queries), context


def test_the_panel_query_count_does_not_grow_with_packages(failed, user):
    m = failed()
    mediator = user("gm_mediator")
    first = lit.litigation_submit(mediation=m, actor=mediator)
    lit.litigation_reply(package=first, actor=mediator, state="returned", reply="补充材料")
    one, context = _panel_queries(m, user)
    assert len(context["rows"]) == 1 and context["can_submit"]

    for n in range(2):
        package = lit.litigation_submit(mediation=m, actor=mediator)
        lit.litigation_reply(package=package, actor=mediator, state="returned", reply=f"第{n}次退回")
    three, context = _panel_queries(m, user)
    assert len(context["rows"]) == 3 and context["can_submit"]
    assert one == three <= 4
