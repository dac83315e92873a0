"""Agreement screens: the panel, drafting and signing through the views, downloads and who may
see them, judicial confirmation and follow-up pages, batches, and the public verification page."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Party, PartyRole
from mediation.agreements import services as ag
from mediation.agreements.views import VERIFY_RATE_LIMIT, panel_context
from mediation.models import Agreement, AgreementBatch, AgreementStatus, Confirmation, JudicialStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_text

FACTS = "申请人夏志明被拖欠工资共计12000元。"
TERMS = "一、被申请人于2026年12月31日前一次性支付申请人工资12000元。"


def later(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def mediator(user):
    return user("gm_mediator")


@pytest.fixture
def running(mediation_in):
    return mediation_in("in_progress")


def draft(mediation, actor):
    return ag.agreement_draft(
        mediation=mediation,
        actor=actor,
        facts=FACTS,
        terms=TERMS,
        performance_deadline=timezone.localdate() + dt.timedelta(days=30),
    )


def code_for(confirmation) -> str:
    body = outbox_text(
        OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=confirmation.phone).latest("id")
    )
    return re.search(r"确认码为 (\d{6})", body).group(1)


def sealed(mediation, actor) -> Agreement:
    agreement = ag.agreement_signing_start(agreement=draft(mediation, actor), actor=actor)
    for c in Confirmation.objects.filter(agreement=agreement).order_by("id"):
        ag.confirmation_code_send(confirmation=c, actor=actor)
        ag.confirmation_confirm(confirmation=c, actor=actor, code=code_for(c))
    return Agreement.objects.get(pk=agreement.pk)


def detail_url(agreement):
    return reverse("mediation:agreement-detail", args=[agreement.pk])


# The panel on the mediation page -----------------------------------------------------------------


def test_the_mediation_page_shows_the_panel_with_the_mediators_buttons(running, login, mediator):
    sealed(running, mediator)
    draft(running, mediator)
    page = login("gm_mediator").get(reverse("mediation:mediation-detail", args=[running.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="agreements-panel"' in html
    assert html.count('data-testid="agreement-row"') == 2
    assert "起草协议书" in html and "提交各方确认" in html and "下载协议书（已封存）" in html


def test_viewers_see_the_panel_without_buttons(running, login, mediator):
    sealed(running, mediator)
    html = login("gm_dispatch").get(reverse("mediation:mediation-detail", args=[running.number])).content.decode()
    assert 'data-testid="agreement-row"' in html
    assert "起草协议书" not in html and "发送确认码" not in html
    # the PDF carries full ID numbers and phones: not for the centre or supervisors
    assert "下载协议书（已封存）" not in html


def test_panel_queries_do_not_grow_with_agreements(running, mediator, user):
    from mediation.selectors import mediation_detail

    def count():
        mediation = mediation_detail(mediator, running.number)
        list(mediation.case.parties.all())
        with CaptureQueriesContext(connection) as ctx:
            context = panel_context(mediation, mediator)
            # Rendering reads only what the context holds.
            from django.template.loader import render_to_string

            render_to_string("mediation/agreements/_panel.html", {"panel": context})
        return len(ctx.captured_queries)

    for _ in range(2):
        sealed(running, mediator)
    few = count()
    for _ in range(3):
        sealed(running, mediator)
    draft(running, mediator)
    assert count() == few
    assert few <= 4  # profile (cached per user object), agreements, confirmations, batches


# Drafting and signing through the screens --------------------------------------------------------


def test_draft_through_the_form_keeps_what_was_typed_on_error(running, login):
    client = login("gm_mediator")
    url = reverse("mediation:agreement-create", args=[running.number])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"facts": "某某事实写了很多", "terms": "", "performance_deadline": "2020-01-01"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "某某事实写了很多" in html
    assert "请填写协议条款" in html and "履行期限不能早于今天" in html
    ok = client.post(url, {"facts": FACTS, "terms": TERMS, "performance_deadline": later()})
    agreement = Agreement.objects.get(mediation=running)
    assert ok.status_code == 302 and ok["Location"] == detail_url(agreement)
    assert agreement.status == AgreementStatus.DRAFT


def test_sign_send_and_confirm_through_the_screens(running, login):
    client = login("gm_mediator")
    agreement = draft(running, running.mediator.user)
    client.post(reverse("mediation:agreement-sign", args=[agreement.pk]))
    first, second = Confirmation.objects.filter(agreement=agreement).order_by("id")
    response = client.post(reverse("mediation:agreement-code-send", args=[first.pk]))
    assert response.status_code == 302
    # A wrong code: the page again, the error under that party, what was typed kept.
    right = code_for(first)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(reverse("mediation:agreement-confirm", args=[first.pk]), {f"c{first.pk}-code": wrong})
    assert response.status_code == 400
    html = response.content.decode()
    assert "确认码不正确" in html and f'value="{wrong}"' in html
    response = client.post(reverse("mediation:agreement-confirm", args=[first.pk]), {f"c{first.pk}-code": "12"})
    assert response.status_code == 400 and "6 位数字" in response.content.decode()
    client.post(reverse("mediation:agreement-confirm", args=[first.pk]), {f"c{first.pk}-code": right})
    client.post(reverse("mediation:agreement-code-send", args=[second.pk]))
    response = client.post(
        reverse("mediation:agreement-confirm", args=[second.pk]), {f"c{second.pk}-code": code_for(second)}, follow=True
    )
    assert "协议书已生效并封存" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SEALED
    download = client.get(reverse("mediation:agreement-document", args=[agreement.pk]))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body).hexdigest() == agreement.sha256
    assert "no-store" in download["Cache-Control"]


def test_starting_signing_without_phones_says_who_is_missing(running, login):
    Party.objects.filter(case=running.case, role=PartyRole.RESPONDENT).update(phone="")
    agreement = draft(running, running.mediator.user)
    response = login("gm_mediator").post(reverse("mediation:agreement-sign", args=[agreement.pk]), follow=True)
    html = response.content.decode()
    assert "佛山市高明区明东五金制品厂" in html and "手机号码" in html
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_the_draft_preview_is_a_pdf(running, login, mediator):
    from cases.models import PersonalDataAccess

    agreement = draft(running, mediator)
    url = reverse("mediation:agreement-preview", args=[agreement.pk])
    response = login("gm_mediator").get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert not PersonalDataAccess.objects.exists()
    # the lead handling unit may open it, and the opening is recorded as on the case page
    assert login("gm_labor").get(url).status_code == 200
    assert PersonalDataAccess.objects.filter(user__username="gm_labor", case=running.case).count() == 1


@pytest.mark.parametrize("username", ["gm_dispatch", "gm_supervisor", "fs_supervisor"])
def test_the_pdfs_are_not_for_other_viewers(running, login, mediator, username):
    agreement = sealed(running, mediator)
    client = login(username)
    assert client.get(detail_url(agreement)).status_code == 200  # the masked page
    assert client.get(reverse("mediation:agreement-document", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("mediation:agreement-preview", args=[agreement.pk])).status_code == 403


# Permissions -------------------------------------------------------------------------------------


def test_another_mediator_gets_404_everywhere(running, login, mediator):
    agreement = sealed(running, mediator)
    confirmation = agreement.confirmations.first()
    client = login("gm_lawyer")
    for url in (
        detail_url(agreement),
        reverse("mediation:agreement-document", args=[agreement.pk]),
        reverse("mediation:agreement-preview", args=[agreement.pk]),
        reverse("mediation:agreement-create", args=[running.number]),
        reverse("mediation:agreement-judicial-apply", args=[agreement.pk]),
        reverse("mediation:agreement-performance", args=[agreement.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("mediation:agreement-confirm", args=[confirmation.pk]), {}).status_code == 404
    assert client.post(reverse("mediation:agreement-code-send", args=[confirmation.pk])).status_code == 404


def test_viewers_may_look_and_download_but_not_act(running, login, mediator):
    agreement = draft(running, mediator)
    client = login("gm_dispatch")
    assert client.get(detail_url(agreement)).status_code == 200
    assert client.post(reverse("mediation:agreement-sign", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("mediation:agreement-edit", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("mediation:agreement-create", args=[running.number])).status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_citizens_and_anonymous_users_are_kept_out(running, mediator, citizen):
    agreement = sealed(running, mediator)
    client = Client()
    response = client.get(reverse("mediation:agreement-document", args=[agreement.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(citizen)
    assert client.get(reverse("mediation:agreement-document", args=[agreement.pk])).status_code == 403


def test_viewers_see_masked_phones_and_id_numbers(running, login, mediator):
    Party.objects.filter(case=running.case, role=PartyRole.APPLICANT).update(id_number="440608199001011234")
    agreement = draft(running, mediator)
    html = login("gm_dispatch").get(detail_url(agreement)).content.decode()
    assert "440608199001011234" not in html and "138****8000" in html
    own = login("gm_mediator").get(detail_url(agreement)).content.decode()
    assert "440608199001011234" in own


# Judicial confirmation and follow-up -------------------------------------------------------------


def test_judicial_confirmation_through_the_screens(running, login, mediator):
    agreement = sealed(running, mediator)
    client = login("gm_mediator")
    apply = reverse("mediation:agreement-judicial-apply", args=[agreement.pk])
    assert client.post(apply, {"court": ""}).status_code == 400
    assert client.post(apply, {"court": "佛山市高明区人民法院"}).status_code == 302
    package = client.get(reverse("mediation:agreement-judicial-package", args=[agreement.pk]))
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    application = client.get(reverse("mediation:agreement-judicial-application", args=[agreement.pk]))
    assert application.content.startswith(b"%PDF-")
    decide = reverse("mediation:agreement-judicial-decide", args=[agreement.pk])
    bad = client.post(decide, {"result": "", "document_number": "（2026）粤0608民特123号"})
    assert bad.status_code == 400 and "（2026）粤0608民特123号" in bad.content.decode()
    client.post(decide, {"result": "confirmed", "document_number": "（2026）粤0608民特123号"})
    agreement.refresh_from_db()
    assert agreement.judicial_status == JudicialStatus.CONFIRMED
    html = client.get(detail_url(agreement)).content.decode()
    assert "法院已确认" in html and "（2026）粤0608民特123号" in html


def test_not_carried_out_suggests_judicial_confirmation(running, login, mediator):
    agreement = sealed(running, mediator)
    client = login("gm_mediator")
    url = reverse("mediation:agreement-performance", args=[agreement.pk])
    bad = client.post(url, {"result": "not_carried_out", "note": ""})
    assert bad.status_code == 400 and "未履行时请填写回访情况" in bad.content.decode()
    client.post(url, {"result": "not_carried_out", "note": "被申请人未按期支付。"})
    html = client.get(detail_url(agreement)).content.decode()
    assert 'data-testid="enforcement-hint"' in html and "申请司法确认" in html


# Batches -----------------------------------------------------------------------------------------


def test_batch_from_the_screen_with_progress(running, login, django_capture_on_commit_callbacks):
    Party.objects.bulk_create(
        [Party(case=running.case, role=PartyRole.APPLICANT, name=f"会员{i}", phone=f"1390000000{i}") for i in range(5)]
    )
    client = login("gm_mediator")
    url = reverse("mediation:agreement-batch-create", args=[running.number])
    assert "6 名申请人" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"facts": FACTS, "terms": TERMS, "performance_deadline": later()})
    batch = AgreementBatch.objects.get(mediation=running)
    assert response.status_code == 302 and response["Location"] == reverse("mediation:agreement-batch", args=[batch.pk])
    progress = client.get(reverse("mediation:agreement-batch-progress", args=[batch.pk])).json()
    assert progress == {
        "done": 6,
        "total": 6,
        "state": "done",
        "state_label": "已完成",
        "percent": 100,
        "finished": True,
    }
    fragment = client.get(reverse("mediation:agreement-batch-progress", args=[batch.pk]), {"fragment": 1})
    assert 'data-done="6"' in fragment.content.decode()
    page = client.get(reverse("mediation:agreement-batch", args=[batch.pk])).content.decode()
    assert page.count('data-testid="batch-agreement"') == 6
    assert login("gm_lawyer").get(reverse("mediation:agreement-batch", args=[batch.pk])).status_code == 404


# Public verification -----------------------------------------------------------------------------


def test_the_public_page_says_match_and_nothing_else(running, mediator):
    agreement = sealed(running, mediator)
    with agreement.document.open("rb") as handle:
        data = handle.read()
    client = Client()
    url = reverse("mediation:agreement-verify")
    page = client.get(url, {"code": agreement.code})
    assert page.status_code == 200 and agreement.code in page.content.decode()
    response = client.post(url, {"code": agreement.code, "document": SimpleUploadedFile("a.pdf", data)})
    html = response.content.decode()
    assert response.status_code == 200 and "与已封存的协议书一致" in html
    for secret in ("夏志明", "五金", running.case.number, running.case.title, running.number, "12000"):
        assert secret not in html, secret
    changed = bytearray(data)
    changed[100] ^= 0x01
    response = client.post(url, {"code": agreement.code, "document": SimpleUploadedFile("a.pdf", bytes(changed))})
    assert 'data-result="mismatch"' in response.content.decode()
    response = client.post(url, {"code": agreement.code, "sha256": agreement.sha256.upper()})
    assert 'data-result="match"' in response.content.decode()


def test_unknown_and_unsealed_codes_answer_like_a_mismatch(running, mediator):
    agreement = draft(running, mediator)
    client = Client()
    url = reverse("mediation:agreement-verify")
    unsealed = client.post(url, {"code": agreement.code, "sha256": "0" * 64}).content.decode()
    unknown = client.post(url, {"code": "ABCDEFGHJKMN", "sha256": "0" * 64}).content.decode()
    assert 'data-result="mismatch"' in unsealed and 'data-result="mismatch"' in unknown


def test_the_public_form_explains_its_errors(db):
    client = Client()
    url = reverse("mediation:agreement-verify")
    response = client.post(url, {"code": "", "sha256": ""})
    assert response.status_code == 400 and "请填写协议书上的 12 位协议验证码" in response.content.decode()
    response = client.post(url, {"code": "ABCDEFGHJKMN"})
    assert "请上传协议书 PDF 文件，或粘贴其文件校验码" in response.content.decode()
    response = client.post(url, {"code": "ABCDEFGHJKMN", "document": SimpleUploadedFile("a.pdf", b"hello")})
    assert "不是 PDF 文件" in response.content.decode()
    response = client.post(url, {"code": "ABCDEFGHJKMN", "sha256": "xyz"})
    html = response.content.decode()
    assert "64 位数字和字母 a–f" in html and "SHA-256" not in html and 'value="ABCDEFGHJKMN"' in html
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    response = client.post(url, {"code": "ABCDEFGHJKMN", "document": big})
    assert "不超过 10 MB" in response.content.decode()


def test_the_public_page_is_rate_limited(db):
    client = Client()
    url = reverse("mediation:agreement-verify")
    limit, _window = VERIFY_RATE_LIMIT
    for _ in range(limit):
        assert client.post(url, {"code": "ABCDEFGHJKMN", "sha256": "0" * 64}).status_code == 200
    response = client.post(url, {"code": "ABCDEFGHJKMN", "sha256": "0" * 64})
    assert response.status_code == 429 and "核验过于频繁" in response.content.decode()
