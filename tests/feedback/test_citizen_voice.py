"""The citizen's voice on an open case (issue #11): 补充材料, 留言 and 催办 — logged in, or through
the tracking page after code + last four digits; limits, bad files, and who may do it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases.models import Case, CaseEvent, Status
from cases.workdays import is_workday
from feedback import services as fs
from feedback.models import Supplement
from intake.models import Attachment
from intake.uploads import check_uploads
from notifications.models import OutboxMessage
from tests.intake.conftest import JPEG, PDF
from tests.intake.test_citizen_glossary import assert_plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_claim(submit_claim, user, fresh):
    """The demo citizen's claim, accepted and sent to 高明区人社局 (gm_labor)."""
    claim = submit_claim()
    s.case_accept(case=fresh(claim.case), actor=user("gm_window"))
    return claim


def _inbox(who, kind):
    return OutboxMessage.objects.filter(recipient_user=who, kind=kind, channel="inapp")


def _pdf(name="工资条.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _nothing_stored(case):
    assert not Supplement.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(claim__case=case).exists()
    assert not CaseEvent.objects.filter(case=case, transition__in=["supplement", "citizen_message"]).exists()


# Logged in ------------------------------------------------------------------------------------


def test_materials_are_stored_on_the_claim_shown_on_both_timelines_and_the_unit_told(open_claim, login, citizen, user):
    me = login(citizen)
    url = reverse("feedback:claim-material", args=[open_claim.tracking_code])
    page = me.get(url)
    assert page.status_code == 200
    assert_plain("the materials form", page.content.decode())
    jpeg = SimpleUploadedFile("欠条.jpg", JPEG, content_type="image/jpeg")
    response = me.post(url, {"attachments": [_pdf(), jpeg], "text": "工资条和欠条"})
    assert response.status_code == 302 and response.url == reverse(
        "intake:claim-detail", args=[open_claim.tracking_code]
    )
    supplement = Supplement.objects.get(case=open_claim.case)
    assert supplement.kind == "material" and supplement.via == "account" and supplement.author == citizen
    assert sorted(a.original_name for a in supplement.attachments.all()) == ["工资条.pdf", "欠条.jpg"]
    assert Attachment.objects.filter(claim=open_claim).count() == 2  # the claim's own attachments
    event = CaseEvent.objects.get(case=open_claim.case, transition="supplement")
    assert event.public and "工资条.pdf" in event.note and event.actor == citizen
    assert _inbox(user("gm_labor"), "citizen_voice").filter(body__contains="补充了 2 个材料").exists()
    detail = me.get(reverse("intake:claim-detail", args=[open_claim.tracking_code])).content.decode()
    assert "您补充的材料已收到" in detail and "欠条.jpg" in detail
    assert_plain("the case page after materials", detail)
    staff = login("gm_labor").get(reverse("cases:case-detail", args=[open_claim.case.number])).content.decode()
    assert 'data-testid="case-voice"' in staff and "工资条和欠条" in staff and "群众补充材料" in staff


def test_a_message_is_a_public_event_and_reaches_the_unit(open_claim, login, citizen, user):
    me = login(citizen)
    response = me.post(reverse("feedback:claim-message", args=[open_claim.tracking_code]), {"text": "老板说下周发"})
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=open_claim.case, transition="citizen_message")
    assert event.public and event.note == "老板说下周发"
    assert _inbox(user("gm_labor"), "citizen_voice").get().body.endswith("老板说下周发")


def test_phone_and_id_numbers_in_a_message_are_masked_for_the_staff(open_claim, login, citizen, user):
    text = "请回电13912345678，我的身份证440608199001011234，谢谢"
    me = login(citizen)
    assert (
        me.post(reverse("feedback:claim-message", args=[open_claim.tracking_code]), {"text": text}).status_code == 302
    )
    body = _inbox(user("gm_labor"), "citizen_voice").get().body
    assert "13912345678" not in body and "440608199001011234" not in body
    assert body.endswith("请回电139****5678，我的身份证440608********1234，谢谢")
    page = login("gm_labor").get("/messages/").content.decode()
    assert "13912345678" not in page and "139****5678" in page


