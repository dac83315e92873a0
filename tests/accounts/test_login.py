import pytest
from django.urls import reverse

from accounts.services import staff_user_ensure
from demo.people import DEMO_CITIZENS, DEMO_PASSWORD, DEMO_STAFF

pytestmark = pytest.mark.django_db


def login(client, username, password=DEMO_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_staff_log_in_with_username(client, demo):
    response = login(client, "gm_labor")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "高明区人力资源和社会保障局" in page and "承办人" in page


def test_citizen_logs_in_with_mobile_number(client, demo):
    phone, name = DEMO_CITIZENS[0]
    response = login(client, phone)
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert name in page
    assert "138****8000" in page and phone not in page  # the phone is masked even for its owner


def test_every_demo_login_works(client, demo):
    for person in DEMO_STAFF:
        assert client.login(username=person.username, password=DEMO_PASSWORD), person.username
        client.logout()
    for phone, _name in DEMO_CITIZENS:
        assert client.login(username=phone, password=DEMO_PASSWORD), phone
        client.logout()


def test_wrong_password_says_so_in_chinese_and_keeps_the_username(client, demo):
    response = login(client, "gm_labor", "not-the-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert "手机号/用户名或密码不正确" in page
    assert 'value="gm_labor"' in page
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, demo):
    response = login(client, "13012345678", "whatever123")
    assert "手机号/用户名或密码不正确" in response.content.decode()


def test_inactive_account_cannot_log_in(client, small_directory):
    user = staff_user_ensure(
        username="gone", full_name="离职人员", password="Pass-word-2026", memberships=[("GM-ZX", "clerk")]
    )
    user.is_active = False
    user.save()
    response = login(client, "gone", "Pass-word-2026")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_logout_requires_post(client, demo):
    login(client, "gm_labor")
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
