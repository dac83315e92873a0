"""Fixtures for the intake screens: the demo city, its people, and claims made through the services."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User

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


@pytest.fixture
def other_citizen(demo):
    return User.objects.get(phone="13900139000")


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
