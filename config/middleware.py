"""Language choice: Simplified Chinese unless the user picked English with the switcher.

Django's LocaleMiddleware would follow the browser's Accept-Language; a government portal in
China shows Chinese by default whatever the browser says, and English only on request (cookie
set by ``set_language``).
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.request_checks import has_control_characters


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ControlCharacterMiddleware:
    """Refuse a request whose path, query string or form fields carry control characters.

    PostgreSQL cannot store NUL and answers with an error deep inside a query; every form and
    URL parameter would need its own guard. One check at the edge answers 400 with a short page
    instead, before any view or query runs (docs/security.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._hostile(request):
            if request.path.startswith("/api/v1/"):  # the partner API answers errors as data
                from partner_api.problems import problem_json

                return problem_json(400, _("请求中含有不可见的控制字符，无法处理。请删除后重新提交。"))
            return HttpResponseBadRequest(
                "<!doctype html><meta charset='utf-8'><title>400</title><p>"
                + escape(_("请求中含有不可见的控制字符，无法处理。请删除后重新输入或提交。"))
                + "</p>",
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _hostile(request) -> bool:
        # Partner interfaces answer in their own error format (interfaces.keys.api_view).
        if request.path.startswith(settings.CONTROL_CHARACTER_SELF_CHECKED_PATHS):
            return False
        # The partner API reads JSON bodies only and checks them itself (partner_api).
        return has_control_characters(request, body=not request.path.startswith("/api/v1/"))


class TrustedProxyMiddleware:
    """Behind a reverse proxy, the client's address is the proxy's ``X-Real-IP`` — but only when
    the request really comes from a proxy listed in ``TRUSTED_PROXIES`` (addresses or networks).

    Without it every user behind nginx shares the proxy's address, so one person's failed logins
    lock everyone out and the rate limits count the whole city together. Trusting the header from
    anyone else would let a client pick a fresh address per try and never be limited. Outermost
    middleware: the request line, the rate limits (``core.ratelimit``) and django-axes then all
    read the real client from ``REMOTE_ADDR``; the proxy's own address stays in
    ``META["YIKOUBAN_PROXY_ADDR"]``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = _address(request.META.get("REMOTE_ADDR", ""))
        if peer is not None and getattr(peer, "ipv4_mapped", None):  # ::ffff:a.b.c.d on a dual-stack bind
            peer = peer.ipv4_mapped
        if peer is not None and any(peer in _network(item) for item in settings.TRUSTED_PROXIES):
            client = _address(request.META.get("HTTP_X_REAL_IP", "").strip())
            if client is not None:
                request.META["YIKOUBAN_PROXY_ADDR"] = request.META["REMOTE_ADDR"]
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)


@functools.lru_cache(maxsize=64)
def _network(text: str):
    return ipaddress.ip_network(text, strict=False)


def _address(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
