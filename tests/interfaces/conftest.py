"""Builders for the interfaces tests: API keys made through the service."""

import pytest


@pytest.fixture
def api_key(demo):
    """``api_key(scopes=["open311"], region="440608", rate=None)`` → (ApiKey, raw key)."""
    from interfaces.services import api_key_create
    from routing.models import Region

    def make(scopes=("open311",), region=None, rate=None, partner="测试合作方"):
        area = Region.objects.get(code=region) if region else None
        return api_key_create(partner=partner, scopes=list(scopes), region=area, rate_per_minute=rate)

    return make


@pytest.fixture
def o311(client):
    """``o311("requests.json", raw_key, **params)`` GETs ``/open311/v2/<path>`` with ``api_key``;
    ``o311.post(path, raw_key, data)`` POSTs the form. Both return the response with ``.data``:
    parsed JSON, or the XML root element."""
    import json
    import xml.etree.ElementTree as ET

    def parsed(response):
        if response["Content-Type"].startswith("application/json"):
            response.data = json.loads(response.content)
        else:
            assert response["Content-Type"] == "text/xml; charset=utf-8"
            assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            response.data = ET.fromstring(response.content)
        return response

    class Open311:
        def __call__(self, path, raw_key=None, **params):
            if raw_key:
                params["api_key"] = raw_key
            return parsed(client.get(f"/open311/v2/{path}", params))

        def post(self, path, raw_key=None, data=None, **extra):
            payload = dict(data or {})
            if raw_key:
                payload["api_key"] = raw_key
            return parsed(client.post(f"/open311/v2/{path}", payload, **extra))

    return Open311()


@pytest.fixture
def claim_form():
    """A valid GeoReport form for 拖欠工资 in 明东村 (高明区); keywords replace fields."""

    def make(**fields):
        data = {
            "service_code": "labor.wages",
            "description": "某厂拖欠我们三个月工资，共计一万二千元，多次讨要无果。",
            "attribute[region]": "440608102201",
            "attribute[people]": "3",
            "first_name": "小明",
            "last_name": "李",
            "phone": "13700137000",
            "address_string": "明城镇明东村工业路 8 号",
        }
        data.update(fields)
        return {name: value for name, value in data.items() if value is not None}

    return make


@pytest.fixture
def api_case(submit_case, user, fresh):
    """``api_case(status="submitted", days_ago=0, region=…, matter=…)``: a case (by the demo
    citizen, phone 13800138000) driven through the services: submitted, dispatched (accepted and
    routed: 高明区人社局 leads a 拖欠工资 in 明东村), rejected, or noted (a public progress note)."""
    from datetime import timedelta

    from django.utils import timezone

    from cases import services as s

    def make(status="submitted", days_ago=0, **kw):
        at = timezone.now() - timedelta(days=days_ago)
        case = submit_case(at=at, **kw)
        if status == "dispatched":
            s.case_accept(case=fresh(case), actor=user("gm_window"))
        elif status == "rejected":
            s.case_reject(case=fresh(case), actor=user("gm_window"), reason="属于<b>法院</b>受理范围 & 请起诉")
        return fresh(case)

    return make
