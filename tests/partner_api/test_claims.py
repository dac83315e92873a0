"""POST /api/v1/claims: a claim through the same intake service as every channel, under the
partner's external id and Idempotency-Key; every bad input a 4xx problem that names the field
and writes nothing."""

from __future__ import annotations

import json

import pytest
from api_helpers import WAGES, problem_of

from cases.models import Case
from intake.models import Claim
from notifications.models import OutboxMessage
from partner_api.models import IdempotencyRecord, PartnerClaim

URL = "/api/v1/claims"


@pytest.mark.parametrize("channel", ["hotline", "grid", "api", "referral"])
def test_a_claim_is_registered_at_the_centre_like_every_channel(api, channel, citizen):
    client = api()
    response = client.post(URL, {**WAGES, "channel": channel, "contact_phone": "13800138000"})
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.select_related("centre").get(number=body["case_number"])
    claim = Claim.objects.get(case=case)
    assert (case.status, case.channel, claim.channel) == ("submitted", channel, channel)
    assert case.centre.code == "GM-ZX" and case.stage_due_at is not None  # the centre's queue, its clock
    assert claim.submitter == citizen  # the caller's account, by phone, as the hotline does
    assert case.events.get().transition == "submit"
    assert body["external_id"] == WAGES["external_id"] and body["tracking_code"] == claim.tracking_code
    assert body["status"] == "submitted" and body["status_text"] == "等待受理"
    assert body["status_url"] == f"/api/v1/cases/{case.number}"
    assert OutboxMessage.objects.filter(kind="tracking_code", recipient_phone="13800138000").count() == 1
    assert PartnerClaim.objects.get().partner == "高明区12345平台"


REFERRAL = {
    "channel": "referral",
    "referral_authority": "佛山市群众诉求服务中心",
    "referral_document": "佛诉交〔2026〕35号",
}


def test_a_referral_keeps_its_authority_document_and_deadline(api):
    from datetime import timedelta

    from django.utils import timezone

    from intake.staff_forms import end_of_day

    deadline = timezone.localdate() + timedelta(days=10)
    response = api().post(URL, {**WAGES, **REFERRAL, "referral_deadline": str(deadline)})
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["case_number"])
    assert case.referral_authority == "佛山市群众诉求服务中心" and case.referral_document == "佛诉交〔2026〕35号"
    assert case.referral_due_at == end_of_day(deadline) and case.stage_due_at <= case.referral_due_at


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({**REFERRAL}, "referral_deadline", "须同时提供"),
        ({"channel": "referral", "referral_deadline": "2099-01-01"}, "referral_authority", "须同时提供"),
        ({**REFERRAL, "channel": "hotline", "referral_deadline": "2099-01-01"}, "referral_document", "仅用于"),
        ({**REFERRAL, "referral_deadline": "2020-01-01"}, "referral_deadline", "不能早于今天"),
        ({**REFERRAL, "referral_deadline": "明天"}, "referral_deadline", "YYYY-MM-DD"),
    ],
)
def test_bad_referral_fields_are_named_and_nothing_is_written(api, written, change, field, words):
    before = written()
    body = problem_of(api().post(URL, {**WAGES, **change}), 400)
    assert words in " ".join(body["errors"][field]), body["errors"]
    assert written() == before


