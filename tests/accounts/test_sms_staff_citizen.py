"""An account that is a citizen AND staff (a membership, or is_staff / is_superuser) never gets in,
nor resets its password, by an SMS code (issue #14 review): the phone code is for citizens only."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, User
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db
CITIZEN = "13800138000"
LOGIN = reverse("accounts:sms-login")
RESET = reverse("accounts:password-reset")


def latest_code(phone) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def _with_membership(citizen, user):
    unit = user("gm_labor").memberships.first().unit
    Membership.objects.create(user=citizen, unit=unit, role=Role.HANDLER)


def _superuser(citizen, user):
    User.objects.filter(pk=citizen.pk).update(is_superuser=True)


def _is_staff(citizen, user):
    User.objects.filter(pk=citizen.pk).update(is_staff=True)


STAFFED = pytest.mark.parametrize("make_staff", [_with_membership, _superuser, _is_staff])


@STAFFED
def test_a_citizen_with_staff_powers_cannot_log_in_by_sms(client, citizen, user, make_staff):
    make_staff(citizen, user)
    sent = client.post(LOGIN, {"phone": CITIZEN, "action": "send_code"})
    assert sent.status_code == 200 and "验证码已发送到 138****8000" in sent.content.decode()
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN)})
    assert response.status_code == 400 and "工作人员请用工作账号和密码登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


@STAFFED
def test_a_citizen_with_staff_powers_cannot_reset_by_sms(client, citizen, user, make_staff):
    make_staff(citizen, user)
    before = User.objects.get(pk=citizen.pk).password
    client.post(RESET, {"phone": CITIZEN, "action": "send_code"})
    data = {"phone": CITIZEN, "code": latest_code(CITIZEN), "password1": "Xinmima#2026", "password2": "Xinmima#2026"}
    response = client.post(RESET, data)
    assert response.status_code == 400 and "工作人员账号的密码请联系系统管理员重置" in response.content.decode()
    assert User.objects.get(pk=citizen.pk).password == before


def test_an_inactive_membership_does_not_block_the_citizen(client, citizen, user):
    _with_membership(citizen, user)
    Membership.objects.filter(user=citizen).update(active=False)
    client.post(LOGIN, {"phone": CITIZEN, "action": "send_code"})
    response = client.post(LOGIN, {"phone": CITIZEN, "code": latest_code(CITIZEN)})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == citizen.pk
