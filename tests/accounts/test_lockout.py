"""Login throttling (issue #19 item 3): locks are per account+client and per client, time-bounded,
and told in Chinese on the login form."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from demo.people import DEMO_CITIZENS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PHONE = DEMO_CITIZENS[0][0]


def login(client, username, password, ip="127.0.0.1", url="accounts:login"):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="127.0.0.1"):
    for _ in range(times):
        login(client, username, "wrong-password", ip=ip)


def test_five_wrong_passwords_lock_the_account_on_this_client_with_the_wait_in_chinese(client, demo):
    fail(client, PHONE, 5)
    response = login(client, PHONE, DEMO_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in page and "15 分钟后再试" in page
    assert '<form method="post"' in page  # the login form, not a bare error page
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_still_let_the_owner_in(client, demo):
    fail(client, PHONE, 4)
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, demo):
    fail(client, PHONE, 6)
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 429
    for attempt in AccessAttempt.objects.all():  # 16 minutes pass
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save(update_fields=["attempt_time"])
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 302


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client, demo):
    fail(client, PHONE, 20, ip="203.0.113.9")
    assert login(client, PHONE, DEMO_PASSWORD, ip="203.0.113.9").status_code == 429
    assert login(client, PHONE, DEMO_PASSWORD, ip="198.51.100.7").status_code == 302


def test_one_client_spraying_many_accounts_is_locked_as_a_whole(client, demo):
    for n in range(30):
        login(client, f"139000000{n:02d}", "wrong-password", ip="203.0.113.9")
    response = login(client, PHONE, DEMO_PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert login(client, PHONE, DEMO_PASSWORD, ip="198.51.100.7").status_code == 302


def test_the_admin_login_is_throttled_too(client, demo):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": "nope"})
    response = client.post(reverse("admin:login"), {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_force_login_and_client_login_are_not_counted(client, demo, citizen):
    assert client.login(username=PHONE, password=DEMO_PASSWORD)
    client.logout()
    client.force_login(citizen)
    assert client.get(reverse("home")).status_code == 200


def test_lock_log_lines_mask_the_phone(client, demo, caplog):
    fail(client, PHONE, 5)
    assert PHONE not in caplog.text
    assert "138****8000" in caplog.text


def test_success_and_reset_log_lines_mask_the_phone_in_a_citizens_username(client, demo, caplog):
    """A citizen's username is ``citizen-<phone>``: axes logs it on success (found by the browser
    run's log check, issue #19 item 8)."""
    caplog.set_level("INFO", logger="axes")
    fail(client, PHONE, 2)
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 302
    assert "Successful login" in caplog.text
    assert PHONE not in caplog.text
    assert "citizen-138****8000" in caplog.text


def test_logging_into_an_own_account_does_not_reset_the_clients_failures(client, demo):
    for n in range(29):
        login(client, f"139000000{n:02d}", "wrong-password", ip="203.0.113.9")
    assert login(client, "13800138000", DEMO_PASSWORD, ip="203.0.113.9").status_code == 302
    client.logout()
    login(client, "13900000099", "wrong-password", ip="203.0.113.9")
    assert login(client, "13800138000", DEMO_PASSWORD, ip="203.0.113.9").status_code == 429


def test_a_successful_login_clears_the_accounts_own_failures(client, demo):
    fail(client, PHONE, 4)
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 302
    client.logout()
    fail(client, PHONE, 4)
    assert login(client, PHONE, DEMO_PASSWORD).status_code == 302
