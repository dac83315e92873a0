"""类案推荐 in a real browser: the panel on a handler's case page fills itself once scrolled into
view (no error, no CSP violation), shows the closed cases with how they ended, and fits a phone;
without JavaScript its link opens the search page. Screenshots: tests/e2e/screenshots/similar-*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_accessibility import axe_violations, describe
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case, Outcome, Rating
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

CLOSED = [
    (
        "明东村建筑工地包工头拖欠12名工人三个月工资共计九万元，多次讨要无果。",
        "经人社局约谈，总包单位代发全部工资九万元，工人已签收。",
        Outcome.RESOLVED,
    ),
    ("五金厂老板拖欠工人工资两个月，工人要求结清。", "劳动监察责令限期支付，企业已结清两个月工资。", Outcome.RESOLVED),
    ("工人被拖欠工资，老板称资金困难只能分期支付。", "已向工人解释劳动仲裁程序，引导申请仲裁。", Outcome.EXPLAINED),
]


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def _claim(text: str) -> Case:
    citizen = User.objects.get(phone="13800138000")
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description=text,
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=citizen,
    )
    cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=_staff("gm_window"))
    return Case.objects.get(pk=claim.case_id)


def _closed(text: str, result: str, outcome: str) -> Case:
    case = _claim(text)
    cs.case_sign(case=case, actor=_staff("gm_labor"))
    cs.case_submit_result(case=Case.objects.get(pk=case.pk), actor=_staff("gm_labor"), result=result, outcome=outcome)
    cs.case_approve(case=Case.objects.get(pk=case.pk), actor=_staff("gm_dispatch"))
    cs.case_rate(
        case=Case.objects.get(pk=case.pk), actor=User.objects.get(phone="13800138000"), rating=Rating.SATISFIED
    )
    return Case.objects.get(pk=case.pk)


def test_the_handler_sees_similar_closed_cases_on_the_case_page(live_server, demo, new_page, screenshots):
    closed = [_closed(*row) for row in CLOSED]
    case = _claim("明城镇工地老板拖欠我们工资三个月了，一共八万多元，电话也不接。")
    url = live_server.url + reverse("cases:case-detail", args=[case.number])

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport)
        login(page, live_server.url, "gm_labor")
        page.goto(url)
        panel = page.get_by_test_id("similar-panel")
        panel.scroll_into_view_if_needed()
        rows = panel.get_by_test_id("similar-row")
        rows.first.wait_for()
        assert panel.get_by_role("heading", name="类案推荐").is_visible()
        shown = rows.get_by_test_id("similar-number").all_inner_texts()
        assert shown and set(shown) <= {c.number for c in closed}
        assert "已解决" in panel.inner_text() and "个工作日" in panel.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        violations = axe_violations(page)  # the case page with the panel filled in
        assert not violations, describe("case page with 类案推荐", url, violations)
        panel.screenshot(path=str(screenshots / f"similar-panel-{name}.png"))
        if name == "desktop":
            click_and_wait(page, panel.get_by_test_id("similar-search-link"))
            page.get_by_test_id("similar-row").first.wait_for()
            violations = axe_violations(page)
            assert not violations, describe("类案检索", page.url, violations)
            click_and_wait(page, page.get_by_test_id("similar-number").first)
            assert page.url.startswith(live_server.url + "/cases/")


def test_without_javascript_the_link_opens_the_search_page(live_server, demo, chromium, screenshots):
    [_closed(*row) for row in CLOSED]
    case = _claim("明城镇工地老板拖欠我们工资三个月了，一共八万多元，电话也不接。")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server.url, "gm_labor")
        page.goto(live_server.url + reverse("cases:case-detail", args=[case.number]))
        click_and_wait(page, page.get_by_test_id("similar-search-link"))
        assert page.get_by_role("heading", name="类案检索").is_visible()
        assert page.get_by_test_id("similar-row").count() >= 1
        page.screenshot(path=str(screenshots / "similar-search-phone.png"), full_page=True)
    finally:
        context.close()


def _mediation(case: Case):
    from mediation import services as ms

    m = ms.mediation_request(case=case, actor=_staff("gm_labor"), note="双方同意调解")
    ms.mediation_assign(
        mediation=type(m).objects.get(pk=m.pk),
        actor=_staff("gm_dispatch"),
        mediator=_staff("gm_mediator").mediator_profile,
    )
    ms.mediation_accept(mediation=type(m).objects.get(pk=m.pk), actor=_staff("gm_mediator"), no_conflict=True)
    return type(m).objects.get(pk=m.pk)


def test_the_mediator_sees_their_own_earlier_mediations_on_the_mediation_page(
    live_server, demo, mediators, new_page, screenshots
):
    from mediation import services as ms

    earlier = _claim(CLOSED[0][0])
    cs.case_sign(case=earlier, actor=_staff("gm_labor"))
    failed = _mediation(Case.objects.get(pk=earlier.pk))
    ms.mediation_fail(mediation=failed, actor=_staff("gm_mediator"), reason="双方对数额分歧大", next_step="litigation")
    earlier = Case.objects.get(pk=earlier.pk)
    cs.case_submit_result(
        case=earlier, actor=_staff("gm_labor"), result="已引导工人向法院起诉。", outcome=Outcome.REFERRED
    )
    cs.case_approve(case=Case.objects.get(pk=earlier.pk), actor=_staff("gm_dispatch"))
    cs.case_rate(
        case=Case.objects.get(pk=earlier.pk), actor=User.objects.get(phone="13800138000"), rating=Rating.SATISFIED
    )
    other = _closed(*CLOSED[1])  # not theirs: never shown to the mediator
    current_case = _claim("明城镇工地包工头拖欠我们工资三个月，一共八万多元，双方对数额有争议。")
    cs.case_sign(case=current_case, actor=_staff("gm_labor"))
    current = _mediation(Case.objects.get(pk=current_case.pk))

    page = new_page(PHONE)
    login(page, live_server.url, "gm_mediator")
    page.goto(live_server.url + reverse("mediation:mediation-detail", args=[current.number]))
    panel = page.get_by_test_id("similar-panel")
    panel.scroll_into_view_if_needed()
    panel.get_by_test_id("similar-row").first.wait_for()
    assert panel.get_by_test_id("similar-number").all_inner_texts() == [earlier.number]
    assert other.number not in panel.inner_text()
    assert "调解不成，转诉讼" in panel.inner_text()
    panel.screenshot(path=str(screenshots / "similar-mediation-phone.png"))
    click_and_wait(page, panel.get_by_test_id("similar-number").first)
    assert "/mediation/m/" in page.url
