"""API keys at the door of every partner interface (Open311 here, the REST API /api/v1/ next).

An interface view is wrapped with ``api_view(scope=…, endpoint=…, refuse=…)``; it then finds
``request.api_key`` set (or None on a public endpoint called without a key), and every call is
recorded (``ApiCall``: key, method, endpoint, status, time). The pieces can also be used alone:

- ``key_from_request(request)``: the raw key from ``Authorization: Api-Key <key>``, else from the
  ``api_key`` form or query parameter (Open311 puts it there);
- ``authenticate(raw_key, scope) -> ApiKey``: the key, or ``KeyRefused`` with the HTTP status
  (401 missing, unknown or revoked; 403 scope not granted; 429 over the key's rate);
- ``region_allows(key, region)`` and ``region_filter(key)``: the key's region subtree.

How each interface words a refusal is its own (Open311's error list, a JSON problem): the
``refuse`` callable turns a ``KeyRefused`` into that interface's answer. docs/interfaces.md.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.ratelimit import bucket_allowed, client_address
from core.request_checks import has_control_characters
from routing.models import Region

from .models import ApiKey
from .services import SCOPES, api_call_record, hash_key

AUTH_SCHEME = "Api-Key"
MAX_KEY_LENGTH = 100  # ours are 46 characters; anything much longer is not worth hashing
RATE_WINDOW_SECONDS = 60


class KeyRefused(Exception):
    """The call may not go ahead: ``status`` (401, 403, 429) and a Chinese ``message`` for the
    partner's developers; ``retry_after`` seconds for a rate refusal; ``key`` the key when it was
    found (a scope or rate refusal), so the call log still names the partner."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None, key: ApiKey | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after, self.key = status, message, retry_after, key


def key_from_request(request: HttpRequest, *, params: bool = True) -> str:
    """The raw key of a call, or "". The header wins; ``params`` also reads ``api_key`` from the
    form body of a POST, then from the query string, as Open311 clients send it."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == AUTH_SCHEME.lower() and value.strip():
        return value.strip()
    if params:
        in_form = request.POST.get("api_key") if request.method == "POST" else None
        return (in_form or request.GET.get("api_key") or "").strip()
    return ""


def authenticate(raw_key: str | None, scope: str) -> ApiKey:
    """The active key ``raw_key`` if it carries ``scope`` and is under its rate; else raises
    ``KeyRefused``. One indexed query; the rate is counted in Django's cache per key."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: add it to interfaces.services.SCOPES")
    if not raw_key:
        raise KeyRefused(401, _("缺少接口密钥（api_key 参数，或请求头 Authorization: Api-Key <密钥>）。"))
    key = None
    if len(raw_key) <= MAX_KEY_LENGTH:
        key = ApiKey.objects.select_related("region").filter(key_hash=hash_key(raw_key)).first()
    if key is None or not key.active:
        raise KeyRefused(401, _("接口密钥无效或已吊销。"), key=key)
    if scope not in key.scopes:
        raise KeyRefused(403, _("该接口密钥未获授权调用此接口（需要授权范围 %(scope)s）。") % {"scope": scope}, key=key)
    limit = key.rate_per_minute or settings.API_KEY_RATE_PER_MINUTE
    if not bucket_allowed(f"apikey:{key.pk}", limit=limit, window=RATE_WINDOW_SECONDS):
        raise KeyRefused(
            429,
            _("调用过于频繁：每分钟最多 %(n)s 次，请稍后再试。") % {"n": limit},
            retry_after=RATE_WINDOW_SECONDS,
            key=key,
        )
    return key


def anonymous_allowed(request: HttpRequest) -> None:
    """A public endpoint called without a key is limited per client address."""
    limit = settings.API_ANONYMOUS_RATE_PER_MINUTE
    if not bucket_allowed(f"apianon:{client_address(request)}", limit=limit, window=RATE_WINDOW_SECONDS):
        raise KeyRefused(
            429,
            _("调用过于频繁：未使用密钥时每分钟最多 %(n)s 次，请稍后再试。") % {"n": limit},
            retry_after=RATE_WINDOW_SECONDS,
        )


def _address(request: HttpRequest) -> str | None:
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def region_allows(key: ApiKey, region: Region) -> bool:
    """``region`` lies in the key's subtree (a key without a region covers everywhere)."""
    return key.region is None or region.path.startswith(key.region.path)


def region_filter(key: ApiKey | None, field: str = "region") -> Q:
    """A filter keeping rows whose ``field`` (a Region relation) lies in the key's subtree (no
    key, as for the public tracking: everywhere)."""
    return Q() if key is None or key.region is None else Q(**{f"{field}__path__startswith": key.region.path})


def _door(request: HttpRequest, scope: str, key_optional: bool) -> ApiKey | None:
    """What every call passes first: a readable request without control characters, then the
    key (or, for a public endpoint called without one, the client's rate)."""
    try:
        if has_control_characters(request):
            raise KeyRefused(400, _("请求中含有不可见的控制字符（如 NUL），无法处理。请删除后重新提交。"))
        raw_key = key_from_request(request)
    except RequestDataTooBig as exc:
        raise KeyRefused(
            400, _("请求过大：表单内容不能超过 %(n)s KB。") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}
        ) from exc
    except SuspiciousOperation as exc:  # too many fields, a malformed body
        raise KeyRefused(400, _("请求格式无法识别，请按接口文档提交表单。")) from exc
    if raw_key or not key_optional:
        try:
            return authenticate(raw_key, scope)
        except KeyRefused as refusal:
            if refusal.status == 401:  # a client sending no or wrong keys counts as anonymous
                anonymous_allowed(request)
            raise
    anonymous_allowed(request)
    return None


def api_view(
    *,
    scope: str,
    endpoint: str,
    refuse: Callable[[HttpRequest, KeyRefused], HttpResponse],
    key_optional: bool = False,
):
    """Wrap an interface view: the request checked (control characters, size), the key checked
    (with ``key_optional``, only when one is sent), ``request.api_key`` set, the call recorded with
    its final status, CSRF not applied (a key, not a cookie, authenticates). The view answers its
    own errors in its own format; ``refuse`` words the door's refusals."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            at, key, status = timezone.now(), None, 500
            try:
                try:
                    key = _door(request, scope, key_optional)
                except KeyRefused as refusal:
                    key = refusal.key
                    response = refuse(request, refusal)
                    if refusal.retry_after:
                        response["Retry-After"] = str(refusal.retry_after)
                else:
                    request.api_key = key
                    response = view(request, *args, **kwargs)
                status = response.status_code
                return response
            finally:
                api_call_record(
                    key=key,
                    method=request.method or "",
                    endpoint=endpoint,
                    status=status,
                    client=_address(request),
                    at=at,
                )

        return wrapper

    return decorator
