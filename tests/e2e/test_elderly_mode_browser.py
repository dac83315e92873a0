"""长辈模式 in a real browser (issue #17): the switch works from the keyboard without JavaScript, and on
the citizen's pages (submit, track, rate, look up a claim) the computed sizes are what the mode
promises: body text ≥ 20 px, no text below 18 px (badges, help text, the footer), every button,
field and menu link at least 48 × 48 px (a page's main action and the switch 60 × 60), no pop-up of any kind — on a desktop and on a phone, with
nothing scrolling sideways. Then the axe-core gate of test_accessibility.py, in elderly mode, for every role.

Links inside a sentence are not measured as targets (WCAG 2.5.8 exempts inline links; their line is
1.6 × 20 px); a checkbox's target is its label, which is measured. docs/accessibility.md."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_accessibility import AXE_HEADER, ROLES, axe_violations, cases, describe  # noqa: F401 - `cases` is a fixture
from test_role_homes import click_and_wait, login

from accounts.elderly import COOKIE
from accounts.models import User
from cases import services as cs
from cases.models import Case, Outcome
from intake.models import Claim
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = pytest.mark.e2e

CITIZEN_PHONE = "13800138000"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BODY_PX, SMALL_PX, TARGET_PX, MAIN_TARGET_PX = 20, 18, 48, 60

MEASURE = """({small: smallPx, target, mainTarget}) => {
  const hidden = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width < 2 || r.height < 2 || s.visibility === 'hidden' || s.display === 'none'
      || el.closest('.visually-hidden, .visually-hidden-focusable:not(:focus), [hidden], [aria-hidden=true]');
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const small = [], targets = [];
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || hidden(el)) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < smallPx) small.push(`${name(el)} ${px}px «${el.textContent.trim().slice(0, 24)}»`);
  }
  const controls = 'a.btn, button, .nav-link, .navbar-brand, main nav a, select, textarea, .form-check-label, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  for (const el of document.querySelectorAll(controls)) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < target - .5 || r.height < target - .5)
      targets.push(`${name(el)} ${Math.round(r.width)}×${Math.round(r.height)} «${(el.textContent || el.name || '').trim().slice(0, 24)}»`);
  }
  const main = [...document.querySelectorAll('main .btn-primary, [data-testid=elderly-switch]')].filter(el => !hidden(el))
    .map(el => [name(el), el.getBoundingClientRect()]).filter(([_, r]) => r.width < mainTarget - .5 || r.height < mainTarget - .5)
    .map(([n, r]) => `${n} ${Math.round(r.width)}×${Math.round(r.height)}`);
  // No pop-ups (适老化: 无弹窗): no dialogs, pop-overs or frames on the page, no link opening a new window.
  const popups = [...document.querySelectorAll(
    '.modal, dialog, [role=dialog], [role=alertdialog], .popover, .tooltip, iframe, a[target=_blank]')].map(name);
  return {body: parseFloat(getComputedStyle(document.body).fontSize), small, targets, main, popups,
          wide: document.documentElement.scrollWidth, elderly: document.documentElement.classList.contains('yk-elderly')};
}"""


def awaiting_rating() -> Claim:
    """The citizen's claim, handled and approved through the services: the claim page offers 评价."""
    citizen = User.objects.get(phone=CITIZEN_PHONE)
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="明东村五金厂老板拖欠三个月工资共一万二千元，多次讨要无果。",
        contact_name=citizen.full_name,
        contact_phone=CITIZEN_PHONE,
        submitter=citizen,
    )
    case = Case.objects.get(pk=claim.case_id)
    cs.case_accept(case=case, actor=User.objects.get(username="gm_window"))
    cs.case_sign(case=Case.objects.get(pk=case.pk), actor=User.objects.get(username="gm_labor"))
    cs.case_submit_result(
        case=Case.objects.get(pk=case.pk),
        actor=User.objects.get(username="gm_labor"),
        result="经劳动监察约谈，五金厂已足额支付拖欠工资。",
        outcome=Outcome.RESOLVED,
    )
    cs.case_approve(case=Case.objects.get(pk=case.pk), actor=User.objects.get(username="gm_dispatch"))
    return Claim.objects.get(pk=claim.pk)


def switch(page):
    return page.locator("header").get_by_role("button", name="长辈模式")


