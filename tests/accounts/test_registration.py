import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, VerificationCode
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db

PHONE = "13712345678"
URL = reverse("accounts:register")


def send_code(client, phone=PHONE):
    return client.post(URL, {"phone": phone, "action": "send_code"})


def latest_code(phone=PHONE) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def register(client, **overrides):
    data = {
        "phone": PHONE,
        "code": latest_code(),
        "full_name": "何秀英",
        "password1": "Mingcheng#2026",
        "password2": "Mingcheng#2026",
        "consent": "on",
        "action": "register",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_code_goes_through_the_outbox_and_registration_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_code(client)
    assert response.status_code == 200
    assert "验证码已发送" in response.content.decode()
    message = OutboxMessage.objects.get(recipient_phone=PHONE)
    assert message.kind == "verification_code"
    assert message.status == OutboxStatus.SENT  # delivered by q2 after commit (sync in tests)
    stored = VerificationCode.objects.get(phone=PHONE)
    assert latest_code() not in stored.code_hash  # only a keyed hash is stored

    response = register(client)
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert user.is_citizen and user.full_name == "何秀英"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.login(username=PHONE, password="Mingcheng#2026")


def test_wrong_code_is_refused_and_counted(client):
    send_code(client)
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    response = register(client, code=wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert "验证码错误或已过期" in page
    assert f'value="{PHONE}"' in page and 'value="何秀英"' in page  # nothing typed is lost
    assert not User.objects.filter(phone=PHONE).exists()
    assert VerificationCode.objects.get(phone=PHONE).attempts == 1


def test_too_many_wrong_codes_burn_the_code(client, settings):
    send_code(client)
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.VERIFICATION_CODE_MAX_ATTEMPTS):
        register(client, code=wrong)
    response = register(client, code=code)
    assert response.status_code == 400
    assert not User.objects.filter(phone=PHONE).exists()


def test_code_is_single_use(client):
    send_code(client)
    register(client)
    client.logout()
    User.objects.filter(phone=PHONE).delete()
    response = register(client)
    assert response.status_code == 400
    assert "验证码错误或已过期" in response.content.decode()


def test_expired_code_is_refused(client):
    send_code(client)
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert register(client).status_code == 400
    assert not User.objects.filter(phone=PHONE).exists()


def test_resend_within_a_minute_is_refused(client):
    send_code(client)
    response = send_code(client)
    assert response.status_code == 400
    assert "秒后再重新获取" in response.content.decode()
    assert OutboxMessage.objects.filter(recipient_phone=PHONE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12345"}, "11 位中国大陆手机号"),
        ({"phone": ""}, "请输入手机号"),
        ({"code": ""}, "请输入短信验证码"),
        ({"code": "12ab"}, "验证码为 6 位数字"),
        ({"full_name": "  "}, "请输入姓名"),
        ({"password2": "Different#2026"}, "两次输入的密码不一致"),
        ({"password1": "12345678", "password2": "12345678"}, "密码只包含数字"),
        ({"consent": ""}, "请阅读并勾选同意"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, overrides, message):
    send_code(client)
    response = register(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(is_citizen=True).exists()


def test_phone_already_registered(client, demo):
    send_code(client, "13800138000")
    response = client.post(
        URL,
        {
            "phone": "13800138000",
            "code": latest_code("13800138000"),
            "full_name": "冒名",
            "password1": "Mingcheng#2026",
            "password2": "Mingcheng#2026",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert "该手机号已注册" in response.content.decode()
    assert User.objects.get(phone="13800138000").full_name == "夏志明"


def test_logged_in_user_is_sent_home(client, demo):
    client.login(username="13800138000", password="Yikouban@2026")
    assert client.get(URL).status_code == 302


def test_existing_and_new_phone_get_the_same_answer_without_the_code(client, demo):
    """Account enumeration (issue #19 item 5): only the code's holder learns a phone is taken."""
    answers = []
    for phone in ("13800138000", PHONE):
        send_code(client, phone)
        response = client.post(
            URL,
            {
                "phone": phone,
                "code": "000000" if latest_code(phone) != "000000" else "111111",
                "full_name": "冒名",
                "password1": "Mingcheng#2026",
                "password2": "Mingcheng#2026",
                "consent": "on",
            },
        )
        page = response.content.decode()
        answers.append((response.status_code, "验证码错误或已过期" in page, "已注册" in page))
    assert answers[0] == answers[1] == (400, True, False)
    assert User.objects.get(phone="13800138000").full_name == "夏志明"
    assert not User.objects.filter(phone=PHONE).exists()


def test_password_too_short_is_explained_in_chinese(client):
    send_code(client)
    response = register(client, password1="Ab#1", password2="Ab#1")
    assert response.status_code == 400
    assert "密码太短：至少需要 8 个字符" in response.content.decode()


def test_one_client_gets_five_codes_per_ten_minutes(client):
    """SMS abuse (issue #19 item 4): a row of strangers' phones from one client is cut off."""

    for n in range(5):
        assert send_code(client, f"1370000000{n}").status_code == 200
    response = send_code(client, "13700000009")
    assert response.status_code == 400
    assert "获取验证码过于频繁，请 10 分钟后再试" in response.content.decode()
    assert not OutboxMessage.objects.filter(recipient_phone="13700000009").exists()
    other = client.post(URL, {"phone": "13700000009", "action": "send_code"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_the_platform_stops_at_its_hourly_budget(client, settings):

    settings.SMS_CODE_GLOBAL_LIMIT = (2, 3600)
    send_code(client, "13700000001")
    client.post(URL, {"phone": "13700000002", "action": "send_code"}, REMOTE_ADDR="198.51.100.7")
    response = client.post(URL, {"phone": "13700000003", "action": "send_code"}, REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 400
    assert "当前获取验证码的人数较多" in response.content.decode()
    assert VerificationCode.objects.count() == 2
