"""Behind nginx (docs/deployment.md, cluster): the client's address comes from X-Real-IP only when
the request comes from a trusted proxy, so login locks and rate limits count each real client —
neither everyone behind the proxy together, nor a client that forges a new address per try."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from demo.people import DEMO_CITIZENS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PHONE = DEMO_CITIZENS[0][0]
PROXY = "127.0.0.2"
TRACK = reverse("intake:track")
LOGIN = reverse("accounts:login")


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def via_proxy(client, url, data, client_ip):
    return client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=client_ip)


def test_one_client_spraying_logins_behind_the_proxy_does_not_lock_out_the_others(client, demo, behind_proxy):
    for n in range(30):
        via_proxy(client, LOGIN, {"username": f"139000000{n:02d}", "password": "wrong"}, "203.0.113.9")
    locked = via_proxy(client, LOGIN, {"username": PHONE, "password": DEMO_PASSWORD}, "203.0.113.9")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    other = via_proxy(client, LOGIN, {"username": PHONE, "password": DEMO_PASSWORD}, "198.51.100.7")
    assert other.status_code == 302


def test_tracking_rate_limit_counts_each_client_behind_the_proxy(client, submit_claim, behind_proxy):
    claim = submit_claim()
    for _ in range(10):
        via_proxy(client, TRACK, {"code": "ABCDEFGHJK", "phone_last4": "1234"}, "203.0.113.9")
    right = {"code": claim.tracking_code, "phone_last4": "8000"}
    assert via_proxy(client, TRACK, right, "203.0.113.9").status_code == 429
    assert via_proxy(client, TRACK, right, "198.51.100.7").status_code == 200


def test_a_client_that_is_not_the_proxy_cannot_pick_its_address(client, submit_claim, behind_proxy):
    claim = submit_claim()
    for n in range(10):
        client.post(
            TRACK,
            {"code": "ABCDEFGHJK", "phone_last4": "1234"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_REAL_IP=f"10.0.0.{n}",
        )
    forged = client.post(
        TRACK,
        {"code": claim.tracking_code, "phone_last4": "8000"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REAL_IP="10.0.0.99",
    )
    assert forged.status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client, submit_claim):
    claim = submit_claim()
    for n in range(10):
        client.post(
            TRACK, {"code": "ABCDEFGHJK", "phone_last4": "1234"}, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=f"10.0.0.{n}"
        )
    right = {"code": claim.tracking_code, "phone_last4": "8000"}
    assert via_proxy(client, TRACK, right, "10.0.0.99").status_code == 429


def test_a_malformed_header_from_the_proxy_is_not_an_address(client, submit_claim, behind_proxy):
    claim = submit_claim()
    for _ in range(10):
        via_proxy(client, TRACK, {"code": "ABCDEFGHJK", "phone_last4": "1234"}, "not-an-ip, 10.0.0.1")
    right = {"code": claim.tracking_code, "phone_last4": "8000"}
    # The proxy's own address was counted; a well-formed client address is someone else.
    assert via_proxy(client, TRACK, right, "garbage").status_code == 429
    assert via_proxy(client, TRACK, right, "198.51.100.7").status_code == 200


def test_trusted_proxies_accept_networks(client, submit_claim, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]
    claim = submit_claim()
    for _ in range(10):
        client.post(
            TRACK, {"code": "ABCDEFGHJK", "phone_last4": "1234"}, REMOTE_ADDR="10.20.3.4", HTTP_X_REAL_IP="203.0.113.9"
        )
    right = {"code": claim.tracking_code, "phone_last4": "8000"}
    assert client.post(TRACK, right, REMOTE_ADDR="10.20.3.5", HTTP_X_REAL_IP="203.0.113.9").status_code == 429
    assert client.post(TRACK, right, REMOTE_ADDR="10.20.3.5", HTTP_X_REAL_IP="198.51.100.7").status_code == 200


def test_a_dual_stack_bind_still_recognises_the_proxy(client, submit_claim, behind_proxy):
    """gunicorn bound to :: sees the IPv4 proxy as ::ffff:127.0.0.2: still the trusted proxy, so
    each client keeps its own rate limit instead of everyone sharing the proxy's."""
    mapped = f"::ffff:{PROXY}"
    claim = submit_claim()
    for _ in range(10):
        client.post(
            TRACK, {"code": "ABCDEFGHJK", "phone_last4": "1234"}, REMOTE_ADDR=mapped, HTTP_X_REAL_IP="203.0.113.9"
        )
    right = {"code": claim.tracking_code, "phone_last4": "8000"}
    assert client.post(TRACK, right, REMOTE_ADDR=mapped, HTTP_X_REAL_IP="203.0.113.9").status_code == 429
    assert client.post(TRACK, right, REMOTE_ADDR=mapped, HTTP_X_REAL_IP="198.51.100.7").status_code == 200


def test_a_malformed_trusted_proxy_stops_the_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "TRUSTED_PROXIES": "10.0.0.300"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES: '10.0.0.300' is not an address or network" in result.stderr
