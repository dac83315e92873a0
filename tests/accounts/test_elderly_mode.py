"""长辈模式 (issue #17): a form POST that works without JavaScript, remembered in a cookie and on the
account; a visitor's choice made before logging in is carried into the account (accounts/elderly.py)."""

import pytest
from django.urls import reverse

from accounts.elderly import COOKIE
from accounts.models import User
from demo.people import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:elderly-mode")
CITIZEN_PHONE = "13800138000"


def switch(client, mode: str, next_url: str = "/track/"):
    return client.post(SWITCH, {"mode": mode, "next": next_url})


def log_in(client, name: str = CITIZEN_PHONE):
    response = client.post(reverse("accounts:login"), {"username": name, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def shown_in_elderly_mode(client, url: str = "/track/") -> bool:
    html = client.get(url).content.decode()
    on = '<html lang="zh-CN" class="yk-elderly' in html
    assert ('id="yk-elderly-css"' in html) == on  # the large-type stylesheet comes with the class, and only then
    assert f'aria-pressed="{"true" if on else "false"}"' in html
    return on


def test_every_page_has_the_switch_named_and_saying_its_state(client, demo):
    html = client.get("/").content.decode()
    assert f'action="{SWITCH}" method="post"' in html
    assert 'aria-pressed="false"' in html and "长辈模式" in html and "：关" in html
    assert 'name="mode" value="on"' in html
    switch(client, "on")
    html = client.get("/").content.decode()
    assert 'aria-pressed="true"' in html and "：开" in html and 'name="mode" value="off"' in html


def test_a_visitor_switches_on_and_the_browser_remembers_it(client, demo):
    assert not shown_in_elderly_mode(client)
    response = switch(client, "on")
    assert response.status_code == 302 and response["Location"] == "/track/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 365 * 24 * 3600 and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert "已开启长辈模式" in client.get("/").content.decode()  # the message says what changed, once
    assert shown_in_elderly_mode(client)

    switch(client, "off")
    assert client.cookies[COOKIE].value == "0"
    assert not shown_in_elderly_mode(client)


def test_the_switch_is_a_post_with_csrf_and_goes_back_only_to_this_site(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SWITCH, {"mode": "on"}).status_code == 403  # CSRF-protected like every form
    assert strict.get(SWITCH).status_code == 405
    client = Client()
    assert switch(client, "on", "https://evil.example/phish")["Location"] == "/"
    assert switch(client, "on", "//evil.example/")["Location"] == "/"
    assert switch(client, "on", "/claims/")["Location"] == "/claims/"
    assert "\n" not in switch(client, "on", "/track/\r\nSet-Cookie: a=1")["Location"]  # no header injection


def test_a_logged_in_user_s_choice_is_kept_on_the_account(client, citizen):
    log_in(client)
    switch(client, "on")
    citizen.refresh_from_db()
    assert citizen.elderly_mode is True
    assert shown_in_elderly_mode(client)

    # Another browser (no cookie): the account brings the mode along, and sets that browser's cookie.
    from django.test import Client

    other = log_in(Client())
    assert other.cookies[COOKIE].value == "1"  # set with the login's answer
    assert '<html lang="zh-CN" class="yk-elderly yk-citizen">' in other.get("/").content.decode()

    switch(other, "off")
    citizen.refresh_from_db()
    assert citizen.elderly_mode is False


def test_a_choice_made_before_logging_in_is_carried_into_the_account(client, citizen):
    assert citizen.elderly_mode is False
    switch(client, "on", reverse("accounts:login"))  # too small to read the login form: switched on first
    log_in(client)
    citizen.refresh_from_db()
    assert citizen.elderly_mode is True
    assert shown_in_elderly_mode(client, "/")


def test_a_visitor_switching_off_before_login_turns_the_account_off_too(client, citizen):
    User.objects.filter(pk=citizen.pk).update(elderly_mode=True)
    switch(client, "off")
    log_in(client)
    citizen.refresh_from_db()
    assert citizen.elderly_mode is False  # the latest choice wins
    assert not shown_in_elderly_mode(client, "/")


def test_without_a_choice_in_this_visit_the_account_wins_over_the_cookie(client, citizen, user):
    """A shared computer: the previous person left the cookie on; the next one keeps their own setting."""
    log_in(client)
    switch(client, "on")
    client.post(reverse("accounts:logout"))
    assert client.cookies[COOKIE].value == "1"
    assert shown_in_elderly_mode(client)  # after logout the page stays large for the same person

    log_in(client, "gm_labor")
    assert user("gm_labor").elderly_mode is False
    assert not shown_in_elderly_mode(client, "/")
    assert client.cookies[COOKIE].value == "0"  # the browser follows the account now


def test_staff_get_the_large_type_but_keep_their_page_layout(client, user):
    log_in(client, "gm_labor")
    switch(client, "on")
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN" class="yk-elderly">' in html  # no yk-citizen: tables and boards keep their columns
    assert user("gm_labor").elderly_mode is True


def test_the_page_s_script_switches_in_place_without_a_message(client, citizen):
    """static/js/elderly-switch.js posts ``inplace``: 204, the cookie and the account set, no message
    left waiting for the next page."""
    log_in(client)
    response = client.post(SWITCH, {"mode": "on", "next": "/claims/new/", "inplace": "1"})
    assert response.status_code == 204 and response.cookies[COOKIE].value == "1"
    citizen.refresh_from_db()
    assert citizen.elderly_mode is True
    assert "长辈模式：" not in client.get("/").content.decode().split("<main", 1)[1]  # no message on the next page
