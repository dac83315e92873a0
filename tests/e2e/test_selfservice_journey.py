"""一码解纷 and the inline SMS sign-in on a phone (issue #14): a logged-out citizen scans the
village's QR code, opens 我要反映 with the place preset, fills in the claim, gets a code on the
same page — what they typed is kept — and the claim goes through with a new citizen account."""

from __future__ import annotations

import re

import pytest
from test_journeys import PHONE, WAGES_TEXT
from test_role_homes import click_and_wait

from accounts.models import User
from intake.models import Claim
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.e2e
VILLAGE = "440608102201"  # 明东村
NEW_PHONE = "13712345678"


def test_qr_page_to_claim_with_inline_sms_sign_in_on_a_phone(live_server, demo, new_page, screenshots):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/q/{VILLAGE}/")
    assert page.get_by_test_id("place-name").inner_text() == "明东村"
    assert "明城镇综治中心" in page.get_by_test_id("service-point").inner_text()
    for testid in ("door-claim", "door-consult", "door-mediation", "door-track"):
        assert page.get_by_test_id(testid).is_visible()
    page.screenshot(path=screenshots / "selfservice-place-phone.png", full_page=True)

    click_and_wait(page, page.get_by_test_id("door-claim"))
    assert "为了把办理进展告诉您，需要先用手机号登录" in page.get_by_test_id("sign-in-reason").inner_text()
    form = page.get_by_test_id("claim-form")
    assert form.locator("select[name=region_4]").input_value() == VILLAGE  # the place is preset
    form.locator("#id_description").fill(WAGES_TEXT)
    form.locator("#id_matter").select_option("labor.wages")
    form.locator("#id_contact_name").fill("何秀英")
    form.locator("#id_contact_phone").fill(NEW_PHONE)
    form.locator("#id_consent").check()
    click_and_wait(page, form.get_by_test_id("send-code"))

    assert "验证码已发送到 137****5678" in page.locator("main").inner_text()
    assert form.locator("#id_description").input_value() == WAGES_TEXT  # nothing typed is lost
    assert form.locator("#id_contact_name").input_value() == "何秀英"
    assert form.locator("#id_consent").is_checked()
    assert form.locator("select[name=region_4]").input_value() == VILLAGE
    message = OutboxMessage.objects.filter(recipient_phone=NEW_PHONE).latest("id")
    code = re.search(r"\d{6}", outbox_text(message)).group(0)
    form.locator("#id_sms_code").fill(code)
    page.screenshot(path=screenshots / "selfservice-inline-sign-in-phone.png", full_page=True)
    click_and_wait(page, form.get_by_role("button", name="验证并提交诉求"))

    assert "/claims/new/done/" in page.url, page.locator("main").inner_text()
    claim = Claim.objects.get()
    assert claim.submitter == User.objects.get(phone=NEW_PHONE)
    assert claim.case.region.code == VILLAGE and claim.description == WAGES_TEXT
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
