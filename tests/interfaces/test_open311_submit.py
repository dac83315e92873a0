"""POST requests.(json|xml): a claim on the api channel through the intake service, or nothing."""

from __future__ import annotations

import pytest

from cases.models import Case, Status
from intake.models import Claim
from interfaces.models import ApiCall
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, int, int]:
    return Case.objects.count(), Claim.objects.count(), OutboxMessage.objects.count()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_registers_a_claim_on_the_api_channel(o311, api_key, claim_form, fmt):
    key, raw = api_key(region="440608")
    response = o311.post(f"requests.{fmt}", raw, claim_form(lat="22.891234", long="112.701234"))
    assert response.status_code == 200
    case = Case.objects.select_related("centre", "region", "matter").get()
    if fmt == "json":
        (item,) = response.data
        number, notice, account = item["service_request_id"], item["service_notice"], item["account_id"]
        assert account is None
    else:
        assert response.data.tag == "service_requests"
        (item,) = response.data.findall("request")
        number, notice = item.findtext("service_request_id"), item.findtext("service_notice")
        assert item.find("account_id") is not None
    assert number == case.number
    assert case.number in notice and "高明区群众诉求服务中心" in notice
    # the same path as every channel: a case waiting for the centre, its clock, the tracking SMS
    assert case.channel == "api" and case.status == Status.SUBMITTED
    assert case.centre.name == "高明区群众诉求服务中心" and case.stage_due_at is not None
    assert case.matter.code == "labor.wages" and case.region.code == "440608102201" and case.people_count == 3
    claim = Claim.objects.get()
    assert (claim.channel, claim.contact_name, claim.contact_phone) == ("api", "李小明", "13700137000")
    assert claim.address == "明城镇明东村工业路 8 号"
    assert str(claim.latitude) == "22.891234" and str(claim.longitude) == "112.701234"
    assert claim.submitter is None and claim.registered_by is None
    sms = OutboxMessage.objects.get(kind="tracking_code")
    assert sms.recipient_phone == "13700137000" and claim.tracking_code in sms.body
    assert case.parties.get().phone == "13700137000"
    call = ApiCall.objects.get()
    assert (call.key, call.endpoint, call.method, call.status) == (key, "open311:requests", "POST", 200)


def test_post_without_contact_and_with_a_media_url(o311, api_key, claim_form):
    _key, raw = api_key()
    form = claim_form(first_name=None, last_name=None, phone=None, media_url="https://img.example.cn/a.jpg")
    assert o311.post("requests.json", raw, form).status_code == 200
    claim = Claim.objects.get()
    assert claim.contact_name == "网络用户" and claim.contact_phone == ""
    assert claim.description.endswith("附件链接：https://img.example.cn/a.jpg")
    assert not OutboxMessage.objects.filter(kind="tracking_code").exists()


def test_place_from_the_address_string(o311, api_key, claim_form):
    _key, raw = api_key(region="440608")
    form = claim_form(**{"attribute[region]": None, "address_string": "高明区明城镇明东村村口"})
    assert o311.post("requests.json", raw, form).status_code == 200
    assert Case.objects.get().region.code == "440608102201"  # the village, not the town beside it


def test_address_id_is_another_name_for_the_region(o311, api_key, claim_form):
    _key, raw = api_key(region="440608")
    form = claim_form(**{"attribute[region]": None, "address_id": "440608102201"})
    assert o311.post("requests.json", raw, form).status_code == 200
    assert Case.objects.get().region.code == "440608102201"
    both = claim_form(**{"attribute[region]": "440608102201", "address_id": "440608102"})
    refused = o311.post("requests.json", raw, both)
    assert refused.status_code == 400 and "不一致" in refused.data[0]["description"]


def test_lat_long_alone_use_a_town_keys_region(o311, api_key, claim_form):
    _key, raw = api_key(region="440608102")
    form = claim_form(**{"attribute[region]": None, "address_string": None, "lat": "22.9", "long": "112.7"})
    assert o311.post("requests.json", raw, form).status_code == 200
    assert Case.objects.get().region.code == "440608102"
    _key, district = api_key(region="440608")
    refused = o311.post("requests.json", district, form)
    assert refused.status_code == 400 and "区划没有坐标" in refused.data[0]["description"]
    assert Case.objects.count() == 1


