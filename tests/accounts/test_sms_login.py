"""手机号 + 短信验证码 login and 忘记密码 (issue #14 "Getting in"; docs/security.md "SMS login")."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, VerificationCode
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db

CITIZEN = "13800138000"  # the demo citizen 夏志明
STRANGER = "13712340000"
LOGIN = reverse("accounts:sms-login")
RESET = reverse("accounts:password-reset")


def send(client, url, phone):
    return client.post(url, {"phone": phone, "action": "send_code"})


def latest_code(phone) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_login_page_offers_sms_login_and_password_recovery(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert LOGIN in page and RESET in page and "忘记密码" in page


def test_sms_login_logs_the_citizen_in_and_follows_next(client, citizen):
    response = send(client, LOGIN, CITIZEN)
    assert response.status_code == 200
    assert "验证码已发送到 138****8000" in response.content.decode()
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN), "next": "/claims/"})
    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert int(client.session["_auth_user_id"]) == citizen.pk


def test_next_to_another_site_is_ignored(client, citizen):
    send(client, LOGIN, CITIZEN)
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_code_is_single_use(client, citizen):
    send(client, LOGIN, CITIZEN)
    code = latest_code(CITIZEN)
    assert client.post(LOGIN, {"phone": CITIZEN, "code": code}).status_code == 302
    client.logout()
    response = client.post(LOGIN, {"phone": CITIZEN, "code": code})
    assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()


def test_expired_code_is_refused(client, citizen):
    send(client, LOGIN, CITIZEN)
    VerificationCode.objects.filter(phone=CITIZEN).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN)})
    assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_burn_the_code(client, citizen, settings):
    send(client, LOGIN, CITIZEN)
    code = latest_code(CITIZEN)
    for _ in range(settings.VERIFICATION_CODE_MAX_ATTEMPTS):
        assert client.post(LOGIN, {"phone": CITIZEN, "code": wrong(code)}).status_code == 400
    assert VerificationCode.objects.get(phone=CITIZEN).attempts == 5
    response = client.post(LOGIN, {"phone": CITIZEN, "code": code})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_code_of_another_purpose_does_not_log_in(client, citizen):
    send(client, RESET, CITIZEN)
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN)})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_bad_input_is_explained_and_nothing_sent(client):
    page = send(client, LOGIN, "1234").content.decode()
    assert "请输入 11 位中国大陆手机号" in page
    page = client.post(LOGIN, {"phone": CITIZEN, "code": "12ab"}).content.decode()
    assert "验证码为 6 位数字" in page
    page = client.post(LOGIN, {"phone": CITIZEN, "code": ""}).content.decode()
    assert "请输入短信验证码" in page
    assert not OutboxMessage.objects.exists()


def test_unregistered_phone_gets_the_same_answer_and_no_account(client, citizen):
    known = send(client, LOGIN, CITIZEN)
    unknown = send(client, LOGIN, STRANGER)
    assert known.status_code == unknown.status_code == 200

    def notice(response):
        return re.search(r"验证码已发送到 \d{3}\*{4}\d{4}，10 分钟内有效", response.content.decode()).group(0)[-10:]

    assert notice(known) == notice(unknown)
    # Without the code, a wrong guess reads the same for both phones.
    a = client.post(LOGIN, {"phone": CITIZEN, "code": wrong(latest_code(CITIZEN))}).content.decode()
    b = client.post(LOGIN, {"phone": STRANGER, "code": wrong(latest_code(STRANGER))}).content.decode()
    assert "验证码错误或已过期" in a and "验证码错误或已过期" in b
    # Only the phone's holder, with the right code, learns it is not registered; no account made.
    response = client.post(LOGIN, {"phone": STRANGER, "code": latest_code(STRANGER)})
    assert response.status_code == 400 and "该手机号还没有注册" in response.content.decode()
    assert not User.objects.filter(phone=STRANGER).exists()


def test_staff_cannot_log_in_by_code(client, user):
    staff = user("gm_labor")
    User.objects.filter(pk=staff.pk).update(phone="13600136000")
    send(client, LOGIN, "13600136000")
    response = client.post(LOGIN, {"phone": "13600136000", "code": latest_code("13600136000")})
    assert response.status_code == 400 and "工作人员请用工作账号和密码登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_resend_waits_and_per_phone_budget(client, citizen, settings):
    send(client, LOGIN, CITIZEN)
    page = send(client, LOGIN, CITIZEN).content.decode()
    assert "秒后再重新获取" in page
    settings.VERIFICATION_CODE_RESEND_SECONDS = 0
    settings.SMS_CODE_PHONE_LIMIT = (2, 3600)
    send(client, LOGIN, CITIZEN)
    page = send(client, RESET, CITIZEN).content.decode()  # all purposes share the phone's budget
    assert "该手机号获取验证码的次数过多" in page
    assert VerificationCode.objects.filter(phone=CITIZEN).count() == 2


def test_per_client_send_budget(client, settings):
    settings.SMS_CODE_CLIENT_LIMIT = (2, 600)
    send(client, LOGIN, "13711110001")
    send(client, LOGIN, "13711110002")
    page = send(client, LOGIN, "13711110003").content.decode()
    assert "获取验证码过于频繁" in page
    assert not VerificationCode.objects.filter(phone="13711110003").exists()


def test_per_client_verify_budget(client, citizen, settings):
    settings.SMS_CODE_VERIFY_CLIENT_LIMIT = (2, 600)
    send(client, LOGIN, CITIZEN)
    code = latest_code(CITIZEN)
    client.post(LOGIN, {"phone": CITIZEN, "code": wrong(code)})
    client.post(LOGIN, {"phone": CITIZEN, "code": wrong(code)})
    response = client.post(LOGIN, {"phone": CITIZEN, "code": code})  # right, but over budget
    assert response.status_code == 400 and "验证次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sets_a_new_password(client, citizen):
    send(client, RESET, CITIZEN)
    data = {"phone": CITIZEN, "code": latest_code(CITIZEN), "password1": "Xinmima#2026", "password2": "Xinmima#2026"}
    response = client.post(RESET, data)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.login(username=CITIZEN, password="Xinmima#2026")


def test_password_reset_bad_input_keeps_the_password(client, citizen):
    citizen.refresh_from_db()
    before = citizen.password
    send(client, RESET, CITIZEN)
    code = latest_code(CITIZEN)
    page = client.post(RESET, {"phone": CITIZEN, "code": code, "password1": "Abc#12345", "password2": "x"})
    assert "两次输入的密码不一致" in page.content.decode()
    page = client.post(RESET, {"phone": CITIZEN, "code": code, "password1": "1234", "password2": "1234"})
    assert page.status_code == 400 and "密码太短" in page.content.decode()
    page = client.post(
        RESET, {"phone": CITIZEN, "code": wrong(code), "password1": "Xinmima#2026", "password2": "Xinmima#2026"}
    )
    assert "验证码错误或已过期" in page.content.decode()
    citizen.refresh_from_db()
    assert citizen.password == before


def test_password_reset_unregistered_phone_creates_nothing(client):
    send(client, RESET, STRANGER)
    data = {"phone": STRANGER, "code": latest_code(STRANGER), "password1": "Xinmima#2026", "password2": "Xinmima#2026"}
    response = client.post(RESET, data)
    assert response.status_code == 400 and "该手机号还没有注册" in response.content.decode()
    assert not User.objects.filter(phone=STRANGER).exists()
