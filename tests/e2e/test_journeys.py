"""The closed loop in a real browser (issue 4, "Tests"): every journey clicks and types through the UI.

1. A citizen submits a wage-arrears claim and tracks it, logged in and anonymously.
2. A window clerk registers a walk-in, accepts it and prints the receipt.
3. The handling unit signs, notes progress and submits a result; the centre approves; the citizen
   rates and the case closes.
4. A hotline clerk sees the caller's earlier claim and attaches the new call to it.
5. A grid worker reports a photo from a phone (随手拍).

The ORM is only used to set up a case where the journey does not start at the claim form, to
read what the browser cannot (which claim a code belongs to) and to check the final state.
Full-page screenshots go to tests/e2e/screenshots/journey-*.png for a human to look at.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from test_role_homes import CITIZEN_NAMES, DEMO_CITIZEN_PHONE, STAFF_NAMES, click_and_wait, login

from accounts.models import User
from cases.models import Status
from intake.models import Claim

pytestmark = pytest.mark.e2e

WAGES_TEXT = "明东村五金厂老板拖欠我三个月工资共一万二千元，多次讨要无果。"
PLACE = ("高明区", "明城镇", "明东村")
WALK_IN_PHONE = "13900139000"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: How staff may be named; a citizen's page must show none of these (units yes, people no).
STAFF_NAME_PARTS = sorted(
    {name for full in STAFF_NAMES.values() for name in (full, full.split("（")[0])}, key=len, reverse=True
)


# Helpers -----------------------------------------------------------------------------------------


def shot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"journey-{name}.png", full_page=True)


def nav_link(page, name: str):
    return page.locator("header nav").get_by_role("link", name=name, exact=True)


def pick_region(page, *names: str) -> None:
    """Choose each level of the cascading region selects in turn (each level loads the next)."""
    box = page.locator("form .yk-cascade")
    for name in names:
        box.locator(f'select:has(option:text-is("{name}"))').select_option(label=name)
    # The last pick loads the level below it (grids under a village): let it land first.
    page.wait_for_load_state("networkidle")


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def at_phone_width(page, screenshots, name: str) -> None:
    """Look at the current page on a phone too: nothing may scroll sideways."""
    page.set_viewport_size(PHONE)
    try:
        assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({page_width(page)}px)"
        shot(page, screenshots, name)
    finally:
        page.set_viewport_size(DESKTOP)


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A real (decodable) PNG: red pixels, built with zlib so no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xb3\x26\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def accepted_web_case(description: str = WAGES_TEXT) -> Claim:
    """The citizen's wage claim, submitted and accepted through the services (journey 1 covers the form)."""
    from cases.services import case_accept
    from intake.services import claim_submit
    from routing.models import Channel, MatterType, Region

    citizen = User.objects.get(phone=DEMO_CITIZEN_PHONE)
    claim, _created = claim_submit(
        channel=Channel.WEB,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(name="明东村"),
        description=description,
        contact_name=citizen.full_name,
        contact_phone=DEMO_CITIZEN_PHONE,
        submitter=citizen,
    )
    case_accept(case=claim.case, actor=User.objects.get(username="gm_window"))
    claim.case.refresh_from_db()
    return claim


def assert_no_staff_names(page) -> None:
    text = page.locator("main").inner_text()
    shown = [name for name in STAFF_NAME_PARTS if name in text]
    assert not shown, f"a citizen's page names staff: {shown}"


# 1. Citizen submits and tracks -------------------------------------------------------------------


