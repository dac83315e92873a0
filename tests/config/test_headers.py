"""Every page carries a Content-Security-Policy; inline scripts run only with the page's nonce
(issue #19 item 10)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_has_a_policy_without_inline_scripts(client, demo):
    for url in (reverse("home"), reverse("accounts:login"), reverse("intake:track")):
        response = client.get(url)
        rules = policy(response)
        assert rules["default-src"] == "default-src 'self'"
        assert "'unsafe-inline'" not in rules["script-src"] and "'unsafe-eval'" not in rules["script-src"]
        assert rules["object-src"] == "object-src 'none'" and rules["frame-ancestors"] == "frame-ancestors 'none'"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_an_inline_script_carries_the_nonce_of_its_page(client, user):
    client.force_login(user("gm_window"))
    from intake.models import Claim  # noqa: F401 - the receipt needs a claim: register one

    data = {
        "contact_name": "何秀英",
        "contact_phone": "13900139000",
        "matter": "labor.wages",
        "region_0": "44",
        "region_1": "4406",
        "region_2": "440608",
        "region_3": "440608102",
        "address": "",
        "description": "在明东村五金厂打工，老板拖欠两个月工资八千元。",
        "people_count": "1",
        "next_step": "register",
        "submission_key": "csp-1",
    }
    receipt = client.post(reverse("intake:window-register"), data, follow=True)
    page = receipt.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", receipt["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the receipt has its print button script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert "onclick=" not in page
