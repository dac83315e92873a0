"""Staff forms in a real browser (issue #17).

1. The place picker: quick changes of the district leave one town select, and the place picked
   from it is the one registered (answers that come back late and out of order are ignored).
2. A failed window submit: the error summary takes the focus and links the wrong field, nothing
   typed is lost, the chosen files are shown as attached and go with the corrected submit.
"""

from __future__ import annotations

import pytest
from test_journeys import PLACE, WALK_IN_PHONE, nav_link, pick_region, tiny_png
from test_role_homes import click_and_wait, login

from intake.models import Claim

pytestmark = pytest.mark.e2e


def hold_region_answers(page) -> list:
    """Hold every answer of the region-children endpoint until the test releases it."""
    held: list = []
    page.route("**/regions/children/**", lambda route: held.append(route))
    return held


def release(held: list, order) -> None:
    for route in order(list(held)):
        held.remove(route)
        route.continue_()


def test_quick_district_changes_leave_one_town_select(live_server, demo, page, screenshots):
    login(page, live_server.url, "gm_window")
    click_and_wait(page, nav_link(page, "窗口登记"))
    form = page.locator("main form")
    box = form.locator(".yk-cascade")
    district = box.locator('select:has(option:text-is("高明区"))')
    held = hold_region_answers(page)

    # The clerk changes the district three times before the first answer arrives …
    for name in ("禅城区", "南海区", "高明区"):
        district.select_option(label=name)
    page.wait_for_timeout(200)
    assert len(held) == 3
    # … and the answers come back in the opposite order: the 高明区 towns first, 禅城区 last.
    release(held, reversed)
    page.wait_for_load_state("networkidle")

    towns = box.locator("[data-level='3'] select")
    assert towns.count() == 1, "one town select, whatever order the answers came in"
    assert box.locator("select").count() == 4
    assert "明城镇" in towns.inner_text() and "祖庙街道" not in towns.inner_text()
    page.unroute("**/regions/children/**")

    towns.select_option(label="明城镇")
    box.locator("[data-level='4'] select").select_option(label="明东村")
    page.wait_for_load_state("networkidle")
    form.locator("#id_contact_name").fill("何秀英")
    form.locator("#id_contact_phone").fill(WALK_IN_PHONE)
    form.locator("#id_description").fill("明东村电子厂拖欠两个月工资共八千元，老板不接电话。")
    form.locator("#id_matter").select_option("labor.wages")
    click_and_wait(page, form.get_by_role("button", name="登记并打印回执"))

    assert "/window/receipt/" in page.url, page.locator("main").inner_text()
    claim = Claim.objects.select_related("case__region").get(contact_phone=WALK_IN_PHONE)
    assert claim.case.region.name == "明东村"


def test_a_failed_window_submit_keeps_everything_and_focuses_the_summary(live_server, demo, page, screenshots):
    login(page, live_server.url, "gm_window")
    click_and_wait(page, nav_link(page, "窗口登记"))
    form = page.locator("main form")
    form.locator("#id_contact_name").fill("何秀英")
    form.locator("#id_contact_phone").fill(WALK_IN_PHONE)
    form.locator("#id_description").fill("欠薪两月")  # too short
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_address").fill("明东村工业路 8 号")
    form.locator("#id_attachments").set_input_files(
        [
            {"name": "现场.png", "mimeType": "image/png", "buffer": tiny_png()},
            {"name": "工资条.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"},
        ]
    )
    click_and_wait(page, form.get_by_role("button", name="登记并打印回执"))

    summary = page.get_by_test_id("form-error")
    assert summary.is_visible() and "有 1 处需要修改" in summary.inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "form-error", "focus is not on the summary"
    assert form.locator("#id_address").input_value() == "明东村工业路 8 号"
    assert form.locator("#id_contact_name").input_value() == "何秀英"
    held = page.get_by_test_id("held-files")
    assert "已附上 2 个文件" in held.inner_text() and "现场.png" in held.inner_text()
    page.screenshot(path=screenshots / "staff-window-errors.png", full_page=True)

    summary.get_by_role("link", name="诉求内容").click()
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.press("Control+A")
    page.keyboard.type("明东村电子厂拖欠两个月工资共八千元，老板不接电话。")
    click_and_wait(page, form.get_by_role("button", name="登记并打印回执"))

    assert "/window/receipt/" in page.url, page.locator("main").inner_text()
    claim = Claim.objects.get(contact_phone=WALK_IN_PHONE)
    assert sorted(a.original_name for a in claim.attachments.all()) == ["工资条.pdf", "现场.png"]
