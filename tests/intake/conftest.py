"""Fixtures for the intake screens: the demo city, its people, and claims made through the services."""

import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from demo.people import DEMO_PASSWORD
from intake.services import claim_submit
from routing.models import MatterType, Region

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: A complete, valid web claim as the form posts it (region cascade down to 明东村).
VALID_CLAIM = {
    "description": "老板拖欠三个月工资共计一万二千元，多次讨要无果。",
    "matter": "labor.wages",
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
    "address": "明东村工业区 8 号",
    "people_count": "3",
    "contact_name": "夏志明",
    "contact_phone": "13800138000",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The tracking rate limit lives in the cache; no test inherits another's tries."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_citizen(demo):
    return User.objects.get(phone="13900139000")


@pytest.fixture
def login(client, demo):
    """``login(user_or_username)`` logs the test client in and returns it."""

    def do(who):
        if isinstance(who, str):
            assert client.login(username=who, password=DEMO_PASSWORD), who
        else:
            client.force_login(who)
        return client

    return do


@pytest.fixture
def claim_data():
    """``claim_data(**changes)``: the valid post with a fresh form token; ``None`` drops a field."""

    def make(**changes):
        data = {"submission_token": uuid.uuid4().hex, **VALID_CLAIM}
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return make


@pytest.fixture
def jpeg():
    return lambda name="现场.jpg", size=None: SimpleUploadedFile(
        name, JPEG if size is None else JPEG[:4] + b"\x00" * (size - 4), content_type="image/jpeg"
    )


@pytest.fixture
def submit(demo, citizen):
    """Submit a web claim through the service as the demo citizen; returns the claim."""

    def make(
        matter="labor.wages",
        region="440608102201",
        people=1,
        text="老板拖欠三个月工资共计一万二千元，多次讨要无果。",
        submitter=None,
        phone="13800138000",
        **kw,
    ):
        claim, _created = claim_submit(
            channel=kw.pop("channel", "web"),
            matter=MatterType.objects.get(code=matter),
            region=Region.objects.get(code=region),
            description=text,
            contact_name=(submitter or citizen).full_name or "群众",
            contact_phone=phone,
            people_count=people,
            submitter=submitter or citizen,
            **kw,
        )
        return claim

    return make


@pytest.fixture
def fresh():
    """Reload a case with what the services need."""
    from cases.models import Case

    return lambda case: Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
