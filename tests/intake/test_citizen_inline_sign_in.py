"""A logged-out citizen fills in the claim form, signs in by an SMS code on the same page, and the
claim goes through with what they typed (issue #14 "Getting in")."""

import re

import pytest
from django.urls import reverse

from accounts.models import User, VerificationCode
from intake.models import Claim
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db
URL = reverse("intake:claim-submit")
NEW_PHONE = "13712345678"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def latest_code(phone) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def wrong(code):
    return "000000" if code != "000000" else "111111"


def test_logged_out_form_explains_and_offers_inline_sign_in(client, demo):
    html = client.get(URL).content.decode()
    assert "为了把办理进展告诉您，需要先用手机号登录" in html
    assert 'name="sms_code"' in html and 'value="send_code"' in html
    assert 'name="attachments"' not in html  # photos need an account to be held


def test_region_preset_from_the_query(client, demo):
    html = client.get(URL + "?region=440608102201").content.decode()
    assert '<option value="440608102201" selected>' in html
    assert client.get(URL + "?region=nosuch").status_code == 200


def test_send_code_keeps_the_typed_text(client, demo, claim_data):
    data = claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code")
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证码已发送到 137****5678" in html
    assert "老板拖欠三个月工资" in html and 'value="何秀英"' in html and f'value="{NEW_PHONE}"' in html
    assert VerificationCode.objects.filter(phone=NEW_PHONE, purpose="login").count() == 1
    assert not Claim.objects.exists()


def test_send_code_needs_a_contact_phone(client, demo, claim_data):
    response = client.post(URL, claim_data(contact_phone="123", action="send_code"))
    assert response.status_code == 400
    assert "请先在“联系电话”中填写 11 位手机号" in response.content.decode()
    assert not VerificationCode.objects.exists()


def test_new_phone_signs_up_logs_in_and_submits(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code"))
    data = claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", sms_code=latest_code(NEW_PHONE), action="submit")
    response = client.post(URL, data)
    assert response.status_code == 302
    claim = Claim.objects.get()
    user = User.objects.get(phone=NEW_PHONE)
    assert claim.submitter == user and claim.contact_phone == NEW_PHONE
    assert user.is_citizen and user.full_name == "何秀英" and not user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "intake_claim_draft" not in client.session
    assert response["Location"] == reverse("intake:claim-submitted", args=[claim.tracking_code])


def test_existing_citizen_signs_in_and_submits(client, citizen, claim_data):
    client.post(URL, claim_data(action="send_code"))
    response = client.post(URL, claim_data(sms_code=latest_code("13800138000"), action="submit"))
    assert response.status_code == 302
    assert Claim.objects.get().submitter == citizen
    assert User.objects.filter(phone="13800138000").count() == 1


def test_wrong_code_keeps_everything_and_stores_nothing(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, action="send_code"))
    code = latest_code(NEW_PHONE)
    response = client.post(URL, claim_data(contact_phone=NEW_PHONE, sms_code=wrong(code), action="submit"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "验证码错误或已过期" in html and "老板拖欠三个月工资" in html
    assert not Claim.objects.exists() and not User.objects.filter(phone=NEW_PHONE).exists()
    assert "_auth_user_id" not in client.session


def test_invalid_claim_does_not_use_up_the_code(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, action="send_code"))
    code = latest_code(NEW_PHONE)
    response = client.post(URL, claim_data(contact_phone=NEW_PHONE, description="太短", sms_code=code, action="submit"))
    assert response.status_code == 400 and "诉求内容至少" in response.content.decode()
    assert VerificationCode.objects.get(phone=NEW_PHONE).used_at is None
    assert not User.objects.filter(phone=NEW_PHONE).exists()


def test_missing_code_is_explained(client, demo, claim_data):
    response = client.post(URL, claim_data(action="submit"))
    assert response.status_code == 400 and "请输入短信验证码" in response.content.decode()
    assert not Claim.objects.exists()


def test_login_only_comes_back_to_the_kept_draft(client, demo, claim_data):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code"))
    data = claim_data(
        contact_phone=NEW_PHONE, contact_name="何秀英", sms_code=latest_code(NEW_PHONE), action="login_only"
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    html = client.get(URL).content.decode()
    assert "老板拖欠三个月工资" in html and 'name="attachments"' in html
    assert not Claim.objects.exists()


def test_password_login_keeps_the_draft(client, citizen, claim_data):
    response = client.post(URL, claim_data(action="password_login"))
    assert response.status_code == 302 and response["Location"] == f"{reverse('accounts:login')}?next={URL}"
    citizen.set_password("Mingcheng#2026")
    citizen.save()
    client.post(reverse("accounts:login"), {"username": "13800138000", "password": "Mingcheng#2026", "next": URL})
    html = client.get(URL).content.decode()
    assert "老板拖欠三个月工资" in html


def test_staff_phone_cannot_sign_in_inline(client, user, claim_data):
    staff = user("gm_labor")
    User.objects.filter(pk=staff.pk).update(phone="13600136000")
    client.post(URL, claim_data(contact_phone="13600136000", action="send_code"))
    data = claim_data(contact_phone="13600136000", sms_code=latest_code("13600136000"), action="submit")
    response = client.post(URL, data)
    assert response.status_code == 400 and "工作人员请用工作账号和密码登录" in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("missing", [{"consent": ""}, {"contact_name": ""}, {"consent": "", "contact_name": " "}])
def test_login_only_signs_a_new_phone_up_only_with_name_and_consent(client, demo, claim_data, missing):
    client.post(URL, claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", action="send_code"))
    code = latest_code(NEW_PHONE)
    data = claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", sms_code=code, action="login_only")
    data.update(missing)
    if not data.get("consent"):
        data.pop("consent", None)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "请先填写“联系人”姓名，并勾选同意《个人信息保护说明》" in response.content.decode()
    assert not User.objects.filter(phone=NEW_PHONE).exists() and "_auth_user_id" not in client.session
    # the code was not used up: with the name and the consent the same code signs up
    data = claim_data(contact_phone=NEW_PHONE, contact_name="何秀英", sms_code=code, action="login_only")
    assert client.post(URL, data).status_code == 302
    assert User.objects.get(phone=NEW_PHONE).full_name == "何秀英"


def test_login_only_of_an_existing_account_needs_no_consent(client, citizen, claim_data):
    client.post(URL, claim_data(contact_phone=citizen.phone, action="send_code"))
    data = claim_data(contact_phone=citizen.phone, sms_code=latest_code(citizen.phone), action="login_only")
    data.pop("consent", None)
    response = client.post(URL, data)
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == citizen.pk


def test_citizen_with_a_membership_cannot_sign_in_inline(client, citizen, user, claim_data):
    from accounts.models import Membership, Role

    Membership.objects.create(user=citizen, unit=user("gm_labor").memberships.first().unit, role=Role.HANDLER)
    client.post(URL, claim_data(contact_phone=citizen.phone, action="send_code"))
    data = claim_data(contact_phone=citizen.phone, sms_code=latest_code(citizen.phone), action="submit")
    response = client.post(URL, data)
    assert response.status_code == 400 and "工作人员请用工作账号和密码登录" in response.content.decode()
    assert not Claim.objects.exists() and "_auth_user_id" not in client.session