def test_citizen_submits_and_tracks(live_server, demo, new_page, screenshots):
    from django.core.cache import cache

    cache.clear()  # public tracking is rate-limited per address; start from a clean count
    page = new_page()
    login(page, live_server.url, DEMO_CITIZEN_PHONE)
    click_and_wait(page, nav_link(page, "我要反映"))
    assert page.url == live_server.url + "/claims/new/"

    form = page.get_by_test_id("claim-form")
    form.locator("#id_description").fill(WAGES_TEXT)
    suggestion = page.locator("#matter-suggestions").get_by_role("button", name="劳动保障 › 拖欠工资")
    suggestion.click()
    assert form.locator("#id_matter").input_value() == "labor.wages"
    pick_region(page, *PLACE)
    assert form.locator("#id_contact_name").input_value() == CITIZEN_NAMES[DEMO_CITIZEN_PHONE]
    assert form.locator("#id_contact_phone").input_value() == DEMO_CITIZEN_PHONE
    form.locator("#id_consent").check()
    shot(page, screenshots, "1-claim-form-filled")
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))

    assert "/claims/new/done/" in page.url
    code = page.get_by_test_id("tracking-code").get_attribute("aria-label")
    claim = Claim.objects.select_related("case").get(tracking_code=code)
    case = claim.case
    assert page.get_by_test_id("tracking-code").inner_text().replace(" ", "").replace("\n", "") == code
    assert page.get_by_test_id("case-number").inner_text() == case.number
    assert "138****8000" in page.locator("main").inner_text()
    assert (case.matter.code, case.region.name, case.status) == ("labor.wages", "明东村", Status.SUBMITTED)
    assert claim.submitter.phone == DEMO_CITIZEN_PHONE
    shot(page, screenshots, "1-submitted")
    at_phone_width(page, screenshots, "1-submitted-phone")

    click_and_wait(page, nav_link(page, "我的诉求"))
    row = page.get_by_test_id("claim-row").filter(has_text=case.number)
    assert row.get_by_test_id("status").inner_text() == "等待受理"
    shot(page, screenshots, "1-my-claims")
    click_and_wait(page, row)
    assert page.url == f"{live_server.url}/claims/{code}/"
    assert page.get_by_test_id("status").first.inner_text() == "等待受理"
    assert "明东村" in page.get_by_test_id("place").inner_text()
    assert page.get_by_test_id("description").inner_text() == WAGES_TEXT
    assert DEMO_CITIZEN_PHONE not in page.content()
    shot(page, screenshots, "1-claim-page")
    at_phone_width(page, screenshots, "1-claim-page-phone")

    # Anyone with the code and the last four digits, without an account.
    public = new_page()
    public.goto(live_server.url + "/")
    click_and_wait(public, nav_link(public, "进度查询"))
    track = public.get_by_test_id("track-form")
    track.locator("#id_code").fill(code.lower())  # letters are not case-sensitive
    track.locator("#id_phone_last4").fill("8000")
    click_and_wait(public, track.get_by_role("button", name="查询"))
    result = public.get_by_test_id("track-result")
    assert result.get_by_test_id("case-number").inner_text() == case.number
    assert result.get_by_test_id("status").inner_text() == "等待受理"
    shown = public.locator("main").inner_text()
    for private in (CITIZEN_NAMES[DEMO_CITIZEN_PHONE], DEMO_CITIZEN_PHONE, "138****8000", WAGES_TEXT[:8], "明东村"):
        assert private not in shown, f"public tracking shows {private!r}"
    assert "labor-wages" not in shown, "routing rule ids are internal"
    shot(public, screenshots, "1-track-found")

    errors = []
    for tried_code, last4 in ((code, "1234"), ("ZZZZZZZZZZ", "8000")):
        public.goto(live_server.url + "/track/")
        track = public.get_by_test_id("track-form")
        track.locator("#id_code").fill(tried_code)
        track.locator("#id_phone_last4").fill(last4)
        with public.expect_navigation() as answer:
            track.get_by_role("button", name="查询").click()
        assert answer.value.status == 400
        assert public.get_by_test_id("track-result").count() == 0
        errors.append(public.get_by_test_id("track-error").inner_text())
        shot(public, screenshots, f"1-track-{'wrong-last4' if last4 == '1234' else 'unknown-code'}")
    assert errors[0] == errors[1] == "查询码或手机号后四位不正确"


# 2. Window walk-in and receipt -------------------------------------------------------------------


