"""Who calls: the partner's API key from ``Authorization: Api-Key <key>``, checked by the
interfaces app's key module (scope, revocation, the key's rate) for the scope the view names;
every call recorded in the key's call log. docs/api.md "Authentication"."""

from __future__ import annotations

import ipaddress

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.views import APIView

from interfaces.keys import AUTH_SCHEME, KeyRefused, anonymous_allowed, authenticate, key_from_request
from interfaces.services import api_call_record

from .problems import BoundedJSONParser


class ApiKeyAuthentication(BaseAuthentication):
    """The view's ``api_scope`` must be granted to the key. ``request.auth`` is the ``ApiKey``."""

    def authenticate(self, request):
        view = request.parser_context.get("view")
        try:
            try:
                key = authenticate(key_from_request(request._request, params=False), view.api_scope)
            except KeyRefused as refusal:
                request._request.api_key_refused = refusal.key  # the call log names it
                if refusal.status == 401:  # no or a wrong key: counted against the address, as Open311 does
                    anonymous_allowed(request._request)
                raise
        except KeyRefused as refusal:
            if refusal.status == 429:
                raise exceptions.Throttled(wait=refusal.retry_after, detail=refusal.message) from refusal
            if refusal.status == 403:
                raise exceptions.PermissionDenied(refusal.message) from refusal
            raise exceptions.AuthenticationFailed(refusal.message) from refusal
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return f'{AUTH_SCHEME} realm="api"'


class PartnerView(APIView):
    """The base of every /api/v1/ view: JSON in and out, the key checked for ``api_scope``, the call
    recorded (endpoint ``api_endpoint``) with the status it finally got."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes: list = []
    parser_classes = [BoundedJSONParser]
    api_scope = "claims"
    api_endpoint = ""
    allowed_query: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_query)
        if unknown:
            message = (
                _("未知的查询参数，请删除。")
                if not self.allowed_query
                else _("未知的查询参数；可用：%(p)s。") % {"p": "、".join(sorted(self.allowed_query))}
            )
            raise exceptions.ValidationError({name[:40] or "（空参数名）": [message] for name in unknown[:10]})

    def dispatch(self, request, *args, **kwargs):
        at, status = timezone.now(), 500
        try:
            response = super().dispatch(request, *args, **kwargs)
            status = response.status_code
            return response
        finally:
            drf_request = getattr(self, "request", None)
            key = getattr(drf_request, "_auth", None) or getattr(request, "api_key_refused", None)
            api_call_record(
                key=key,
                method=request.method or "",
                endpoint=self.api_endpoint,
                status=status,
                client=_client(request),
                at=at,
            )


def _client(request) -> str | None:
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the schema describes the key (drf-spectacular finds it by the class it targets)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "请求头 `Authorization: Api-Key <密钥>`；密钥由管理员用 manage.py api_key_create 生成。",
        }
