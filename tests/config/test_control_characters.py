"""NUL and other control characters are refused at the edge (issue #19 item 7): 400 with a short
Chinese page, before any view or query runs, never a 500 or a traceback."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE = "请求中含有不可见的控制字符"


@pytest.mark.parametrize(
    "url",
    [
        "/routing/regions/children/?parent=%00",
        "/routing/regions/children/?parent=44%01",
        "/track/?code=%00",
        "/admin/accounts/user/?is_staff__exact=%00",
        "/cases/2026%00/",
        "/window/receipt/AB%00C/",
    ],
)
def test_nul_in_the_url_is_a_400_with_a_chinese_page(client, user, url, caplog):
    client.force_login(user("gm_labor"))
    with caplog.at_level(logging.WARNING):
        response = client.get(url)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert "Traceback" not in caplog.text


def test_unauthenticated_region_picker_with_nul(client, demo):
    response = client.get("/routing/regions/children/", {"parent": "\x00"})
    assert response.status_code == 400


def test_control_characters_in_a_form_field_are_refused(client, demo):
    response = client.post(reverse("accounts:login"), {"username": "gm\x00labor", "password": "x"})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def test_tab_and_newlines_in_a_body_are_ordinary_text(client, demo):
    response = client.post(reverse("accounts:login"), {"username": "gm_labor", "password": "a\tb\r\nc"})
    assert response.status_code == 200  # a wrong password, answered by the form


def test_a_control_character_in_a_field_name_is_refused(client, demo):
    response = client.post(reverse("accounts:login"), {"user\x1bname": "gm_labor"})
    assert response.status_code == 400
