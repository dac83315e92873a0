"""Staff sessions end after ``STAFF_SESSION_IDLE_SECONDS`` without a request (sliding) and at the
latest ``STAFF_SESSION_MAX_SECONDS`` after login. Citizens keep Django's default session.

A staff screen left open in a service hall must not stay usable by the next visitor; a citizen
on their own phone is not bothered (docs/security.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

LOGIN_AT = "yk_login_at"
SEEN_AT = "yk_seen_at"
_REFRESH_EVERY = 60  # seconds: the session row is rewritten at most once a minute


def is_staff_account(user) -> bool:
    return user.is_authenticated and (user.is_staff or not user.is_citizen)


@receiver(user_logged_in)
def _session_clock_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        if is_staff_account(user):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in settings.SESSIONLESS_PATHS:
            return self.get_response(request)  # probes (/healthz, /readyz) never touch a session
        user = getattr(request, "user", None)
        if user is not None and is_staff_account(user):
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        session = request.session
        now = int(time.time())
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        idle = now - seen_at > settings.STAFF_SESSION_IDLE_SECONDS
        too_old = now - login_at > settings.STAFF_SESSION_MAX_SECONDS
        if idle or too_old:
            logout(request)
            messages.info(request, _("为保障信息安全，长时间未操作或登录已超过时限，已自动退出，请重新登录。"))
            return
        if now - seen_at >= _REFRESH_EVERY or SEEN_AT not in session:
            session[SEEN_AT] = now
            session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
