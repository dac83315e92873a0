"""Errors as data: every refusal of /api/v1/ is an RFC 7807 problem body in Chinese that names
the fields at fault (docs/api.md "Errors"), never an HTML page."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.errors import ServiceError

PROBLEM_TYPE = "application/problem+json"

#: The title of each status (the ``detail`` says what happened this time).
TITLES = {
    400: "请求有误",
    401: "未通过身份认证",
    403: "无权访问",
    404: "未找到",
    405: "不支持该请求方法",
    406: "不支持所请求的格式",
    409: "请求冲突",
    413: "请求体过大",
    415: "不支持的请求格式",
    429: "调用过于频繁",
}
#: DRF's own error codes, in our words (its translations are terse and name no field).
DETAILS = {
    "not_authenticated": "缺少接口密钥（请求头 Authorization: Api-Key <密钥>）。",
    "parse_error": "请求体不是有效的 JSON，请检查格式和编码（UTF-8）。",
    "unsupported_media_type": "请以 application/json 提交请求体。",
    "method_not_allowed": "该接口不支持此请求方法。",
    "not_acceptable": "该接口只返回 JSON（application/json）。",
    "not_found": "未找到该资源，或其不在本密钥的授权区域内。",
}


def problem_type(status_code: int) -> str:
    return f"{settings.PARTNER_API_PROBLEM_BASE}{status_code}"


def problem(status_code: int, detail: str, errors: dict | None = None, **headers) -> Response:
    body = {
        "type": problem_type(status_code),
        "title": TITLES.get(status_code, _("请求失败")),
        "status": status_code,
        "detail": detail,
        "errors": errors or {},
    }
    return Response(body, status=status_code, content_type=PROBLEM_TYPE, headers=headers or None)


def problem_json(status_code: int, detail: str) -> JsonResponse:
    """The same body from plain Django (a middleware that answers before any view)."""
    body = {
        "type": problem_type(status_code),
        "title": TITLES.get(status_code, ""),
        "status": status_code,
        "detail": detail,
        "errors": {},
    }
    return JsonResponse(body, status=status_code, content_type=PROBLEM_TYPE, json_dumps_params={"ensure_ascii": False})


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """409 with the fields at fault (a replayed idempotency key, an external id already used)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.errors = errors or {}


class FieldsRefused(exceptions.APIException):
    """A refusal with a status of its own that still names the fields (a region outside the
    key's area: 403)."""

    def __init__(self, status_code: int, detail: str, errors: dict):
        super().__init__(detail)
        self.status_code, self.errors = status_code, errors


def _messages(value) -> list[str] | dict:
    if isinstance(value, dict):
        return {str(k): _messages(v) for k, v in value.items()}
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value) and value:
            return {str(i): _messages(item) for i, item in enumerate(value) if item}
        return [str(item) for item in value]
    return [str(value)]


def _summary(errors: dict) -> str:
    names = "、".join(errors)
    return _("请求中有 %(n)d 个字段不符合要求：%(f)s。详见 errors。") % {"n": len(errors), "f": names}


def exception_handler(exc, context) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER`` for the partner API."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ServiceError):
        errors = {exc.field: [exc.message]} if exc.field else {}
        return problem(exc.status, exc.message, errors)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: a 500, logged as one
    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Api-Key realm="api"'
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = _messages(detail)
        return problem(400, _summary(errors), errors)
    errors = getattr(exc, "errors", {})
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else ""
    detail = DETAILS.get(code) or str(exc.detail)
    return problem(exc.status_code, detail, errors, **headers)


class BoundedJSONParser(JSONParser):
    """JSON, at most ``PARTNER_API_MAX_BODY_BYTES``: the declared length is checked before a byte is
    read, and a body without one is read no further than the limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.PARTNER_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        too_big = PayloadTooLarge(
            _("请求体超过 %(kb)d KB，请精简诉求内容后再提交。") % {"kb": limit // 1024},
        )
        if declared > limit:
            raise too_big
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_big
        if b"\x00" in raw:
            raise exceptions.ParseError(_("请求体含有 NUL 字节，无法处理。"))
        return super().parse(io.BytesIO(raw), media_type, parser_context)
