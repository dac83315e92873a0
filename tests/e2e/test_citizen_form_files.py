"""The citizen's claim form in a real browser (issue #17): a submit that comes back with errors
moves the focus to the summary, keeps what was typed and the chosen files (listed as 已附上的文件),
and the corrected submit registers the claim with those files, without choosing them again."""

from __future__ import annotations

import pytest
from test_journeys import PLACE, WAGES_TEXT, nav_link, pick_region, tiny_png
from test_role_homes import DEMO_CITIZEN_PHONE, click_and_wait, login

from intake.models import Claim, HeldUpload

pytestmark = pytest.mark.e2e


def test_a_failed_citizen_submit_keeps_the_files_and_the_corrected_one_registers_them(
    live_server, demo, page, screenshots
):
    login(page, live_server.url, DEMO_CITIZEN_PHONE)
    click_and_wait(page, nav_link(page, "我要反映"))
    form = page.get_by_test_id("claim-form")
    form.locator("#id_description").fill("工资没发")  # too short
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_address").fill("明东村工业路 8 号")
    form.locator("#id_consent").check()
    form.locator("#id_attachments").set_input_files(
        [
            {"name": "现场.png", "mimeType": "image/png", "buffer": tiny_png()},
            {"name": "工资条.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        ]
    )
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))

    summary = page.get_by_test_id("form-errors")
    assert summary.is_visible() and "有 1 处需要修改" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "form-errors", "focus is not on the summary"
    assert form.locator("#id_address").input_value() == "明东村工业路 8 号"
    assert form.locator("#id_consent").is_checked()
    held = page.get_by_test_id("held-files")
    assert "已附上的文件（2 个）" in held.inner_text()
    assert "现场.png" in held.inner_text() and "工资条.pdf" in held.inner_text()
    assert page.get_by_test_id("files-lost").count() == 0
    assert held.get_by_role("checkbox", name="移除“工资条.pdf”").is_visible()
    page.screenshot(path=screenshots / "citizen-claim-errors-held-files.png", full_page=True)

    summary.get_by_role("link", name="诉求内容").click()
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.press("Control+A")
    page.keyboard.type(WAGES_TEXT)
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))

    assert "/claims/new/done/" in page.url, page.locator("main").inner_text()
    claim = Claim.objects.get(tracking_code=page.get_by_test_id("tracking-code").get_attribute("aria-label"))
    assert sorted(a.original_name for a in claim.attachments.all()) == ["工资条.pdf", "现场.png"]
    assert not HeldUpload.objects.exists()
