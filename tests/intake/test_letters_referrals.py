"""来信 and 上级交办 (issue #12): the clerk screens, the scan, the authority's deadline as a cap on
the stage clocks, and "上级交办 · 文号 … · 时限 …" on the case page and the overdue board."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from test_staff_intake import PNG, walk_in

from cases.clock import capped_due
from cases.models import Case, Status
from cases.services import case_approve_extension, case_pause, case_request_extension, case_resume, case_sign
from intake.models import Claim, HeldUpload
from intake.staff_forms import end_of_day
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
LETTER = reverse("intake:letter-register")
REFERRAL = reverse("intake:referral-register")


def scan(name="来信.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def letter_post(**changes):
    data = {
        **walk_in(submission_key=uuid.uuid4().hex),
        "letter_number": "高明来信〔2026〕118号",
        "letter_date": str(timezone.localdate() - timedelta(days=3)),
        "accept_now": "on",
    }
    data.pop("next_step")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def referral_post(deadline: date | None = None, **changes):
    deadline = deadline or timezone.localdate() + timedelta(days=5)
    data = {
        **walk_in(submission_key=uuid.uuid4().hex),
        "referral_authority": "佛山市群众诉求服务中心",
        "referral_document": "佛诉交〔2026〕35号",
        "referral_deadline": str(deadline),
        "accept_now": "on",
    }
    data.pop("next_step")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# 来信 -------------------------------------------------------------------------------------------


def test_a_clerk_registers_a_letter_with_its_scan_date_and_number(login):
    clerk = login("gm_window")
    assert clerk.get(LETTER).status_code == 200
    response = clerk.post(LETTER, {**letter_post(), "attachments": [scan()]})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:receipt", args=[claim.tracking_code])
    case = claim.case
    assert claim.channel == case.channel == "letter"
    assert case.letter_number == "高明来信〔2026〕118号"
    assert case.letter_date == timezone.localdate() - timedelta(days=3)
    assert case.status == Status.DISPATCHED  # accepted and routed at once
    assert [a.original_name for a in claim.attachments.all()] == ["来信.png"]
    page = clerk.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert "高明来信〔2026〕118号" in page and 'data-testid="letter"' in page


def test_a_letter_without_a_scan_is_refused_and_nothing_is_stored(login):
    response = login("gm_window").post(LETTER, letter_post())
    assert response.status_code == 400
    assert "请上传来信的扫描件或照片" in response.content.decode()
    assert not Claim.objects.exists() and not Case.objects.exists()


def test_a_bad_scan_is_refused_clearly_and_nothing_is_held(login):
    response = login("gm_window").post(LETTER, {**letter_post(), "attachments": [scan("信.png", b"MZ not an image")]})
    assert response.status_code == 400
    assert "不是图片（JPG、PNG、GIF、WebP）或 PDF 文件" in response.content.decode()
    assert not Claim.objects.exists() and not HeldUpload.objects.exists()


def test_a_scan_is_held_when_the_letter_form_comes_back_and_counts_as_given(login):
    clerk, key = login("gm_window"), uuid.uuid4().hex
    bad = clerk.post(LETTER, {**letter_post(submission_key=key, letter_number=""), "attachments": [scan()]})
    assert bad.status_code == 400 and "请填写来信编号" in bad.content.decode()
    assert "已附上 1 个文件" in bad.content.decode() and HeldUpload.objects.count() == 1
    ok = clerk.post(LETTER, letter_post(submission_key=key))  # the scan is not chosen again
    assert ok.status_code == 302
    assert Claim.objects.get().attachments.count() == 1 and not HeldUpload.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"letter_date": ""}, "请填写来信日期"),
        ({"letter_date": "2026-13-45"}, "来信日期格式不对"),
        ({"letter_date": str(date.today() + timedelta(days=3))}, "来信日期不能晚于今天"),
        ({"contact_name": ""}, "请填写来信人姓名"),
        ({"contact_phone": "12345"}, "11 位中国大陆手机号"),
    ],
)
def test_bad_letter_input_is_explained(login, changes, message):
    response = login("gm_window").post(LETTER, {**letter_post(**changes), "attachments": [scan()]})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_a_letter_may_come_without_a_phone_and_sends_no_sms(login):
    response = login("gm_window").post(
        LETTER, {**letter_post(contact_phone="", accept_now=None), "attachments": [scan()]}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.SUBMITTED
    assert not OutboxMessage.objects.filter(kind="tracking_code").exists()
    receipt = login("gm_window").get(response["Location"]).content.decode()
    assert "何秀英</td>" in receipt  # no empty （） where the phone would be


@pytest.mark.parametrize(("username", "status"), [("gm_labor", 403), ("gm_supervisor", 403), ("13800138000", 403)])
def test_only_clerks_register_letters_and_referrals(login, citizen, username, status):
    client = login(citizen if username == "13800138000" else username)
    assert client.get(LETTER).status_code == status
    assert client.get(REFERRAL).status_code == status
    assert client.post(REFERRAL, referral_post()).status_code == status
    assert not Case.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, demo):
    assert client.get(LETTER).status_code == 302 and client.get(REFERRAL).status_code == 302


# 上级交办 ----------------------------------------------------------------------------------------


def test_a_referral_caps_every_stage_clock_at_the_authoritys_deadline(login, user):
    deadline = timezone.localdate() + timedelta(days=2)
    response = login("gm_hotline").post(REFERRAL, referral_post(deadline))
    assert response.status_code == 302
    case = Case.objects.get()
    cap = end_of_day(deadline)
    assert case.channel == "referral" and case.referral_due_at == cap
    assert case.referral_document == "佛诉交〔2026〕35号" and case.referral_authority == "佛山市群众诉求服务中心"
    assert case.status == Status.DISPATCHED and case.stage_due_at <= cap
    # the handling stage (matter: 15 working days) is cut to the authority's deadline
    case_sign(case=case, actor=user("gm_labor"))
    case.refresh_from_db()
    assert case.stage_due_at == cap and case.blue_at < case.yellow_at < cap
    # an extension cannot move it past the deadline either
    case_request_extension(case=case, actor=user("gm_labor"), days=10, reason="需要现场勘验")
    case_approve_extension(case=Case.objects.get(), actor=user("gm_dispatch"))
    assert Case.objects.get().stage_due_at == cap


def test_a_resumed_pause_does_not_run_past_the_deadline(login, user):
    deadline = timezone.localdate() + timedelta(days=1)
    login("gm_window").post(REFERRAL, referral_post(deadline))
    case = Case.objects.get()
    case_sign(case=case, actor=user("gm_labor"))
    now = timezone.now()
    case_pause(case=Case.objects.get(), actor=user("gm_labor"), reason="等待鉴定结论", at=now)
    case_resume(case=Case.objects.get(), actor=user("gm_labor"), at=now + timedelta(days=5))
    case = Case.objects.get()
    assert case.stage_due_at == end_of_day(deadline)
    assert case.blue_at is None or case.blue_at <= case.stage_due_at


def test_without_a_referral_the_matters_deadline_stands(submit_case):
    case = submit_case()
    assert capped_due(case, case.stage_due_at) == case.stage_due_at


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"referral_document": ""}, "请填写交办文号"),
        ({"referral_authority": ""}, "请填写交办的上级机关"),
        ({"referral_deadline": ""}, "请填写上级要求的办理时限"),
        ({"referral_deadline": str(date.today() - timedelta(days=2))}, "办理时限不能早于今天"),
    ],
)
def test_bad_referral_input_is_explained(login, changes, message):
    response = login("gm_window").post(REFERRAL, referral_post(**changes))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_the_referral_shows_in_words_on_the_case_page_and_the_overdue_board(login, user):
    deadline = timezone.localdate()
    login("gm_window").post(REFERRAL, referral_post(deadline))
    case = Case.objects.get()
    words = f"上级交办 · 文号 佛诉交〔2026〕35号 · 时限 {deadline.year}年{deadline.month}月{deadline.day}日"
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert words in page and 'data-testid="case-referral"' in page
    assert words in login("gm_labor").get(reverse("cases:inbox")).content.decode()  # the handler's list too
    # past the deadline the case is red; the board names it as a referral with its deadline
    from supervision.services import warnings_sweep

    warnings_sweep(now=end_of_day(deadline) + timedelta(minutes=1))
    board = login("gm_supervisor").get(reverse("supervision:overdue")).content.decode()
    assert case.number in board and words in board
    # and in the board's Excel export, as a column of the red list
    import io

    from openpyxl import load_workbook

    export = login("gm_supervisor").get(reverse("supervision:overdue-export"))
    red = load_workbook(io.BytesIO(export.content))["超期清单"]
    headers = [cell.value for cell in red[1]]
    assert "上级交办" in headers, headers
    assert red.cell(2, headers.index("上级交办") + 1).value == words
