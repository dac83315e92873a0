"""Shared by the partner API tests (imported by name: the tests folder is not a package)."""

from __future__ import annotations

WAGES = {
    "channel": "hotline",
    "external_id": "12345-20261207-0001",
    "matter": "labor.wages",
    "region": "440608102201",
    "description": "来电反映明东村某五金厂拖欠三个月工资共计一万二千元，多次讨要无果。",
    "contact_name": "何秀英",
    "contact_phone": "13900139000",
    "id_number": "44060819900101123X",
    "address": "明东村工业区 3 号",
    "people_count": 1,
}


def problem_of(response, status: int) -> dict:
    """The RFC 7807 body of a refusal, checked for its shape."""
    assert response.status_code == status, response.content.decode()[:500]
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status and body["detail"] and body["title"]
    return body
