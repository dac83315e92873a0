"""Every demo role logs in through the real form and sees who they are; a citizen registers.

Screenshots go to tests/e2e/screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Role, User
from demo.people import DEMO_CITIZENS, DEMO_PASSWORD, DEMO_STAFF
from routing.models import Unit

pytestmark = pytest.mark.e2e

PORTAL_NAME = "一口办"
STAFF_NAMES = {person.username: person.full_name for person in DEMO_STAFF}
CITIZEN_NAMES = dict(DEMO_CITIZENS)
DEMO_CITIZEN_PHONE = "13800138000"


def click_and_wait(page, locator) -> None:
    """Click something that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        locator.click()


def login(page, base_url: str, login_name: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.locator("#id_username").fill(login_name)
    form.locator("#id_password").fill(password)
    click_and_wait(page, form.get_by_role("button", name="登录", exact=True))


def test_landing_page_says_what_the_service_is(live_server, demo, page, screenshots):
    page.goto(live_server.url + "/")

    assert PORTAL_NAME in page.title()
    brand = page.locator(".navbar-brand").inner_text()
    assert PORTAL_NAME in brand
    assert "群众诉求服务平台" in brand
    main = page.locator("main")
    submit = main.get_by_role("link", name="我要反映诉求")
    track = main.get_by_role("link", name="查询办理进度")
    assert submit.is_visible()
    assert track.is_visible()
    # Bootstrap and the portal stylesheet are served: the primary button is the portal red.
    assert submit.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(179, 38, 30)"
    page.screenshot(path=screenshots / "landing.png", full_page=True)

    # Submitting needs an account: the form says why and offers the SMS sign-in on the page.
    click_and_wait(page, submit)
    assert page.url.endswith("/claims/new/")
    assert "为了把办理进展告诉您，需要先用手机号登录" in page.locator("main").inner_text()


@pytest.mark.parametrize(
    ("username", "unit_code", "role"),
    [
        ("admin", "FS-ZX", Role.ADMIN),
        ("gm_window", "GM-ZX", Role.CLERK),
        ("gm_dispatch", "GM-ZX", Role.DISPATCHER),
        ("gm_labor", "GM-RSJ", Role.HANDLER),
        ("mc_centre", "GM-MC-ZZ", Role.HANDLER),
        ("gm_mediator", "GM-TWH", Role.MEDIATOR),
        ("gm_supervisor", "GM-ZX", Role.SUPERVISOR),
    ],
)
def test_staff_home_shows_name_unit_and_role(live_server, demo, page, screenshots, username, unit_code, role):
    unit = Unit.objects.get(code=unit_code)

    login(page, live_server.url, username)

    assert page.url == live_server.url + "/", f"{username} was not taken home after logging in"
    full_name = STAFF_NAMES[username]
    assert page.get_by_test_id("current-user").inner_text() == full_name
    assert page.locator("main h1").inner_text() == f"{full_name}，您好"
    card = page.get_by_test_id("membership").filter(has_text=unit.name)
    assert card.count() == 1, f"{username}: no membership card for {unit.name}"
    assert card.locator(".badge").inner_text() == str(role.label)
    assert unit_code in card.inner_text()
    assert unit.region.name in card.inner_text()
    page.screenshot(path=screenshots / f"{username}.png", full_page=True)


def test_citizen_home_shows_name_and_masked_phone(live_server, demo, page, screenshots):
    login(page, live_server.url, DEMO_CITIZEN_PHONE)

    assert page.url == live_server.url + "/"
    name = CITIZEN_NAMES[DEMO_CITIZEN_PHONE]
    assert page.get_by_test_id("current-user").inner_text() == name
    assert page.locator("main h1").inner_text() == f"{name}，您好"
    assert page.get_by_test_id("masked-phone").inner_text() == "138****8000"
    assert DEMO_CITIZEN_PHONE not in page.content(), "the full phone number must not be shown"
    assert page.get_by_test_id("membership").count() == 0
    page.screenshot(path=screenshots / f"citizen-{DEMO_CITIZEN_PHONE}.png", full_page=True)


def test_wrong_password_shows_the_error_and_stays_on_login(live_server, demo, page, screenshots):
    login(page, live_server.url, "gm_window", password="not-the-password")

    assert page.url == live_server.url + "/accounts/login/"
    assert page.get_by_text("手机号/用户名或密码不正确").is_visible()
    assert page.get_by_test_id("current-user").count() == 0
    assert page.locator("#id_username").input_value() == "gm_window"
    page.screenshot(path=screenshots / "login-wrong-password.png", full_page=True)


@pytest.mark.parametrize(("name", "path"), [("landing", "/"), ("register", "/accounts/register/")])
def test_phone_width_pages(live_server, demo, new_page, screenshots, name, path):
    page = new_page({"width": 390, "height": 844})
    page.goto(live_server.url + path)

    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, f"{path} scrolls sideways on a phone ({page_width}px wide)"
    assert page.locator(".navbar-toggler").is_visible(), "the navigation should collapse behind a menu button"
    page.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)


def test_citizen_registers_with_an_sms_code(live_server, demo, page, screenshots):
    from notifications.models import OutboxMessage
    from notifications.services import outbox_text

    phone = "13712345678"
    page.goto(live_server.url + "/accounts/register/")
    form = page.locator("main form")
    form.locator("#id_phone").fill(phone)
    click_and_wait(page, form.get_by_role("button", name="获取验证码"))
    assert page.get_by_text("验证码已发送到 137****5678").is_visible()  # the phone masked on screen

    message = OutboxMessage.objects.filter(recipient_phone=phone).order_by("-created_at", "-id").first()
    assert message is not None, "no SMS in the outbox"
    text = outbox_text(message)
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert code, f"no 6-digit code in {text!r}"

    form = page.locator("main form")
    assert form.locator("#id_phone").input_value() == phone
    form.locator("#id_code").fill(code.group(1))
    form.locator("#id_full_name").fill("林小红")
    form.locator("#id_password1").fill("Lin@Foshan2026")
    form.locator("#id_password2").fill("Lin@Foshan2026")
    form.locator("#id_consent").check()
    page.screenshot(path=screenshots / "register-filled.png", full_page=True)
    click_and_wait(page, form.get_by_role("button", name="注册", exact=True))

    assert page.url == live_server.url + "/"
    assert page.get_by_text("注册成功").is_visible()
    assert page.get_by_test_id("current-user").inner_text() == "林小红"
    assert page.get_by_test_id("masked-phone").inner_text() == "137****5678"
    page.screenshot(path=screenshots / "register-done.png", full_page=True)
    user = User.objects.get(phone=phone)
    assert user.is_citizen
    assert user.full_name == "林小红"


def test_language_switch_sets_the_cookie(live_server, demo, page, screenshots):
    page.goto(live_server.url + "/")
    switcher = page.locator("form[action$='/i18n/setlang/'] button[name=language]")
    assert switcher.inner_text() == "English"

    click_and_wait(page, switcher)

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "en"
    assert page.url == live_server.url + "/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert switcher.inner_text() == "简体中文"
    page.screenshot(path=screenshots / "landing-english.png", full_page=True)