def test_a_retry_with_the_same_key_returns_the_first_claim(api, written):
    client = api()
    first = client.post(URL, WAGES, key="retry-1")
    after_first = written()
    again = client.post(URL, WAGES, key="retry-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert written() == after_first
    reordered = json.dumps(dict(reversed(list(WAGES.items()))), ensure_ascii=False, indent=2).encode()
    assert client.post(URL, key="retry-1", raw=reordered).json() == first.json()  # same body, other spelling


def test_a_replayed_key_with_another_body_is_a_conflict(api, written):
    client = api()
    client.post(URL, WAGES, key="retry-2")
    before = written()
    body = problem_of(
        client.post(URL, {**WAGES, "description": "另一件事：小区门口道路破损，积水严重。"}, key="retry-2"), 409
    )
    assert "Idempotency-Key" in body["errors"]
    assert written() == before


def test_the_same_external_id_under_a_new_key_is_a_conflict(api, written):
    client = api()
    first = client.post(URL, WAGES).json()
    before = written()
    body = problem_of(client.post(URL, WAGES), 409)
    assert "external_id" in body["errors"] and first["case_number"] in body["detail"]
    assert written() == before


def test_another_partner_may_use_the_same_external_id(api):
    assert api().post(URL, WAGES).status_code == 201
    assert api(partner="高明区网格化服务平台").post(URL, WAGES).status_code == 201
    assert Case.objects.count() == 2


def test_an_idempotency_key_is_required_and_printable(api, written):
    client = api()
    before = written()
    assert "Idempotency-Key" in problem_of(client.post(URL, WAGES, key=None), 400)["errors"]
    assert "Idempotency-Key" in problem_of(client.post(URL, WAGES, key="有 空格"), 400)["errors"]
    assert written() == before


BAD = [
    ({"matter": "no.such.matter"}, "matter", "未知的事项类型代码"),
    ({"region": "999999999999"}, "region", "未知的区划代码"),
    ({"region": "440608"}, "region", "乡镇"),
    ({"channel": "web"}, "channel", "不是可用的渠道"),
    ({"channel": "window"}, "channel", "不是可用的渠道"),
    ({"description": 12345678}, "description", "JSON 字符串"),
    ({"description": ["拖欠工资"]}, "description", "JSON 字符串"),
    ({"people_count": "3"}, "people_count", "整数"),
    ({"people_count": True}, "people_count", "整数"),
    ({"people_count": 1.5}, "people_count", "整数"),
    ({"people_count": 0}, "people_count", "不能小于"),
    ({"contact_phone": "12345"}, "contact_phone", "手机号"),
    ({"id_number": "123"}, "id_number", "18 位"),
    ({"description": "拖欠工资\u0000三个月"}, "description", "控制字符"),
    ({"contact_name": "何\u0007秀英"}, "contact_name", "控制字符"),
    ({"external_id": "含有 空格"}, "external_id", "字母"),
    ({"description": "拖" * 2001}, "description", "2000"),
    ({"latitude": "22.9"}, "latitude", "数字"),
    ({"contact_name": None}, "contact_name", "null"),
    ({"people": 50}, "people", "未知字段"),  # a typo for people_count is not dropped silently
    ({"matter": "labor"}, "matter", "具体的事项类型"),  # a group, not a leaf
]


@pytest.mark.parametrize(("change", "field", "words"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_names_the_field_and_writes_nothing(api, written, change, field, words):
    client = api()
    before = written()
    body = problem_of(client.post(URL, {**WAGES, **change}), 400)
    assert field in body["errors"], body
    assert words in " ".join(body["errors"][field]), body["errors"][field]
    assert field in body["detail"]
    assert written() == before


def test_missing_fields_are_each_named(api):
    body = problem_of(api().post(URL, {}), 400)
    assert set(body["errors"]) == {
        "channel",
        "external_id",
        "matter",
        "region",
        "description",
        "contact_name",
        "contact_phone",
    }
    assert body["errors"]["matter"] == ["必须填写。"]


def test_a_region_outside_the_keys_area_is_refused(api, written):
    client = api(region="440608102")  # 明城镇 only
    before = written()
    body = problem_of(client.post(URL, {**WAGES, "region": "440604010"}), 403)  # 祖庙街道, 禅城区
    assert "region" in body["errors"] and "授权区域" in body["detail"]
    assert written() == before
    assert client.post(URL, WAGES).status_code == 201  # 明东村 lies in 明城镇


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b'{"channel": "hotline",', "application/json", 400),  # cut short
        (b'{"channel": "hot\x00line"}', "application/json", 400),  # a raw NUL byte
        (b"\xff\xfe{}", "application/json", 400),  # not UTF-8
        (b"[1, 2]", "application/json", 400),  # not an object
        (b"null", "application/json", 400),
        (b"channel=hotline", "application/x-www-form-urlencoded", 415),
        (b"NaN", "application/json", 400),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(api, written, raw, content_type, status):
    before = written()
    problem_of(api().post(URL, raw=raw, content_type=content_type), status)
    assert written() == before


def test_an_oversized_body_is_refused_before_it_is_read(api, settings, written):
    before = written()
    big = {**WAGES, "address": "x" * (settings.PARTNER_API_MAX_BODY_BYTES + 1)}
    body = problem_of(api().post(URL, big), 413)
    assert "KB" in body["detail"]
    assert written() == before


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        ({}, 401, "缺少接口密钥"),
        ({"Authorization": "Api-Key yk_not-a-real-key"}, 401, "无效"),
        ({"Authorization": "Bearer something"}, 401, "缺少接口密钥"),
    ],
)
def test_a_call_without_a_valid_key_is_refused(api, written, headers, status, words):
    before = written()
    client = api(None)
    body = problem_of(client.post(URL, WAGES, headers=headers), status)
    assert words in body["detail"]
    assert written() == before


