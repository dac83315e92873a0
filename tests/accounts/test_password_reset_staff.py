"""忘记密码 by SMS is for citizens: a staff account's phone asking for a reset gets a code sent the
same way (no enumeration), but the right code changes nothing and says whom to ask."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db
RESET = reverse("accounts:password-reset")
STAFF_PHONE = "13600136001"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_staff_phone_cannot_reset_its_password_by_sms(client, user):
    staff = user("gm_labor")
    User.objects.filter(pk=staff.pk).update(phone=STAFF_PHONE)
    before = User.objects.get(pk=staff.pk).password
    sent = client.post(RESET, {"phone": STAFF_PHONE, "action": "send_code"})
    assert sent.status_code == 200 and "验证码已发送到 136****6001" in sent.content.decode()
    message = OutboxMessage.objects.filter(recipient_phone=STAFF_PHONE).latest("id")
    code = re.search(r"\d{6}", outbox_text(message)).group(0)
    data = {"phone": STAFF_PHONE, "code": code, "password1": "Xinmima#2026", "password2": "Xinmima#2026"}
    response = client.post(RESET, data)
    assert response.status_code == 400 and "工作人员账号的密码请联系系统管理员重置" in response.content.decode()
    assert User.objects.get(pk=staff.pk).password == before
    assert not client.login(username=STAFF_PHONE, password="Xinmima#2026")
