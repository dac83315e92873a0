"""The logged-out claim draft has a time limit (``DRAFT_MAX_AGE``, 2 hours after the last post), and
the inline sign-in refuses an expired or an already used code (issue #14 review)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, VerificationCode
from intake.models import Claim
from intake.views import citizen as citizen_views
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db
URL = reverse("intake:claim-submit")
NEW_PHONE = "13712345679"
TYPED = "老板拖欠三个月工资"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def latest_code(phone) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def _age_draft(client, seconds: float) -> None:
    session = client.session
    session[citizen_views.DRAFT]["saved_at"] -= seconds
    session.save()


def test_draft_is_two_hours_by_default():
    assert citizen_views.DRAFT_MAX_AGE == 2 * 3600


def test_a_fresh_draft_comes_back(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, action="send_code"))
    _age_draft(client, citizen_views.DRAFT_MAX_AGE - 60)
    assert TYPED in client.get(URL).content.decode()


def test_an_old_draft_is_dropped_unread(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code"))
    _age_draft(client, citizen_views.DRAFT_MAX_AGE + 1)
    html = client.get(URL).content.decode()
    assert TYPED not in html and "何秀英" not in html and NEW_PHONE not in html
    assert citizen_views.DRAFT not in client.session


def test_an_old_draft_is_not_shown_after_logging_in(client, citizen, claim_data):
    client.post(URL, claim_data(action="password_login"))
    _age_draft(client, citizen_views.DRAFT_MAX_AGE + 1)
    citizen.set_password("Mingcheng#2026")
    citizen.save()
    client.post(reverse("accounts:login"), {"username": "13800138000", "password": "Mingcheng#2026", "next": URL})
    assert TYPED not in client.get(URL).content.decode()


def test_every_post_restarts_the_clock(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, action="send_code"))
    _age_draft(client, citizen_views.DRAFT_MAX_AGE - 60)
    client.post(URL, claim_data(contact_phone=NEW_PHONE, description="老板拖欠三个月工资，还有加班费", next_level="1"))
    _age_draft(client, 120)  # older than the limit counted from the first post, not from the last
    assert "还有加班费" in client.get(URL).content.decode()


@pytest.mark.parametrize("kept", ["old shape", 12345, {"saved_at": "x", "data": {}}])
def test_a_draft_of_another_shape_is_ignored(client, demo, kept):
    session = client.session
    session[citizen_views.DRAFT] = {"description": TYPED} if kept == "old shape" else kept
    session.save()
    response = client.get(URL)
    assert response.status_code == 200 and TYPED not in response.content.decode()


# Inline sign-in: expired and reused codes ------------------------------------------------------


def test_inline_sign_in_refuses_an_expired_code(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code"))
    code = latest_code(NEW_PHONE)
    VerificationCode.objects.filter(phone=NEW_PHONE).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(
        URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", sms_code=code, action="submit")
    )
    html = response.content.decode()
    assert response.status_code == 400 and "验证码错误或已过期" in html
    assert TYPED in html and 'value="何秀英"' in html  # nothing typed is lost
    assert not Claim.objects.exists() and not User.objects.filter(phone=NEW_PHONE).exists()
    assert "_auth_user_id" not in client.session


def test_inline_sign_in_refuses_a_used_code(client, citizen, claim_data):
    client.post(URL, claim_data(action="send_code"))
    code = latest_code("13800138000")
    assert client.post(URL, claim_data(sms_code=code, action="login_only")).status_code == 302
    client.logout()
    response = client.post(URL, claim_data(sms_code=code, action="submit"))
    html = response.content.decode()
    assert response.status_code == 400 and "验证码错误或已过期" in html and TYPED in html
    assert not Claim.objects.exists() and "_auth_user_id" not in client.session
