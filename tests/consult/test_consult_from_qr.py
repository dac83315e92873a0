"""The consult journey from a place's QR page (test client): /q/<code>/ → 我要咨询 (the place
preset) → one question at a time → the letter (with the place's service point) → 在线提交诉求
with the matter, the place and the draft filled in."""

from __future__ import annotations

import html as htmlmod
import re

import pytest
from django.urls import reverse

from consult.models import GuidanceLetter

pytestmark = pytest.mark.django_db
VILLAGE = "440608102201"  # 明东村, under 明城镇 (its 综治中心 is the service point)


def _hidden(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_scan_consult_letter_claim(client, questionnaires):
    landing = client.get(f"/q/{VILLAGE}/").content.decode()
    door = htmlmod.unescape(re.search(r'href="([^"]*/consult/\?region=[^"]+)"', landing)[1])
    assert door == f"/consult/?region={VILLAGE}"
    index = client.get(door).content.decode()
    assert "明东村" in index
    start = htmlmod.unescape(re.search(r'href="(/consult/ask/labor\.wages/\?[^"]*)"', index)[1])
    assert f"region={VILLAGE}" in start
    page = client.get(start).content.decode()
    answers = {"still_working": "working", "asked": "refused", "workers": "few", "contract": "signed"}
    url = reverse("consult:questionnaire", args=["labor.wages"])
    # answer one question at a time, as the radio buttons of each page would
    for step, (node, value) in enumerate(answers.items(), start=1):
        assert f"第 {step} 问" in page
        assert re.search(rf'type="radio" name="a_{node}" id="[^"]+" value="{value}"', page)
        params = {**_hidden(page), f"a_{node}": value}
        assert params.get("region") == VILLAGE  # the place travels through the walk
        page = client.get(url, params).content.decode()
    assert "请核对您的回答" in page
    issued = client.post(reverse("consult:letter-create", args=["labor.wages"]), _hidden(page))
    assert issued.status_code == 302
    letter = GuidanceLetter.objects.get()
    assert letter.region.code == VILLAGE
    html = client.get(issued["Location"]).content.decode()
    assert "明城镇综治中心" in html and "明城镇明二路 12 号" in html
    claim = htmlmod.unescape(re.search(r'href="([^"]*/claims/new/\?[^"]+)" data-testid="start-claim"', html)[1])
    form = client.get(claim)
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert initial["matter"] == "labor.wages" and initial["region"] == VILLAGE
    assert letter.code in initial["description"]
