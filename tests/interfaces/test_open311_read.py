"""Open311 reads: discovery, services, service definitions, requests; JSON and XML."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from interfaces.models import ApiCall
from routing.models import MatterType

pytestmark = pytest.mark.django_db


def _requests(response) -> list[dict]:
    """The service requests of a JSON or XML answer as dicts of text (None for an empty element)."""
    if isinstance(response.data, list):
        return [{k: (None if v is None else str(v)) for k, v in item.items()} for item in response.data]
    assert response.data.tag == "service_requests"
    return [{child.tag: child.text for child in item} for item in response.data.findall("request")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(o311, demo, fmt):
    response = o311(f"discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        (endpoint,) = response.data["endpoints"]
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert response.data["key_service"] and response.data["contact"]
    else:
        endpoint = {child.tag: child.text for child in response.data.find("endpoints/endpoint")}
        assert [f.text for f in response.data.findall("endpoints/endpoint/formats/format")] == [
            "text/xml",
            "application/json",
        ]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert ApiCall.objects.get().key is None  # public, still recorded


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_leaf_matter_types(o311, demo, fmt):
    response = o311(f"services.{fmt}")
    if fmt == "json":
        services = response.data
    else:
        services = [{child.tag: child.text for child in item} for item in response.data.findall("service")]
        for item in services:
            item["metadata"] = item["metadata"] == "true"
    leaves = {m.code: m for m in MatterType.objects.filter(active=True, children__isnull=True).select_related("parent")}
    assert {item["service_code"] for item in services} == set(leaves)
    wages = next(item for item in services if item["service_code"] == "labor.wages")
    assert wages["service_name"] == "拖欠工资" and wages["group"] == leaves["labor.wages"].parent.name
    assert wages["metadata"] is True and wages["type"] == "realtime"
    assert "labor" not in {item["service_code"] for item in services}  # a group is not a service


def test_an_inactive_matter_is_no_service(o311, demo):
    MatterType.objects.filter(code="labor.wages").update(active=False)
    from routing.services import directory_touch

    directory_touch()
    codes = {item["service_code"] for item in o311("services.json").data}
    assert "labor.wages" not in codes
    assert o311("services/labor.wages.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(o311, api_key, fmt):
    _key, raw = api_key(region="440608102")  # 明城镇
    response = o311(f"services/labor.wages.{fmt}", raw)
    assert response.status_code == 200
    if fmt == "json":
        data = response.data
        region, people = data["attributes"]
        values = {v["key"]: v["name"] for v in region["values"]}
    else:
        data = {"service_code": response.data.findtext("service_code")}
        region, people = ({child.tag: child.text for child in a} for a in response.data.findall("attributes/attribute"))
        values = {v.findtext("key"): v.findtext("name") for v in response.data.iter("value")}
        region["required"] = region["required"] == "true"
    assert data["service_code"] == "labor.wages"
    assert region["code"] == "region" and region["datatype"] == "singlevaluelist" and not region["required"]
    assert "lat/long" in region["datatype_description"]
    assert people["code"] == "people" and people["datatype"] == "number"
    assert values["440608102201"] == "高明区明城镇明东村"
    assert values["440608102201001"] == "高明区明城镇明东村第一网格"
    assert all(code.startswith("440608102") for code in values)  # only the key's area


def test_service_definition_without_key_lists_every_place(o311, demo):
    values = o311("services/labor.wages.json").data["attributes"][0]["values"]
    codes = {v["key"] for v in values}
    assert {"440608102201", "440604010001"} <= codes and "440608" not in codes  # no district


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_format(o311, demo, fmt):
    response = o311(f"services/no.such.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.data == [{"code": 404, "description": "service_code: 事项类型 no.such 不存在或已停用。"}]
    else:
        assert response.data.tag == "errors" and response.data.findtext("error/code") == "404"


def test_an_unknown_path_is_404_in_xml(client, demo):
    response = client.get("/open311/v2/requests.csv")
    assert response.status_code == 404 and response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code>" in response.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_list_and_one(o311, api_key, api_case, fmt):
    _key, raw = api_key(region="440608")
    dispatched = api_case("dispatched")
    rejected = api_case("rejected", address="明东村 王建国家 13600136000")
    response = o311(f"requests.{fmt}", raw)
    assert response.status_code == 200
    rows = {row["service_request_id"]: row for row in _requests(response)}
    assert set(rows) == {dispatched.number, rejected.number}
    open_row, closed_row = rows[dispatched.number], rows[rejected.number]
    assert open_row["status"] == "open" and closed_row["status"] == "closed"
    assert open_row["agency_responsible"] == dispatched.lead_unit.name == "高明区人力资源和社会保障局"
    assert "高明区人力资源和社会保障局" in open_row["status_notes"]  # the citizen's sentence for the dispatch
    assert open_row["expected_datetime"] == timezone.localtime(dispatched.stage_due_at).isoformat(timespec="seconds")
    assert open_row["requested_datetime"] == timezone.localtime(dispatched.created_at).isoformat(timespec="seconds")
    assert open_row["service_code"] == "labor.wages" and open_row["service_name"] == "拖欠工资"
    assert open_row["address"] == "高明区明城镇明东村"
    assert closed_row["address"] == "高明区明城镇明东村"  # the place name only, never the typed text
    assert "13600136000" not in response.content.decode() and "王建国" not in response.content.decode()
    assert "属于<b>法院</b>受理范围" in closed_row["status_notes"]
    assert closed_row["expected_datetime"] is None
    one = o311(f"requests/{dispatched.number}.{fmt}", raw)
    assert _requests(one) == [open_row]


def test_never_a_name_phone_or_id_number(o311, api_key, api_case, claim_form):
    _key, raw = api_key()
    case = api_case("dispatched")
    case.parties.update(id_number="440608199001011234")
    o311.post("requests.json", raw, claim_form())
    for fmt in ("json", "xml"):
        body = o311(f"requests.{fmt}", raw).content.decode()
        for secret in (
            "夏志明",
            "13800138000",
            "440608199001011234",
            "李小明",
            "13700137000",
            "8000",
            "拖欠三个月工资",
        ):
            assert secret not in body


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_90_day_window(o311, api_key, api_case, fmt):
    _key, raw = api_key()
    recent, old = api_case(days_ago=10), api_case(days_ago=100)
    numbers = lambda response: {row["service_request_id"] for row in _requests(response)}  # noqa: E731
    assert numbers(o311(f"requests.{fmt}", raw)) == {recent.number}  # default: the last 90 days
    start = (timezone.now() - timedelta(days=120)).isoformat()
    end = (timezone.now() - timedelta(days=50)).isoformat()
    assert numbers(o311(f"requests.{fmt}", raw, start_date=start, end_date=end)) == {old.number}
    assert numbers(o311(f"requests.{fmt}", raw, start_date=start)) == {old.number}  # start + 90 days
    assert numbers(o311(f"requests.{fmt}", raw, end_date=end)) == {old.number}  # end - 90 days
    day = (timezone.localdate() - timedelta(days=100)).isoformat()
    assert numbers(o311(f"requests.{fmt}", raw, start_date=day, end_date=day)) == {old.number}  # a whole day
    # service_request_id overrides every other argument
    both = o311(
        f"requests.{fmt}", raw, service_request_id=f"{recent.number},{old.number}", start_date=start, end_date=end
    )
    assert numbers(both) == {recent.number, old.number}
    too_long = o311(
        f"requests.{fmt}",
        raw,
        start_date=(timezone.now() - timedelta(days=91)).isoformat(),
        end_date=timezone.now().isoformat(),
    )
    assert too_long.status_code == 400


@pytest.mark.parametrize(
    "params, words",
    [
        ({"start_date": "2026-13-45"}, "start_date: 日期时间格式"),
        ({"end_date": "yesterday"}, "end_date: 日期时间格式"),
        ({"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "不能晚于"),
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"}, "不能超过 90 天"),
        ({"status": "open,pending"}, "status 只能是 open 或 closed"),
        ({"service_request_id": ",".join(str(n) for n in range(101))}, "最多 100 个"),
    ],
)
def test_bad_query_arguments(o311, api_key, params, words):
    _key, raw = api_key()
    for fmt in ("json", "xml"):
        response = o311(f"requests.{fmt}", raw, **params)
        assert response.status_code == 400
        text = response.data[0]["description"] if fmt == "json" else response.data.findtext("error/description")
        assert words in text


def test_filters_status_and_service_code(o311, api_key, api_case):
    _key, raw = api_key()
    submitted, rejected = api_case(), api_case("rejected")
    rent = api_case(matter="housing.rent") if MatterType.objects.filter(code="housing.rent").exists() else None
    ids = lambda **p: {row["service_request_id"] for row in o311("requests.json", raw, **p).data}  # noqa: E731
    assert submitted.number in ids(status="open") and rejected.number not in ids(status="open")
    assert ids(status="closed") == {rejected.number}
    assert ids(status="open,closed") >= {submitted.number, rejected.number}
    assert ids(service_code="labor.wages") >= {submitted.number, rejected.number}
    assert ids(service_code="no.such") == set()
    if rent is not None:
        assert ids(service_code="housing.rent") == {rent.number}


def test_a_key_sees_only_its_region(o311, api_key, api_case):
    _key, gaoming = api_key(region="440608")
    _other, chancheng = api_key(region="440604")
    case = api_case()
    assert [row["service_request_id"] for row in o311("requests.json", gaoming).data] == [case.number]
    assert o311("requests.json", chancheng).data == []
    response = o311(f"requests/{case.number}.xml", chancheng)
    assert response.status_code == 404 and response.data.findtext("error/code") == "404"
    assert o311("requests/高明-2026-999999.json", gaoming).status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_reading_requests_without_a_key_shows_public_fields_everywhere(o311, api_key, api_case, fmt):
    case = api_case("dispatched", address="明东村 王建国家 13600136000")
    listed = o311(f"requests.{fmt}")
    assert listed.status_code == 200
    assert case.number in [row["service_request_id"] for row in _requests(listed)]
    one = o311(f"requests/{case.number}.{fmt}")
    assert one.status_code == 200 and _requests(one)[0]["address"] == "高明区明城镇明东村"
    assert "13600136000" not in one.content.decode() and "王建国" not in one.content.decode()


def test_keyless_reads_are_rate_limited_per_address(o311, api_case, settings):
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 2
    assert [o311("requests.json").status_code for _ in range(3)] == [200, 200, 429]


def test_creating_requests_needs_an_open311_key(o311, api_key, claim_form):
    refused = o311.post("requests.json", None, claim_form())
    assert refused.status_code == 403 and "缺少接口密钥" in refused.data[0]["description"]
    assert not Case.objects.exists()


def test_reading_requests_with_a_key_needs_the_open311_scope(o311, api_key, api_case):
    api_case()
    _claims, claims_only = api_key(scopes=["claims"])
    assert o311("requests.json", claims_only).status_code == 403
    assert o311("requests/x.xml", claims_only).data.findtext("error/code") == "403"
    assert o311("services.json", "yk_wrong").status_code == 403  # a key sent to a public endpoint is checked


def test_requests_list_query_count(o311, api_key, api_case, django_assert_num_queries):
    _key, raw = api_key()
    api_case("dispatched")
    api_case("rejected")
    o311("requests.json", raw)  # directory index warm
    with django_assert_num_queries(5) as few:
        assert len(o311("requests.json", raw).data) == 2
    for status in ("dispatched", "rejected", "submitted", "dispatched"):
        api_case(status)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(o311("requests.json", raw).data) == 6


def test_json_is_plain_utf8(o311, api_key, api_case):
    _key, raw = api_key()
    api_case()
    response = o311("requests.json", raw)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "拖欠工资".encode() in response.content  # not \\u escapes
    assert json.loads(response.content)[0]["lat"] is None


def test_every_status_is_open_or_closed(o311, api_key, api_case, citizen, user, fresh):
    from cases import services as s
    from cases.models import Status
    from interfaces.open311.selectors import STATUS_GROUPS

    assert sorted(STATUS_GROUPS["open"] + STATUS_GROUPS["closed"]) == sorted(Status.values)
    _key, raw = api_key()
    withdrawn, merged, target = api_case(), api_case(), api_case()
    s.case_withdraw(case=fresh(withdrawn), actor=citizen, reason="已自行解决")
    s.case_merge(case=fresh(merged), actor=user("gm_window"), into=fresh(target))
    rows = {row["service_request_id"]: row for row in o311("requests.json", raw).data}
    assert rows[withdrawn.number]["status"] == "closed" and rows[merged.number]["status"] == "closed"
    assert rows[target.number]["status"] == "open"
    closed_at = fresh(withdrawn).closed_at
    if closed_at:
        assert rows[withdrawn.number]["updated_datetime"] == timezone.localtime(closed_at).isoformat(timespec="seconds")
    assert rows[merged.number]["status_notes"]  # the citizen's sentence for the merge


def test_service_list_and_definition_query_counts(o311, api_key, django_assert_max_num_queries):
    _key, raw = api_key(region="440608")
    o311("services.json")
    with django_assert_max_num_queries(3):  # the list, the call row (and a savepoint on some databases)
        o311("services.xml")
    o311("services/labor.wages.json", raw)
    with django_assert_max_num_queries(5):  # the key, the directory stamp, the places, the call row
        o311("services/labor.wages.xml", raw)


def test_status_notes_mask_phone_and_id_numbers_staff_quote(o311, api_key, api_case, user, fresh):
    from cases import services as s

    case = api_case("submitted")
    s.case_reject(
        case=fresh(case), actor=user("gm_window"), reason="请联系法院 13600136000，身份证 44060819900101123X 已核"
    )
    _key, raw = api_key()
    (row,) = o311(f"requests/{case.number}.json", raw).data
    assert "13600136000" not in row["status_notes"] and "44060819900101123X" not in row["status_notes"]
    assert "***********" in row["status_notes"] and "请联系法院" in row["status_notes"]
