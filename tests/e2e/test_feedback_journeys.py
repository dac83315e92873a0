"""The citizen's voice and the call-back in a real browser (issue #11, "Tests"):
1. A window claimant without an account rates from the SMS link (three big buttons) and the case
   closes; opening the link again says 已评价.
2. A citizen presses (催办) on their case page: the third press within seven days tells the
   supervisors of the case's region. Presses are once per working day, so the two earlier ones are
   made through the service on two pinned working days and the third is clicked on the next one
   (the service's clock pinned too).
3. A window clerk records an unanswered call and a rating by phone on the call-back workbench.
The ORM sets up cases, reads the SMS as the claimant's phone would, and checks the final state.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from test_journeys import accepted_web_case, nav_link, shot
from test_role_homes import DEMO_CITIZEN_PHONE, click_and_wait, login

from accounts.models import User
from cases import services as s
from cases.models import Case, CaseEvent, Outcome, RatedVia, Status
from cases.workdays import is_workday
from feedback.services import case_press
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WALK_IN_PHONE = "13700137000"


def _walk_in_on_the_spot() -> Case:
    """A walk-in at the window (no account), resolved on the spot: 待评价, the SMS sent."""
    from intake.services import claim_submit
    from routing.models import Channel, MatterType, Region

    window = User.objects.get(username="gm_window")
    claim, _created = claim_submit(
        channel=Channel.WINDOW,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(name="明东村"),
        description="工地老板拖欠两个月工资共八千元，电话不接。",
        contact_name="李大伯",
        contact_phone=WALK_IN_PHONE,
        registered_by=window,
    )
    s.case_resolve_on_spot(case=claim.case, actor=window, result="当场联系工地负责人，承诺三日内结清工资。")
    return Case.objects.get(pk=claim.case_id)


def _sms_link(phone: str) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone, body__contains="/r/").order_by("-id").first()
    return re.search(r"https?://\S+/r/[A-Za-z0-9_-]{32}/", outbox_text(message)).group(0)


def test_a_window_claimant_rates_from_the_sms_link(live_server, demo, new_page, screenshots, settings):
    case = _walk_in_on_the_spot()
    link = _sms_link(WALK_IN_PHONE)
    page = new_page(PHONE)  # on the claimant's phone, no account, no login
    page.goto(live_server.url + link[link.index("/r/") :])
    assert page.get_by_role("heading", name="请评价办理结果").is_visible()
    assert "当场联系工地负责人" in page.get_by_test_id("link-result").inner_text()
    shot(page, screenshots, "feedback-1-link")
    page.get_by_text("已解决", exact=True).click()
    page.get_by_label("您的意见").fill("工资已经拿到了，谢谢！")
    click_and_wait(page, page.get_by_role("button", name="满意", exact=True))
    assert page.get_by_role("heading", name="已评价").is_visible()
    assert "已办结" in page.get_by_test_id("link-done").inner_text()
    shot(page, screenshots, "feedback-1-rated")
    page.reload()
    assert page.get_by_test_id("link-again").is_visible()

    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == "satisfied"
    assert case.rated_via == RatedVia.LINK and case.solved is True
    assert CaseEvent.objects.filter(case=case, transition="rate_closed").count() == 1


#: The three press days, pinned (Tuesday to Thursday of an ordinary week): the two earlier presses
#: and the clicked one fall on three working days within seven days whatever today is — counting
#: back from today could cross a long holiday and leave the first press out of the window.
PRESS_DAYS = [timezone.make_aware(dt.datetime(2026, 12, d, 10, 0)) for d in (8, 9, 10)]


def test_a_citizen_presses_and_the_third_press_tells_the_supervisors(
    live_server, demo, new_page, screenshots, monkeypatch
):
    from feedback import services as feedback_services
    from notifications.selectors import inbox_unread_count
    from notifications.services import inbox_all_read

    assert all(is_workday(at.date()) for at in PRESS_DAYS)
    # the clicked press (no ``at``: the service's clock) happens on the third day
    monkeypatch.setattr(feedback_services, "_now", lambda at: at or PRESS_DAYS[2])
    claim = accepted_web_case()
    citizen = User.objects.get(phone=DEMO_CITIZEN_PHONE)
    gm_supervisor = User.objects.get(username="gm_supervisor")
    inbox_all_read(user=gm_supervisor)  # below the bell's cap, so a new message shows as a rise
    unread_before = inbox_unread_count(gm_supervisor)
    for at in PRESS_DAYS[:2]:
        case_press(case=Case.objects.get(pk=claim.case_id), actor=citizen, at=at)
    assert not OutboxMessage.objects.filter(kind="citizen_press_alert").exists()

    page = new_page()
    login(page, live_server.url, DEMO_CITIZEN_PHONE)
    click_and_wait(page, nav_link(page, "我的诉求"))
    click_and_wait(page, page.get_by_test_id("claim-row").filter(has_text=claim.case.number))
    voice = page.get_by_test_id("citizen-voice")
    click_and_wait(page, voice.get_by_role("button", name="催办"))
    assert page.get_by_text("已催办，我们已提醒办理单位抓紧办理。", exact=True).is_visible()
    assert page.get_by_test_id("voice-pressed").is_visible()  # once per working day
    assert "您已催办" in page.get_by_test_id("timeline").inner_text()
    shot(page, screenshots, "feedback-2-pressed")

    case = Case.objects.get(pk=claim.case_id)
    assert case.press_count == 3
    labor = User.objects.get(username="gm_labor")
    assert OutboxMessage.objects.filter(kind="citizen_press", recipient_user=labor).count() == 3
    told = OutboxMessage.objects.filter(kind="citizen_press_alert", channel="inapp")
    assert {m.recipient_user.username for m in told} == {"gm_supervisor", "fs_supervisor"}
    assert all(case.number in m.body and "催办 3 次" in m.body for m in told)
    # the district supervisor sees it under the header's bell
    supervisor = new_page()
    login(supervisor, live_server.url, "gm_supervisor")
    bell = supervisor.get_by_test_id("bell")
    assert int(bell.get_attribute("data-unread-count")) > unread_before
    click_and_wait(supervisor, bell)
    listed = supervisor.get_by_test_id("message-list").get_by_test_id("message").filter(has_text=case.number)
    assert "催办 3 次" in listed.first.inner_text()
    shot(supervisor, screenshots, "feedback-2-supervisor-bell")


def test_a_clerk_records_call_backs_on_the_workbench(live_server, demo, new_page, screenshots):
    claim = accepted_web_case()
    labor, dispatch = User.objects.get(username="gm_labor"), User.objects.get(username="gm_dispatch")
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=labor)
    s.case_submit_result(
        case=Case.objects.get(pk=claim.case_id), actor=labor, result="企业已足额支付工资", outcome=Outcome.RESOLVED
    )
    s.case_approve(case=Case.objects.get(pk=claim.case_id), actor=dispatch)
    number = claim.case.number

    page = new_page()
    login(page, live_server.url, "gm_window")
    click_and_wait(page, page.locator("main").get_by_role("link", name=re.compile("待电话回访")))
    row = page.get_by_test_id("callback-row").filter(has_text=number)
    assert "138****8000" in row.inner_text()
    shot(page, screenshots, "feedback-3-workbench")
    click_and_wait(page, row.get_by_role("link", name="回访"))
    page.get_by_label("无人接听").check()
    click_and_wait(page, page.get_by_test_id("callback-submit"))
    assert page.get_by_text("回访结果已记录（无人接听）。").is_visible()
    click_and_wait(page, page.get_by_test_id("callback-row").filter(has_text=number).get_by_role("link", name="回访"))
    form = page.get_by_test_id("callback-form")
    form.get_by_label("电话评价").check()
    form.get_by_label("群众评价").select_option(label="基本满意")
    form.get_by_text("未解决", exact=True).click()
    form.get_by_label("回访记录").fill("工资已到账，但加班费还没算清。")
    shot(page, screenshots, "feedback-3-callback-form")
    click_and_wait(page, page.get_by_test_id("callback-submit"))
    assert page.get_by_text("回访结果已记录（电话评价）。").is_visible()
    assert page.get_by_test_id("callback-row").filter(has_text=number).count() == 0

    case = Case.objects.get(pk=claim.case_id)
    assert case.status == Status.CLOSED and case.rated_via == RatedVia.PHONE and case.solved is False
    event = CaseEvent.objects.get(case=case, transition="rate_closed")
    assert event.actor.username == "gm_window" and event.note.startswith("电话回访")