def test_idempotency_key_returns_the_first_claim(o311, api_key, claim_form):
    _key, raw = api_key()
    first = o311.post("requests.json", raw, claim_form(), HTTP_IDEMPOTENCY_KEY="order-1")
    again = o311.post("requests.json", raw, claim_form(), HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.data == again.data and Case.objects.count() == 1
    o311.post("requests.json", raw, claim_form(), HTTP_IDEMPOTENCY_KEY="order-2")
    assert Case.objects.count() == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_idempotency_key_reused_for_another_request_is_409(o311, api_key, claim_form, fmt):
    _key, raw = api_key()
    assert o311.post(f"requests.{fmt}", raw, claim_form(), HTTP_IDEMPOTENCY_KEY="order-1").status_code == 200
    other = o311.post(
        f"requests.{fmt}", raw, claim_form(description="另一件事：路灯坏了"), HTTP_IDEMPOTENCY_KEY="order-1"
    )
    assert other.status_code == 409 and Case.objects.count() == 1
    if fmt == "json":
        assert other.data[0]["code"] == 409 and "Idempotency-Key 已用于另一个" in other.data[0]["description"]
    else:
        assert other.data.findtext("error/code") == "409"


@pytest.mark.parametrize(
    "fields, status, words",
    [
        ({"service_code": None}, 400, "缺少 service_code"),
        ({"service_code": "no.such"}, 404, "service_code: 事项类型 no.such 不存在"),
        ({"service_code": "labor"}, 404, "不存在或已停用"),  # a group, not a leaf
        ({"description": None}, 400, "缺少 description"),
        ({"description": "   \u200b  "}, 400, "缺少 description"),
        ({"description": "长" * 4001}, 400, "不能超过 4000 个字"),
        ({"attribute[region]": "440604010001"}, 403, "无权提交此地区"),  # 禅城, outside the key's 高明区
        ({"attribute[region]": "999"}, 400, "区划编码 999 不存在"),
        ({"attribute[region]": "440608"}, 400, "乡镇（街道）或更具体"),
        ({"attribute[region]": None, "address_string": None}, 400, "缺少地点"),
        ({"attribute[region]": None, "address_string": None, "lat": "22.9", "long": "112.7"}, 400, "仅有 lat/long"),
        ({"attribute[region]": None, "address_string": "某某路 3 号"}, 400, "请提供 attribute[region]"),
        ({"lat": "22.9"}, 400, "lat 和 long 须同时提供"),
        ({"lat": "95", "long": "112"}, 400, "lat:"),
        ({"phone": "12345"}, 400, "phone: 请输入 11 位中国大陆手机号"),
        ({"attribute[people]": "0"}, 400, "attribute[people]:"),
        ({"address_string": "路" * 201}, 400, "address_string 不能超过 200 个字"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url:"),
        ({"description": "工资\x00被拖欠"}, 400, "控制字符"),
        ({"first_name\x00": "x"}, 400, "控制字符"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_input_writes_nothing(o311, api_key, claim_form, fields, status, words, fmt):
    _key, raw = api_key(region="440608")
    before = _written()
    response = o311.post(f"requests.{fmt}", raw, claim_form(**fields))
    assert response.status_code == status
    if fmt == "json":
        assert all(set(error) == {"code", "description"} for error in response.data)
        assert response.data[0]["code"] == status
        text = " ".join(error["description"] for error in response.data)
    else:
        assert response.data.tag == "errors"
        assert response.data.find("error/code").text == str(status)
        text = " ".join(e.text for e in response.data.iter("description"))
    assert words in text
    assert _written() == before


def test_several_problems_are_listed_together(o311, api_key, claim_form):
    _key, raw = api_key()
    response = o311.post("requests.json", raw, claim_form(description=None, phone="1", lat="1"))
    texts = [error["description"] for error in response.data]
    assert len(texts) == 3 and all(error["code"] == 400 for error in response.data)


def test_oversized_body_writes_nothing(o311, api_key, claim_form, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    _key, raw = api_key()
    response = o311.post("requests.json", raw, claim_form(media_url="https://a.cn/" + "a" * 20_000))
    assert response.status_code == 400 and "请求过大" in response.data[0]["description"]
    assert _written() == (0, 0, 0)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_keys_and_scopes(o311, api_key, claim_form, fmt):
    _claims, claims_only = api_key(scopes=["claims"])
    revoked_key, revoked = api_key()
    from interfaces.services import api_keys_revoke

    api_keys_revoke(keys=[revoked_key])
    for raw, words in [
        (None, "缺少接口密钥"),
        ("yk_wrong", "无效或已吊销"),
        (revoked, "无效或已吊销"),
        (claims_only, "open311"),
    ]:
        response = o311.post(f"requests.{fmt}", raw, claim_form())
        assert response.status_code == 403
        text = response.data[0]["description"] if fmt == "json" else response.data.findtext("error/description")
        assert words in text
    assert _written() == (0, 0, 0)
    assert ApiCall.objects.filter(status=403).count() == 4


def test_key_in_the_authorization_header(o311, api_key, claim_form):
    _key, raw = api_key()
    response = o311.post("requests.json", None, claim_form(), HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 200


def test_rate_limit_per_key(o311, api_key, claim_form):
    _key, raw = api_key(rate=2)
    assert o311("requests.json", raw).status_code == 200
    assert o311.post("requests.json", raw, claim_form()).status_code == 200
    limited = o311.post("requests.xml", raw, claim_form())
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "每分钟最多 2 次" in limited.data.findtext("error/description")
    assert Case.objects.count() == 1


def test_other_methods_are_refused_in_the_format(client, api_key):
    _key, raw = api_key()
    response = client.put(f"/open311/v2/requests.json?api_key={raw}")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert response.json()[0]["code"] == 405
