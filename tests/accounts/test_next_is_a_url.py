"""``next`` is a URL, never a URL name (accounts/views.py ``_safe_next``, ``elderly_mode``).

``redirect(text)`` first tries ``reverse(text)``; for a ``next`` with neither "/" nor "." that names
no URL it re-raises NoReverseMatch, a 500. The fuzz gate found it on the 长辈模式 switch with
``next="{{ 7|add:7 }}"`` (``reverse`` reads "{{ 7|add" as a namespace: ``KeyError: '{{ 7|add'``),
and any bare word ("abc", "NaN", "0") did the same.
"""

import pytest
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from accounts.elderly import COOKIE

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:elderly-mode")
NOT_URL_NAMES = ["{{ 7|add:7 }}", "abc", "NaN", "0", "true", "拖欠工资"]
BOUNDARY = "yk-next-boundary"


def _multipart(fields: dict) -> bytes:
    """Written by hand as the fuzz gate does (tests/fuzz/test_fuzz_urls.py ``_multipart``)."""
    parts = [f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode() for name, value in fields.items()]
    sep = f"--{BOUNDARY}\r\n".encode()
    return b"".join(sep + part + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("next_url", NOT_URL_NAMES)
def test_the_elderly_switch_goes_to_a_next_that_is_no_url_name(client, demo, next_url):
    response = client.post(SWITCH, {"mode": "on", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == iri_to_uri(next_url)  # taken as a (relative) URL, as given
    assert response.cookies[COOKIE].value == "1"


def test_the_elderly_switch_as_the_fuzz_posts_it_multipart(client, demo):
    body = _multipart({"mode": "on", "next": "{{ 7|add:7 }}"})
    response = client.generic("POST", SWITCH, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "1"


def test_a_logged_in_user_s_switch_with_such_a_next_is_kept(client, citizen):
    client.force_login(citizen)
    response = client.post(SWITCH, {"mode": "on", "next": "{{ 7|add:7 }}"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.elderly_mode is True


def test_url_names_are_not_followed_and_other_sites_still_refused(client, demo):
    assert client.post(SWITCH, {"mode": "on", "next": "home"})["Location"] == "home"  # no reverse("home")
    assert client.post(SWITCH, {"mode": "on", "next": "https://evil.example/"})["Location"] == "/"


@pytest.mark.parametrize("name", ["accounts:sms-login", "accounts:register"])
def test_a_logged_in_user_on_the_login_and_register_pages_follows_such_a_next(client, citizen, name):
    client.force_login(citizen)
    for next_url in NOT_URL_NAMES:
        response = client.get(reverse(name), {"next": next_url})
        assert response.status_code == 302, next_url
        assert response["Location"] == iri_to_uri(next_url)