def test_clerk_registers_a_walk_in_and_prints_the_receipt(live_server, demo, page, screenshots):
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    login(page, live_server.url, "gm_window")
    click_and_wait(page, nav_link(page, "窗口登记"))

    form = page.locator("main form")
    form.locator("#id_contact_name").fill("何秀英")
    form.locator("#id_contact_phone").fill(WALK_IN_PHONE)
    form.locator("#id_description").fill("我在明东村的电子厂做了两个月，厂里一直拖欠工资不发，共八千元，老板不接电话。")
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_address").fill("明东村工业路 8 号")
    form.get_by_label("受理并按规则派单").check()
    shot(page, screenshots, "2-window-form-filled")
    click_and_wait(page, form.get_by_role("button", name="登记并打印回执"))

    assert "/window/receipt/" in page.url
    claim = Claim.objects.select_related("case", "case__lead_unit").get(contact_phone=WALK_IN_PHONE)
    case = claim.case
    assert (claim.channel, claim.registered_by.username) == ("window", "gm_window")
    assert case.status == Status.DISPATCHED and case.lead_unit.code == "GM-RSJ"
    assert page.get_by_text("已受理并按规则派单。").is_visible()
    receipt = page.get_by_test_id("receipt")
    assert receipt.get_by_test_id("tracking-code").inner_text() == claim.tracking_code
    text = receipt.inner_text()
    assert case.number in text
    assert "何秀英（139****9000）" in text
    assert WALK_IN_PHONE not in page.content(), "the receipt must mask the phone number"
    assert receipt.get_by_test_id("status").inner_text() == "已交办理单位"  # the citizen's copy: plain words
    shot(page, screenshots, "2-receipt")

    print_button = receipt.get_by_role("button", name="打印回执")
    assert print_button.is_visible()
    print_button.click()
    assert page.evaluate("window.__printed") == 1
    # What the printer gets: the receipt alone, without the navigation, message or buttons.
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    assert not print_button.is_visible()
    assert receipt.get_by_test_id("tracking-code").is_visible()
    shot(page, screenshots, "2-receipt-print")


# 3. Handle, review, rate, close ------------------------------------------------------------------


