"""一码解纷 → 申请调解 for a first-time citizen: the door needs an account, and registration
carries ``next`` through, so the new account lands back on the door with the place preset."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.models import OutboxMessage
from notifications.services import outbox_text

pytestmark = pytest.mark.django_db

VILLAGE = "440608102201"  # 明东村
PHONE = "13712340001"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _code(phone=PHONE) -> str:
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    return re.search(r"\d{6}", outbox_text(message)).group(0)


def test_register_from_the_mediation_door_comes_back_with_the_place(client, mediators):
    door = re.search(r'href="(/mediation/request/\?region=\d+)"', client.get(f"/q/{VILLAGE}/").content.decode())[1]
    to_login = client.get(door)
    assert to_login.status_code == 302
    login_page = client.get(to_login["Location"]).content.decode()
    register_link = re.search(r'href="(/accounts/register/\?next=[^"]+)"', login_page)[1].replace("&amp;", "&")
    assert unquote(register_link.split("next=", 1)[1]) == door
    page = client.get(register_link).content.decode()
    assert f'name="next" value="{door}"' in page.replace("&amp;", "&")
    assert f'href="{reverse("accounts:login")}?next=' in page  # "已有账号？直接登录" keeps it too
    client.post(register_link, {"phone": PHONE, "action": "send_code", "next": door})
    done = client.post(
        register_link,
        {
            "phone": PHONE,
            "code": _code(),
            "full_name": "何秀英",
            "password1": "Mingcheng#2026",
            "password2": "Mingcheng#2026",
            "consent": "on",
            "action": "register",
            "next": door,
        },
    )
    assert done.status_code == 302 and done["Location"] == door
    assert User.objects.filter(phone=PHONE).exists()
    form = client.get(door)
    assert form.status_code == 200 and form.context["form"].initial["region"] == VILLAGE


def test_register_next_keeps_nothing_typed_on_an_error(client, demo):
    url = reverse("accounts:register") + "?next=/mediation/request/%3Fregion%3D440608102201"
    response = client.post(url, {"phone": "123", "action": "send_code", "next": "/mediation/request/?region=1"})
    assert response.status_code == 400
    assert 'name="next" value="/mediation/request/?region=1"' in response.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_register_ignores_a_foreign_next(client, demo, target):
    page = client.get(reverse("accounts:register"), {"next": target})
    assert page.context["next"] == "" and 'evil.example/x"' not in page.content.decode()
    client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    done = client.post(
        reverse("accounts:register"),
        {
            "phone": PHONE,
            "code": _code(),
            "full_name": "何秀英",
            "password1": "Mingcheng#2026",
            "password2": "Mingcheng#2026",
            "consent": "on",
            "action": "register",
            "next": target,
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("home")


def test_signed_in_visitor_on_register_goes_to_next(login, citizen):
    response = login(citizen).get(reverse("accounts:register") + "?next=/mediation/request/")
    assert response.status_code == 302 and response["Location"] == "/mediation/request/"
