"""Every door of a place's page leads to a page that exists, with the place preset (the links are
``reverse()``d, so a moved URL breaks here, not on a villager's phone)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
VILLAGE = "440608102201"  # 明东村


def test_every_door_opens_its_page(client, demo):
    html = client.get(f"/q/{VILLAGE}/").content.decode()
    doors = dict(re.findall(r'href="([^"]+)"[^>]*data-testid="(door-[a-z]+)"', html))
    doors = {testid: url.replace("&amp;", "&") for url, testid in doors.items()}
    assert set(doors) == {"door-claim", "door-consult", "door-mediation", "door-track"}, html
    assert doors["door-consult"] == f"{reverse('consult:index')}?region={VILLAGE}"
    assert doors["door-mediation"] == f"{reverse('mediation:request-new')}?region={VILLAGE}"
    for testid in ("door-claim", "door-consult", "door-track"):
        assert client.get(doors[testid]).status_code == 200, testid
    # 申请调解 needs an account: the login page, coming back to the request with the place
    response = client.get(doors["door-mediation"])
    assert response.status_code == 302 and "login" in response["Location"]
