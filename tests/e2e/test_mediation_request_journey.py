"""申请调解 in a real browser (issue #14): on a phone, the citizen asks for mediation and picks one
of the three recommended mediators; the centre confirms on its screen; the other party opens the SMS link on
their phone — in 长辈模式 — and agrees; the mediation starts with the chosen mediator. axe-core
finds nothing on the pages of the journey nor on the public 建议征集 page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from test_accessibility import axe_violations, describe
from test_elderly_mode_browser import MAIN_TARGET_PX, MEASURE, SMALL_PX, TARGET_PX
from test_role_homes import click_and_wait, login

from accounts.elderly import COOKIE
from accounts.models import User
from demo.mediation import load_demo_mediators
from mediation.models import Mediation, MediationRequest, MediationStatus, RequestStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_text
from routing.models import Unit
from suggestions import services as suggestion_services

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
REGION = "440608102201"


def _axe(page, name: str, failures: list[str]) -> None:
    found = axe_violations(page)
    if found:
        failures.append(describe(name, page.url, found))


def test_other_party_accepts_a_citizens_mediation_request_by_link(live_server, demo, new_page, screenshots):
    load_demo_mediators()
    base = live_server.url
    failures: list[str] = []

    # the citizen, on a phone
    page = new_page(PHONE)
    login(page, base, "13800138000")
    page.goto(f"{base}/mediation/request/?region={REGION}&letter=UNKNOWN")
    page.select_option("#id_matter", "labor.wages")
    page.fill("#id_description", "明东村五金厂拖欠我三个月工资，希望调解员帮忙协商。")
    page.fill("#id_other_name", "明东五金制品厂")
    page.fill("#id_other_phone", "13700137000")
    click_and_wait(page, page.get_by_test_id("preview"))
    radios = page.locator("input[name=preferred]")
    assert radios.count() == 4  # 由中心安排 and the three recommended
    _axe(page, "request form", failures)
    chosen_label = page.locator("label[for=id_preferred_1]").inner_text()
    page.locator("#id_preferred_1").check()
    page.locator("#id_consent").check()
    page.screenshot(path=screenshots / "mediation-request-form-phone.png", full_page=True)
    click_and_wait(page, page.get_by_test_id("submit"))
    assert "等待中心确认" in page.get_by_test_id("request-status").inner_text()
    _axe(page, "request page", failures)
    made = MediationRequest.objects.get()
    assert made.preferred_mediator.display_name in chosen_label

    # the centre confirms on its screen, the citizen's wish preselected
    centre = new_page()
    login(centre, base, "gm_dispatch")
    centre.goto(f"{base}/mediation/requests/")
    click_and_wait(centre, centre.get_by_role("link", name=made.case.number))
    assert centre.locator("#id_mediator").input_value() == str(made.preferred_mediator_id)
    _axe(centre, "confirm page", failures)
    click_and_wait(centre, centre.get_by_role("button", name="确认并短信邀请对方"))
    assert "待答复" in centre.get_by_test_id("request-status").inner_text()
    sms = OutboxMessage.objects.get(kind="mediation_invite", recipient_phone="13700137000")
    text = outbox_text(sms)  # what the other party's phone shows
    link = re.search(r"https?://\S+", text).group(0).replace("http://testserver", base)
    assert "/mediation/invite/" in link

    # the other party, on their phone, in 长辈模式
    other = new_page(PHONE)
    other.context.add_cookies([{"name": COOKIE, "value": "1", "url": base}])
    other.goto(link)
    assert "调解邀请" in other.locator("h1").inner_text()
    found = other.evaluate(MEASURE, {"small": SMALL_PX, "target": TARGET_PX, "mainTarget": MAIN_TARGET_PX})
    assert found["elderly"] and found["wide"] <= PHONE["width"], found
    assert not found["targets"] and not found["main"], found
    _axe(other, "invitation (elderly)", failures)
    other.screenshot(path=screenshots / "mediation-invite-phone.png", full_page=True)
    click_and_wait(other, other.get_by_test_id("accept"))
    assert "您已同意调解" in other.get_by_test_id("answer").inner_text()
    _axe(other, "answered", failures)

    made.refresh_from_db()
    assert made.status == RequestStatus.ACCEPTED
    mediation = Mediation.objects.get(case=made.case)
    assert mediation.status == MediationStatus.ASSIGNED and mediation.mediator_id == made.preferred_mediator_id

    # the link is single-use: opening it again changes nothing
    other.goto(link)
    assert "已答复过" in other.locator("h1").inner_text()
    assert Mediation.objects.count() == 1

    # the public 建议征集 page
    today = timezone.localdate()
    suggestion_services.topic_publish(
        actor=User.objects.get(username="gm_dispatch"),
        centre=Unit.objects.get(code="GM-ZX"),
        title="窗口服务意见征集",
        body="欢迎提出建议。",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=5),
    )
    centre.goto(f"{base}/suggestions/manage/")
    _axe(centre, "suggestion topics", failures)
    click_and_wait(centre, centre.get_by_role("link", name="窗口服务意见征集"))
    _axe(centre, "suggestion topic (staff)", failures)
    page.goto(f"{base}/suggestions/")
    _axe(page, "suggestions", failures)
    page.get_by_role("link", name="窗口服务意见征集").click()
    page.wait_for_load_state()
    _axe(page, "suggestion topic", failures)
    assert not failures, "axe-core found accessibility violations:\n" + "\n".join(failures)
