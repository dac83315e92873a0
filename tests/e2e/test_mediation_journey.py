"""Mediation in a real browser (issue 6, "Tests"): the mediator's journey from an assigned mediation
through a session and its record to an agreement every party confirms by SMS code, sealed and then
verified on the public page; a failed mediation's one-click litigation; a handler's referral and
the centre's assignment from the three recommendations.

The ORM sets up the starting state (a handling case, a referral, an assignment) and reads what a
party would read on their phone (the confirmation code in the SMS outbox); everything else is
clicked and typed. Full-page screenshots go to tests/e2e/screenshots/mediation-*.png.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case, Party, PartyRole
from demo.mediation import load_demo_mediators
from intake.services import claim_submit
from mediation import services as ms
from mediation.models import AgreementStatus, LitigationPackage, Mediation, MediationStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_text
from routing.models import MatterType, Region

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CODE_IN_SMS = re.compile(r"确认码为 (\d{6})")


# Setup through the services ------------------------------------------------------------------


def staff(username: str) -> User:
    return User.objects.get(username=username)


def handling_case() -> Case:
    """A 拖欠工资 case in 明东村 that 高明区人社局 has signed for, with the employer as respondent."""
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="明东村某五金厂拖欠夏志明等工人三个月工资共计一万二千元，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
    )
    cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=staff("gm_window"))
    cs.case_sign(case=Case.objects.get(pk=claim.case_id), actor=staff("gm_labor"))
    case = Case.objects.get(pk=claim.case_id)
    Party.objects.create(case=case, role=PartyRole.RESPONDENT, name="佛山市高明区明东五金制品厂", phone="13700137000")
    return Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)


def mediation_of(case: Case, *, upto: str) -> Mediation:
    """Referred by gm_labor, assigned by gm_dispatch to gm_mediator; ``upto`` "assigned" or "in_progress"."""
    mediation = ms.mediation_request(case=case, actor=staff("gm_labor"), note="双方对欠薪数额有争议，同意调解。")
    mediator = staff("gm_mediator")
    ms.mediation_assign(
        mediation=Mediation.objects.get(pk=mediation.pk), actor=staff("gm_dispatch"), mediator=mediator.mediator_profile
    )
    if upto == "in_progress":
        ms.mediation_accept(mediation=Mediation.objects.get(pk=mediation.pk), actor=mediator, no_conflict=True)
    return Mediation.objects.get(pk=mediation.pk)


# Browser helpers -----------------------------------------------------------------------------


def shot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"mediation-{name}.png", full_page=True)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def at_phone_width(page, screenshots, name: str) -> None:
    """Look at the current page on a phone too: nothing may scroll sideways."""
    page.set_viewport_size(PHONE)
    try:
        shot(page, screenshots, name)
        assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({page_width(page)}px)"
    finally:
        page.set_viewport_size(DESKTOP)


def open_details(details) -> None:
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def sms_code(phone: str) -> str:
    """What the party reads out to the mediator: the code in the latest agreement SMS to them."""
    message = OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=phone).latest("id")
    text = outbox_text(message)
    found = CODE_IN_SMS.search(text)
    assert found, f"no 确认码 in {text!r}"
    return found.group(1)


def verify(page, base_url: str, code: str, name: str, data: bytes) -> str:
    page.goto(base_url + reverse("mediation:agreement-verify"))
    form = page.locator("main form")
    form.locator("[name=code]").fill(code)
    form.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
    )
    click_and_wait(page, form.get_by_test_id("verify-submit"))
    return page.get_by_test_id("verify-result").get_attribute("data-result")


# The mediator's journey ----------------------------------------------------------------------


def test_mediator_takes_an_assigned_mediation_to_a_verified_sealed_agreement(
    live_server, demo, new_page, screenshots, tmp_path
):
    load_demo_mediators()
    mediation = mediation_of(handling_case(), upto="assigned")
    base = live_server.url
    page = new_page()

    # 1. The workbench lists the assignment; the mediator opens it and accepts it.
    login(page, base, "gm_mediator")
    click_and_wait(page, page.locator("header nav").get_by_role("link", name="调解工作台", exact=True))
    row = page.get_by_test_id("mediation-row").filter(has_text=mediation.number)
    assert row.count() == 1, "the assigned mediation is not on the mediator's workbench"
    assert page.get_by_test_id("tab-assigned").get_attribute("aria-current") == "page"
    shot(page, screenshots, "1-workbench")
    at_phone_width(page, screenshots, "1-workbench-phone")
    click_and_wait(page, row)
    accept = page.get_by_test_id("action-accept")
    open_details(accept)
    accept.get_by_role("checkbox").check()
    shot(page, screenshots, "2-accept")
    click_and_wait(page, accept.get_by_role("button", name="确认接受调解"))
    assert page.get_by_text("已接受调解。").is_visible()
    assert Mediation.objects.get(pk=mediation.pk).status == MediationStatus.IN_PROGRESS

    # 2. A session on site, then its record.
    click_and_wait(page, page.get_by_test_id("session-new"))
    form = page.locator("main form")
    # held now (a record can be written once the session has begun)
    form.locator("[name=scheduled_at]").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("现场调解", exact=True).check()
    form.locator("[name=place]").fill("明城镇综治中心调解室")
    form.locator("[name=participants]").fill("夏志明（申请人）\n明东五金制品厂负责人李某（被申请人）")
    shot(page, screenshots, "3-session-form")
    click_and_wait(page, form.get_by_test_id("save"))
    session = page.get_by_test_id("session")
    assert session.count() == 1 and "明城镇综治中心调解室" in session.inner_text()
    click_and_wait(page, session.get_by_test_id("record-session"))
    form = page.locator("main form")
    form.locator("[name=attendance]").fill("申请人夏志明到场；被申请人委托负责人李某到场。")
    form.locator("[name=record]").fill(
        "调解员释明《劳动合同法》相关规定。双方确认拖欠工资一万二千元，被申请人同意于本月底前一次性付清。"
    )
    click_and_wait(page, form.get_by_test_id("save"))
    assert page.get_by_text("调解笔录已保存。").is_visible()
    shot(page, screenshots, "4-session-recorded")
    at_phone_width(page, screenshots, "4-session-recorded-phone")

    # 3. The agreement: drafted, then submitted for every party's confirmation.
    click_and_wait(page, page.get_by_test_id("agreement-create"))
    form = page.locator("main form")
    form.locator("[name=facts]").fill("被申请人拖欠申请人夏志明2026年8月至10月工资共计12000元，双方对数额无异议。")
    form.locator("[name=terms]").fill(
        "一、被申请人于履行期限前一次性支付申请人工资12000元。\n二、申请人收到款项后不再就本纠纷主张其他权利。"
    )
    deadline = timezone.localdate() + timedelta(days=20)
    form.locator("[name=performance_deadline]").fill(deadline.isoformat())
    shot(page, screenshots, "5-agreement-form")
    click_and_wait(page, form.get_by_test_id("submit"))
    assert page.get_by_test_id("agreement-status").inner_text() == "草拟中"
    click_and_wait(page, page.get_by_test_id("agreement-sign"))
    assert page.get_by_test_id("agreement-status").inner_text() == "待各方确认"
    agreement = Mediation.objects.get(pk=mediation.pk).agreements.get()
    confirmations = list(agreement.confirmations.order_by("id"))
    assert len(confirmations) == 2, "the applicant and the respondent each confirm"
    shot(page, screenshots, "6-signing")

    # 4. Each party: send the code, the party reads it out, the mediator types it in.
    for number, confirmation in enumerate(confirmations, start=1):
        item = page.locator(f"#confirmation-{confirmation.pk}")
        click_and_wait(page, item.get_by_test_id("send-code"))
        item = page.locator(f"#confirmation-{confirmation.pk}")
        assert item.get_by_test_id("confirmation-state").inner_text() == "确认码已发送"
        if number == 1:
            shot(page, screenshots, "7-code-sent")
        item.get_by_test_id("confirm-form").locator("input[name$=code]").fill(sms_code(confirmation.phone))
        click_and_wait(page, item.get_by_test_id("confirm-form").get_by_role("button", name="录入确认"))
        item = page.locator(f"#confirmation-{confirmation.pk}")
        assert item.get_by_test_id("confirmation-state").inner_text() == "已确认"
    assert page.get_by_text("各方当事人均已确认，协议书已生效并封存。").is_visible()
    assert page.get_by_test_id("agreement-status").inner_text() == "已封存生效"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SEALED and agreement.sha256
    assert page.get_by_test_id("agreement-sha256").inner_text() == agreement.sha256
    shot(page, screenshots, "8-sealed")
    at_phone_width(page, screenshots, "8-sealed-phone")

    # 5. Download the sealed PDF; logged out, verify it publicly, then a copy with one byte changed.
    download_link = page.get_by_test_id("agreement-download")
    code = page.get_by_test_id("agreement-code").inner_text()
    assert code == agreement.code
    with page.expect_download() as downloading:
        # The link opens the PDF inline (Content-Disposition: inline); Alt-click is the browser's
        # "save link", as a user keeping the file would do.
        download_link.click(modifiers=["Alt"])
    pdf_path = tmp_path / "agreement.pdf"
    downloading.value.save_as(pdf_path)
    sealed = pdf_path.read_bytes()
    assert sealed.startswith(b"%PDF-")
    assert hashlib.sha256(sealed).hexdigest() == agreement.sha256, "the download is not the sealed file"

    click_and_wait(page, page.locator("header nav").get_by_role("button", name="退出"))
    assert page.get_by_test_id("current-user").count() == 0
    assert verify(page, base, code, "调解协议书.pdf", sealed) == "match"
    assert "与已封存的协议书一致" in page.get_by_test_id("verify-result").inner_text()
    result_text = page.locator("main").inner_text()
    assert "夏志明" not in result_text and mediation.case.number not in result_text, "verification leaks case data"
    shot(page, screenshots, "9-verify-match")
    at_phone_width(page, screenshots, "9-verify-match-phone")
    tampered = bytearray(sealed)
    tampered[len(tampered) // 2] ^= 0x01
    assert verify(page, base, code, "调解协议书-改.pdf", bytes(tampered)) == "mismatch"
    assert "不一致" in page.get_by_test_id("verify-result").inner_text()
    shot(page, screenshots, "10-verify-mismatch")

    # 6. Back as the mediator: 调解成功.
    login(page, base, "gm_mediator")
    click_and_wait(page, page.locator("header nav").get_by_role("link", name="调解工作台", exact=True))
    click_and_wait(page, page.get_by_test_id("mediation-row").filter(has_text=mediation.number))
    settle = page.get_by_test_id("action-settle")
    open_details(settle)
    settle.locator("[name=note]").fill("双方达成调解协议，协议书已封存生效。")
    click_and_wait(page, settle.get_by_role("button", name="确认登记调解成功"))
    assert page.get_by_text("已登记调解成功").is_visible()
    assert Mediation.objects.get(pk=mediation.pk).status == MediationStatus.SETTLED
    assert "调解成功" in page.get_by_test_id("outcome").inner_text()
    shot(page, screenshots, "11-settled")
    at_phone_width(page, screenshots, "11-settled-phone")


# One-click litigation ------------------------------------------------------------------------


def test_failed_mediation_one_click_litigation_lists_the_package(live_server, demo, page, screenshots):
    load_demo_mediators()
    mediation = mediation_of(handling_case(), upto="in_progress")
    ms.mediation_fail(
        mediation=Mediation.objects.get(pk=mediation.pk),
        actor=staff("gm_mediator"),
        reason="被申请人拒绝支付，双方分歧过大。",
        next_step="litigation",
    )

    login(page, live_server.url, "gm_mediator")
    page.goto(live_server.url + reverse("mediation:mediation-detail", args=[mediation.number]))
    panel = page.get_by_test_id("litigation-panel")
    submit = panel.get_by_test_id("litigation-submit")
    open_details(submit)
    submit.get_by_role("checkbox").check()
    shot(page, screenshots, "litigation-1-confirm")
    click_and_wait(page, submit.get_by_role("button", name="确认移送法院"))

    assert page.get_by_text("诉讼材料包已提交法院").is_visible()
    package = LitigationPackage.objects.get(mediation=mediation)
    listed = page.get_by_test_id("litigation-package")
    assert listed.count() == 1
    assert listed.get_by_test_id("litigation-state").inner_text() == package.get_state_display()
    assert listed.get_by_test_id("litigation-download").is_visible()
    shot(page, screenshots, "litigation-2-submitted")


# Referral and assignment ---------------------------------------------------------------------


def test_handler_refers_and_the_centre_assigns_from_three_recommendations(live_server, demo, new_page, screenshots):
    load_demo_mediators()
    case = handling_case()
    base = live_server.url

    handler = new_page()
    login(handler, base, "gm_labor")
    handler.goto(base + reverse("cases:case-detail", args=[case.number]))
    click_and_wait(handler, handler.get_by_test_id("refer-mediation"))
    form = handler.locator("main form")
    form.locator("[name=note]").fill("双方对拖欠工资数额有争议，均同意由人民调解委员会调解。")
    shot(handler, screenshots, "referral-1-form")
    click_and_wait(handler, form.get_by_test_id("refer-submit"))
    assert handler.get_by_text("已移交调解").is_visible()
    mediation = Mediation.objects.get(case=case)
    assert mediation.status == MediationStatus.REQUESTED

    dispatch = new_page()
    login(dispatch, base, "gm_dispatch")
    click_and_wait(dispatch, dispatch.locator("header nav").get_by_role("link", name="调解工作台", exact=True))
    row = dispatch.get_by_test_id("mediation-row").filter(has_text=mediation.number)
    assert row.count() == 1, "the referral is not on the centre's list"
    click_and_wait(dispatch, row)
    click_and_wait(dispatch, dispatch.get_by_test_id("assign"))
    picks = dispatch.get_by_test_id("recommendation")
    assert picks.count() == 3
    scores = [int(re.search(r"\d+", s).group()) for s in picks.get_by_test_id("score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True), f"recommendations not ranked by score: {scores}"
    shot(dispatch, screenshots, "referral-2-recommendations")
    at_phone_width(dispatch, screenshots, "referral-2-recommendations-phone")
    chosen = picks.nth(1)
    chosen_name = chosen.locator("strong").inner_text()
    chosen.get_by_role("radio").check()
    click_and_wait(dispatch, dispatch.get_by_test_id("assign-submit"))

    assert dispatch.get_by_text(f"已指派调解员 {chosen_name}").is_visible()
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.ASSIGNED
    assert mediation.mediator.display_name == chosen_name
    assert chosen_name in dispatch.get_by_test_id("mediator").inner_text()
    shot(dispatch, screenshots, "referral-3-assigned")
