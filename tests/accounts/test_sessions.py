"""Staff sessions: 30 idle minutes (sliding) and 12 hours at most; citizens keep the default
(issue #19 item 12)."""

import pytest
from django.urls import reverse

from accounts.middleware import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "Yikouban@2026"


def login(client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def shift(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_staff_idle_for_31_minutes_is_logged_out_with_a_message(client, demo):
    login(client, "gm_labor")
    assert client.get(reverse("cases:inbox")).status_code == 200
    shift(client, SEEN_AT, 31 * 60)
    response = client.get(reverse("cases:inbox"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "长时间未操作或登录已超过时限，已自动退出" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_activity_keeps_the_session_alive(client, demo):
    login(client, "gm_labor")
    for _ in range(3):  # 3 × 29 minutes: longer than 30 minutes in all, never idle for 30
        shift(client, SEEN_AT, 29 * 60)
        assert client.get(reverse("cases:inbox")).status_code == 200
    assert client.session.get_expiry_age() <= 30 * 60


def test_staff_session_ends_12_hours_after_login_even_when_active(client, demo):
    login(client, "gm_labor")
    client.get(reverse("cases:inbox"))
    shift(client, LOGIN_AT, 12 * 60 * 60 + 60)
    assert client.get(reverse("cases:inbox")).status_code == 302


def test_citizens_keep_the_default_session(client, demo):
    login(client, "13800138000")
    shift(client, SEEN_AT, 3 * 60 * 60)
    assert client.get(reverse("intake:my-claims")).status_code == 200
    assert client.session.get_expiry_age() > 24 * 60 * 60
