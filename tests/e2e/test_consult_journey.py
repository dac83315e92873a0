"""智能咨询 on a phone (issue #14): an anonymous visitor from the QR landing link answers the wage
questionnaire, reads the 解纷意见书, then signs in and one click opens the claim form pre-filled."""

from __future__ import annotations

import pytest
from test_accessibility import axe_violations, describe
from test_role_homes import DEMO_CITIZEN_PHONE, click_and_wait, login

from consult.models import GuidanceLetter

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
VILLAGE = "440608101201"  # 杨梅村, 杨和镇
ANSWERS = ["还在干", "要过，老板不给或者一直拖着", "就我一个或者几个人（不到 10 个人）", "签了"]


@pytest.fixture
def questionnaires(demo):
    from demo.consult import load_demo_questionnaires

    load_demo_questionnaires()


def _no_sideways_scroll(page) -> None:
    """Fits a phone, and axe-core finds nothing (the accessibility gate, docs/testing.md)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"
    violations = axe_violations(page)
    assert not violations, describe("consult", page.url, violations)


def test_consult_to_letter_to_a_prefilled_claim_on_a_phone(live_server, questionnaires, new_page, screenshots):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/q/{VILLAGE}/")  # the village's QR code
    assert page.get_by_test_id("place-name").inner_text() == "杨梅村"
    click_and_wait(page, page.get_by_test_id("door-consult"))
    assert "杨梅村" in page.get_by_test_id("region-chosen").inner_text()
    _no_sideways_scroll(page)
    click_and_wait(page, page.get_by_role("link", name="被拖欠工资怎么办"))
    for number, answer in enumerate(ANSWERS, start=1):
        assert f"第 {number} 问" in page.locator("legend").inner_text()
        page.get_by_label(answer, exact=True).check()
        _no_sideways_scroll(page)
        click_and_wait(page, page.get_by_role("button", name="下一步"))
    assert "请核对您的回答" in page.locator("h1").inner_text()
    click_and_wait(page, page.get_by_role("button", name="生成解纷意见书"))

    letter = page.get_by_test_id("consult-letter")
    assert "拖欠工资解纷意见书" in letter.inner_text()
    assert "先申请调解，调不成再申请劳动仲裁" in page.get_by_test_id("letter-path").inner_text()
    assert "劳动争议调解仲裁法" in page.get_by_test_id("letter-laws").inner_text()
    assert "杨和镇综治中心" in page.get_by_test_id("letter-centre").inner_text()
    code = page.get_by_test_id("letter-code").inner_text().strip()
    assert GuidanceLetter.objects.filter(code=code).exists()
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "consult-letter-phone.png", full_page=True)

    # 长辈模式: the same letter in large type still fits the phone.
    page.get_by_test_id("elderly-switch").click()  # switches in place (static/js/elderly-switch.js)
    page.wait_for_function("() => parseFloat(getComputedStyle(document.body).fontSize) >= 20")
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "consult-letter-phone-elderly.png", full_page=True)

    # The letter is found again by its code, then the claim starts from it.
    page.goto(f"{live_server.url}/consult/verify/")
    page.get_by_label("验证码").fill(code.lower())
    click_and_wait(page, page.get_by_role("button", name="查看"))
    assert code in page.get_by_test_id("letter-code").inner_text()
    letter_url = page.url
    login(page, live_server.url, DEMO_CITIZEN_PHONE)
    page.goto(letter_url)
    click_and_wait(page, page.get_by_test_id("start-claim"))
    assert "/claims/new/" in page.url
    description = page.locator("#id_description").input_value()
    assert description.startswith("我想反映的是拖欠工资方面的问题。") and code in description
    assert page.locator("#id_matter").input_value() == "labor.wages"
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "consult-claim-prefilled-phone.png", full_page=True)