def test_handler_submits_a_result_the_centre_approves_and_the_citizen_rates(live_server, demo, new_page, screenshots):
    claim = accepted_web_case()
    case = claim.case
    assert case.status == Status.DISPATCHED and case.lead_unit.code == "GM-RSJ"

    # The handling unit: 待办案件 › 待签收 › the case › 签收, a progress note, the result.
    handler = new_page()
    login(handler, live_server.url, "gm_labor")
    click_and_wait(handler, nav_link(handler, "待办案件"))
    assert handler.get_by_test_id("tab-dispatched").get_attribute("aria-current") == "page"
    shot(handler, screenshots, "3-handler-inbox")
    click_and_wait(handler, handler.get_by_test_id("case-table").get_by_role("link", name=case.number))
    assert handler.get_by_test_id("case-number").inner_text() == case.number
    shot(handler, screenshots, "3-handler-case-to-sign")
    click_and_wait(handler, handler.get_by_test_id("action-sign").get_by_role("button", name="签收"))
    assert handler.get_by_text("已签收，请在办理时限内处置。").is_visible()
    assert handler.get_by_test_id("status").first.inner_text() == "处置中"
    assert "尚未联系群众" in handler.get_by_test_id("case-contact").inner_text()

    # 首次联系 (issue #11): how the unit reached the citizen, with a note
    contact = handler.get_by_test_id("action-contact")
    contact.locator("summary").click()
    contact.get_by_label("电话").check()
    contact.get_by_label("联系情况").fill("已电话联系申请人，核实欠薪金额与工期。")
    click_and_wait(handler, contact.get_by_role("button", name="确认记录首次联系"))
    assert handler.get_by_text("已记录首次联系（电话）。").is_visible()
    assert "按时联系" in handler.get_by_test_id("case-contact").inner_text()

    note = handler.get_by_test_id("action-add_note")
    note.locator("summary").click()
    note.get_by_label("办理进展").fill("已约见五金厂负责人，责令其在 5 个工作日内结清欠薪。")
    note.get_by_label("群众可见").check()
    click_and_wait(handler, note.get_by_role("button", name="确认添加办理进展"))
    assert handler.get_by_text("办理进展已记录（群众可见）。").is_visible()

    result = handler.get_by_test_id("action-submit_result")
    result.locator("summary").click()
    result.get_by_label("办理结论").select_option(label="已解决")
    result.get_by_label("办理结果").fill("经劳动监察约谈，五金厂已于今日足额支付拖欠工资一万二千元，申请人已确认收到。")
    shot(handler, screenshots, "3-handler-result-form")
    click_and_wait(handler, result.get_by_role("button", name="确认提交办理结果"))
    assert handler.get_by_text("办理结果已提交，等待诉求服务中心审核。").is_visible()
    shot(handler, screenshots, "3-handler-result-submitted")

    # The centre: 中心队列 › 待审核 › the case › 审核通过.
    dispatcher = new_page()
    login(dispatcher, live_server.url, "gm_dispatch")
    click_and_wait(dispatcher, nav_link(dispatcher, "中心队列"))
    click_and_wait(dispatcher, dispatcher.get_by_test_id("tab-reviewing"))
    row = dispatcher.get_by_test_id("queue-list").get_by_test_id("case-row").filter(has_text=case.number)
    assert "已解决" in row.inner_text()
    shot(dispatcher, screenshots, "3-dispatcher-review-queue")
    click_and_wait(dispatcher, row)
    approve = dispatcher.get_by_test_id("action-approve")
    approve.locator("summary").click()
    approve.get_by_label("意见（选填）").fill("办理结果属实，同意办结。")
    shot(dispatcher, screenshots, "3-dispatcher-approve")
    click_and_wait(dispatcher, approve.get_by_role("button", name="确认审核通过"))
    assert dispatcher.get_by_text("审核通过，办理结果已告知群众。").is_visible()
    assert dispatcher.get_by_test_id("status").first.inner_text() == "待评价"

    # The citizen: 我的诉求 › the case › the result › 满意.
    citizen = new_page()
    login(citizen, live_server.url, DEMO_CITIZEN_PHONE)
    click_and_wait(citizen, nav_link(citizen, "我的诉求"))
    click_and_wait(citizen, citizen.get_by_test_id("claim-row").filter(has_text=case.number))
    assert citizen.get_by_test_id("status").first.inner_text() == "待您评价"
    outcome = citizen.get_by_test_id("result")
    assert "已解决" in outcome.inner_text()
    assert "足额支付拖欠工资一万二千元" in outcome.inner_text()
    timeline = citizen.get_by_test_id("timeline").inner_text()
    assert "已约见五金厂负责人" in timeline
    assert "您的诉求已交给 高明区人力资源和社会保障局 办理，预计" in timeline
    assert "主办" not in timeline and "签收" not in timeline, "staff words are not for citizens (#17)"
    assert "labor-wages" not in timeline, "routing rule ids are internal"
    assert_no_staff_names(citizen)
    shot(citizen, screenshots, "3-citizen-result")
    rating = citizen.get_by_test_id("rating-form")
    rating.get_by_text("满意", exact=True).click()
    assert rating.locator("input[value=satisfied]").is_checked()
    rating.get_by_label("评价意见").fill("处理很及时，谢谢！")
    click_and_wait(citizen, rating.get_by_role("button", name="提交评价"))
    assert citizen.get_by_text("感谢您的评价。").is_visible()
    assert citizen.get_by_test_id("status").first.inner_text() == "已办结"
    assert citizen.get_by_test_id("rating-form").count() == 0
    assert "满意——处理很及时，谢谢！" in citizen.get_by_test_id("result").inner_text()
    assert_no_staff_names(citizen)
    shot(citizen, screenshots, "3-citizen-closed")

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert (case.outcome, case.rating, case.closed_at is not None) == ("resolved", "satisfied", True)
    citizen_user = User.objects.get(phone=DEMO_CITIZEN_PHONE)
    events = list(case.events.order_by("created_at", "id").select_related("actor"))
    assert [(e.transition, e.to_status, e.actor) for e in events] == [
        ("submit", Status.SUBMITTED, citizen_user),
        ("accept", Status.ACCEPTED, User.objects.get(username="gm_window")),
        ("dispatch", Status.DISPATCHED, None),  # automatic, by the routing rule
        ("sign", Status.HANDLING, User.objects.get(username="gm_labor")),
        ("contact", Status.HANDLING, User.objects.get(username="gm_labor")),
        ("add_note", Status.HANDLING, User.objects.get(username="gm_labor")),
        ("submit_result", Status.REVIEWING, User.objects.get(username="gm_labor")),
        ("approve", Status.FEEDBACK, User.objects.get(username="gm_dispatch")),
        ("rate_closed", Status.CLOSED, citizen_user),
    ]


# 4. Hotline: the caller's history and attaching to it --------------------------------------------


