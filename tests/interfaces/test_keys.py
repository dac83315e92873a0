"""API keys: made once, stored hashed, scoped, revocable, rate-limited; every call recorded."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory

from interfaces.keys import KeyRefused, api_view, authenticate, key_from_request, region_allows
from interfaces.models import ApiCall, ApiKey
from interfaces.services import api_keys_revoke
from routing.models import Region

pytestmark = pytest.mark.django_db


def test_command_prints_the_key_last_and_stores_only_its_digest(demo):
    out = StringIO()
    call_command(
        "api_key_create", "--partner", "佛山12345平台", "--scope", "open311,claims", "--region", "440608", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1]
    assert raw.startswith("yk_") and len(raw) >= 40 and " " not in raw
    key = ApiKey.objects.get()
    assert key.partner == "佛山12345平台"
    assert key.scopes == ["claims", "open311"]
    assert key.region.code == "440608"
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.values_list()) and key.prefix == raw[:10]
    assert "只显示这一次" in out.getvalue()
    assert authenticate(raw, "open311") == key


def test_command_default_scope_is_open311_and_everywhere(demo):
    out = StringIO()
    call_command("api_key_create", "--partner", "甲", stdout=out)
    key = ApiKey.objects.get()
    assert key.scopes == ["open311"] and key.region is None
    assert "不限区域" in out.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--partner", "甲", "--scope", "open311,everything"], "授权范围无效：everything"),
        (["--partner", "甲", "--region", "999999"], "区划编码 999999 不存在"),
        (["--partner", "   "], "请填写合作方名称"),
        (["--partner", "甲", "--rate", "0"], "至少为 1"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(demo, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("api_key_create", *args, stdout=StringIO())
    assert not ApiKey.objects.exists()


def test_authenticate_refusals(api_key):
    key, raw = api_key(scopes=["open311"])
    with pytest.raises(KeyRefused) as missing:
        authenticate("", "open311")
    assert missing.value.status == 401
    with pytest.raises(KeyRefused) as unknown:
        authenticate(raw + "x", "open311")
    assert unknown.value.status == 401
    with pytest.raises(KeyRefused) as huge:
        authenticate("y" * 10_000, "open311")
    assert huge.value.status == 401
    with pytest.raises(KeyRefused) as scope:
        authenticate(raw, "claims")
    assert scope.value.status == 403 and "claims" in scope.value.message
    assert api_keys_revoke(keys=[key]) == 1
    with pytest.raises(KeyRefused) as revoked:
        authenticate(raw, "open311")
    assert revoked.value.status == 401 and "吊销" in revoked.value.message
    assert api_keys_revoke(keys=[key]) == 0  # the first revocation time is kept


def test_rate_limit_per_key(api_key):
    _key, raw = api_key(rate=3)
    _other, other_raw = api_key(rate=3)
    for _ in range(3):
        authenticate(raw, "open311")
    with pytest.raises(KeyRefused) as over:
        authenticate(raw, "open311")
    assert over.value.status == 429 and over.value.retry_after == 60 and "3" in over.value.message
    authenticate(other_raw, "open311")  # another key counts on its own


def test_region_subtree(api_key):
    key, _raw = api_key(region="440608")
    assert region_allows(key, Region.objects.get(code="440608102201"))
    assert not region_allows(key, Region.objects.get(code="440604"))
    everywhere, _raw = api_key()
    assert region_allows(everywhere, Region.objects.get(code="440604"))


def test_key_from_header_wins_over_parameter():
    factory = RequestFactory()
    request = factory.get("/x", {"api_key": "param"}, HTTP_AUTHORIZATION="Api-Key header")
    assert key_from_request(request) == "header"
    assert key_from_request(factory.get("/x", {"api_key": "param"})) == "param"
    assert key_from_request(factory.post("/x", {"api_key": "form"})) == "form"
    assert key_from_request(factory.post("/x?api_key=query", {"note": "x"})) == "query"
    assert key_from_request(factory.get("/x", {"api_key": "param"}), params=False) == ""
    assert key_from_request(factory.get("/x", HTTP_AUTHORIZATION="Bearer abc")) == ""


def _refuse(request, refusal):
    return HttpResponse(refusal.message, status=refusal.status)


@api_view(scope="open311", endpoint="test:thing", refuse=_refuse)
def _thing(request):
    return HttpResponse(request.api_key.partner)


@api_view(scope="open311", endpoint="test:public", refuse=_refuse, key_optional=True)
def _public(request):
    return HttpResponse("ok" if request.api_key is None else request.api_key.partner)


def test_every_call_is_recorded_with_its_status(api_key, settings):
    key, raw = api_key(rate=2)
    factory = RequestFactory()
    assert _thing(factory.get("/x", {"api_key": raw})).status_code == 200
    assert _thing(factory.get("/x")).status_code == 401
    assert _thing(factory.get("/x", HTTP_AUTHORIZATION=f"Api-Key {raw}")).status_code == 200
    limited = _thing(factory.get("/x", {"api_key": raw}))
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 2  # the keyless call above used one
    assert _public(factory.get("/p")).content == b"ok"
    assert _public(factory.get("/p")).status_code == 429
    calls = list(ApiCall.objects.order_by("id").values_list("key_id", "endpoint", "status", "method", "client"))
    assert calls == [
        (key.pk, "test:thing", 200, "GET", "127.0.0.1"),
        (None, "test:thing", 401, "GET", "127.0.0.1"),
        (key.pk, "test:thing", 200, "GET", "127.0.0.1"),
        (key.pk, "test:thing", 429, "GET", "127.0.0.1"),
        (None, "test:public", 200, "GET", "127.0.0.1"),
        (None, "test:public", 429, "GET", "127.0.0.1"),
    ]


def test_a_crash_is_recorded_as_500(api_key):
    _key, raw = api_key()

    @api_view(scope="open311", endpoint="test:crash", refuse=_refuse)
    def crash(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        crash(RequestFactory().get("/x", {"api_key": raw}))
    assert ApiCall.objects.get().status == 500


def test_admin_lists_keys_and_revokes(api_key, login):
    key, raw = api_key()
    admin = login("admin")
    page = admin.get("/admin/interfaces/apikey/")
    assert page.status_code == 200 and key.prefix in page.content.decode() and raw not in page.content.decode()
    assert admin.get("/admin/interfaces/apikey/add/").status_code == 403
    response = admin.post("/admin/interfaces/apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    assert "已吊销 1 个密钥" in response.content.decode()
    with pytest.raises(KeyRefused):
        authenticate(raw, "open311")
    assert admin.get("/admin/interfaces/apicall/").status_code == 200


def test_call_log_purge(api_key, settings):
    from datetime import timedelta

    from django.utils import timezone

    from config.schedules import SCHEDULES
    from interfaces.services import api_call_record
    from interfaces.tasks import api_calls_purge

    key, _raw = api_key()
    now = timezone.now()
    for days in (200, 181, 179, 0):
        api_call_record(key=key, method="GET", endpoint="x", status=200, client=None, at=now - timedelta(days=days))
    assert api_calls_purge() == 2
    assert ApiCall.objects.count() == 2
    assert api_calls_purge() == 0
    assert any(s.func == "interfaces.tasks.api_calls_purge" for s in SCHEDULES)


def test_wrong_keys_use_up_the_anonymous_budget(api_key, settings):
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 2
    factory = RequestFactory()
    statuses = [_thing(factory.get("/x", {"api_key": f"yk_guess{n}"})).status_code for n in range(3)]
    assert statuses == [401, 401, 429]
    _key, raw = api_key()
    assert _thing(factory.get("/x", {"api_key": raw})).status_code == 200  # a good key has its own budget


def test_control_characters_and_huge_bodies_are_refused_at_the_door(api_key, settings):
    _key, raw = api_key()
    factory = RequestFactory()
    assert _thing(factory.get("/x", {"api_key": raw, "q": "a\x00b"})).status_code == 400
    assert _thing(factory.post("/x", {"api_key": raw, "note": "a\x07b"})).status_code == 400
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = _thing(factory.post("/x", {"api_key": raw, "note": "长" * 200}))
    assert response.status_code == 400 and "请求过大" in response.content.decode()
    assert list(ApiCall.objects.values_list("status", flat=True)) == [400, 400, 400]
