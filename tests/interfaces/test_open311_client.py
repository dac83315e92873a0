"""A real Open311 client from PyPI reads our output unchanged: ``georeport`` (pinned in
requirements-dev.txt) against the live server, in JSON and XML.

georeport does its own HTTP with ``requests`` and never sends an ``api_key`` on reads (the spec
makes it optional there, and so do we: keyless reads are public). Nothing of it is patched: its
URL building, transport and parsing (``response.json()``, ``xmltodict``) run as published. It
cannot create requests, so the POST goes through ``requests.post`` as a client would send it
(form-encoded, with the key).
"""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner(live_server, api_key):
    """(base URL, raw key): the key is only for the POST; georeport reads without one."""
    _key, raw = api_key(region="440608", partner="佛山 12345 平台")
    return live_server.url + "/open311/v2", raw


def _post(base: str, raw: str, fmt: str) -> requests.Response:
    return requests.post(
        f"{base}/requests.{fmt}",
        data={
            "api_key": raw,
            "service_code": "labor.wages",
            "attribute[region]": "440608102201",
            "attribute[people]": "12",
            "description": "工地拖欠十二名工人工资共九万元，包工头失联。",
            "first_name": "建国",
            "last_name": "王",
            "phone": "13600136000",
        },
        timeout=30,
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_everything(partner, fmt):
    base, raw = partner
    created = _post(base, raw, fmt)
    assert created.status_code == 200
    assert created.headers["Content-Type"] == {"json": "application/json", "xml": "text/xml"}[fmt] + "; charset=utf-8"

    client = GeoReport(base, output_format=fmt)
    services = client.get_service_list()
    wages = next(s for s in services if s["service_code"] == "labor.wages")
    assert wages["service_name"] == "拖欠工资" and wages["group"] == "劳动保障"
    assert str(wages["metadata"]).lower() == "true"

    definition = client.get_service_definition("labor.wages")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    region = next(a for a in attributes if a["code"] == "region")
    values = region["values"] if fmt == "json" else region["values"]["value"]
    assert {"key": "440608102201", "name": "高明区明城镇明东村"} in [dict(v) for v in values]

    requests_list = client.get_service_requests(status="open")
    if fmt == "xml":  # xmltodict gives one request as a dict, several as a list
        requests_list = requests_list if isinstance(requests_list, list) else [requests_list]
    (row,) = requests_list
    number = row["service_request_id"]
    assert number.startswith("高明-") and row["status"] == "open" and row["service_code"] == "labor.wages"
    assert row["address"] == "高明区明城镇明东村"

    one = client.get_service_request(number)
    assert dict(one)["service_request_id"] == number and one["status_notes"]
    assert "13600136000" not in str(one) and "王建国" not in str(one)

    if fmt == "json":  # (an empty XML list, <service_requests />, is more than georeport's parser expects)
        assert client.get_service_requests(status="closed") == []
