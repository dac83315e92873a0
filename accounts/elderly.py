"""长辈模式 (elderly mode, 大字版): one switch on every page, remembered per browser and per account.

Where the choice lives (docs/accessibility.md):

- In the browser, the ``yk_elderly`` cookie ("1" on, "0" off), for a year: a visitor who is not
  logged in sees the mode the cookie says.
- On the account, ``User.elderly_mode``: while logged in, the account decides, and the cookie is
  brought into line with it on every response, so the page stays the same after logging out.
- At login, a choice made in this browser while logged out (since the last login or logout) is
  carried into the account: the latest choice wins. A cookie left by someone else's session does
  not count as a choice, so the next person to log in on a shared computer keeps their own setting.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

COOKIE = "yk_elderly"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: The choice a visitor made while logged out, kept in the session (Django keeps the session's data
#: when an anonymous session logs in, and flushes it at logout).
SESSION_CHOICE = "yk_elderly_choice"


def cookie_mode(request) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def elderly_mode_of(request) -> bool:
    """The mode this request is shown in: the account's while logged in, else the browser's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elderly_mode)
    return cookie_mode(request)


def cookie_set(response, on: bool) -> None:
    response.set_cookie(
        COOKIE,
        "1" if on else "0",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )


class ElderlyModeMiddleware:
    """Sets ``request.elderly_mode`` for the templates, and keeps a logged-in user's cookie in step
    with their account (after the view ran, so a login or a switch in this request is seen)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.elderly_mode = elderly_mode_of(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and COOKIE not in response.cookies:
            on = bool(user.elderly_mode)
            if request.COOKIES.get(COOKIE) != ("1" if on else "0"):
                cookie_set(response, on)
        return response


@receiver(user_logged_in)
def _carry_choice_into_account(sender, request, user, **kwargs):
    """A visitor who switched the mode before logging in keeps it: the choice goes into the account."""
    if request is None or not hasattr(request, "session"):
        return
    choice = request.session.pop(SESSION_CHOICE, None)
    if choice is None:
        return
    from .services import user_elderly_mode_set

    user_elderly_mode_set(user=user, on=bool(choice))
    request.elderly_mode = bool(choice)