def test_hotline_attaches_a_repeat_call_to_the_earlier_case(live_server, demo, page, screenshots):
    from cases.services import case_accept
    from intake.services import claim_submit
    from routing.models import Channel, MatterType, Region

    hotline_clerk = User.objects.get(username="gm_hotline")
    earlier, _created = claim_submit(
        channel=Channel.HOTLINE,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(name="明东村"),
        description="电子厂拖欠两个月工资共八千元，老板一直推说没钱。",
        contact_name="何女士",
        contact_phone=WALK_IN_PHONE,
        registered_by=hotline_clerk,
    )
    case_accept(case=earlier.case, actor=hotline_clerk)
    target = earlier.case

    login(page, live_server.url, "gm_hotline")
    click_and_wait(page, nav_link(page, "热线登记"))
    phone = page.locator("#id_contact_phone")
    assert phone.evaluate("el => el === document.activeElement"), "the caller's number should have focus"
    phone.press_sequentially(WALK_IN_PHONE)
    history = page.get_by_test_id("caller-history")
    entry = history.locator("li").filter(has_text=target.number)
    assert "拖欠工资" in entry.inner_text()
    assert WALK_IN_PHONE in phone.input_value()
    entry.get_by_role("button", name="同一事项，并入此案").click()
    banner = page.locator("[data-attach-banner]")
    assert banner.is_visible()
    assert banner.locator("[data-attach-number]").inner_text() == target.number

    form = page.locator("main form")
    form.locator("#id_contact_name").fill("何女士")
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_description").fill("再次来电：电子厂仍未支付拖欠的八千元工资，催问办理进度。")
    shot(page, screenshots, "4-hotline-attach")
    click_and_wait(page, form.get_by_role("button", name="登记（Alt+S）"))

    assert "/window/receipt/" in page.url
    assert page.get_by_text(f"已登记并并入案件 {target.number}。").is_visible()
    receipt = page.get_by_test_id("receipt")
    assert (
        receipt.get_by_test_id("status").inner_text() == "已合并办理"
    )  # the receipt is the citizen's copy: plain words
    assert WALK_IN_PHONE not in page.content()
    shot(page, screenshots, "4-hotline-receipt")

    new_claim = Claim.objects.select_related("case").get(
        tracking_code=receipt.get_by_test_id("tracking-code").inner_text()
    )
    assert new_claim.channel == "hotline" and new_claim.pk != earlier.pk
    assert new_claim.case.status == Status.MERGED
    assert new_claim.case.merged_into_id == target.pk
    target.refresh_from_db()
    assert target.status == Status.DISPATCHED


# 5. Grid worker's 随手拍 on a phone ---------------------------------------------------------------


def test_grid_worker_reports_a_photo_from_a_phone(live_server, demo, new_page, screenshots, tmp_path):
    photo = tmp_path / "现场.png"
    photo.write_bytes(tiny_png())
    page = new_page(PHONE)
    login(page, live_server.url, "md_grid")
    page.locator(".navbar-toggler").click()
    click_and_wait(page, nav_link(page, "随手拍"))
    assert page.url == live_server.url + "/grid/new/"

    form = page.locator("main form")
    assert form.locator("#id_region").input_value() == "440608102201001"  # their grid, preselected
    form.locator("#id_attachments").set_input_files(photo)
    form.locator("#id_description").fill("明东村村口有人乱倒建筑垃圾，堆放多日无人清运，占用半边道路。")
    form.locator("[data-matter-suggestions]").get_by_role("button", name="环境保护 › 固体废物").click()
    assert form.locator("#id_matter").input_value() == "environment.waste"
    assert page_width(page) <= PHONE["width"], f"the form scrolls sideways on a phone ({page_width(page)}px)"
    shot(page, screenshots, "5-grid-form-phone")
    click_and_wait(page, form.get_by_role("button", name="上报"))

    assert page.url == live_server.url + "/grid/new/"
    claim = Claim.objects.select_related("case").get(channel="grid")
    message = page.locator("main .alert-success")
    assert message.inner_text().strip() == f"已上报，编号 {claim.case.number}，查询码 {claim.tracking_code}。"
    assert page_width(page) <= PHONE["width"], f"the page scrolls sideways on a phone ({page_width(page)}px)"
    shot(page, screenshots, "5-grid-done-phone")
    assert claim.case.region.code == "440608102201001"
    assert claim.case.matter.code == "environment.waste"
    assert claim.registered_by.username == "md_grid"
    attachment = claim.attachments.get()
    assert (attachment.content_type, attachment.original_name) == ("image/png", "现场.png")