def test_the_switch_works_from_the_keyboard_without_javascript(live_server, demo, chromium, screenshots):
    context = chromium.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("intake:track"))
        assert switch(page).get_attribute("aria-pressed") == "false"
        assert switch(page).is_visible()  # on a phone too: not hidden in the collapsed menu
        for _ in range(6):  # the skip link, the brand, then the switch
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.dataset.testid") == "elderly-switch":
                break
        else:
            pytest.fail("the 长辈模式 switch is not reached with Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server.url + reverse("intake:track")  # back on the same page
        assert switch(page).get_attribute("aria-pressed") == "true"
        assert "已开启长辈模式" in page.locator("main").inner_text()
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= BODY_PX
        assert {c["name"]: c["value"] for c in context.cookies()}[COOKIE] == "1"
        # On the phone, the large switch still shares the header's first line with the menu button.
        on, menu = switch(page).bounding_box(), page.locator(".navbar-toggler").bounding_box()
        assert abs((on["y"] + on["height"] / 2) - (menu["y"] + menu["height"] / 2)) < 16, (on, menu)
        page.screenshot(path=screenshots / "elderly-switch-on-nojs.png", full_page=True)
    finally:
        context.close()


def citizen_pages(page, base: str, claim: Claim):
    """The citizen's paths, switched on before logging in (the choice goes into the account)."""
    page.goto(base + "/")
    switch(page).click()  # switches in place (static/js/elderly-switch.js)
    page.wait_for_function("() => parseFloat(getComputedStyle(document.body).fontSize) >= 20")
    yield "landing", None
    yield "login", base + reverse("accounts:login")
    yield "tracking form", base + reverse("intake:track")
    form = page.get_by_test_id("track-form")
    form.get_by_label("查询码").fill(claim.tracking_code)
    form.get_by_label("手机号后四位").fill(CITIZEN_PHONE[-4:])
    click_and_wait(page, form.get_by_role("button", name="查询"))
    yield "tracking result", None
    login(page, base, CITIZEN_PHONE)
    yield "citizen home", None
    yield "claim form", base + reverse("intake:claim-submit")
    yield "submitted", base + reverse("intake:claim-submitted", args=[claim.tracking_code])
    yield "my claims", base + reverse("intake:my-claims")
    yield "claim page with the rating form", base + reverse("intake:claim-detail", args=[claim.tracking_code])
    assert page.get_by_test_id("rating-form").is_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_citizen_pages_in_elderly_mode_have_large_type_and_large_targets(
    live_server, demo, new_page, screenshots, viewport
):
    from django.core.cache import cache

    cache.clear()  # public tracking is rate-limited per address
    claim = awaiting_rating()
    page = new_page(viewport)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    failures, checked = [], 0
    for name, url in citizen_pages(page, live_server.url, claim):
        if url is not None:
            page.goto(url)
        found = page.evaluate(MEASURE, {"small": SMALL_PX, "target": TARGET_PX, "mainTarget": MAIN_TARGET_PX})
        checked += 1
        page.screenshot(path=screenshots / f"elderly-{viewport['width']}-{checked}.png", full_page=True)
        problems = []
        if not found["elderly"]:
            problems.append("not shown in elderly mode")
        if found["body"] < BODY_PX:
            problems.append(f"body text {found['body']}px < {BODY_PX}px")
        if found["wide"] > viewport["width"]:
            problems.append(f"scrolls sideways ({found['wide']}px wide)")
        problems += [f"text below {SMALL_PX}px: {item}" for item in found["small"]]
        problems += [f"target below {TARGET_PX}px: {item}" for item in found["targets"]]
        problems += [f"main action below {MAIN_TARGET_PX}px: {item}" for item in found["main"]]
        problems += [f"pop-up: {item}" for item in found["popups"]]
        if problems:
            failures.append(f"{name} ({page.url}):\n  " + "\n  ".join(problems))
    assert checked == 9
    assert not dialogs, f"the browser popped up dialogs: {dialogs}"
    assert User.objects.get(phone=CITIZEN_PHONE).elderly_mode is True  # carried over at login
    assert not failures, "elderly mode falls short:\n" + "\n".join(failures)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", list(ROLES))
def test_axe_finds_no_violations_in_elderly_mode(live_server, cases, new_page, screenshots, role, viewport):  # noqa: F811
    User.objects.update(elderly_mode=True)  # every account, and the browser for the public pages
    page = new_page(viewport)
    page.context.add_cookies([{"name": COOKIE, "value": "1", "url": live_server.url}])
    failures, checked = [], 0
    for name, url in ROLES[role](page, live_server.url, cases):
        if url is not None:
            page.goto(url)
        assert page.evaluate("document.documentElement.classList.contains('yk-elderly')"), f"{name}: not elderly"
        violations = axe_violations(page)
        unmeasured = page.evaluate(AXE_HEADER)
        checked += 1
        page.screenshot(path=screenshots / f"axe-elderly-{role}-{viewport['width']}-{checked}.png")
        if violations:
            failures.append(describe(name, page.url, violations))
        if unmeasured:
            failures.append(f"{name}: header contrast cannot be measured:\n  " + "\n  ".join(unmeasured))
    assert checked >= 2
    assert not failures, "axe-core found accessibility violations in elderly mode:\n" + "\n".join(failures)


def test_with_javascript_the_switch_keeps_what_was_typed(live_server, demo, new_page):
    """The switch changes the page in place: a claim half written is still there, in large type."""
    page = new_page(PHONE)
    login(page, live_server.url, CITIZEN_PHONE)
    page.goto(live_server.url + reverse("intake:claim-submit"))
    text = "明东村五金厂老板拖欠我三个月工资，"
    description = page.get_by_role("textbox", name="诉求内容")
    description.fill(text)
    size = "() => parseFloat(getComputedStyle(document.body).fontSize)"  # functions: the CSP forbids eval
    assert page.evaluate(size) == 16

    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    switch(page).click()
    page.wait_for_function(f"() => ({size})() >= {BODY_PX}")
    assert switch(page).get_attribute("aria-pressed") == "true"
    assert "：开" in switch(page).inner_text()
    assert page.evaluate("document.documentElement.className") == "yk-elderly yk-citizen"
    assert description.input_value() == text  # nothing typed is lost
    assert User.objects.get(phone=CITIZEN_PHONE).elderly_mode is True
    assert {c["name"]: c["value"] for c in page.context.cookies()}[COOKIE] == "1"

    switch(page).click()
    page.wait_for_function(f"() => ({size})() === 16")
    assert switch(page).get_attribute("aria-pressed") == "false"
    assert description.input_value() == text
    assert User.objects.get(phone=CITIZEN_PHONE).elderly_mode is False
    assert navigations == [], f"the page was reloaded: {navigations}"

    page.reload()  # and the choice holds on the next page
    assert page.evaluate(size) == 16