@pytest.mark.parametrize(
    "files, reason",
    [
        ([SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 10, content_type="application/pdf")], "不是图片"),
        ([SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")], "是空文件"),
        ([], "请选择要补充的材料"),
        ([SimpleUploadedFile(f"{i}.pdf", PDF, content_type="application/pdf") for i in range(10)], "最多上传 9 个"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_stored(open_claim, login, citizen, files, reason):
    url = reverse("feedback:claim-material", args=[open_claim.tracking_code])
    response = login(citizen).post(url, {"attachments": files, "text": "补充"})
    assert response.status_code == 400 and reason in response.content.decode()
    _nothing_stored(open_claim.case)


def test_a_good_file_beside_a_bad_one_is_not_stored_either(open_claim, login, citizen):
    bad = SimpleUploadedFile("脚本.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    response = login(citizen).post(
        reverse("feedback:claim-material", args=[open_claim.tracking_code]), {"attachments": [_pdf(), bad]}
    )
    assert response.status_code == 400 and "脚本.pdf" in response.content.decode()
    _nothing_stored(open_claim.case)


def test_an_empty_or_long_message_is_refused(open_claim, login, citizen):
    url = reverse("feedback:claim-message", args=[open_claim.tracking_code])
    me = login(citizen)
    assert "请填写留言内容" in me.post(url, {"text": "  "}).content.decode()
    assert "不能超过 1000 个字" in me.post(url, {"text": "长" * 1001}).content.decode()
    _nothing_stored(open_claim.case)


def test_the_daily_limit_per_case(open_claim, login, citizen, settings):
    settings.FEEDBACK_DAILY_LIMITS = {"material": 1, "message": 2}
    me = login(citizen)
    url = reverse("feedback:claim-message", args=[open_claim.tracking_code])
    assert [me.post(url, {"text": f"第{i}条"}).status_code for i in range(2)] == [302, 302]
    refused = me.post(url, {"text": "第三条"})
    assert refused.status_code == 400 and "已达到 2 次上限" in refused.content.decode()
    assert Supplement.objects.filter(case=open_claim.case, kind="message").count() == 2
    # materials have their own count; a refused post stores no file
    material = reverse("feedback:claim-material", args=[open_claim.tracking_code])
    assert me.post(material, {"attachments": [_pdf()]}).status_code == 302
    assert me.post(material, {"attachments": [_pdf("第二份.pdf")]}).status_code == 400
    assert Attachment.objects.filter(claim=open_claim).count() == 1
    # tomorrow the count starts again
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert fs.supplements_left_today(open_claim.case, "message", at=tomorrow) == 2


def test_a_closed_case_takes_nothing(open_claim, login, citizen, fresh):
    s.case_withdraw(case=fresh(open_claim.case), actor=citizen)
    me = login(citizen)
    response = me.post(reverse("feedback:claim-message", args=[open_claim.tracking_code]), {"text": "还有话说"})
    assert response.status_code == 400 and "已经结束办理" in response.content.decode()
    assert me.post(reverse("feedback:claim-press", args=[open_claim.tracking_code])).status_code == 302
    assert Case.objects.get(pk=open_claim.case_id).press_count == 0
    detail = me.get(reverse("intake:claim-detail", args=[open_claim.tracking_code])).content.decode()
    assert 'data-testid="citizen-voice"' not in detail


@pytest.mark.parametrize("who", ["13900139000", "gm_labor", "gm_window", "gm_supervisor", "admin"])
def test_anyone_but_the_claimant_gets_404(open_claim, login, user, who):
    actor = (
        login(user(who))
        if not who.isdigit()
        else login(__import__("accounts.models").models.User.objects.get(phone=who))
    )
    code = open_claim.tracking_code
    for name, data in (
        ("feedback:claim-material", {"attachments": [_pdf()]}),
        ("feedback:claim-message", {"text": "x"}),
    ):
        assert actor.get(reverse(name, args=[code])).status_code == 404
        assert actor.post(reverse(name, args=[code]), data).status_code == 404
    assert actor.post(reverse("feedback:claim-press", args=[code])).status_code == 404
    _nothing_stored(open_claim.case)
    assert Case.objects.get(pk=open_claim.case_id).press_count == 0


def test_anonymous_is_sent_to_login(open_claim, client):
    response = client.post(reverse("feedback:claim-press", args=[open_claim.tracking_code]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert Case.objects.get(pk=open_claim.case_id).press_count == 0


# Through the tracking page --------------------------------------------------------------------


def _track(client, claim, last4="8000"):
    return client.post(reverse("intake:track"), {"code": claim.tracking_code, "phone_last4": last4})


def test_without_a_lookup_the_tracking_route_is_404(open_claim, client):
    for name in ("feedback:track-material", "feedback:track-message"):
        assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse("feedback:track-press")).status_code == 404
    _track(client, open_claim, last4="1234")  # a wrong pair grants nothing
    assert client.post(reverse("feedback:track-message"), {"text": "x"}).status_code == 404
    _nothing_stored(open_claim.case)


def test_after_a_lookup_the_same_browser_adds_and_presses(open_claim, client, user, settings):
    page = _track(client, open_claim)
    html = page.content.decode()
    assert 'data-testid="citizen-voice"' in html
    assert_plain("tracking with the voice panel", html)
    response = client.post(reverse("feedback:track-message"), {"text": "请尽快处理"})
    assert response.status_code == 302 and response.url == reverse("intake:track") + "?shown=1"
    back = client.get(response.url)
    assert back.status_code == 200 and "您的留言已收到" in back.content.decode()
    assert "请尽快处理" not in back.content.decode()  # public tracking never shows what was written
    supplement = Supplement.objects.get(case=open_claim.case)
    assert supplement.via == "tracking" and supplement.author is None
    assert client.post(reverse("feedback:track-material"), {"attachments": [_pdf()]}).status_code == 302
    assert client.post(reverse("feedback:track-press")).status_code == 302
    assert Case.objects.get(pk=open_claim.case_id).press_count == 1
    # the grant runs out
    settings.INTAKE_TRACK_GRANT_SECONDS = -1
    _track(client, open_claim)
    assert client.post(reverse("feedback:track-message"), {"text": "再说一句"}).status_code == 404
    assert client.get(reverse("intake:track") + "?shown=1").content.decode().count('data-testid="track-form"') == 1


# 催办 ---------------------------------------------------------------------------------------------


def _working_days(count):
    day, days = timezone.localdate() + dt.timedelta(days=1), []
    while len(days) < count:
        if is_workday(day):
            days.append(timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))))
        day += dt.timedelta(days=1)
    return days


def test_press_once_per_working_day_the_unit_told_at_once(open_claim, login, citizen, user):
    me = login(citizen)
    url = reverse("feedback:claim-press", args=[open_claim.tracking_code])
    detail = me.get(reverse("intake:claim-detail", args=[open_claim.tracking_code])).content.decode()
    assert 'data-testid="voice-press"' in detail
    assert me.post(url).status_code == 302
    case = Case.objects.get(pk=open_claim.case_id)
    assert case.press_count == 1
    event = CaseEvent.objects.get(case=case, transition="press")
    assert event.public and event.actor == citizen
    assert _inbox(user("gm_labor"), "citizen_press").count() == 1
    again = me.post(url, follow=True)
    assert "本工作日已催办过" in again.content.decode()
    assert Case.objects.get(pk=case.pk).press_count == 1
    detail = me.get(reverse("intake:claim-detail", args=[open_claim.tracking_code])).content.decode()
    assert 'data-testid="voice-pressed"' in detail and "您已催办" in detail


def test_three_presses_in_seven_days_tell_the_supervisors(open_claim, user, citizen, fresh):
    supervisors = [user("gm_supervisor"), user("fs_supervisor")]
    first, second, third = _working_days(3)
    for at in (first, second):
        fs.case_press(case=fresh(open_claim.case), actor=citizen, at=at)
    assert not OutboxMessage.objects.filter(kind="citizen_press_alert").exists()
    assert fs.case_press(case=fresh(open_claim.case), actor=citizen, at=third) == 3
    alerts = OutboxMessage.objects.filter(kind="citizen_press_alert")
    assert {m.recipient_user for m in alerts} == set(supervisors)
    assert all("催办 3 次" in m.body for m in alerts)
    assert not alerts.filter(recipient_user=user("gm_labor")).exists()
    assert fresh(open_claim.case).press_count == 3


def test_the_supervisors_are_alerted_once_not_on_every_later_press(open_claim, user, citizen, fresh):
    days = _working_days(5)
    for at in days[:3]:
        fs.case_press(case=fresh(open_claim.case), actor=citizen, at=at)
    alerts = OutboxMessage.objects.filter(kind="citizen_press_alert")
    assert alerts.count() == 2  # gm_supervisor and fs_supervisor, once each
    for at in days[3:]:  # the 4th and 5th presses still tell the unit, not the supervisors again
        fs.case_press(case=fresh(open_claim.case), actor=citizen, at=at)
    assert alerts.count() == 2
    assert _inbox(user("gm_labor"), "citizen_press").count() == 5


def test_presses_spread_over_more_than_seven_days_do_not_alert(open_claim, citizen, fresh):
    days = _working_days(12)
    for at in (days[0], days[6], days[11]):
        fs.case_press(case=fresh(open_claim.case), actor=citizen, at=at)
    assert not OutboxMessage.objects.filter(kind="citizen_press_alert").exists()


def test_a_weekend_press_counts_for_the_next_working_day():
    saturday = timezone.make_aware(dt.datetime(2026, 12, 12, 10, 0))
    monday = timezone.make_aware(dt.datetime(2026, 12, 14, 9, 0))
    assert fs.press_day(saturday) == fs.press_day(monday) == dt.date(2026, 12, 14)


def test_before_a_unit_has_it_the_centre_is_told(submit_claim, user, citizen, fresh):
    claim = submit_claim()
    fs.case_press(case=fresh(claim.case), actor=citizen)
    told = {m.recipient_user.username for m in OutboxMessage.objects.filter(kind="citizen_press")}
    assert {"gm_window", "gm_dispatch"} <= told and "gm_labor" not in told


def test_during_review_the_centres_dispatchers_are_told_too(open_claim, user, citizen, fresh):
    from cases.models import Outcome

    s.case_sign(case=fresh(open_claim.case), actor=user("gm_labor"))
    s.case_submit_result(case=fresh(open_claim.case), actor=user("gm_labor"), result="已协调", outcome=Outcome.RESOLVED)
    assert fresh(open_claim.case).status == Status.REVIEWING
    fs.case_press(case=fresh(open_claim.case), actor=citizen)
    told = {m.recipient_user.username for m in OutboxMessage.objects.filter(kind="citizen_press")}
    assert {"gm_labor", "gm_dispatch"} <= told and "gm_window" not in told
    assert _inbox(user("gm_dispatch"), "citizen_press").count() == 1  # once, not per membership


def test_while_handled_the_centre_is_not_told(open_claim, user, citizen, fresh):
    fs.case_press(case=fresh(open_claim.case), actor=citizen)
    told = {m.recipient_user.username for m in OutboxMessage.objects.filter(kind="citizen_press")}
    assert "gm_labor" in told and "gm_dispatch" not in told


def test_a_case_awaiting_the_rating_is_not_pressed(submit_claim, to_feedback, citizen, fresh):
    claim = submit_claim()
    case = to_feedback(claim.case)
    with pytest.raises(fs.FeedbackError):
        fs.case_press(case=fresh(case), actor=citizen)
    assert fresh(case).press_count == 0 and case.status == Status.FEEDBACK


def test_a_merged_claim_speaks_to_the_case_it_follows(submit_claim, user, fresh, login, citizen):
    window = user("gm_window")
    kept = submit_claim()
    s.case_accept(case=fresh(kept.case), actor=window)
    duplicate = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate.case), actor=window, into=fresh(kept.case))
    me = login(citizen)
    response = me.post(reverse("feedback:claim-message", args=[duplicate.tracking_code]), {"text": "补充一句"})
    assert response.status_code == 302
    supplement = Supplement.objects.get()
    assert supplement.case_id == kept.case_id and supplement.claim_id == duplicate.pk
    assert me.post(reverse("feedback:claim-press", args=[duplicate.tracking_code])).status_code == 302
    assert Case.objects.get(pk=kept.case_id).press_count == 1
    assert Case.objects.get(pk=duplicate.case_id).press_count == 0


def test_the_staff_case_page_costs_the_same_for_more_supplements(
    open_claim, login, citizen, django_assert_max_num_queries, fresh
):
    def add(i):
        files = check_uploads([_pdf(f"材料{i}.pdf")])
        fs.supplement_add(
            claim=open_claim, case=fresh(open_claim.case), kind="material", text="", uploads=files, actor=citizen
        )

    add(0)
    staff = login("gm_labor")
    url = reverse("cases:case-detail", args=[open_claim.case.number])
    with django_assert_max_num_queries(40) as first:
        staff.get(url)
    add(1)
    add(2)
    fs.supplement_add(
        claim=open_claim, case=fresh(open_claim.case), kind="message", text="再补充", uploads=[], actor=citizen
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = staff.get(url).content.decode()
    assert html.count('data-testid="supplement"') == 4 and html.count('data-testid="supplement-file"') == 3
