"""Login throttling (django-axes): after repeated failures a client waits, and says how long.

Two counters over the last ``AXES_COOLOFF_TIME``, both per client address (docs/security.md):

- one account from one client: ``AXES_FAILURE_LIMIT`` wrong passwords lock that pair;
- one client over all accounts: ``LOGIN_CLIENT_FAILURE_LIMIT`` failures lock the client
  (password spraying across many phones).

No counter is per account alone, so an attacker elsewhere can lock only their own address out,
never the owner of a known phone number; and every lock ends by itself after the cool-off.
"""

from __future__ import annotations

import math
import re

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.masking import mask_phone


class LoginAttemptHandler(AxesDatabaseHandler):
    """``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``: the first
    counter against ``AXES_FAILURE_LIMIT``, the second scaled so it reaches that limit exactly at
    ``LOGIN_CLIENT_FAILURE_LIMIT``."""

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if not counts:
            return 0
        account_and_client, *per_client = counts
        limit, client_limit = settings.AXES_FAILURE_LIMIT, settings.LOGIN_CLIENT_FAILURE_LIMIT
        return max([account_and_client] + [n * limit // client_limit for n in per_client])

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures from this client, not the client's
        failures on other accounts: else a sprayer could log into an account of their own every
        29 tries and never reach ``LOGIN_CLIENT_FAILURE_LIMIT``. The account is named as typed
        (a phone), not by ``user.get_username()`` as axes passes it."""
        attempts_list = self.filter_user_attempts(request, None)
        if not attempts_list:
            return 0
        deleted, _ = attempts_list[0].delete()
        return deleted


def lockout_wait_minutes(request, credentials=None) -> int:
    """Whole minutes until the newest counted failure of this client leaves the cool-off window."""
    cool_off = get_cool_off(request)
    handler = LoginAttemptHandler()
    latest = None
    for attempts in handler.get_user_attempts(request, credentials):
        newest = attempts.aggregate(t=Max("attempt_time"))["t"]
        if newest and (latest is None or newest > latest):
            latest = newest
    if latest is None or cool_off is None:
        return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    remaining = (latest + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining / 60))


def lockout_message(request, credentials=None) -> str:
    return _("登录失败次数过多，为保护账号安全已暂时锁定。请 %(m)s 分钟后再试；如忘记密码，请到窗口办理。") % {
        "m": lockout_wait_minutes(request, credentials)
    }


def lockout_response(request, original_response=None, credentials=None):
    """The login form as rendered (its error already says how long to wait), answered 429."""
    if original_response is not None and getattr(original_response, "status_code", 0) < 400:
        original_response.status_code = 429
        return original_response
    from django.http import HttpResponse

    return HttpResponse(lockout_message(request, credentials), status=429, content_type="text/plain; charset=utf-8")


_PHONE_IN_NAME = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What axes logs about a login, a failure or a reset: the phone masked, also inside a
    citizen's username (``citizen-138…``), so no log line carries a full phone number."""
    if username and username.isdigit():
        who = mask_phone(username)
    else:
        who = _PHONE_IN_NAME.sub(lambda m: mask_phone(m.group()), username) if username else username
    return f"{{username: {who!r}, ip_address: {ip_address!r}, path_info: {path_info!r}}}"