def test_the_key_is_read_from_the_header_only(api_key, api):
    _key, raw = api_key()
    client = api(None)
    response = client.client.post(f"{URL}?api_key={raw}", WAGES | {"api_key": raw}, content_type="application/json")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Api-Key")


def test_a_key_without_the_claims_scope_is_refused(api_key, api, written):
    _key, raw = api_key(scopes=["open311"])
    before = written()
    assert "claims" in problem_of(api(raw).post(URL, WAGES), 403)["detail"]
    assert written() == before


def test_a_revoked_key_is_refused(api_key, api):
    from interfaces.services import api_keys_revoke

    key, raw = api_key()
    api_keys_revoke(keys=[key])
    problem_of(api(raw).post(URL, WAGES), 401)


def test_over_the_keys_rate_answers_429_with_retry_after(api_key, api):
    _key, raw = api_key(rate_per_minute=1)
    client = api(raw)
    assert client.post(URL, WAGES).status_code == 201
    response = client.post(URL, {**WAGES, "external_id": "12345-20261207-0002"})
    problem_of(response, 429)
    assert int(response["Retry-After"]) > 0


def test_every_call_is_in_the_keys_call_log(api_key, api):
    from interfaces.models import ApiCall

    key, raw = api_key()
    client = api(raw)
    client.post(URL, WAGES)
    client.post(URL, {})
    api(None).post(URL, WAGES)
    calls = list(ApiCall.objects.order_by("id").values_list("key_id", "endpoint", "status"))
    assert calls == [(key.pk, "api/v1/claims", 201), (key.pk, "api/v1/claims", 400), (None, "api/v1/claims", 401)]


def test_the_answer_is_in_chinese_whatever_the_browser_says(api):
    response = api().post(URL, {}, headers={"Accept-Language": "en"})
    assert "必须填写" in response.json()["errors"]["matter"][0]


def test_a_get_is_not_allowed(api):
    problem_of(api().get(URL), 405)


def test_nothing_of_the_idempotency_record_survives_a_refusal(api):
    client = api()
    problem_of(client.post(URL, {**WAGES, "matter": "x"}, key="fix-me"), 400)
    assert not IdempotencyRecord.objects.exists()
    assert client.post(URL, WAGES, key="fix-me").status_code == 201  # corrected, same key


def test_wrong_keys_use_up_the_addresss_budget(api, settings):
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 2
    client = api(None)
    for _ in range(2):
        problem_of(client.post(URL, WAGES, headers={"Authorization": "Api-Key yk_guess"}), 401)
    response = client.post(URL, WAGES, headers={"Authorization": "Api-Key yk_guess"})
    problem_of(response, 429)
    assert response["Retry-After"]


def test_idempotency_records_are_scoped_by_api_key_not_partner_name(api, api_key):
    _first, raw_a = api_key(partner="高明区12345平台")
    _second, raw_b = api_key(partner="高明区12345平台")  # the same partner name, another key
    a = api(raw_a).post(URL, WAGES, key="same-key")
    b = api(raw_b).post(URL, {**WAGES, "external_id": "12345-20261207-0002"}, key="same-key")
    assert a.status_code == b.status_code == 201, b.content
    assert a.json()["case_number"] != b.json()["case_number"]
    assert IdempotencyRecord.objects.count() == 2


def test_idempotency_records_are_purged_daily_past_their_age(api, settings):
    from datetime import timedelta

    from django.utils import timezone

    from config.schedules import SCHEDULES
    from partner_api.tasks import idempotency_records_purge

    settings.PARTNER_API_IDEMPOTENCY_DAYS = 30
    client = api()
    client.post(URL, WAGES, key="old")
    client.post(URL, {**WAGES, "external_id": "12345-20261207-0002"}, key="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=31))
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_records_purge() == 0
    assert any(s.func == "partner_api.tasks.idempotency_records_purge" for s in SCHEDULES)
